"""Keeping secrets and long values out of error lines (they end up in CI logs).

People paste keys and tokens into the wrong field; the error that refuses the value must
not print it. `redact` masks what looks like a secret anywhere in a text; `shown_value`
is how a refused value may appear in a message: masked when it looks secret, cut when
long, control characters escaped.
"""

from __future__ import annotations

import re
from typing import Any

MASK = "[redacted]"
SHOWN_LIMIT = 40

# Where a PEM block ends: its END line; cut off, at a quote, ": " or the end of the text.
_PEM_END = r"""(?:-----END [A-Z0-9 ]+-----|(?=['"]|: )|$)"""
# (what it is, pattern, replacement). The first four never belong in configuration.
_SECRETS = [
    (
        "a PEM private key",
        re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?" + _PEM_END, re.S),
        MASK,
    ),
    (
        "a GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"),
        MASK,
    ),
    (
        "a JSON web token",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
        MASK,
    ),
    (
        "a connection-string secret",
        re.compile(
            r"(?i)\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|"
            r"client_secret)=[^;\s'\"]+"
        ),
        rf"\1={MASK}",
    ),
    # Other PEM blocks (certificates), complete or cut off: masked, as they are long.
    (
        "a PEM block",
        re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?" + _PEM_END, re.S),
        MASK,
    ),
    # Credentials in a URL: scheme://user:password@host or scheme://token@host.
    (
        "credentials in a URL",
        re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"]+@"),
        rf"\1{MASK}@",
    ),
]
_NEVER_IN_CONFIG = 4
# A long run of key-like characters with upper case, lower case and digits: base64 or
# random tokens. Slashes end a run, so paths and Azure resource IDs stay readable.
_BLOB = re.compile(r"[A-Za-z0-9+_=-]{32,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def redact(text: str) -> str:
    """`text` with every secret-looking part replaced by [redacted]."""
    for _, pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return _BLOB.sub(_mask_blob, text)


def secret_kind(text: str) -> str | None:
    """What `text` holds if it is a credential that never belongs in configuration."""
    for kind, pattern, _ in _SECRETS[:_NEVER_IN_CONFIG]:
        if pattern.search(text):
            return kind
    return None


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
