"""Keeping secrets and long values out of error lines (they end up in CI logs).

People paste keys and tokens into the wrong field; the error that refuses the value must
not print it. `redact` masks what looks like a secret anywhere in a text (the shapes are
those of components.untrusted.credentials, plus long random-looking runs); `shown_value`
is how a refused value may appear in a message: masked when it looks secret, cut when
long, control characters escaped.
"""

from __future__ import annotations

import re
from typing import Any

from . import credentials
from .credentials import SECRET_MARK

MASK = SECRET_MARK
SHOWN_LIMIT = 40

# A long run of key-like characters with upper case, lower case and digits: base64 or
# random tokens. Slashes end a run, so paths and Azure resource IDs stay readable.
_BLOB = re.compile(r"[A-Za-z0-9+_=-]{32,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def redact(text: str) -> str:
    """`text` with every credential-shaped part (components.untrusted.credentials) and every
    long random-looking run masked: error lines may show neither."""
    return _BLOB.sub(_mask_blob, credentials.redact(text))


def _mask_blob(match: re.Match[str]) -> str:
    blob = match.group()
    mixed = (
        any(c.isupper() for c in blob)
        and any(c.islower() for c in blob)
        and any(c.isdigit() for c in blob)
    )
    return MASK if mixed else blob


def looks_secret(text: str) -> bool:
    return redact(text) != text


def shown_value(value: Any) -> str:
    """A refused value as an error message may show it: quoted, masked or cut."""
    text = value if isinstance(value, str) else repr(value)
    if looks_secret(text):
        return MASK
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    text = text.replace("\n", "\\n")
    if len(text) > SHOWN_LIMIT:
        text = f"{text[: SHOWN_LIMIT - 3]}..."
    return f"'{text}'" if isinstance(value, str) else text


def one_line(text: str) -> str:
    """Line breaks (and other controls) as visible escapes: a message is one line."""
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
