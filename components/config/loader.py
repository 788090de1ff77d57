"""Reading a stack's `platform:*` configuration, from its file or from the Pulumi engine.

Both paths end in the same validation, so `pulumi up` and the offline engine accept and
refuse exactly the same stacks. Errors carry the stack file and, when the file is at
hand, the line of the offending key.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from components.untrusted import (
    STACK_FILE_LIMIT,
    InputError,
    display_path,
    parse_json,
    parse_yaml,
    read_text,
)
from components.untrusted.credentials import credential_kind

from .errors import NAMESPACE, ConfigError, describe, key_path
from .namespaces import describe_near_miss, near_miss
from .platform import PlatformConfig

# Keys Pulumi itself allows at the top of a stack file.
_STACK_FILE_KEYS = {"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"}


def stack_file(stack_dir: Path, stack: str) -> Path:
    return stack_dir / f"Pulumi.{stack}.yaml"


# Parsed stack files by (path, mtime, size): one run reads the same file for validation,
# line numbers and reports, and round-trip parsing is the slow part of a plan.
_DOCUMENTS: dict[tuple[str, int, int], CommentedMap] = {}


def read_stack_document(path: Path) -> CommentedMap:
    """The parsed stack file (shared: treat it as read-only); ConfigError if unusable."""
    try:
        status = path.stat()
    except OSError:
        status = None
    key = (str(path.resolve()), status.st_mtime_ns, status.st_size) if status else None
    if key is not None and key in _DOCUMENTS:
        return _DOCUMENTS[key]
    document = _parse_stack_document(path)
    if key is not None:
        _DOCUMENTS[key] = document
    return document


def _parse_stack_document(path: Path) -> CommentedMap:
    """Bounded read and parse (components.untrusted): regular file, size, depth, aliases."""
    shown = display_path(path)
    try:
        text = read_text(path, "stack file", STACK_FILE_LIMIT)
        if not text.strip():
            raise ConfigError(shown, "stack file is empty (expected a 'config:' mapping)")
        document = parse_yaml(text, shown)
    except InputError as error:
        raise config_error(error) from None
    if not isinstance(document, CommentedMap):
        raise ConfigError(shown, "expected a mapping with a 'config:' key at the top", 1)
    for key in document:
        if key not in _STACK_FILE_KEYS:
            raise ConfigError(
                shown,
                f"unknown top-level key '{key}' "
                f"(expected one of: {', '.join(sorted(_STACK_FILE_KEYS))})",
                _key_line(document, key),
            )
    config = document.get("config")
    if not isinstance(config, CommentedMap):
        raise ConfigError(
            shown, "'config' must be a mapping of namespaced keys", _key_line(document, "config")
        )
    return document


def load_stack_file(path: Path, stack: str | None = None) -> PlatformConfig:
    """Validates one stack file; the stack name defaults to the file's `Pulumi.<stack>.yaml`."""
    document = read_stack_document(path)
    config = document["config"]
    values: dict[str, Any] = {}
    for key, value in config.items():
        namespace, _, name = str(key).partition(":")
        if not name:
            raise ConfigError(
                display_path(path),
                f"config key '{key}' has no namespace (expected {NAMESPACE}:{key})",
                _key_line(config, key),
            )
        if near_miss(namespace):
            raise ConfigError(
                display_path(path), describe_near_miss(str(key)), _key_line(config, key)
            )
        if namespace == NAMESPACE:
            values[name] = plain_values(value)
    return validate(values, path, stack or stack_name_of(path), document)


def stack_name_of(path: Path) -> str | None:
    name = path.name
    if name.startswith("Pulumi.") and name.endswith(".yaml"):
        return name[len("Pulumi.") : -len(".yaml")]
    return None


def validate(
    values: Mapping[str, Any],
    path: Path,
    stack: str | None,
    document: CommentedMap | None = None,
) -> PlatformConfig:
    """The single validation step behind both the file and the engine path."""
    found = find_secret(values)
    if found is not None:
        loc, kind = found
        raise ConfigError(
            display_path(path),
            f"{key_path(loc)}: holds {kind}; secrets do not belong in platform config "
            "(it is committed, planned and logged): keep them in Key Vault",
            line_of(document, loc),
        )
    try:
        config = PlatformConfig.model_validate(dict(values))
    except ValidationError as error:
        loc, sentence = describe(error, PlatformConfig)
        raise ConfigError(
            display_path(path), f"{key_path(loc)}: {sentence}", line_of(document, loc)
        ) from None
    if stack is not None and config.environment != stack:
        raise ConfigError(
            display_path(path),
            f"{NAMESPACE}:environment: '{config.environment}' does not match the stack "
            f"'{stack}' (expected {stack})",
            line_of(document, ("environment",)),
        )
    return config


