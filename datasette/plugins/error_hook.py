"""Datasette's own error pages, without rich: a 404 for a path no route matches
(`/-/document//etc/hostname`, `/mofcom/..\\..\\x`) must stay a 404.

Datasette 0.65's default error hook (datasette/handle_exception.py) prints every exception with rich
when rich is importable (it is: the CLI uses it). For a path that matched no route the hook runs
outside any `except` block, rich refuses ("Value for 'trace' required if not called in except:
block"), and the client gets an HTTP 500 and the log a traceback. Without rich the same hook renders
its 404 page; a real server error still gets its plain traceback in the log (traceback.print_exc).
"""

from __future__ import annotations

import datasette.handle_exception as default_hook

default_hook.rich = None
