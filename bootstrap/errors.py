"""Errors the command line turns into one line and exit code 2.

`BadInput` lives in components.untrusted (the readers the pack and the Pulumi program
share, which must not import this CLI package); it is re-exported here for the CLI.
"""

from components.untrusted.errors import BadInput, InputError

__all__ = ["BadInput", "InputError"]
