"""Reading Kubernetes YAML (and GitHub workflows) as plan resources.

Every YAML file under the folder is judged, exactly once, by one of two routes:

- through kustomize: a file some kustomization uses (a resource, a patch, a generator
  source) is judged in the output of `kubectl kustomize` for each root kustomization
  (one no other kustomization of the tree includes), so overlays are judged patched
  and bases are not judged raw; an object a shared base yields appears in each root's
  build, as it does in each cluster;
- as a plain file: every other *.yaml / *.yml file (outside kustomizations, or beside
  one without being listed in it) is read as multi-document YAML.

Whatever the kustomization graph, nothing falls between the two: a reference cycle, a
remote or missing entry and a failing build are errors (exit 2), never "nothing to
judge" (kustomize.py). Files are read bounded (components.untrusted) and the walk never
leaves the folder (manifest_tree.py). Each object becomes the resource type
pulumi-kubernetes registers (`kubernetes:apps/v1:Deployment`, `kubernetes:core/v1:Pod`)
with the object minus apiVersion and kind as its properties, a Secret's values masked; a
GitHub workflow becomes `github:actions/workflow:Workflow`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from components.untrusted import (
    MANIFEST_FILE_LIMIT,
    InputError,
    display_path,
    parse_yaml_documents,
    read_text,
)

from . import kustomize
from .manifest_tree import kustomization_file, walk
from .wire import SECRET_MARK

WORKFLOW_TYPE = "github:actions/workflow:Workflow"
SECRET_TYPE = "kubernetes:core/v1:Secret"
# Kept as keys, their values replaced: a Secret's content never reaches a plan file.
SECRET_FIELDS = ("data", "stringData")
MAX_PARALLEL_BUILDS = 8


def type_token(api_version: str, kind: str) -> str:
    """`apps/v1` + Deployment -> `kubernetes:apps/v1:Deployment`; `v1` -> core/v1."""
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{kind}"


def load_manifests(root: Path, stack: str | None = None) -> list[dict[str, Any]]:
    if not os.path.lexists(root):
        raise InputError(display_path(root), "manifests path not found")
    resources: list[dict[str, Any]] = []
    names: dict[Path, str] = {}  # each file named once: naming a path resolves its folders
    for source, documents in _documents(root, names):
        shown = names.get(source) or names.setdefault(source, display_path(source))
        for line, document in documents:
            resources.extend(_resources(_plain(document), source, line, stack, shown))
    return resources


# ---- finding documents


def _documents(root: Path, names: dict[Path, str]) -> Iterator[tuple[Path, list[tuple[int, Any]]]]:
    if not root.is_dir():  # a file, or something that is not one: the reader decides
        yield root, read_manifest_file(root)
        return
    tree = walk(root)
    graph = kustomize.load_graph(tree.kustomization_dirs)
    kustomize.refuse_cycles(graph)
    kustomize.screen_inputs(graph)
    roots = kustomize.roots(tree.kustomization_dirs, graph)
    # Builds are independent processes: run them side by side, report in sorted order.
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_BUILDS, len(roots) or 1)) as pool:
        builds = [pool.submit(kustomize.build, directory) for directory in roots]
        for directory, build in zip(roots, builds, strict=True):
            yield kustomization_file(directory) or directory, build.result()
    used = kustomize.used_files(graph)
    for path in tree.yaml_files:
        if path not in used:
            names[path] = display_path(path)
            yield path, read_manifest_file(path, names[path])


def read_manifest_file(path: Path, shown: str | None = None) -> list[tuple[int, Any]]:
    text = read_text(path, "manifest file", MANIFEST_FILE_LIMIT)
    return parse_yaml_documents(text, shown if shown is not None else display_path(path))


def _plain(value: Any) -> Any:
    """JSON-shaped values: string keys; dates and other YAML types as text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    for kind in (int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return str(value)


# ---- documents to resources


def _resources(
    document: Any, source: Path, line: int, stack: str | None, shown: str | None = None
) -> list[dict[str, Any]]:
    shown = shown if shown is not None else display_path(source)
    if not isinstance(document, Mapping):
        raise InputError(shown, "expected a Kubernetes object (a mapping)", line)
    if _is_workflow(document):
        return [_workflow(document, source, line, stack, shown)]
    api_version, kind = document.get("apiVersion"), document.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
        raise InputError(shown, "not a Kubernetes object (apiVersion and kind are required)", line)
    if kind.endswith("List") and isinstance(document.get("items"), list):
        return [
            r for item in document["items"] for r in _resources(item, source, line, stack, shown)
        ]
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name:
        raise InputError(shown, f"{kind} has no metadata.name", line)
    namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    token = type_token(api_version, kind)
    qualified = f"{namespace}/{name}" if namespace else name
    inputs = {k: v for k, v in document.items() if k not in ("apiVersion", "kind")}
    if token == SECRET_TYPE:
        inputs = _masked_secret(inputs)
    return [
        {
            "urn": f"urn:pulumi:{stack or 'manifests'}::manifests::{token}::{qualified}",
            "type": token,
            "name": qualified,
            "parent": None,
            "inputs": inputs,
            "source": {"file": shown, "line": line},
        }
    ]


def _masked_secret(inputs: dict[str, Any]) -> dict[str, Any]:
    """The Secret with its keys kept (rules may look at them) and every value masked."""
    masked = dict(inputs)
    for field in SECRET_FIELDS:
        value = masked.get(field)
        if isinstance(value, Mapping):
            masked[field] = dict.fromkeys(value, SECRET_MARK)
        elif value is not None:
            masked[field] = SECRET_MARK
    return masked


def _is_workflow(document: Mapping[str, Any]) -> bool:
    return "jobs" in document and ("on" in document or True in document)


def _workflow(
    document: Mapping[str, Any], source: Path, line: int, stack: str | None, shown: str
) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:{stack or 'manifests'}::manifests::{WORKFLOW_TYPE}::{shown}",
        "type": WORKFLOW_TYPE,
        "name": shown,
        "parent": None,
        "inputs": dict(document),
        "source": {"file": shown, "line": line},
    }
