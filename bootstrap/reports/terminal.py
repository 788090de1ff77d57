"""The terminal report: one rich table per environment, grouped by control, failures first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import model

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
    header = Text(f"{stack}: ", style="bold")
    header.append_text(verdict)
    header.append(
        f" - {counts['resources']} resources, {counts['advisory']} advisory, "
        f"{counts['waived']} waived, {counts['unknown']} unknown at preview, "
        f"{_passed(plan)} checks passed"
    )
    console.print(header)
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
        console.print(_findings_table(findings))
    waivers = model.waivers(plan)
    if waivers:
        console.print(_waivers_table(waivers))


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
            control if control != previous else "",
            Text(label, style=_STYLES.get(label, "")),
            model.resource_label(result.get("urn")),
            str(result.get("message", "")),
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
            str(waiver.get("control", "")),
            str(waiver.get("resource") or "(whole stack)"),
            str(waiver.get("expires", "")),
            Text(status, style="bold red" if status == "expired" else "cyan"),
            str(waiver.get("reason", "")),
        )
    return table
