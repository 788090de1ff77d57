"""Line numbers for JSON paths, found only when an error needs one.

The stdlib parser is fast but forgets positions. When a plan file is well-formed JSON but
malformed as a plan (a resource without a type, say), this scanner walks the text once more
along one path, skipping every other value with the C-accelerated decoder, and returns the
line where the offending value starts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.decoder import scanstring  # type: ignore[attr-defined]

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


def _skip_ws(text: str, index: int) -> int:
    while index < len(text) and text[index] in _WHITESPACE:
        index += 1
    return index


def offset_of(text: str, path: Sequence[str | int]) -> int:
    """Character offset of the value at `path`, or of the deepest existing parent."""
    index = _skip_ws(text, 0)
    for step in path:
        if index >= len(text):
            break
        opener = text[index]
        if opener == "{" and isinstance(step, str):
            found = _find_key(text, index, step)
        elif opener == "[" and isinstance(step, int):
            found = _find_item(text, index, step)
        else:
            found = None
        if found is None:
            break
        index = found
    return index


def line_of(text: str, path: Sequence[str | int]) -> int:
    return text.count("\n", 0, offset_of(text, path)) + 1


def _find_key(text: str, index: int, key: str) -> int | None:
    index = _skip_ws(text, index + 1)
    while index < len(text) and text[index] == '"':
        name, index = scanstring(text, index + 1)
        index = _skip_ws(text, index)
        index = _skip_ws(text, index + 1)  # past ':'
        if name == key:
            return index
        _, index = _DECODER.raw_decode(text, index)
        index = _skip_ws(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip_ws(text, index + 1)
    return None


def _find_item(text: str, index: int, wanted: int) -> int | None:
    index = _skip_ws(text, index + 1)
    position = 0
    while index < len(text) and text[index] != "]":
        if position == wanted:
            return index
        _, index = _DECODER.raw_decode(text, index)
        index = _skip_ws(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip_ws(text, index + 1)
        position += 1
    return None
