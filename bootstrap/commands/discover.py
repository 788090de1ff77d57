"""`bootstrap discover eks --env ENV --region R [--tag KEY=VALUE]...`.

Lists the region's EKS clusters (boto3, the operator's AWS credentials) and adds or updates
them in `platform:arcClusters` of the stack file, to be onboarded by the program (agent key,
connected cluster, Arc agents). The change is reviewed in a pull request like any other;
`bootstrap plan` stays offline and deterministic. gitops/ gains the new clusters' folders in
the same run. Bad input, or any AWS error, is one line and exit 2, with nothing written.
"""

from __future__ import annotations

import argparse
from typing import Any

from bootstrap.cli_options import add_gitops_dir, add_stack_dir


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "discover",
        help="add clusters of another cloud to platform:arcClusters",
        description="Discover clusters to bring under the baseline through Azure Arc.",
    )
    sources = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")
    eks = sources.add_parser(
        "eks",
        help="EKS clusters of one AWS region",
        description="List EKS clusters (boto3) and add or update them in the stack file.",
    )
    eks.add_argument("--env", required=True, metavar="ENV", help="stack to add them to")
    eks.add_argument("--region", required=True, metavar="R", help="AWS region (e.g. eu-west-1)")
    eks.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="tags",
        help="only clusters carrying this tag (repeat: all must match)",
    )
    add_stack_dir(eks)
    add_gitops_dir(eks, "the tree to re-render")
    eks.set_defaults(handler=run_eks)


def run_eks(args: argparse.Namespace) -> int:
    from bootstrap.discover.eks import parse_tags
    from bootstrap.stack_change import locked

    tags = parse_tags(args.tags)
    return locked(args, lambda: _eks(args, tags))


def _eks(args: argparse.Namespace, tags: dict[str, str]) -> int:
    from bootstrap import stacks
    from bootstrap.discover.eks import discover
    from bootstrap.discover.stack import with_eks_clusters
    from bootstrap.reports.untrusted import plain
    from bootstrap.stack_change import stack_to_edit, write_edit

    names, path = stack_to_edit(args)
    stacks.load(args.stack_dir, args.env)  # the file is valid before AWS is asked anything
    found = discover(args.region, tags)
    text, config, changes = with_eks_clusters(path, found)
    if not changes.added and not changes.updated:
        print(f"{len(found)} EKS cluster(s) in {plain(args.region)}; {plain(path)} is up to date")
        return 0
    changed = write_edit(args, names, path, text, config)
    for label, listed in (("added", changes.added), ("updated", changes.updated)):
        for name in listed:
            print(f"{label} Arc cluster {plain(name)} in {plain(path)}")
    print(f"rendered {len(changed)} file(s) under {plain(args.gitops_dir.as_posix())}")
    return 0
