"""Key Vault: RBAC data plane, recoverable vaults and keys that expire and rotate."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..settings import PolicySettings
from .base import resource_rule
from .props import dig, is_false, is_true, items, text

MIN_SOFT_DELETE_DAYS = 7


def rbac_authorization(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    properties = dig(props, "properties")
    if not is_true(dig(properties, "enableRbacAuthorization")):
        yield "properties.enableRbacAuthorization is not true: access policies authorize data"
    if items(dig(properties, "accessPolicies")):
        yield "properties.accessPolicies grants data-plane access outside Azure RBAC"


def purge_protection(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if not is_true(dig(props, "properties", "enablePurgeProtection")):
        yield "properties.enablePurgeProtection is not true: deleted secrets can be purged at once"


def soft_delete_retention(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    properties = dig(props, "properties")
    if is_false(dig(properties, "enableSoftDelete")):
        yield "properties.enableSoftDelete is false"
    days = dig(properties, "softDeleteRetentionInDays")
    # The service default is 90 days; only an explicit shorter retention is a violation.
    if isinstance(days, int | float) and days < MIN_SOFT_DELETE_DAYS:
        yield f"properties.softDeleteRetentionInDays is {days} (at least {MIN_SOFT_DELETE_DAYS})"


def key_rotation(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    policy = dig(props, "properties", "rotationPolicy")
    if policy is None:
        yield "the key has no properties.rotationPolicy"
        return
    if not text(dig(policy, "attributes", "expiryTime")):
        yield "rotationPolicy.attributes.expiryTime is not set: key versions never expire"
    actions = [
        text(dig(action, "action", "type")).lower()
        for action in items(dig(policy, "lifetimeActions"))
    ]
    if "rotate" not in actions:
        yield "rotationPolicy has no Rotate lifetime action"


RULES = [
    resource_rule("KV-KEY-01", rbac_authorization),
    resource_rule("KV-KEY-02", purge_protection),
    resource_rule("KV-KEY-03", soft_delete_retention),
    resource_rule("KV-KEY-04", key_rotation),
]
