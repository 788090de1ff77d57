"""The plan file (DESIGN §6): building it, and writing it without half-written output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bootstrap.errors import BadInput
from bootstrap.outputs import Output, json_text, shown

SCHEMA_VERSION = 1
_FILE_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def build_plan(
    project: str,
    stack: str,
    resources: list[dict[str, Any]],
    outputs: dict[str, Any],
    results: list[dict[str, Any]],
    summary: dict[str, Any],
    preview_fidelity: bool = False,
) -> dict[str, Any]:
    return {
        "schemaVersion": SCHEMA_VERSION,
        "project": project,
        "stack": stack,
        # True: resources as a first `pulumi preview` hands them to the pack (per-resource
        # `outputs` with unknowns, `propertyDependencies`); false: every output filled in.
        "previewFidelity": preview_fidelity,
        "resources": sorted(resources, key=_graph_order),
        "outputs": outputs,
        "results": results,
        "summary": summary,
    }


def _graph_order(resource: dict[str, Any]) -> tuple[int, str]:
    # The stack first, then components before their children; stable across runs.
    type_path = resource["urn"].split("::")[2] if resource["urn"].count("::") >= 3 else ""
    return (type_path.count("$"), resource["urn"])


def to_json(data: Any) -> str:
    """The plan file's text: JSON with one resource and one result per line (fast to write
    and to diff at any size), secrets masked wherever they appear."""
    return json_text(data, expand=PLAN_LAYOUT)


# Levels laid out one entry per line: the plan's fields, then each entry of its lists.
PLAN_LAYOUT = 2


def plan_outputs(plans: list[dict[str, Any]], target: Path) -> list[Output]:
    """One stack: `target` is the file. Several (or `target` is a folder): <stack>.json each.

    The file name comes from the plan's stack, which a plan file given to `check` chooses:
    only a plain name may become one (never `../x` or `a/b`).
    """
    if len(plans) == 1 and not target.is_dir():
        return [Output(target, "plan file", to_json(plans[0]))]
    return [
        Output(target / f"{file_stem(plan, target)}.json", "plan file", to_json(plan))
        for plan in plans
    ]


def file_stem(plan: dict[str, Any], folder: Path) -> str:
    name = str(plan.get("stack") or plan.get("project") or "plan")
    if not _FILE_STEM.match(name):
        raise BadInput(
            f"{shown(folder)}: the stack name {name!r} cannot name a plan file here "
            "(expected letters, digits, '.', '-' or '_'; give --json a file path instead)"
        )
    return name
