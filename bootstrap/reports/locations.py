"""Where a finding comes from: the stack-file line (or manifest line) that caused it.

A resource of a cluster points at `platform:clusters[i]` (or the exact toggle, such as
`clusters[i].localAccounts`, when the stack file sets it); shared services point at their
section (`platform:registry`, `platform:keyVault`, ...). Manifests carry their own file and
line. Whatever cannot be placed points at the stack file's first line.

GitHub code scanning recommends `artifactLocation.uri` as a path relative to the root of
the repository being analyzed, and needs the same path on every run for stable alerts
(docs.github.com "SARIF support for code scanning": artifactLocation, "Consistent file
paths"), so repository_uri() makes every path relative to the root of the git repository
that holds it, whatever the working directory the command ran in.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ruamel.yaml.comments import CommentedMap

from components.config import (
    NAMESPACE,
    ConfigError,
    display_path,
    line_of,
    read_stack_document,
    stack_file,
)
from policies.catalog import CATALOG_FILE, load_catalog

# The stack-file section that decides each kind of resource.
SECTION_BY_TYPE_PREFIX = (
    ("azure-native:containerregistry:", "registry"),
    ("azure-native:keyvault:", "keyVault"),
    ("azure-native:operationalinsights:", "monitoring"),
    ("azure-native:securityinsights:", "monitoring"),
    ("azure-native:monitor:", "monitoring"),
    ("azure-native:security:", "governance"),
    ("azure-native:authorization:PolicyAssignment", "governance"),
    ("azure-native:kubernetesconfiguration:", "gitops"),
    ("github:", "github"),
    ("azure-native:network:", "network"),
)
# The exact key behind a control, inside the section above (when the file sets it).
KEY_BY_CONTROL = {
    "AKS-ID-02": "localAccounts",
    "AKS-ID-04": "workloadIdentity",
    "AKS-NET-01": "apiServer",
    "AKS-NET-02": "networkPolicy",
    "AKS-CLU-01": "azurePolicy",
    "AKS-CLU-02": "defender",
    "AKS-CLU-04": "upgradeChannel",
    "AKS-CLU-06": "imageCleaner",
    "AKS-CLU-07": "kmsEtcdEncryption",
    "AKS-CLU-08": "hostEncryption",
    "AKS-CLU-09": "sshAccess",
    "AKS-CLU-11": "containerInsights",
    "AKS-CLU-12": "runCommand",
    "ACR-NET-01": "publicNetworkAccess",
    "ACR-REG-01": "adminUser",
    "ACR-REG-02": "anonymousPull",
    "ACR-REG-03": "sku",
    "ACR-REG-05": "exportEnabled",
    "KV-NET-01": "publicNetworkAccess",
    "KV-KEY-01": "rbacAuthorization",
    "KV-KEY-02": "purgeProtection",
    "KV-KEY-03": "softDeleteRetentionDays",
    "MON-LAW-01": "localAuth",
    "MON-SEN-01": "sentinel",
    "GOV-POL-06": "policy",
}
SECTION_BY_CONTROL = {
    "GOV-WVR-01": ("waivers",),
    "DEL-GHA-04": ("github",),
    "DEL-GHA-03": ("github",),
    "GOV-DEF-01": ("governance",),
}


def _line(value: Any) -> int:
    """A 1-based line from a plan file (which anyone may have written), or 1."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value < 2**31:
        return value
    return 1


