"""`bootstrap plan [ENV...]`: the offline engine, the policy pack and the GitOps check.

Every stack is validated before anything runs, so bad input never leaves half the
environments planned; reports are written only once every stack has been evaluated.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from bootstrap.cli_options import (
    add_gitops_dir,
    add_report_options,
    add_stack_dir,
    check_report_paths,
    print_lines,
    write_reports,
)
from bootstrap.errors import BadInput

DESCRIPTION = (
    "Run the Pulumi program of each stack offline (no cloud account, no Pulumi CLI), judge "
    "the result with the policy pack and check that gitops/ matches the config."
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("plan", help="offline plan + policies", description=DESCRIPTION)
    parser.add_argument("envs", nargs="*", metavar="ENV", help="stacks to plan (default: all)")
    add_stack_dir(parser)
    add_report_options(parser, "plan file; with several stacks a folder of <stack>.json")
    add_gitops_dir(parser, "rendered GitOps tree to compare with the config")
    parser.add_argument(
        "--preview-fidelity",
        action="store_true",
        help="hand the pack what a first `pulumi preview` hands it: azure-native's preview "
        "outputs (path parameters absent, read-only outputs unknown) and inputs unknown where "
        "they come from those outputs",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bootstrap import stacks
    from bootstrap.reports import terminal

    console = terminal.make_console()
    names = stacks.select(args.stack_dir, args.envs)
    if args.json_path is not None and len(names) > 1 and args.json_path.is_file():
        raise BadInput(f"{args.json_path}: several stacks need a folder for --json, not a file")
    check_report_paths(args, names)
    # Validate everything first: a bad stack stops the run before any engine work.
    loaded = [stacks.load(args.stack_dir, name) for name in names]
    contexts = _policy_contexts(loaded)
    _check_shared_ownership(args.stack_dir, loaded)

    plans = _run_stacks(loaded, contexts, console, args.preview_fidelity)
    drift = _gitops_drift(loaded, args.gitops_dir)
    written = write_reports(args, plans)

    _print_summary(console, plans)
    terminal.print_results(console, plans)
    if drift:
        console.print(
            f"[red]gitops/ is stale[/red] ({len(drift)} file(s)); run `bootstrap render`:"
        )
        print_lines(console, [f"  {path}" for path in drift[:20]])
    print_lines(console, written)
    violations = sum(plan["summary"]["violations"] for plan in plans)
    return 1 if violations or drift else 0


def _policy_contexts(loaded: list[Any]) -> dict[str, Any]:
    from policies.context import PolicyContext

    return {s.name: PolicyContext.from_config(s.config, stack_file=s.path) for s in loaded}


def _check_shared_ownership(stack_dir: Path, loaded: list[Any]) -> None:
    """Subscription-, tenant- and repository-wide resources: one owning stack each
    (components.ownership).

    Owners may be stacks that are not being planned, so every stack file takes part.
    """
    from bootstrap import stacks
    from components.detection.owners import check_tenant_owners
    from components.github import check_branch_protection_owners
    from components.governance import check_subscription_owners

    configs = {s.name: s.config for s in loaded}
    for name in stacks.stack_names(stack_dir):
        if name not in configs:
            configs[name] = stacks.load(stack_dir, name).config
    try:
        check_subscription_owners(configs)
        check_branch_protection_owners(configs)
        check_tenant_owners(configs)
    except ValueError as error:
        raise BadInput(f"{stack_dir}: {error}") from None


def _run_stacks(
    loaded: list[Any], contexts: dict[str, Any], console: Any, preview: bool = False
) -> list[dict]:
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from bootstrap.engine import PROJECT, run_stack
    from bootstrap.planfile import build_plan
    from policies.evaluator import evaluate, summarize

    plans = []
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} stacks"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("offline engine", total=len(loaded))
        for stack in loaded:
            progress.update(task, description=f"planning [bold]{escape(stack.name)}[/bold]")
            run = run_stack(
                stack.name,
                stack.raw_config,
                stack.config.subscription_id,
                stack.config.tenant_id,
                preview=preview,
            )
            progress.update(task, description=f"judging [bold]{escape(stack.name)}[/bold]")
            results = evaluate(run.resources, contexts[stack.name], stack_outputs=run.outputs)
            summary = summarize(run.resources, results)
            plans.append(
                build_plan(
                    PROJECT, stack.name, run.resources, run.outputs, results, summary, preview
                )
            )
            progress.advance(task)
    return plans


def _gitops_drift(loaded: list[Any], gitops_dir: Path) -> list[str]:
    from bootstrap.gitops import find_drift

    return find_drift({s.name: s.config for s in loaded}, gitops_dir)


def _print_summary(console: Any, plans: list[dict]) -> None:
    from rich.table import Table

    from bootstrap.reports import untrusted

    counts = {
        plan["stack"]: Counter(r["type"] for r in plan["resources"] if r.get("custom"))
        for plan in plans
    }
    types = sorted({t for counter in counts.values() for t in counter})
    table = Table(title="Resources per type and environment", title_justify="left")
    table.add_column("type")
    for stack in counts:
        table.add_column(untrusted.terminal(stack), justify="right")
    for token in types:
        table.add_row(untrusted.terminal(token), *(str(counts[s][token] or "-") for s in counts))
    table.add_section()
    table.add_row(
        "[bold]total[/bold]", *(f"[bold]{sum(c.values())}[/bold]" for c in counts.values())
    )
    console.print(table)
