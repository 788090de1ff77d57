"""`bootstrap`: the platform's command line (also `python -m bootstrap`).

Subcommands live in bootstrap/commands/<name>.py and register themselves; heavy imports
(Pulumi, azure-native) happen inside each command so `--help` stays instant.

Exit codes are a contract (README, "Exit codes"): 0 clean, 1 mandatory violation or
drift, 2 bad input or environment (one line naming the file), 3 internal error (a bug
here, never the input's fault: one line and where to report it; BOOTSTRAP_DEBUG=1 shows
the traceback instead), 130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from bootstrap import commands
from bootstrap.errors import BadInput, bad_input_line, stdout_closed

EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 3
DEBUG_VARIABLE = "BOOTSTRAP_DEBUG"
ISSUES_URL = "the project's issue tracker (GitHub Issues of this repository)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bootstrap",
        description="Plan, check and render the secure AKS platform without a cloud account.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        command = importlib.import_module(f"{commands.__name__}.{module.name}")
        register = getattr(command, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except BadInput as error:  # includes ConfigError (components.config)
        print(bad_input_line(error), file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return stdout_closed()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the last resort: a bug must not look like a verdict
        if os.environ.get(DEBUG_VARIABLE):
            raise
        print(internal_error_line(error), file=sys.stderr)
        return EXIT_INTERNAL_ERROR


def entry_point() -> int:
    """The process: `bootstrap` and `python -m bootstrap` (main() is for in-process callers).

    A command is one short process over plain data (plan entries, manifests, reports) with
    few reference cycles, all freed by reference counting anyway. The cyclic collector's
    passes over a heap of millions of such objects cost about a third of a large
    `check --plan`, and its last pass at exit more: it is off for the process, and what is
    left at the end is frozen so the exit does not walk it (README "Measured figures").
    """
    gc.disable()
    code = main()
    gc.freeze()
    return code


def internal_error_line(error: BaseException) -> str:
    """One line for an unexpected exception; the message is cut and secret-masked."""
    from components.untrusted.redact import one_line, redact

    detail = one_line(redact(str(error)))
    if len(detail) > 200:
        detail = detail[:197] + "..."
    where = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return (
        f"internal error: {where} (a bug in bootstrap, not in your input; please report it "
        f"with the command you ran at {ISSUES_URL}; set {DEBUG_VARIABLE}=1 for the traceback)"
    )
