"""Errors the command line turns into one line and exit code 2.

`BadInput` lives in components.untrusted (the readers the pack and the Pulumi program
share, which must not import this CLI package); it is re-exported here for the CLI.
"""

from __future__ import annotations

import contextlib
import os
import sys

from components.untrusted.errors import BadInput, InputError

__all__ = ["BadInput", "InputError", "bad_input_line", "stdout_closed"]

ERROR_LIMIT = 2000


def bad_input_line(error: BadInput) -> str:
    """`error: ...` as it may reach a CI log: one line, no escapes, secrets masked.

    str(error) is already one line with secrets masked (components.untrusted.redact); the
    report sanitizer also takes out escape sequences and invisible characters and cuts it.
    """
    from bootstrap.reports.untrusted import plain

    return f"error: {plain(str(error), limit=ERROR_LIMIT)}"


def stdout_closed() -> int:
    """Exit code 2 when whoever read stdout went away (`bootstrap render | head -1`).

    The contract (README, "Exit codes") counts a closed pipe as an environment problem;
    the work itself is done (files are written before anything is printed). Stdout is
    pointed at /dev/null so the interpreter's final flush cannot fail again, as the Python
    docs advise for SIGPIPE ("Note on SIGPIPE" in the signal module's documentation).
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    with contextlib.suppress(OSError):  # stderr gone too: the exit code still says it
        print("error: standard output was closed early (broken pipe)", file=sys.stderr)
    return 2
