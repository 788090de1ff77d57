"""Pulumi's wire encoding of special values, reduced to what a plan may show.

Secrets become "[secret]" (their value never leaves this function), resource references
their URN, assets and archives a marker. `pulumi preview --json` and `pulumi stack export`
encode secrets as {SIG: SECRET_SIG, "plaintext" | "value" | "ciphertext": ...}.
"""

from __future__ import annotations

from typing import Any

from components.untrusted.credentials import SECRET_MARK

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
ASSET_SIGS = frozenset({"c44067f5952c0a294b673a41bacd8c17", "0def7320c3a5731c473e5ecbe6d01bc7"})


def mask(value: Any) -> Any:
    """A plain copy of `value` with every special wire object replaced."""
    if isinstance(value, dict):
        signature = value.get(SIG_KEY)
        if signature is None:
            return {key: mask(item) for key, item in value.items()}
        if signature == SECRET_SIG:
            return SECRET_MARK
        if signature == RESOURCE_SIG:
            return value.get("urn")
        if signature == OUTPUT_SIG:
            return SECRET_MARK if value.get("secret") else mask(value.get("value"))
        if signature in ASSET_SIGS:
            return "[asset]"
        return {key: mask(item) for key, item in value.items() if key != SIG_KEY}
    if isinstance(value, list):
        return [mask(item) for item in value]
    return value
