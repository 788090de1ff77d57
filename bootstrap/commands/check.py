"""`bootstrap check`: the policy pack over a plan file or over Kubernetes manifests.

    bootstrap check --plan F          our plan JSON, `pulumi preview --json` or
                                      `pulumi stack export` output (auto-detected)
    bootstrap check --manifests DIR   multi-document YAML and kustomize directories
                                      (and GitHub workflow files)

`--stack ENV` takes the environment's settings (registry, enforcement levels, waivers)
from `<stack-dir>/Pulumi.<ENV>.yaml`; for a plan the stack named in the plan is used when
its file exists. Exit codes: 0 clean, 1 mandatory violation, 2 bad input or environment
(one line, no report written; see the README's "Exit codes").
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bootstrap.cli_options import (
    add_report_options,
    add_stack_dir,
    check_report_paths,
    print_lines,
    write_reports,
)

DESCRIPTION = (
    "Judge a plan file (our plan, `pulumi preview --json`, `pulumi stack export`) or "
    "Kubernetes manifests with the policy pack."
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check", help="policies over a plan file or manifests", description=DESCRIPTION
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--plan", type=Path, metavar="F", help="plan, preview or export JSON")
    source.add_argument(
        "--manifests",
        type=Path,
        metavar="DIR",
        help="Kubernetes YAML files or kustomize directories",
    )
    parser.add_argument(
        "--stack", metavar="ENV", help="environment whose settings, enforcement and waivers apply"
    )
    add_stack_dir(parser)
    add_report_options(parser, "write the judged plan (DESIGN §6) here")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    check_report_paths(args)
    plan = judge(args)
    written = write_reports(args, [plan])
    from bootstrap.reports import terminal

    console = terminal.make_console()
    terminal.print_results(console, [plan])
    print_lines(console, written)
    return 1 if plan["summary"]["violations"] else 0


def judge(args: argparse.Namespace) -> dict[str, Any]:
    """Reads the input and evaluates it; raises BadInput before anything is written."""
    from bootstrap.planfile import SCHEMA_VERSION
    from components.untrusted import display_path

    # Input first: a refusal costs no import of the pack (pulumi_policy is the slow part).
    scope = None
    if args.plan is not None:
        from policies.sources.plan_files import load_plan_file

        loaded = load_plan_file(args.plan)
        stack = args.stack or loaded.stack
        project, resources, source = loaded.project, loaded.resources, args.plan
    else:
        from policies.sources.manifests import load_manifests
        from policies.sources.scope import decide_scope

        stack = args.stack
        resources = load_manifests(args.manifests, stack)
        project, source = "manifests", args.manifests
        # Whole clusters get the cluster-wide controls; a team's folder does not.
        scope = decide_scope(args.manifests)
    context = _context(stack, args.stack_dir, explicit=args.stack is not None)
    from policies.evaluator import evaluate, summarize

    if scope is None:
        results = evaluate(resources, context)
    else:
        from policies.sources.scope import evaluate_in_scope

        results = evaluate_in_scope(resources, context, scope)
    plan = {
        "schemaVersion": SCHEMA_VERSION,
        "project": project,
        "stack": stack,
        "sourceFile": display_path(source),
        "resources": resources,
        "results": results,
        "summary": summarize(resources, results),
    }
    if scope is not None:
        plan["scope"] = scope.report()
    return plan


def _context(stack: str | None, stack_dir: Path, explicit: bool) -> Any:
    from bootstrap.errors import BadInput
    from components.config import display_path, stack_file
    from policies.context import PolicyContext

    if stack is None:
        return PolicyContext.default()
    path = stack_file(stack_dir, stack)
    if explicit and not path.is_file():
        raise BadInput(f"{display_path(path)}: stack file not found (--stack {stack})")
    return PolicyContext.for_stack(stack, stack_dir)
