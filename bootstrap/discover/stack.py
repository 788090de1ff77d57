"""Adding or updating discovered clusters in `platform:arcClusters` of a stack file.

A round trip through ruamel (comments, key order and quoting kept, bootstrap.stack_edit),
validated with the schema `pulumi up` uses before anything is written. A cluster already
listed (same EKS name, region and account) is updated in place, never duplicated: its
endpoint, CA and version follow AWS; every other key (admin groups, location, comments)
stays as the reviewer left it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bootstrap.stack_edit import child, dump, load_for_edit, validate_text
from components.config import PlatformConfig
from components.config.errors import NAMESPACE

from .eks import EksCluster, kubernetes_minor

ARC_KEY = f"{NAMESPACE}:arcClusters"
CLUSTERS_KEY = f"{NAMESPACE}:clusters"
# A config name: 2-15 lowercase letters and digits, starting with a letter (ClusterName).
NAME_LIMIT = 15


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def with_eks_clusters(
    path: Path, clusters: Sequence[EksCluster]
) -> tuple[str, PlatformConfig, Changes]:
    """The stack file's new text with the clusters added or updated, and its config."""
    document = load_for_edit(path)
    config = document["config"]
    arc = child(path, config, ARC_KEY, CommentedSeq, "a list of Arc clusters")
    taken = {str(c.get("name")) for c in arc if isinstance(c, dict)}
    taken |= {str(c.get("name")) for c in config.get(CLUSTERS_KEY) or [] if isinstance(c, dict)}
    changes = Changes()
    for cluster in clusters:
        entry = _listed(arc, cluster)
        if entry is None:
            name = _config_name(cluster.name, taken)
            taken.add(name)
            arc.append(_new_entry(name, cluster))
            changes.added.append(name)
        elif _update(entry, cluster):
            changes.updated.append(str(entry.get("name")))
        else:
            changes.unchanged.append(str(entry.get("name")))
    text = dump(document)
    return text, validate_text(path, text), changes


def _listed(arc: CommentedSeq, cluster: EksCluster) -> CommentedMap | None:
    for entry in arc:
        eks = entry.get("eks") if isinstance(entry, dict) else None
        if (
            isinstance(eks, dict)
            and eks.get("clusterName") == cluster.name
            and eks.get("region") == cluster.region
            and str(eks.get("accountId")) == cluster.account_id
        ):
            return entry
    return None


def _config_name(eks_name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]", "", eks_name.lower())
    if not base or not base[0].isalpha():
        base = f"eks{base}"
    base = base[:NAME_LIMIT]
    if len(base) < 2:
        base = f"{base}1"
    name, index = base, 2
    while name in taken:
        suffix = str(index)
        name = f"{base[: NAME_LIMIT - len(suffix)]}{suffix}"
        index += 1
    return name


def _eks_section(cluster: EksCluster) -> CommentedMap:
    eks = CommentedMap()
    eks["clusterName"] = cluster.name
    eks["region"] = cluster.region
    eks["accountId"] = cluster.account_id
    eks["endpoint"] = cluster.endpoint
    eks["certificateAuthority"] = cluster.certificate_authority
    return eks


def _new_entry(name: str, cluster: EksCluster) -> CommentedMap:
    entry = CommentedMap()
    entry["name"] = name
    entry["kind"] = "connected"
    # The platform onboards it: agent key pair, connected cluster, Arc agents.
    entry["onboarding"] = "program"
    entry["distribution"] = "eks"
    entry["infrastructure"] = "aws"
    entry["kubernetesVersion"] = kubernetes_minor(cluster)
    entry["eks"] = _eks_section(cluster)
    entry.yaml_set_comment_before_after_key(
        "name",
        before=f"EKS {cluster.name} ({cluster.region}), added by bootstrap discover eks",
        indent=4,
    )
    return entry


def _update(entry: CommentedMap, cluster: EksCluster) -> bool:
    eks = entry["eks"]
    before = (eks.get("endpoint"), eks.get("certificateAuthority"), entry.get("kubernetesVersion"))
    eks["endpoint"] = cluster.endpoint
    eks["certificateAuthority"] = cluster.certificate_authority
    entry["kubernetesVersion"] = kubernetes_minor(cluster)
    return before != (eks["endpoint"], eks["certificateAuthority"], entry["kubernetesVersion"])
