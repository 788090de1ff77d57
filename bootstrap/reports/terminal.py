"""The terminal report: one rich table per environment, grouped by control, failures first.

Every value from input is a rich Text made by untrusted.terminal(): printed as it reads,
never parsed as console markup, with no control characters or escape sequences.

A table lists at most TABLE_ROWS findings (mandatory violations first) and then says how
many it left out, per status: rich lays a table out at about a quarter of a millisecond a
row, so a plan with 60,000 findings took a quarter of a minute just to print. The verdict
line counts every finding, and the plan file and SARIF report hold them all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import model, untrusted


class ReportConsole(Console):
    """rich's Console, except that a closed stdout is the CLI's to report (exit 2).

    rich's own on_broken_pipe() exits with 1, which the exit-code contract reserves for
    mandatory violations and drift.
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


def make_console() -> Console:
    return ReportConsole()


# Findings listed per environment (see the module doc).
TABLE_ROWS = 1000
_STYLES = {"violation": "bold red", "advisory": "yellow", "unknown": "magenta", "waived": "cyan"}


def print_results(console: Console, plans: Sequence[Mapping[str, Any]]) -> None:
    for plan in plans:
        _print_plan(console, plan)


def _print_plan(console: Console, plan: Mapping[str, Any]) -> None:
    stack = plan.get("stack") or "(no stack)"
    counts = model.counts(plan)
    verdict = (
        Text(f"{counts['violations']} mandatory violation(s)", style="bold red")
        if counts["violations"]
        else Text("no mandatory violations", style="bold green")
    )
    header = untrusted.terminal(stack, style="bold")
    header.append(": ")
    header.append_text(verdict)
    header.append(
        f" - {counts['resources']} resources, {counts['advisory']} advisory, "
        f"{counts['waived']} waived, {counts['unknown']} unknown at preview, "
        f"{_passed(plan)} checks passed"
    )
    console.print(header)
    scope = plan.get("scope")
    if isinstance(scope, Mapping) and scope.get("description"):
        console.print(Text(f"  judged as {scope['description']}", style="dim"))
    if model.at_apply(plan):
        console.print(
            Text(
                "  decided in part at `pulumi up` (unknown at a first preview): "
                + model.at_apply_text(plan),
                style="dim",
            )
        )
    findings = model.findings(plan)
    if findings:
        console.print(_findings_table(findings[:TABLE_ROWS]))
    if len(findings) > TABLE_ROWS:
        console.print(Text(_left_out(findings[TABLE_ROWS:]), style="dim"))
    waivers = model.waivers(plan)
    if waivers:
        console.print(_waivers_table(waivers))


def _left_out(rest: list[dict[str, Any]]) -> str:
    by_status: dict[str, int] = {}
    for result in rest:
        label = model.status_label(result)
        by_status[label] = by_status.get(label, 0) + 1
    counted = ", ".join(f"{count} {label}" for label, count in by_status.items())
    return (
        f"  ... and {len(rest)} more finding(s) not listed here ({counted}): every finding "
        "is in the plan file (--json) and the SARIF report (--sarif)"
    )


def _passed(plan: Mapping[str, Any]) -> int:
    return sum(int(r.get("count", 0)) for r in plan.get("results", []) if r.get("status") == "pass")


def _findings_table(findings: list[dict[str, Any]]) -> Table:
    table = Table(show_lines=False, title_justify="left", expand=False)
    table.add_column("control", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("resource", overflow="fold")
    table.add_column("finding", overflow="fold")
    previous = None
    for result in findings:
        control = ", ".join(result.get("controls") or [])
        label = model.status_label(result)
        table.add_row(
            untrusted.terminal(control if control != previous else ""),
            untrusted.terminal(label, style=_STYLES.get(label, "")),
            untrusted.terminal(model.resource_label(result.get("urn"))),
            untrusted.terminal(result.get("message", ""), untrusted.MESSAGE_LIMIT),
        )
        previous = control
    return table


def _waivers_table(waivers: list[dict[str, Any]]) -> Table:
    table = Table(title="waivers", title_justify="left")
    for column in ("control", "resource", "expires", "status", "reason"):
        table.add_column(column, overflow="fold")
    for entry in waivers:
        waiver = entry.get("waiver") or {}
        status = str(entry.get("status"))
        table.add_row(
            untrusted.terminal(waiver.get("control", "")),
            untrusted.terminal(waiver.get("resource") or "(whole stack)"),
            untrusted.terminal(waiver.get("expires", "")),
            untrusted.terminal(status, style="bold red" if status == "expired" else "cyan"),
            untrusted.terminal(waiver.get("reason", ""), untrusted.MESSAGE_LIMIT),
        )
    return table
