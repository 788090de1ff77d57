"""What the installed pulumi-azure-native SDK says about a resource type.

The API version: pulumi-azure-native's generator writes the version of the REST spec a
resource is generated from both into the provider's metadata (`APIVersion:
swagger.Info.Version` in provider/pkg/gen/schema.go, which the provider sends as
`api-version` on every request) and into the resource's doc comment ("Uses Azure REST API
version X"). The SDK and the provider of one release come from one generation, so the
doc comment of the pinned SDK names the version the pinned provider sends.

The input names: the SDK's `<Resource>Args` class maps Python names to the provider's
wire names; tests use them to prove the ARM mapping covers every input.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from functools import cache
from pathlib import Path


def _package_root(name: str) -> Path:
    """Where an installed package lives, without importing it (its import costs start-up
    time and only its source files are read here)."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{name} is not installed")
    return Path(spec.origin).parent


_SDK_ROOT = _package_root("pulumi_azure_native")
_API_VERSION = re.compile(r"Uses Azure REST API version ([0-9]{4}-[0-9]{2}-[0-9]{2}(?:-[a-z]+)?)")


@cache
def api_version(token: str) -> str | None:
    """The REST API version the installed azure-native SDK uses for a resource type."""
    source = _sdk_source(token)
    if source is None:
        return None
    match = _API_VERSION.search(source.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def sdk_input_names(token: str) -> frozenset[str]:
    """The wire names of every input the SDK accepts for the resource (tests only)."""
    import inspect

    from pulumi._types import input_type_py_to_pulumi_names

    source = _sdk_source(token)
    if source is None:
        raise LookupError(f"the pinned SDK does not define {token}")
    # Where an input type of the same name exists (network.VirtualNetworkArgs, the nested
    # one), the generator calls the resource's arguments <Kind>InitArgs.
    module = importlib.import_module(f"pulumi_azure_native.{source.parent.name}.{source.stem}")
    kind = token.rpartition(":")[2]
    args = getattr(module, f"{kind}InitArgs", None) or getattr(module, f"{kind}Args")
    declared = input_type_py_to_pulumi_names(args)
    # Properties without an explicit wire name keep the camelCase of their Python name.
    parameters = [p for p in inspect.signature(args.__init__).parameters if p != "__self__"]
    return frozenset(declared.get(p) or _camel(p) for p in parameters)


def _sdk_source(token: str) -> Path | None:
    parts = token.split(":", 2)
    if len(parts) != 3 or not parts[1].isidentifier():
        return None
    _, module, kind = parts
    directory = _SDK_ROOT / module
    guess = directory / f"{_snake(kind)}.py"
    marker = f'@pulumi.type_token("{token}")'
    if guess.is_file() and marker in guess.read_text(encoding="utf-8"):
        return guess
    for candidate in sorted(directory.glob("*.py")):
        if marker in candidate.read_text(encoding="utf-8"):
            return candidate
    return None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
