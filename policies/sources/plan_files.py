"""Reading a plan from a file: our plan JSON, `pulumi preview --json`, `pulumi stack export`.

The format is detected from the document's shape:
- our plan (DESIGN §6): `{"schemaVersion": 1, "resources": [...]}`;
- `pulumi preview --json`: `{"steps": [{"op", "urn", "newState": {type, inputs, outputs, ...}}]}`;
- `pulumi stack export`: `{"version": 3, "deployment": {"resources": [...]}}`.
Each becomes a list of plan resources `{urn, type, name, parent, inputs, dependencies}` with
secrets masked. A malformed file raises BadInput with one line: `file:line: problem`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bootstrap.errors import BadInput
from components.config import display_path

from .jsonpos import line_of
from .wire import mask

STACK_TYPE = "pulumi:pulumi:Stack"
PLAN_SCHEMA_VERSION = 1


@dataclass
class LoadedPlan:
    format: str  # "plan" | "preview" | "export"
    project: str | None
    stack: str | None
    resources: list[dict[str, Any]]
    outputs: dict[str, Any] = field(default_factory=dict)


class _Problem(Exception):
    def __init__(self, path: Sequence[str | int], message: str) -> None:
        super().__init__(message)
        self.path = tuple(path)
        self.message = message


def load_plan_file(path: Path) -> LoadedPlan:
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{shown}: plan file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{shown}: cannot read plan file ({error})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(
            f"{shown}:{error.lineno}: invalid JSON: {error.msg} (column {error.colno})"
        ) from None
    try:
        return parse_plan_document(document)
    except _Problem as problem:
        raise BadInput(f"{shown}:{line_of(text, problem.path)}: {problem.message}") from None


def parse_plan_document(document: Any) -> LoadedPlan:
    if not isinstance(document, Mapping):
        raise _Problem((), "expected a JSON object (a plan, preview or stack export)")
    if "schemaVersion" in document:
        return _our_plan(document)
    if "steps" in document:
        return _preview(document)
    if "deployment" in document:
        return _export(document)
    raise _Problem(
        (),
        "not a plan: expected our plan (schemaVersion 1), `pulumi preview --json` output "
        "(steps) or `pulumi stack export` output (deployment.resources)",
    )


# ---- our plan


def _our_plan(document: Mapping[str, Any]) -> LoadedPlan:
    version = document.get("schemaVersion")
    if version != PLAN_SCHEMA_VERSION:
        raise _Problem(("schemaVersion",), f"unsupported schemaVersion {version!r} (expected 1)")
    entries = _list(document, ("resources",))
    resources = [
        _resource(entry, ("resources", i), inputs_key="inputs") for i, entry in enumerate(entries)
    ]
    if document.get("previewFidelity") is True:
        # A first preview's view (bootstrap plan --preview-fidelity): stack policies judge the
        # recorded preview outputs and property dependencies, as CrossGuard would.
        for entry, resource in zip(entries, resources, strict=True):
            for key in ("outputs", "propertyDependencies"):
                if isinstance(entry.get(key), Mapping):
                    resource[key] = mask(dict(entry[key]))
    outputs = document.get("outputs") if isinstance(document.get("outputs"), Mapping) else {}
    _attach_outputs(resources, mask(dict(outputs)))
    return LoadedPlan(
        "plan",
        _text(document.get("project")),
        _text(document.get("stack")),
        resources,
        dict(outputs),
    )


# ---- pulumi preview --json


def _preview(document: Mapping[str, Any]) -> LoadedPlan:
    steps = _list(document, ("steps",))
    # A replacement shows the same URN in several steps; the last new state is what will exist.
    by_urn: dict[str, dict[str, Any]] = {}
    for index, step in enumerate(steps):
        where = ("steps", index)
        if not isinstance(step, Mapping):
            raise _Problem(where, f"steps[{index}] is not an object")
        state = step.get("newState")
        if state is None:
            continue  # deletes have no new state: nothing will exist to judge
        if not isinstance(state, Mapping):
            raise _Problem((*where, "newState"), f"steps[{index}].newState is not an object")
        resource = _state_resource(state, (*where, "newState"))
        by_urn.pop(resource["urn"], None)
        by_urn[resource["urn"]] = resource
    resources = list(by_urn.values())
    return LoadedPlan("preview", *_names(resources), resources)


# ---- pulumi stack export


def _export(document: Mapping[str, Any]) -> LoadedPlan:
    deployment = document.get("deployment")
    if not isinstance(deployment, Mapping):
        raise _Problem(("deployment",), "deployment is not an object")
    entries = deployment.get("resources") or []
    if not isinstance(entries, list):
        raise _Problem(("deployment", "resources"), "deployment.resources is not a list")
    resources = []
    for index, entry in enumerate(entries):
        where = ("deployment", "resources", index)
        if isinstance(entry, Mapping) and entry.get("delete"):
            continue  # pending deletion: replaced resources stay in state until cleanup
        resources.append(_state_resource(entry, where))
    return LoadedPlan("export", *_names(resources), resources)


def _state_resource(state: Any, where: tuple[str | int, ...]) -> dict[str, Any]:
    """A resource state of preview or export: inputs when recorded, else outputs."""
    if not isinstance(state, Mapping):
        raise _Problem(where, f"{_dotted(where)} is not an object")
    key = "inputs" if isinstance(state.get("inputs"), Mapping) else "outputs"
    resource = _resource(state, where, inputs_key=key)
    if resource["type"] == STACK_TYPE and isinstance(state.get("outputs"), Mapping):
        resource["outputs"] = mask(dict(state["outputs"]))
    return resource


# ---- shared


def _resource(entry: Any, where: tuple[str | int, ...], inputs_key: str) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise _Problem(where, f"{_dotted(where)} is not an object")
    urn = entry.get("urn")
    if not isinstance(urn, str) or not urn.startswith("urn:pulumi:"):
        raise _Problem((*where, "urn"), f"{_dotted(where)}.urn is missing or not a Pulumi URN")
    resource_type = entry.get("type")
    if not isinstance(resource_type, str) or resource_type.count(":") < 2:
        raise _Problem((*where, "type"), f"{_dotted(where)}.type is missing or not a type token")
    inputs = entry.get(inputs_key)
    if inputs is None:
        inputs = {}
    if not isinstance(inputs, Mapping):
        raise _Problem((*where, inputs_key), f"{_dotted(where)}.{inputs_key} is not an object")
    dependencies = entry.get("dependencies") or []
    if not isinstance(dependencies, list):
        raise _Problem((*where, "dependencies"), f"{_dotted(where)}.dependencies is not a list")
    resource: dict[str, Any] = {
        "urn": urn,
        "type": resource_type,
        "name": _text(entry.get("name")) or urn.rpartition("::")[2],
        "parent": _text(entry.get("parent")) or None,
        "inputs": mask(dict(inputs)),
    }
    if dependencies:
        resource["dependencies"] = [str(d) for d in dependencies]
    if isinstance(entry.get("outputs"), Mapping) and resource_type == STACK_TYPE:
        resource["outputs"] = mask(dict(entry["outputs"]))
    for extra in ("custom", "source"):
        if extra in entry:
            resource[extra] = entry[extra]
    return resource


def _attach_outputs(resources: list[dict[str, Any]], outputs: dict[str, Any]) -> None:
    """Our plan keeps stack outputs at the top; policies see them on the Stack resource."""
    if not outputs:
        return
    for resource in resources:
        if resource["type"] == STACK_TYPE:
            resource["outputs"] = {**(resource.get("outputs") or {}), **outputs}


def _names(resources: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """(project, stack) from the first URN: urn:pulumi:<stack>::<project>::..."""
    for resource in resources:
        parts = resource["urn"].removeprefix("urn:pulumi:").split("::")
        if len(parts) >= 2:
            return parts[1], parts[0]
    return None, None


def _list(document: Mapping[str, Any], where: tuple[str, ...]) -> list[Any]:
    value = document.get(where[-1])
    if not isinstance(value, list):
        raise _Problem(where, f"{where[-1]} is missing or not a list")
    return value


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _dotted(path: Sequence[str | int]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text
