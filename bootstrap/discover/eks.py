"""Listing EKS clusters with boto3, for `bootstrap discover eks`.

Reads what onboarding needs and nothing else: name, API endpoint, CA, Kubernetes version,
region, account (EKS ListClusters with pagination, DescribeCluster; STS GetCallerIdentity).
Credentials come from boto3's default chain on the operator's machine; nothing is stored.
Every AWS or credential error becomes one line (BadInput, exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bootstrap.errors import BadInput

# EKS ListClusters accepts maxResults 1-100.
PAGE_SIZE = 100
_MINOR = re.compile(r"^(1\.\d+)")


@dataclass(frozen=True)
class EksCluster:
    name: str
    region: str
    account_id: str
    endpoint: str
    certificate_authority: str
    version: str
    tags: Mapping[str, str]


def parse_tags(pairs: list[str]) -> dict[str, str]:
    """`--tag k=v` arguments; one line naming the bad one."""
    tags: dict[str, str] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            raise BadInput(f"--tag {pair!r}: expected KEY=VALUE (e.g. --tag env=staging)")
        tags[key] = value
    return tags


def discover(
    region: str, tags: Mapping[str, str], session: Any = None, page_size: int = PAGE_SIZE
) -> list[EksCluster]:
    """The ACTIVE EKS clusters of the region that carry every tag in `tags`, by name."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = session or boto3.session.Session()
    try:
        account = session.client("sts", region_name=region).get_caller_identity()["Account"]
        eks = session.client("eks", region_name=region)
        names: list[str] = []
        pages = eks.get_paginator("list_clusters").paginate(
            PaginationConfig={"PageSize": page_size}
        )
        for page in pages:
            names.extend(page.get("clusters") or [])
        found = [
            _described(eks.describe_cluster(name=name)["cluster"], region, account)
            for name in sorted(set(names))
        ]
    except ClientError as error:
        details = error.response.get("Error", {})
        raise BadInput(
            f"discover eks: AWS refused {error.operation_name} in {region}: "
            f"{details.get('Code', 'error')}: {details.get('Message', '')}".rstrip(": ")
        ) from None
    except BotoCoreError as error:
        raise BadInput(f"discover eks: AWS in {region}: {error}") from None
    return [c for c in found if c is not None and all(c.tags.get(k) == v for k, v in tags.items())]


def _described(cluster: Mapping[str, Any], region: str, account: str) -> EksCluster | None:
    if cluster.get("status") != "ACTIVE" or not cluster.get("endpoint"):
        return None  # creating, updating or failing: nothing to reach yet
    return EksCluster(
        name=str(cluster["name"]),
        region=region,
        account_id=str(account),
        endpoint=str(cluster["endpoint"]).rstrip("/"),
        certificate_authority=str((cluster.get("certificateAuthority") or {}).get("data") or ""),
        version=str(cluster.get("version") or ""),
        tags=dict(cluster.get("tags") or {}),
    )


def kubernetes_minor(cluster: EksCluster) -> str:
    match = _MINOR.match(cluster.version)
    if not match:
        raise BadInput(f"discover eks: cluster {cluster.name} reports version {cluster.version!r}")
    return match.group(1)