def load_from_pulumi() -> PlatformConfig:
    """Reads `platform:*` from the running Pulumi program (real engine or offline mocks)."""
    import pulumi
    from pulumi.runtime.config import CONFIG, get_config_env

    try:
        return config_from_engine({**get_config_env(), **CONFIG.get()}, pulumi.get_stack())
    except ConfigError as error:
        # RunError ends the program with this one line and no traceback.
        raise pulumi.RunError(str(error)) from None


def config_from_engine(
    raw: Mapping[str, Any], stack: str, stack_dir: Path = Path("stacks")
) -> PlatformConfig:
    """The stack config as the engine hands it over (`{"platform:key": "text or JSON"}`).

    The one validation behind `pulumi up` (load_from_pulumi) and the policy pack, which
    receives the same map as PULUMI_CONFIG. Errors name the stack file and, when the file
    is at hand, the line of the offending key.
    """
    path = stack_file(stack_dir, stack)
    for key in raw:
        if near_miss(key.partition(":")[0]):
            raise ConfigError(display_path(path), describe_near_miss(key))
    values = {
        key.partition(":")[2]: _from_engine(value)
        for key, value in raw.items()
        if key.startswith(f"{NAMESPACE}:")
    }
    try:
        return validate(values, path, stack)
    except ConfigError as error:
        located = error
        # The file is parsed only now, for the line number of the offending key.
        if path.is_file():
            try:
                validate(values, path, stack, read_stack_document(path))
            except ConfigError as with_line:
                located = with_line
        raise located from None


def _from_engine(value: Any) -> Any:
    """The engine hands every value over as a string; structured ones are JSON.

    Parsed bounded: what is not JSON the schema accepts (too deep, NaN) stays a string,
    which the schema then refuses with its key.
    """
    if not isinstance(value, str):
        return value
    try:
        return parse_json(value, "platform config")
    except InputError:
        return value


def plain_values(value: Any) -> Any:
    """ruamel's commented containers (and its scalar subclasses) as plain Python values."""
    if isinstance(value, Mapping):
        return {str(k): plain_values(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [plain_values(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    for kind in (int, float, str):
        if isinstance(value, kind):
            return kind(value)
    return value


def _key_line(mapping: CommentedMap, key: Any) -> int | None:
    try:
        return mapping.lc.key(key)[0] + 1
    except (KeyError, AttributeError, TypeError):
        return None


def line_in_stack_file(path: Path | None, loc: Sequence[str | int]) -> int | None:
    """The line of `platform:<loc>` in a stack file; None if unreadable or absent."""
    if path is None:
        return None
    try:
        return line_of(read_stack_document(path), loc)
    except ConfigError:
        return None


def line_of(document: CommentedMap | None, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest node of `platform:<loc>` present in the file."""
    if document is None:
        return None
    node: Any = document.get("config")
    line = _key_line(document, "config")
    for index, part in enumerate(loc):
        key: Any = f"{NAMESPACE}:{part}" if index == 0 else part
        if isinstance(node, CommentedMap) and key in node:
            line = _key_line(node, key) or line
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            with contextlib.suppress(KeyError, AttributeError):
                line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def find_secret(values: Mapping[str, Any]) -> tuple[tuple[str | int, ...], str] | None:
    """The first key or string value that is a credential, with its location."""
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), dict(values))]
    while pending:
        loc, value = pending.pop()
        if isinstance(value, str):
            kind = credential_kind(value)
            if kind:
                return loc, kind
        elif isinstance(value, Mapping):
            for key in value:
                kind = credential_kind(str(key))
                if kind:
                    return (*loc, str(key)), kind  # masked when the error is shown
            pending.extend(reversed([((*loc, str(k)), v) for k, v in value.items()]))
        elif isinstance(value, list):
            pending.extend(reversed([((*loc, i), v) for i, v in enumerate(value)]))
    return None


def config_error(error: InputError) -> ConfigError:
    """A reader's refusal as the config error callers of this module expect."""
    return ConfigError(error.file, error.message, error.line, error.column)
