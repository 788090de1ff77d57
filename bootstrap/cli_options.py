"""Options and report writing shared by the commands that judge something (plan, check)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bootstrap.stacks import DEFAULT_STACK_DIR

DEFAULT_GITOPS_DIR = Path("gitops")


def add_stack_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stack-dir",
        type=Path,
        default=DEFAULT_STACK_DIR,
        help="folder of Pulumi.<stack>.yaml files (default: stacks/)",
    )


def add_gitops_dir(parser: argparse.ArgumentParser, purpose: str) -> None:
    parser.add_argument(
        "--gitops-dir",
        type=Path,
        default=DEFAULT_GITOPS_DIR,
        help=f"{purpose} (default: gitops/)",
    )


def add_report_options(parser: argparse.ArgumentParser, json_help: str) -> None:
    parser.add_argument("--json", type=Path, dest="json_path", metavar="F", help=json_help)
    parser.add_argument("--sarif", type=Path, metavar="F", help="SARIF 2.1.0 report")
    parser.add_argument("--markdown", type=Path, metavar="F", help="Markdown report (PR comment)")


def write_reports(args: argparse.Namespace, plans: list[dict[str, Any]], console: Any) -> None:
    """Writes the requested reports, each atomically, once every plan has been judged."""
    if args.json_path is not None:
        from bootstrap.planfile import write_plans

        for path in write_plans(plans, args.json_path):
            console.print(f"plan written: {path}")
    if args.sarif is not None:
        from bootstrap.reports import sarif

        sarif.write(plans, args.sarif, args.stack_dir)
        console.print(f"SARIF written: {args.sarif}")
    if args.markdown is not None:
        from bootstrap.reports import markdown

        markdown.write(plans, args.markdown)
        console.print(f"Markdown written: {args.markdown}")