class Locator:
    def __init__(self, stack_dir: Path) -> None:
        self.stack_dir = stack_dir
        self._documents: dict[str, CommentedMap | None] = {}
        self._shown: dict[str, str] = {}
        self._indexed: tuple[Mapping[str, Any], dict[Any, Mapping[str, Any]]] | None = None

    def locate(self, plan: Mapping[str, Any], result: Mapping[str, Any]) -> tuple[str, int]:
        """(path relative to the repository, 1-based line) for one result."""
        resources = self._resources(plan)
        resource = resources.get(result.get("urn"))
        source = resource.get("source") if resource else None
        if isinstance(source, Mapping) and isinstance(source.get("file"), str) and source["file"]:
            return source["file"], _line(source.get("line"))
        stack = plan.get("stack")
        document = self._document(stack) if stack else None
        if document is not None and stack:
            loc = _config_location(result, resource, resources, document)
            return self._shown[stack], (line_of(document, loc) if loc else None) or 1
        if plan.get("sourceFile"):
            return str(plan["sourceFile"]), 1
        return _shown_catalog(), _catalog_line(str((result.get("controls") or [""])[0]))

    def _resources(self, plan: Mapping[str, Any]) -> Mapping[Any, Mapping[str, Any]]:
        """The plan's resources by URN, built once per plan (not once per result)."""
        if self._indexed is None or self._indexed[0] is not plan:
            self._indexed = (plan, {r.get("urn"): r for r in plan.get("resources", [])})
        return self._indexed[1]

    def _document(self, stack: str) -> CommentedMap | None:
        if stack not in self._documents:
            path = stack_file(self.stack_dir, stack)
            self._shown[stack] = display_path(path)
            try:
                self._documents[stack] = read_stack_document(path) if path.is_file() else None
            except ConfigError:
                self._documents[stack] = None
        return self._documents[stack]


def _config_location(
    result: Mapping[str, Any],
    resource: Mapping[str, Any] | None,
    resources: Mapping[Any, Mapping[str, Any]],
    document: CommentedMap,
) -> tuple[str | int, ...] | None:
    control = (result.get("controls") or [""])[0]
    if control in SECTION_BY_CONTROL:
        return SECTION_BY_CONTROL[control]
    if resource is None:
        return None
    key = KEY_BY_CONTROL.get(control)
    cluster = _cluster_of(resource, resources, document)
    if cluster is not None:
        return (*cluster, key) if key else cluster
    resource_type = str(resource.get("type", ""))
    for prefix, section in SECTION_BY_TYPE_PREFIX:
        if resource_type.startswith(prefix):
            return (section, key) if key else (section,)
    return None


def _cluster_of(
    resource: Mapping[str, Any],
    resources: Mapping[Any, Mapping[str, Any]],
    document: CommentedMap,
) -> tuple[str, int] | None:
    """('clusters', i) or ('arcClusters', i) when the resource belongs to a declared cluster."""
    names = []
    current: Mapping[str, Any] | None = resource
    for _ in range(16):  # parent chains are short; the bound guards against cycles
        if current is None:
            break
        names.append(str(current.get("name", "")))
        current = resources.get(current.get("parent"))
    config = document.get("config") or {}
    for section in ("clusters", "arcClusters"):
        declared = config.get(f"{NAMESPACE}:{section}") or []
        for index, cluster in enumerate(declared):
            cluster_name = str(cluster.get("name", "")) if isinstance(cluster, Mapping) else ""
            if cluster_name and any(
                n == cluster_name or n.startswith(f"{cluster_name}-") for n in names
            ):
                return section, index
    return None


@functools.cache
def _shown_catalog() -> str:
    return display_path(CATALOG_FILE)


@functools.cache
def _catalog_line(control: str) -> int:
    if control not in load_catalog():
        return 1
    text = CATALOG_FILE.read_text(encoding="utf-8")
    marker = f"- id: {control}\n"
    offset = text.find(marker)
    return text.count("\n", 0, offset) + 1 if offset >= 0 else 1


def repository_uri(shown: str) -> str | None:
    """`shown` (a path as printed, relative to the working directory or absolute) as a URI
    relative to its repository root; None for a value that is not a local path."""
    return _repository_uri(shown, str(Path.cwd()))


@functools.lru_cache(maxsize=4096)
def _repository_uri(shown: str, cwd: str) -> str | None:
    if not shown or "://" in shown or shown.startswith("file:") or "\x00" in shown:
        return None
    absolute = Path(os.path.normpath(Path(cwd) / shown))
    root = _repository_root(str(absolute.parent))
    try:
        relative = absolute.relative_to(root if root is not None else Path(cwd)).as_posix()
    except ValueError:
        relative = absolute.as_posix()  # outside the repository: where it really is
    return quote(relative, safe="/")


@functools.lru_cache(maxsize=256)
def _repository_root(folder: str) -> Path | None:
    current = Path(folder)
    for candidate in (current, *current.parents):
        if (candidate / ".git").exists():  # a folder, or a file in a worktree or submodule
            return candidate
    return None
