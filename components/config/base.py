"""Building blocks of the stack schema: a strict camelCase model and validated scalar types.

Every section of the stack configuration derives from `StrictModel`, so an unknown or
misspelt key is an error instead of a silently ignored setting (a typo in a security
toggle must never fall back to a default the author did not intend).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from .regions import AZURE_REGIONS


class LocatedValueError(ValueError):
    """A rule that spans keys, raised with the key path (relative to the model) it blames."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


class StrictModel(BaseModel):
    """Frozen, camelCase, no extra keys: the contract of every config section."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        strict=False,
        validate_default=True,
    )


# Key Vault object names (keys, secrets, certificates): 1-127 letters, digits and dashes
# (learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates
# #objects-identifiers-and-versioning).
VAULT_OBJECT_NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")


def matching(pattern: str | re.Pattern[str], expected: str) -> AfterValidator:
    """Refuses a string that `pattern` does not match: "'<value>' is not <expected>"."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(f"'{value}' is not {expected}")
        return value

    return AfterValidator(check)


_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _guid(value: str) -> str:
    if not _GUID.match(value.lower()):
        raise ValueError("expected a GUID like 00000000-0000-0000-0000-000000000000")
    return value.lower()


def _cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as error:
        if "has host bits set" in str(error):
            raise ValueError(
                f"'{value}' has host bits set (expected a network address such as "
                f"{ipaddress.IPv4Network(value, strict=False)})"
            ) from None
        raise ValueError(f"'{value}' is not an IPv4 CIDR (expected e.g. 10.20.0.0/16)") from None
    if "/" not in value:
        raise ValueError(f"'{value}' has no prefix length (expected e.g. {value}/32)")
    return str(network)


def _ipv4(value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise ValueError(f"'{value}' is not an IPv4 address") from None


def _region(value: str) -> str:
    normalised = value.replace(" ", "").lower()
    if normalised not in AZURE_REGIONS:
        from difflib import get_close_matches

        close = get_close_matches(normalised, sorted(AZURE_REGIONS), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(f"'{value}' is not an Azure region{hint}")
    return normalised


_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


def _dns_label(value: str) -> str:
    if len(value) > 63 or not _DNS_LABEL.match(value):
        raise ValueError(
            f"'{value}' is not a DNS-1123 label (lowercase letters, digits and '-', "
            "starting with a letter, at most 63 characters)"
        )
    return value


_ARM_ID = re.compile(r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/[^/]+/.+$")


def _arm_id(value: str) -> str:
    if not _ARM_ID.match(value):
        raise ValueError(
            f"'{value}' is not an Azure resource ID (expected "
            "/subscriptions/<guid>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>)"
        )
    return value


Guid = Annotated[str, AfterValidator(_guid)]
Cidr = Annotated[str, AfterValidator(_cidr)]
IPv4 = Annotated[str, AfterValidator(_ipv4)]
AzureRegion = Annotated[str, AfterValidator(_region)]
DnsLabel = Annotated[str, AfterValidator(_dns_label)]
ArmId = Annotated[str, AfterValidator(_arm_id)]


def networks_overlap(first: str, second: str) -> bool:
    return ipaddress.IPv4Network(first).overlaps(ipaddress.IPv4Network(second))
