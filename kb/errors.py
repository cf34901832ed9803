"""Errors the CLI turns into a one-line reason and a non-zero exit code."""


class KbError(Exception):
    """A failure the user can act on; its message names the input concerned."""
