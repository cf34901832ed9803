"""Serve the replay until interrupted: `cd tests && python -m replay [PORT]` (for measuring and demos)."""

from __future__ import annotations

import sys
import time

from replay.server import ReplayServer

if __name__ == "__main__":
    with ReplayServer(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as server:
        print(server.url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
