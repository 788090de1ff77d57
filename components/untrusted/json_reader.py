"""JSON that cannot overflow the stack, and holds only what later steps can carry.

The stdlib decoder is C and fast; its only recursion-driven failure is nesting, and on
CPython 3.11 its C recursion counts against the interpreter's recursion limit
(Py_EnterRecursiveCall in Modules/_json.c). So nesting is bounded without a second pass:
the decoder runs with the limit lowered to the current stack depth plus MAX_DEPTH, and a
RecursionError means "too deep" (its position is found only then, by a scan of the
text). The limit is interpreter-wide, so this is done only while no other thread runs
(the CLI reads a plan file before it starts any); otherwise the document is decoded
normally and its depth measured afterwards, iteratively. A text with fewer brackets
than MAX_DEPTH cannot be too deep and skips both. A test pins the behaviour, so a
Python upgrade that changes it fails loudly.

Also refused, with their position: NaN and Infinity (not JSON, and not writable back as
JSON), integers Python will not convert (more than 4,300 digits), and lone surrogates
such as "\\udc80" (valid JSON text, but no UTF-8 encoding: the plan file could not be
written).
"""

from __future__ import annotations

import json
import re
import sys
import threading
from typing import Any

from .errors import InputError
from .limits import MAX_DEPTH

# Frames json.loads itself adds above the caller (loads, decode, raw_decode), plus slack.
_OWN_FRAMES = 8
_STRING = r'"(?:[^"\\]|\\.)*"'
_BRACKETS = re.compile(rf"{_STRING}|[\[\]{{}}]", re.S)
_CONSTANTS = re.compile(rf"{_STRING}|(-?Infinity|NaN)", re.S)
_STRINGS = re.compile(_STRING, re.S)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class _NotFinite(ValueError):
    pass


def parse_json(text: str, shown: str) -> Any:
    """The JSON document in `text`; InputError (file:line, column) for anything refused."""
    try:
        document = _loads_bounded(text)
    except RecursionError:
        raise _at(text, shown, _too_deep(text), f"nesting deeper than {MAX_DEPTH} levels") from None
    except _NotFinite as error:
        raise _at(text, shown, _first(_CONSTANTS, text), f"{error} is not a JSON number") from None
    except json.JSONDecodeError as error:
        raise InputError(shown, f"invalid JSON: {error.msg}", error.lineno, error.colno) from None
    except ValueError:
        digits = sys.get_int_max_str_digits()
        long_number = re.compile(rf"{_STRING}|(-?\d{{{digits + 1},}})", re.S)
        raise _at(
            text, shown, _first(long_number, text), f"integer with more than {digits:,} digits"
        ) from None
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(text, shown)
    return document


def _loads_bounded(text: str) -> Any:
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return json.loads(text, parse_constant=_refuse_constant)
    if threading.active_count() > 1:
        document = json.loads(text, parse_constant=_refuse_constant)
        if _depth(document) > MAX_DEPTH:
            raise RecursionError
        return document
    depth = _stack_depth()
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + _OWN_FRAMES + MAX_DEPTH)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    finally:
        sys.setrecursionlimit(previous)


def _depth(document: Any) -> int:
    deepest = 0
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = list(value.values())
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, depth)
        pending.extend((item, depth + 1) for item in value if isinstance(item, dict | list))
    return deepest


def _stack_depth() -> int:
    frame = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def _refuse_constant(name: str) -> Any:
    raise _NotFinite(name)


def _too_deep(text: str) -> int:
    """Offset of the first bracket that opens level MAX_DEPTH + 1."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in "]}":
            depth -= 1
    return 0


def _first(pattern: re.Pattern[str], text: str) -> int:
    """Offset of the first match of the pattern's group 1 outside strings."""
    for match in pattern.finditer(text):
        if match.group(1) is not None:
            return match.start(1)
    return 0


def _refuse_lone_surrogates(text: str, shown: str) -> None:
    for match in _STRINGS.finditer(text):
        token = match.group()
        if "\\u" not in token:
            continue
        try:
            json.loads(token).encode("utf-8")
        except UnicodeEncodeError as error:
            value = json.loads(token)
            code = ord(value[error.start])
            raise _at(
                text,
                shown,
                match.start(),
                f"\\u{code:04x} is a lone surrogate, not a Unicode character",
            ) from None


def _at(text: str, shown: str, offset: int, message: str) -> InputError:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return InputError(shown, message, line, column)
