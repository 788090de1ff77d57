"""`bootstrap doctor [ENV]`: what is still missing before the first real `pulumi up`.

Offline, and it never needs credentials: one line per item with the command that fixes it.
Where only a live look can tell (a registered provider, a variable in GitHub, a role
assignment), the line prints the `az`/`gh` command that checks it with your own login
instead of running it. Exit 0 when nothing is missing, 1 when something is, 2 on bad input.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from bootstrap.cli_options import add_stack_dir

DESCRIPTION = (
    "List what a new subscription, state backend, secrets provider or GitHub repository "
    "still needs before the first real `pulumi up`, each with the command that fixes it."
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor", help="what the first real deploy still needs", description=DESCRIPTION
    )
    parser.add_argument("env", nargs="?", metavar="ENV", help="one stack (default: all)")
    add_stack_dir(parser)
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(),
        help="the Pulumi project (Pulumi.yaml, .github/workflows; default: .)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bootstrap import stacks
    from bootstrap.doctor.checks import all_checks
    from bootstrap.doctor.model import DoctorContext

    names = stacks.select(args.stack_dir, [args.env] if args.env else [])
    # Every stack is validated before any check runs: bad input stops with one line.
    loaded = [stacks.load(args.stack_dir, name) for name in names]
    context = DoctorContext(
        root=args.root,
        stack_dir=args.stack_dir,
        stacks=loaded,
        environ=dict(os.environ),
        all_stacks=args.env is None,
    )
    items = [item for _, check in all_checks() for item in check(context)]
    for item in items:
        print(item.line())
    missing = sum(item.status == "missing" for item in items)
    to_check = sum(item.status == "check" for item in items)
    if missing:
        print(f"not ready: {missing} missing; {to_check} to check with your az/gh login")
        return 1
    print(f"ready: nothing missing offline; {to_check} to check with your az/gh login")
    return 0
