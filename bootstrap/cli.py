"""`bootstrap`: the platform's command line (also `python -m bootstrap`).

Subcommands live in bootstrap/commands/<name>.py and register themselves; heavy imports
(Pulumi, azure-native) happen inside each command so `--help` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from bootstrap import commands
from bootstrap.errors import BadInput, one_line, stdout_closed


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
    from components.config import ConfigError

    try:
        code = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except (BadInput, ConfigError) as error:
        print(f"error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return stdout_closed()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
