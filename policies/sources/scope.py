"""What a `check --manifests` folder stands for: whole clusters, or one team's manifests.

Controls marked `scope: cluster` in the catalog judge what only a cluster's baseline holds
(CoreDNS query logging, the tenant guardrail admission policies). They apply when the
checked folder is a whole cluster: the gitops/ root, `clusters/`, `clusters/<env>` or
`clusters/<env>/<cluster>` (components/gitops_layout.py), and then once per cluster, over
the objects that cluster's Flux Kustomizations build. Any other folder (a team's
directory, one tenant overlay) is judged by the namespace-level controls only, so a team's
pull request is never blocked by something it does not own. The report names the scope.

Separate from the walker (manifests.py): only the folder layout and each resource's
`source.file` are read here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components import gitops_layout as layout

from ..context import PolicyContext
from ..evaluator import WAIVER_KIND, evaluate, waiver_entries
from ..rules import ALL_RULES

CLUSTERS_DIR = layout.cluster_dir("env", "cluster").parts[0]
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@dataclass(frozen=True)
class ClusterTree:
    name: str  # <env>/<cluster>
    folder: Path  # resolved


@dataclass(frozen=True)
class ManifestScope:
    clusters: tuple[ClusterTree, ...]  # empty: a team's manifests (namespace scope)

    @property
    def kind(self) -> str:
        return "cluster" if self.clusters else "namespace"

    def describe(self) -> str:
        if self.clusters:
            names = ", ".join(c.name for c in self.clusters)
            return f"whole clusters ({names}): cluster-wide and namespace-level controls"
        skipped = ", ".join(c.id for c in _cluster_wide_controls())
        return f"a team's manifests: namespace-level controls only (not applied: {skipped})"

    def report(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "clusters": [c.name for c in self.clusters],
            "description": self.describe(),
        }


def decide_scope(root: Path) -> ManifestScope:
    if not root.is_dir():
        return ManifestScope(())
    root = root.resolve()
    if (root / CLUSTERS_DIR).is_dir():
        candidates = _grandchildren(root / CLUSTERS_DIR)
    elif root.name == CLUSTERS_DIR:
        candidates = _grandchildren(root)
    elif root.parent.name == CLUSTERS_DIR:
        candidates = _children(root)
    elif root.parent.parent.name == CLUSTERS_DIR:
        candidates = [root]
    else:
        candidates = []
    clusters = tuple(
        ClusterTree(f"{folder.parent.name}/{folder.name}", folder)
        for folder in candidates
        if _is_cluster(folder)
    )
    return ManifestScope(clusters)


def _children(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir())


def _grandchildren(folder: Path) -> list[Path]:
    return [grandchild for child in _children(folder) for grandchild in _children(child)]


def _is_cluster(folder: Path) -> bool:
    """One sub-folder per Flux Kustomization, each a kustomization."""
    return any((sub / name).is_file() for sub in _children(folder) for name in KUSTOMIZATION_FILES)


def _cluster_wide_controls() -> list[Any]:
    return [rule.control for rule in ALL_RULES if rule.control.cluster_wide]


# ---- judging in scope


def evaluate_in_scope(
    resources: Sequence[Mapping[str, Any]], context: PolicyContext, scope: ManifestScope
) -> list[dict[str, Any]]:
    """Namespace-level controls over everything; cluster-wide ones once per whole cluster."""
    everywhere = [rule for rule in ALL_RULES if not rule.control.cluster_wide]
    per_cluster = [rule for rule in ALL_RULES if rule.control.cluster_wide]
    results = [r for r in evaluate(resources, context, everywhere) if r.get("kind") != WAIVER_KIND]
    for cluster in scope.clusters:
        mine = [r for r in resources if _within(r, cluster.folder)]
        for result in evaluate(mine, context, per_cluster):
            if result.get("kind") == WAIVER_KIND:
                continue
            if result["status"] != "pass":
                result["message"] = f"cluster {cluster.name}: {result['message']}"
            results.append(result)
    results = _merge_passes(results)
    return results + waiver_entries(context, results)


def _within(resource: Mapping[str, Any], folder: Path) -> bool:
    source = resource.get("source")
    shown = source.get("file") if isinstance(source, Mapping) else None
    if not shown:
        return False
    return Path(str(shown)).resolve().is_relative_to(folder)


def _merge_passes(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One pass entry per control, however many clusters passed it."""
    counts: Counter[str] = Counter()
    first: dict[str, dict[str, Any]] = {}
    merged: list[dict[str, Any]] = []
    for result in results:
        if result["status"] != "pass":
            merged.append(result)
            continue
        control = result["controls"][0]
        counts[control] += int(result.get("count", 1))
        if control not in first:
            first[control] = result
            merged.append(result)
    for control, entry in first.items():
        entry["count"] = counts[control]
        entry["message"] = f"{counts[control]} check(s) passed"
    return merged
