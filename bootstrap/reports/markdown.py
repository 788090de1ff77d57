"""The Markdown report, shaped for a pull-request comment: one collapsed section per environment.

Sections with mandatory violations are open; waivers are listed in their environment.

A comment body on GitHub holds at most 65,536 characters, so the report is built to a
budget: when every row does not fit, each environment lists its first findings in reading
order (mandatory violations first) up to one shared cap, chosen as large as the budget
allows, and says what it left out, counted per control; the SARIF report and the plan
file always hold every finding. Everything from input passes through untrusted.markdown()
(or untrusted.html() inside HTML elements): no markup, mention or link can be injected.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import model, untrusted

_ICONS = {"violation": "❌", "advisory": "⚠️", "unknown": "❔", "waived": "🏷️"}
# GitHub rejects a comment body longer than this ("body is too long (maximum is 65536
# characters)", REST API for issue comments); counted in UTF-16 code units to be safe.
GITHUB_COMMENT_LIMIT = 65_536
# The report's own budget leaves room for whatever a bot wraps around it.
BUDGET = 60_000
MESSAGE_LIMIT = 500
# No table row is shorter than this, so no more rows than BUDGET / it can ever fit: only
# those are rendered, however many findings a plan has.
SHORTEST_ROW = 30
CUT_CONTROLS_SHOWN = 10
_CONTROL_ID = re.compile(r"^[A-Z0-9-]{1,40}$")
FINDINGS_HEADER = ["| control | status | resource | finding |", "|---|---|---|---|"]
WAIVERS_HEADER = [
    "| control | resource | expires | status | reason |",
    "|---|---|---|---|---|",
]


def size(text: str) -> int:
    """Length as GitHub counts a comment body (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Section:
    """One environment, with its table rows rendered once (cut later to fit)."""

    head: list[str]
    findings: list[str]  # rendered rows (at most as many as could ever fit)
    finding_controls: list[str]  # the controls of every finding, rendered or not
    waivers: list[str]
    waiver_count: int

    def lines(self, cap: int) -> list[str]:
        lines = list(self.head)
        if self.finding_controls:
            lines += FINDINGS_HEADER + self.findings[:cap]
            lines += _cut_note(self.finding_controls[cap:], "finding")
        else:
            lines.append("Every evaluated control passed.")
        if self.waiver_count:
            lines += ["", "**Waivers**", "", *WAIVERS_HEADER, *self.waivers[:cap]]
            lines += _cut_note(["waiver"] * max(0, self.waiver_count - cap), "waiver")
        return [*lines, "", "</details>", ""]


def render(plans: Sequence[Mapping[str, Any]]) -> str:
    total = sum(model.counts(plan)["violations"] for plan in plans)
    title = (
        f"## Policy check: {total} mandatory violation(s)"
        if total
        else "## Policy check: no mandatory violations"
    )
    head = [title, "", _overview(plans), ""]
    sections = [_section(plan) for plan in plans]
    most = max(
        [len(s.finding_controls) for s in sections] + [s.waiver_count for s in sections] + [0]
    )
    most = min(most, BUDGET // SHORTEST_ROW)
    cap = _largest_cap(head, sections, most)
    text = _join(head, sections, cap)
    if size(text) > BUDGET:  # only with very many environments: never exceed the limit
        text = _truncate(text)
    return text


def _join(head: list[str], sections: list[_Section], cap: int) -> str:
    lines = list(head)
    for section in sections:
        lines += section.lines(cap)
    return "\n".join(lines).rstrip() + "\n"


def _largest_cap(head: list[str], sections: list[_Section], most: int) -> int:
    """The most rows per table that keep the report within BUDGET (binary search)."""

    def fits(cap: int) -> bool:
        return size(_join(head, sections, cap)) <= BUDGET

    if fits(most):
        return most
    low, high = 0, most - 1
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _cut_note(cut_controls: list[str], noun: str) -> list[str]:
    if not cut_controls:
        return []
    if noun == "waiver":
        return [
            "",
            f"… and {len(cut_controls)} more waiver(s), not shown to keep this comment within "
            "GitHub's size limit; the SARIF report lists every waiver.",
        ]
    counted = Counter(cut_controls).most_common()
    shown = ", ".join(f"{untrusted.markdown(c)}: {n}" for c, n in counted[:CUT_CONTROLS_SHOWN])
    others = len(counted) - CUT_CONTROLS_SHOWN
    if others > 0:
        shown += f" and {others} other control(s)"
    return [
        "",
        f"… and {len(cut_controls)} more finding(s), not shown to keep this comment within "
        f"GitHub's size limit: {shown}. The SARIF report and the plan file (`--json`) list "
        "every finding.",
    ]


def _truncate(text: str) -> str:
    note = "\n\n… report cut to fit GitHub's comment size limit; see the SARIF report.\n"
    keep = BUDGET - size(note)
    while size(text) > keep:
        text = text[: len(text) - (size(text) - keep) - 1]
    return text.rstrip() + note


def _overview(plans: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        "| environment | resources | violations | advisory | waived | unknown | waivers |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for plan in plans:
        c = model.counts(plan)
        rows.append(
            f"| {untrusted.markdown(plan.get('stack') or '-')} | {c['resources']} | "
            f"{c['violations']} | {c['advisory']} | {c['waived']} | {c['unknown']} | "
            f"{c['waivers']} |"
        )
    return "\n".join(rows)


def _section(plan: Mapping[str, Any]) -> _Section:
    counts = model.counts(plan)
    stack = plan.get("stack") or "(no stack)"
    opened = " open" if counts["violations"] else ""
    summary = (
        f"<b>{untrusted.html(stack)}</b>: {counts['violations']} violation(s), "
        f"{counts['advisory']} advisory, {counts['waived']} waived, {counts['unknown']} unknown"
    )
    findings = model.findings(plan)
    rows = []
    for result in findings[: BUDGET // SHORTEST_ROW]:
        label = model.status_label(result)
        rows.append(
            f"| {_code(', '.join(result.get('controls') or []))} "
            f"| {_ICONS.get(label, '')} {untrusted.markdown(label)} "
            f"| {untrusted.markdown(model.resource_label(result.get('urn')))} "
            f"| {untrusted.markdown(result.get('message', ''), MESSAGE_LIMIT)} |"
        )
    waiver_rows = []
    waivers = model.waivers(plan)
    for entry in waivers[: BUDGET // SHORTEST_ROW]:
        waiver = entry.get("waiver") or {}
        waiver_rows.append(
            f"| {_code(waiver.get('control', ''))} "
            f"| {untrusted.markdown(waiver.get('resource') or 'whole stack')} "
            f"| {untrusted.markdown(waiver.get('expires', ''))} "
            f"| {untrusted.markdown(entry.get('status'))} "
            f"| {untrusted.markdown(waiver.get('reason', ''), MESSAGE_LIMIT)} |"
        )
    head = [f"<details{opened}><summary>{summary}</summary>", ""]
    scope = plan.get("scope")
    if isinstance(scope, Mapping) and scope.get("description"):
        head += [f"Judged as {untrusted.markdown(str(scope['description']))}.", ""]
    if model.at_apply(plan):
        head += [
            "Decided in part at `pulumi up` (values unknown at a first preview): "
            f"{untrusted.markdown(model.at_apply_text(plan))}",
            "",
        ]
    return _Section(
        head=head,
        findings=rows,
        finding_controls=[", ".join(r.get("controls") or []) or "?" for r in findings],
        waivers=waiver_rows,
        waiver_count=len(waivers),
    )


def _code(control: Any) -> str:
    """A control ID as code; anything else from input as escaped text."""
    text = str(control)
    return f"`{text}`" if _CONTROL_ID.match(text) else untrusted.markdown(text)
