"""Plan files: a wrong shape is refused, never read as "nothing"; secrets masked anywhere.

A stack export whose `deployment.resources` was an empty object used to read as a stack
with no resources and pass clean; a wire secret in a field the reader copies verbatim
(`custom`, `source`, the top-level outputs) or stringifies (`dependencies`) reached the
judged plan unmasked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bootstrap.cli import main
from components.untrusted import InputError
from policies.sources.plan_files import load_plan_file

SIG = "4dabf18193072939515e22adb298388d"
SECRET = "1b47061264138c4ac30d75fd1eb44270"
# Not a credential: a marker whose absence from every output proves secrets stay masked.
PLAINTEXT = "plaintext-marker-91d4"
URN = "urn:pulumi:dev::p::azure-native:resources:ResourceGroup::rg"
STACK_URN = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"


def wire_secret() -> dict[str, str]:
    return {SIG: SECRET, "plaintext": json.dumps(PLAINTEXT)}


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def resource(**extra: Any) -> dict[str, Any]:
    return {"urn": URN, "type": "azure-native:resources:ResourceGroup", "inputs": {}, **extra}


def export(resources: Any) -> dict[str, Any]:
    return {"version": 3, "deployment": {"manifest": {}, "resources": resources}}


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (export({}), "deployment.resources is an object, not a list of resources"),
        (export(""), "deployment.resources is a string, not a list"),
        (export(0), "deployment.resources is a number, not a list"),
        ({"version": 7, "deployment": {"resources": []}}, "unsupported stack export version 7"),
        (export([resource(dependencies={})]), "dependencies is not a list of URNs"),
        (export([resource(dependencies=[wire_secret()])]), "dependencies is not a list of URNs"),
        (export([resource(name=wire_secret())]), "name is an object, not a string"),
        (export([resource(parent=["x"])]), "parent is a list, not a string"),
        (export([resource(inputs=[1])]), "inputs is a list, not an object"),
        ({"schemaVersion": 1, "resources": [], "outputs": [1]}, "outputs is a list, not an object"),
        ({"schemaVersion": 1, "resources": [], "stack": 3}, "stack is a number, not a string"),
        ({"steps": {}}, "steps is missing or not a list (found an object)"),
    ],
)
def test_wrong_shapes_are_refused(tmp_path: Path, document: Any, words: str) -> None:
    with pytest.raises(InputError) as refused:
        load_plan_file(write(tmp_path, document))
    assert words in str(refused.value)
    assert PLAINTEXT not in str(refused.value)


@pytest.mark.parametrize("resources", [None, []])
def test_an_empty_export_is_still_an_empty_stack(tmp_path: Path, resources: Any) -> None:
    # Pulumi omits an empty list, and Go writes a nil slice as null.
    document = export(resources)
    if resources is None:
        del document["deployment"]["resources"]
    assert load_plan_file(write(tmp_path, document)).resources == []


def test_wire_secrets_in_unusual_fields_are_masked(tmp_path: Path) -> None:
    document = {
        "schemaVersion": 1,
        "stack": "dev",
        "resources": [
            {"urn": STACK_URN, "type": "pulumi:pulumi:Stack", "inputs": {}},
            resource(
                custom=wire_secret(),
                source={"file": "x.py", "note": wire_secret()},
                inputs={"tags": {"deep": [{"x": wire_secret()}]}},
            ),
        ],
        "outputs": {"kubeconfig": wire_secret(), "nested": {"a": [wire_secret()]}},
    }
    loaded = load_plan_file(write(tmp_path, document))
    assert PLAINTEXT not in json.dumps(loaded.resources) + json.dumps(loaded.outputs)
    out = tmp_path / "judged.json"
    main(["check", "--plan", str(tmp_path / "plan.json"), "--json", str(out)])
    assert out.exists() and PLAINTEXT not in out.read_text()
