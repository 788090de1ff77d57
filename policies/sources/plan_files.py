"""Reading a plan from a file: our plan JSON, `pulumi preview --json`, `pulumi stack export`.

The format is detected from the document's shape:
- our plan (DESIGN §6): `{"schemaVersion": 1, "resources": [...]}`;
- `pulumi preview --json`: `{"steps": [{"op", "urn", "newState": {type, inputs, outputs, ...}}]}`;
- `pulumi stack export`: `{"version": 3, "deployment": {"resources": [...]}}`.
Each becomes a list of plan resources `{urn, type, name, parent, inputs, dependencies}` with
secrets masked wherever they appear. The file is read bounded (components.untrusted:
regular file, size, nesting, values JSON or UTF-8 cannot carry), and every field the
reader uses must have its documented shape: a wrong shape is refused, never read as
"nothing" (`deployment.resources: {}` is not an empty stack). A malformed file raises
InputError with one line: `file:line: problem`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.untrusted import (
    PLAN_FILE_LIMIT,
    InputError,
    display_path,
    parse_json,
    read_text,
)

from .jsonpos import line_of
from .wire import mask

STACK_TYPE = "pulumi:pulumi:Stack"
PLAN_SCHEMA_VERSION = 1
# `pulumi stack export` deployment versions (apitype.DeploymentSchemaVersionCurrent is 3).
EXPORT_VERSIONS = (1, 2, 3)


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
    text = read_text(path, "plan file", PLAN_FILE_LIMIT)
    document = parse_json(text, shown)
    try:
        return parse_plan_document(document)
    except _Problem as problem:
        raise InputError(shown, problem.message, line_of(text, problem.path)) from None


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
    outputs = mask(dict(_mapping(document, ("outputs",))))
    _attach_outputs(resources, outputs)
    return LoadedPlan(
        "plan",
        _optional_text(document, ("project",)),
        _optional_text(document, ("stack",)),
        resources,
        outputs,
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
    version = document.get("version")
    if version is not None and version not in EXPORT_VERSIONS:
        raise _Problem(
            ("version",), f"unsupported stack export version {version!r} (expected 1 to 3)"
        )
    deployment = document.get("deployment")
    if not isinstance(deployment, Mapping):
        raise _Problem(("deployment",), "deployment is not an object")
    # Pulumi omits an empty list (`resources,omitempty` in apitype.DeploymentV3), and a Go
    # nil slice is `null`; anything else that is not a list is a broken or forged export.
    entries = deployment.get("resources")
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise _Problem(
            ("deployment", "resources"),
            f"deployment.resources is {_kind(entries)}, not a list of resources",
        )
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
    inputs = state.get("inputs")
    if inputs is not None and not isinstance(inputs, Mapping):
        raise _Problem(
            (*where, "inputs"), f"{_dotted(where)}.inputs is {_kind(inputs)}, not an object"
        )
    key = "inputs" if inputs is not None else "outputs"
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
    dependencies = entry.get("dependencies")
    if dependencies is None:
        dependencies = []
    if not isinstance(dependencies, list) or not all(isinstance(d, str) for d in dependencies):
        raise _Problem(
            (*where, "dependencies"), f"{_dotted(where)}.dependencies is not a list of URNs"
        )
    resource: dict[str, Any] = {
        "urn": urn,
        "type": resource_type,
        "name": _optional_text(entry, (*where, "name")) or urn.rpartition("::")[2],
        "parent": _optional_text(entry, (*where, "parent")),
        "inputs": mask(dict(inputs)),
    }
    if dependencies:
        resource["dependencies"] = list(dependencies)
    if isinstance(entry.get("outputs"), Mapping) and resource_type == STACK_TYPE:
        resource["outputs"] = mask(dict(entry["outputs"]))
    # Copied through to the judged plan: masked like everything else that is copied.
    for extra in ("custom", "source"):
        if extra in entry:
            resource[extra] = mask(entry[extra])
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
        raise _Problem(where, f"{where[-1]} is missing or not a list (found {_kind(value)})")
    return value


def _mapping(document: Mapping[str, Any], where: tuple[str | int, ...]) -> Mapping[str, Any]:
    """An optional object field: absent or null is empty, any other shape is refused."""
    value = document.get(str(where[-1]))
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _Problem(where, f"{_dotted(where)} is {_kind(value)}, not an object")
    return value


def _optional_text(document: Mapping[str, Any], where: tuple[str | int, ...]) -> str | None:
    """An optional string field: absent, null or empty is None, any other shape is refused."""
    value = document.get(str(where[-1]))
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Problem(where, f"{_dotted(where)} is {_kind(value)}, not a string")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else type(value).__name__


def _dotted(path: Sequence[str | int]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text
