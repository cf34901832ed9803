"""Errors the CLI turns into a one-line reason and a non-zero exit code."""


class KbError(Exception):
    """A failure the user can act on; its message names the input concerned."""


SHOWN_CHARS = 40  # how much of a bad input an error message quotes back


def shown(value: str) -> str:
    """`value` quoted for an error message, cut to SHOWN_CHARS (a 6000-character parameter is named,
    never echoed whole into the 400)."""
    if len(value) <= SHOWN_CHARS:
        return repr(value)
    return repr(value[:SHOWN_CHARS]) + f"… ({len(value)} characters)"
