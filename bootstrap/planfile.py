"""The plan file (DESIGN §6): building it, and writing it without half-written output."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1


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
    return json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Writes via a temporary sibling and a rename: readers never see a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_plans(plans: list[dict[str, Any]], target: Path) -> list[Path]:
    """One stack: `target` is the file. Several: `target` is a folder of <stack>.json."""
    if len(plans) == 1 and not target.is_dir():
        write_atomic(target, to_json(plans[0]))
        return [target]
    written = []
    for plan in plans:
        path = target / f"{plan['stack']}.json"
        write_atomic(path, to_json(plan))
        written.append(path)
    return written
