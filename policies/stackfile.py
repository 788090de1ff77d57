"""Line numbers of `platform:*` keys in a stack file, for error messages and SARIF locations."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from components.config import ConfigError, read_stack_document

NAMESPACE = "platform"


def line_in_document(document: CommentedMap, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the deepest existing node of `platform:<loc>`, if any."""
    node: Any = document.get("config")
    line: int | None = None
    for index, part in enumerate(loc):
        key: Any = f"{NAMESPACE}:{part}" if index == 0 else part
        if isinstance(node, CommentedMap) and key in node:
            line = _key_line(node, key) or line
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            with contextlib.suppress(KeyError, AttributeError, TypeError):
                line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def line_in_file(path: Path | None, loc: Sequence[str | int]) -> int | None:
    if path is None:
        return None
    try:
        document = read_stack_document(path)
    except ConfigError:
        return None
    return line_in_document(document, loc)


def display_path(path: Path) -> str:
    """The path as users typed it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def key_path(loc: Sequence[str | int]) -> str:
    """('waivers', 0, 'control') -> 'platform:waivers[0].control'."""
    text = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
        elif index == 0:
            text = f"{NAMESPACE}:{part}"
        else:
            text += f".{part}"
    return text


def _key_line(mapping: CommentedMap, key: Any) -> int | None:
    try:
        return mapping.lc.key(key)[0] + 1
    except (KeyError, AttributeError, TypeError):
        return None
