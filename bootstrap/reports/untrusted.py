"""Text that comes from input (names, messages, paths, reasons), made safe for each output.

Everything a plan, a manifest or a stack file says may have been written by whoever opened
the pull request, so every report writer passes it through here, never straight through:

- plain(): control characters and ANSI/OSC escape sequences out (they would move the
  cursor, retitle the terminal or hide lines in CI logs), invisible format characters
  (bidirectional overrides, zero-width joiners) and lone surrogates shown as U+FFFD,
  credentials masked (components.untrusted.credentials), long values cut with an ellipsis;
- terminal(): a rich Text, so `[bold]` in a name is printed, never parsed as markup;
- markdown(): for a table cell of a pull-request comment: no emphasis, links, images,
  code spans, HTML or pipes; no @mention, #123 / GH-123 reference or autolink either
  (a zero-width space after `@`, `#`, `GH-`, `www` and `://` keeps them from linking);
- html(): for text inside an HTML element of the comment (`<summary>`);
- sarif(): plain text for SARIF `message.text` and properties.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from rich.text import Text

from components.untrusted.credentials import redact

# Generous for names, enough for a finding's message; the full value stays in the plan file.
NAME_LIMIT = 200
MESSAGE_LIMIT = 1000
ELLIPSIS = "…"
ZERO_WIDTH_SPACE = "\u200b"
REPLACEMENT = "\ufffd"

# ESC [ ... final byte (CSI), ESC ] ... BEL or ESC \ (OSC: titles, hyperlinks), ESC + one.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_INVISIBLE = frozenset({"Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Characters with a meaning in inline Markdown (CommonMark §2.4: any ASCII punctuation may
# be backslash-escaped); `<`, `>` and `&` become entities instead, for the HTML around it.
_MARKDOWN_ESCAPED = frozenset("\\`*_[]|~!(){}")
# Text only ever lands in element content, never in an attribute, so quotes stay as they are.
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_HTML_TABLE = str.maketrans(_HTML_ENTITIES)
_MARKDOWN_TABLE = str.maketrans({**_HTML_ENTITIES, **{c: f"\\{c}" for c in _MARKDOWN_ESCAPED}})
# What GitHub links on its own in comments: mentions, issue references, bare URLs.
_AUTOLINKS = re.compile(r"(@|#|\bGH-|\bwww|://)(?=\S)", re.IGNORECASE)


def plain(value: Any, limit: int = NAME_LIMIT) -> str:
    """One line of printable text, secrets masked, at most `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    if "\x1b" in text:
        text = _ESCAPES.sub("", text)
    if not text.isprintable():
        text = "".join(_printable(char) for char in text)
    text = redact(text)
    if len(text) > limit:
        text = text[: limit - 1] + ELLIPSIS
    return text


def _printable(char: str) -> str:
    if char.isprintable():
        return char
    category = unicodedata.category(char)
    if category == "Cc" or category == "Zs":
        return " "  # newlines and tabs keep words apart, on one line
    return REPLACEMENT if category in _INVISIBLE else char


def terminal(value: Any, limit: int = NAME_LIMIT, style: str = "") -> Text:
    return Text(plain(value, limit), style=style)


def markdown(value: Any, limit: int = NAME_LIMIT) -> str:
    return _unlink(plain(value, limit).translate(_MARKDOWN_TABLE))


def html(value: Any, limit: int = NAME_LIMIT) -> str:
    return _unlink(plain(value, limit).translate(_HTML_TABLE))


def sarif(value: Any, limit: int = MESSAGE_LIMIT) -> str:
    return plain(value, limit)


def _unlink(text: str) -> str:
    return _AUTOLINKS.sub(lambda match: match.group(1) + ZERO_WIDTH_SPACE, text)
