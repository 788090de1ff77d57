"""`bootstrap tenant add NAME --env ENV --owner GROUP_ID [--keyvault] [--cluster C]...`.

Adds the tenant to `platform:gitops.tenants` of the stack file (comments and key order
kept), validates every stack and renders the new gitops/ tree in memory, and only then
writes the stack file and swaps the tree in. Bad input writes nothing. The working copy
is locked from before the stack file is read until both are written (bootstrap.locking),
so two concurrent runs add both tenants.
"""

from __future__ import annotations

import argparse
from typing import Any

from bootstrap.cli_options import add_gitops_dir, add_stack_dir


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tenant",
        help="manage tenant namespaces",
        description="Manage the tenant namespaces declared in platform:gitops.tenants.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="declare a namespace and render it",
        description="Declare a tenant namespace in a stack file and re-render gitops/.",
    )
    add.add_argument("name", metavar="NAME", help="namespace name (DNS label, e.g. team-c)")
    add.add_argument("--env", required=True, metavar="ENV", help="stack to add it to")
    add.add_argument(
        "--owner", required=True, metavar="GROUP_ID", help="object ID of the owning Entra group"
    )
    add.add_argument(
        "--keyvault",
        action="store_true",
        help="give the namespace its own Key Vault and a workload identity that reads it",
    )
    add.add_argument(
        "--cluster",
        action="append",
        default=[],
        metavar="CLUSTER",
        dest="clusters",
        help="host the namespace only on this cluster (repeat; default: every cluster)",
    )
    add_stack_dir(add)
    add_gitops_dir(add, "the tree to re-render")
    add.set_defaults(handler=run_add)


def run_add(args: argparse.Namespace) -> int:
    from bootstrap.stack_change import locked

    # From before the stack file is read until it and the tree are written: a concurrent
    # `tenant add` waits, then adds its tenant to the file this one wrote.
    return locked(args, lambda: _add(args))


def _add(args: argparse.Namespace) -> int:
    from bootstrap.reports.untrusted import plain
    from bootstrap.stack_change import stack_to_edit, write_edit
    from bootstrap.stack_edit import with_tenant

    names, path = stack_to_edit(args)
    text, config = with_tenant(path, args.name, args.owner, args.keyvault, args.clusters)
    changed = write_edit(args, names, path, text, config)
    print(f"added tenant {plain(args.name)} to {plain(path)}; rendered {len(changed)} file(s):")
    for changed_path in changed:
        print(f"  {plain((args.gitops_dir / changed_path).as_posix())}")
    return 0
