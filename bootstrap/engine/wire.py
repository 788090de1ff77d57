"""Converting the protobuf payloads of resource registrations into plan-file JSON.

The plan shows inputs exactly as `pulumi preview --json` would: provider wire names, secrets
as "[secret]", resource references as the referenced URN.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2

SECRET_MARK = "[secret]"
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_ASSET_SIGS = {"c44067f5952c0a294b673a41bacd8c17", "0def7320c3a5731c473e5ecbe6d01bc7"}


def struct_to_plain(message: struct_pb2.Struct) -> dict[str, Any]:
    return _plain(json_format.MessageToDict(message))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        signature = value.get(_SIG_KEY)
        if signature == _SECRET_SIG:
            return SECRET_MARK
        if signature == _RESOURCE_SIG:
            return value.get("urn")
        if signature == _OUTPUT_SIG:
            if value.get("secret"):
                return SECRET_MARK
            return _plain(value.get("value"))
        if signature in _ASSET_SIGS:
            return "[asset]"
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        # protobuf carries every number as a double; counts and sizes are integers.
        return int(value)
    return value
