"""Errors the command line turns into one line and exit code 2."""


class BadInput(Exception):
    """Input the user must fix (config, plan file, manifest); `str()` is the whole message."""
