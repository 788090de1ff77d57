"""Editing a stack file the way a person would: comments, key order and quoting kept.

Changes go through a ruamel.yaml round trip; the edited text is validated with the very
schema `pulumi up` uses before it replaces the file, and the replacement is atomic.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bootstrap.errors import BadInput
from bootstrap.outputs import Output, write_files
from bootstrap.yaml_io import round_trip_yaml
from components.config import PlatformConfig, display_path, read_stack_document
from components.config.errors import NAMESPACE
from components.config.loader import plain_values, validate
from components.untrusted import STACK_FILE_LIMIT, parse_yaml, read_text

GITOPS_KEY = f"{NAMESPACE}:gitops"


def with_tenant(
    path: Path, name: str, owner_group_id: str, key_vault: bool, clusters: list[str] | None = None
) -> tuple[str, PlatformConfig]:
    """The stack file's new text with one more tenant, and its validated config.

    Nothing is written: bad input raises (BadInput or ConfigError) naming the file.
    """
    document = load_for_edit(path)
    gitops = child(
        path,
        document["config"],
        GITOPS_KEY,
        CommentedMap,
        "a mapping (expected repoUrl, tenants, ...)",
    )
    tenants = child(path, gitops, "tenants", CommentedSeq, "a list of tenants", GITOPS_KEY)
    for index, tenant in enumerate(tenants):
        if isinstance(tenant, dict) and tenant.get("name") == name:
            raise BadInput(
                f"{path}: {GITOPS_KEY}.tenants[{index}] already declares '{name}' "
                "(expected a new tenant name)"
            )
    entry = CommentedMap()
    entry["name"] = name
    entry["ownerGroupId"] = owner_group_id
    if key_vault:
        entry["keyVault"] = True
    if clusters:
        entry["clusters"] = CommentedSeq(clusters)
        entry["clusters"].fa.set_flow_style()
    tenants.append(entry)
    text = dump(document)
    return text, validate_text(path, text)


def load_for_edit(path: Path) -> CommentedMap:
    """The stack file as a round-trip document (comments, key order and quoting kept).

    The loader's checks run first (missing file, bad YAML, no config mapping: one line
    each), then the same bounded read again, loaded so that the edit keeps quoting and
    flow style.
    """
    read_stack_document(path)
    text = read_text(path, "stack file", STACK_FILE_LIMIT)
    return parse_yaml(text, display_path(path), round_trip_yaml())


def child(
    path: Path,
    parent: CommentedMap,
    key: str,
    kind: type[CommentedMap] | type[CommentedSeq],
    expected: str,
    within: str = "",
) -> Any:
    """parent[key], created empty when absent; BadInput when it is not of `kind`."""
    value = parent.get(key)
    if value is None:
        value = kind()
        parent[key] = value
    if not isinstance(value, kind):
        where = f"{within}.{key}" if within else key
        raise BadInput(f"{path}: {where} must be {expected}")
    return value


def dump(document: CommentedMap) -> str:
    buffer = io.StringIO()
    round_trip_yaml().dump(document, buffer)
    return buffer.getvalue()


def validate_text(path: Path, text: str) -> PlatformConfig:
    """Validates edited stack-file text as load_stack_file would validate the file."""
    document: Any = parse_yaml(text, display_path(path))
    values = {
        str(key).partition(":")[2]: plain_values(value)
        for key, value in document["config"].items()
        if str(key).startswith(f"{NAMESPACE}:")
    }
    stack = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
    return validate(values, path, stack, document)


def replace_file(path: Path, text: str) -> None:
    """Writes `text` to a temporary file beside `path`, then renames it over `path` (its
    mode kept); a path that cannot be written is one line, exit 2, nothing changed."""
    write_files([Output(path, "stack file", text)])
