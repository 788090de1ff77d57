"""Options shared by the commands (--stack-dir, --gitops-dir), and the report options and
report writing of the commands that judge something (plan, check)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
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


def check_report_paths(args: argparse.Namespace, stacks: Sequence[str] = ()) -> None:
    """Before any work: every requested report can be written (else one line, exit 2).

    `stacks`: the stacks that will be planned, when known (several need a --json folder).
    """
    from bootstrap.outputs import check_folder, check_target, shown

    if args.json_path is not None:
        folder = args.json_path.is_dir() or len(stacks) > 1
        if folder:
            from bootstrap.planfile import file_stem

            check_folder(args.json_path, f"{shown(args.json_path)}: cannot write plan files")
            for stack in stacks:
                file_stem({"stack": stack}, args.json_path)
        else:
            check_target(args.json_path, "plan file")
    if args.sarif is not None:
        check_target(args.sarif, "SARIF report")
    if args.markdown is not None:
        check_target(args.markdown, "Markdown report")


def write_reports(args: argparse.Namespace, plans: list[dict[str, Any]]) -> list[str]:
    """Writes every requested report, or none; returns the lines that say what was written.

    Called once every plan has been judged, and before anything is printed: a terminal
    that goes away (`| head`) never costs the reports.
    """
    from bootstrap.outputs import Output, shown, write_files

    outputs: list[Output] = []
    if args.json_path is not None:
        from bootstrap.planfile import plan_outputs

        outputs += plan_outputs(plans, args.json_path)
    if args.sarif is not None:
        from bootstrap.reports import sarif

        outputs.append(Output(args.sarif, "SARIF report", sarif.text(plans, args.stack_dir)))
    if args.markdown is not None:
        from bootstrap.reports import markdown

        outputs.append(Output(args.markdown, "Markdown report", markdown.render(plans)))
    write_files(outputs)
    labels = {"plan file": "plan", "SARIF report": "SARIF", "Markdown report": "Markdown"}
    return [f"{labels[o.what]} written: {shown(o.path)}" for o in outputs]


def print_lines(console: Any, lines: Sequence[str]) -> None:
    """Lines that may hold paths or names from input: printed as text, never as markup."""
    from bootstrap.reports import untrusted

    for line in lines:
        console.print(untrusted.terminal(line, limit=untrusted.MESSAGE_LIMIT))
