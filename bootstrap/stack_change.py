"""The commands that change the working copy (render, tenant add, discover): one way to do it.

Each holds the working-copy lock (bootstrap.locking) from before it reads a stack file
until it has written everything, so two concurrent runs never lose each other's change.
A stack edit (`tenant add`, `discover eks`) is validated and rendered in memory first;
then the gitops/ tree and the stack file are written, each atomically.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from components.config import PlatformConfig


def locked(args: argparse.Namespace, body: Callable[[], int]) -> int:
    """Runs `body` holding the lock on --stack-dir and the folder that holds --gitops-dir."""
    from bootstrap.gitops.files import check_gitops_dir
    from bootstrap.locking import working_copy_lock

    check_gitops_dir(args.gitops_dir)
    with working_copy_lock(args.stack_dir, args.gitops_dir.parent):
        return body()


def stack_to_edit(args: argparse.Namespace) -> tuple[list[str], Path]:
    """Every stack's name, and the file of --env (one clear line when it has none)."""
    from bootstrap import stacks
    from components.config import stack_file

    names = stacks.select(args.stack_dir, [])
    stacks.select(args.stack_dir, [args.env])
    return names, stack_file(args.stack_dir, args.env)


def write_edit(
    args: argparse.Namespace, names: list[str], path: Path, text: str, config: PlatformConfig
) -> list[str]:
    """Writes gitops/ as rendered from every stack with `config` for --env, then `text` to
    the stack file; returns the tree's changed paths (relative to --gitops-dir).

    The tree first: if the stack file then failed to change, `bootstrap render` brings the
    tree back in line (both writes are atomic on their own). What an interrupted render
    left behind is repaired first, and said.
    """
    from bootstrap import stacks
    from bootstrap.gitops.files import recover
    from bootstrap.gitops.tree import desired_tree, differences, read_tree, write_tree
    from bootstrap.outputs import check_folder, check_target, shown, writing
    from bootstrap.reports.untrusted import plain
    from bootstrap.stack_edit import replace_file

    configs = {
        name: config if name == args.env else stacks.load(args.stack_dir, name).config
        for name in names
    }
    check_target(path, "stack file")
    check_folder(args.gitops_dir.parent, f"{shown(args.gitops_dir)}: cannot write the tree")
    with writing(args.gitops_dir, "gitops tree"):
        notes = recover(args.gitops_dir)
    existing = read_tree(args.gitops_dir)
    desired = desired_tree(configs, existing, complete=True)
    changed = differences(existing, desired)
    if changed:
        with writing(args.gitops_dir, "gitops tree"):
            write_tree(args.gitops_dir, desired)
    replace_file(path, text)
    for note in notes:
        print(plain(note))
    return changed
