"""`bootstrap render [ENV...] [--check]`: write gitops/ from the stack files, or check it.

Every requested stack is validated before anything is rendered, so bad input leaves the
tree untouched (one line, exit 2). With no ENV the render covers every stack, and
generated folders of environments without a stack file are removed. The working copy is
locked for the whole run (bootstrap.locking), and what an interrupted render left behind
is repaired first (bootstrap.gitops.files).
"""

from __future__ import annotations

import argparse
from typing import Any

from bootstrap.cli_options import add_gitops_dir, add_stack_dir

DESCRIPTION = (
    "Render the Flux-reconciled gitops/ tree from the validated stack configs (atomically), "
    "or with --check report the files that differ without writing anything."
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "render", help="write gitops/ from the stack configs", description=DESCRIPTION
    )
    parser.add_argument("envs", nargs="*", metavar="ENV", help="stacks to render (default: all)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 and list the files that differ, without writing",
    )
    add_stack_dir(parser)
    add_gitops_dir(parser, "the tree to write or check")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bootstrap.stack_change import locked

    # Held from before the stacks are read until the tree is written (bootstrap.locking).
    return locked(args, lambda: _run(args))


def _run(args: argparse.Namespace) -> int:
    from bootstrap import stacks
    from bootstrap.gitops import find_drift, render
    from bootstrap.gitops.files import recover
    from bootstrap.outputs import writing
    from bootstrap.reports.untrusted import plain

    names = stacks.select(args.stack_dir, args.envs)
    configs = {name: stacks.load(args.stack_dir, name).config for name in names}
    complete = not args.envs
    gitops = plain(args.gitops_dir)
    if args.check:
        drift = find_drift(configs, args.gitops_dir, complete=complete)
        if drift:
            print(f"{gitops} is out of date ({len(drift)} file(s)); run bootstrap render:")
            for path in drift:
                print(f"  {plain(path)}")
            return 1
        print(f"{gitops} matches {', '.join(names)}")
        return 0
    with writing(args.gitops_dir, "gitops tree"):
        notes = recover(args.gitops_dir)
        changed = render(configs, args.gitops_dir, complete=complete)
    for note in notes:
        print(plain(note))
    if changed:
        print(f"rendered {gitops} for {', '.join(names)}: {len(changed)} file(s) changed")
        for path in changed:
            print(f"  {plain(path)}")
    else:
        print(f"{gitops} already matches {', '.join(names)}")
    return 0
