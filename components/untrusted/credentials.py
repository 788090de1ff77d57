"""Text that looks like a credential, found and masked before anything is shown or written.

Pulumi's own secrets are masked from their wire form (policies/sources/wire.py); this
module is the second line for credentials typed or pasted where no secret belongs (a
token in a URL, a key in a tag, a password in a connection string). Whatever matches is
replaced by SECRET_MARK in every output: plan files, reports, the terminal and error lines.

The shapes are those the issuers publish:
- URL userinfo `scheme://user:password@host` (RFC 3986 §3.2.1 deprecates passwords there;
  Microsoft Purview's "GitHub personal access token" credential type matches them too);
- PEM blocks `-----BEGIN <label>-----` ... `-----END <label>-----` (RFC 7468), and a BEGIN
  line cut short of its END;
- GitHub tokens: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` (github.blog changelog
  2021-03-31 "Authentication token format updates are generally available") and the
  fine-grained `github_pat_`;
- JSON Web Tokens (RFC 7519 compact form: base64url `{"` header, so `eyJ`, and two dots);
- Azure connection-string and SAS secrets: `AccountKey=`, `SharedAccessKey=`,
  `Password=` / `Pwd=` values and the `sig=` signature of a SAS token (learn.microsoft.com
  storage/common/storage-configure-connection-string, storage/common/storage-sas-overview);
- AWS access key IDs `AKIA` / `ASIA` + 16 characters (AWS IAM "unique identifiers");
- HTTP `Authorization: Bearer|Basic <credential>` values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The mark a masked value reads as, everywhere (DESIGN §6).
SECRET_MARK = "[secret]"

# The scan works on plain text and on JSON text alike: no rule consumes a quote or a
# backslash except as a whole escape pair, so redacting a serialized JSON document keeps
# it valid. Every rule starts at a fixed literal found with str.find (fast on megabytes),
# then one anchored match decides what to mask there.
_STRING_CHAR = r'(?:[^"\\]|\\.)'
_VALUE = r'[^;&\s"\'\\]+'
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")


@dataclass(frozen=True)
class _Rule:
    literal: str
    # Anchored at the literal; group "secret" (or the whole match) is what gets masked.
    pattern: re.Pattern[str]
    # What it is, for error lines; None for shapes that may legitimately appear in
    # configuration (a certificate, an SSH user in a URL) and are only masked in outputs.
    kind: str | None = None


def _rules() -> tuple[_Rule, ...]:
    rules = [
        _Rule(
            "-----BEGIN ",
            re.compile(
                rf"-----BEGIN [A-Z0-9 ]{{1,64}}-----(?:{_STRING_CHAR}*?-----END "
                # Cut short of its END line: up to the end of the string, or of the value
                # when a message goes on after it (": " never occurs in base64).
                rf"[A-Z0-9 ]{{1,64}}-----|(?:(?!: ){_STRING_CHAR})*)",
                re.DOTALL,
            ),
        ),
        _Rule("://", re.compile(r'://(?P<secret>[^/\s@?#"\\]+)@')),
        _Rule("github_pat_", re.compile(r"github_pat_[A-Za-z0-9_]{40,255}"), "a GitHub token"),
        _Rule(
            "eyJ",
            re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
            "a JSON web token",
        ),
    ]
    rules += [
        _Rule(f"gh{kind}_", re.compile(rf"gh{kind}_[A-Za-z0-9_]{{30,255}}"), "a GitHub token")
        for kind in "pousr"
    ]
    rules += [
        _Rule(prefix, re.compile(rf"{prefix}[A-Z0-9]{{16}}\b")) for prefix in ("AKIA", "ASIA")
    ]
    for key in ("AccountKey", "SharedAccessKey", "Password", "Pwd", "sig", "client_secret"):
        for spelled in dict.fromkeys((key, key.lower())):
            rules.append(
                _Rule(
                    f"{spelled}=",
                    re.compile(rf"{spelled}=(?P<secret>{_VALUE})"),
                    "a connection-string secret",
                )
            )
    for scheme in ("Bearer", "Basic"):
        rules.append(
            _Rule(f"{scheme} ", re.compile(rf"{scheme} +(?P<secret>[A-Za-z0-9._~+/=-]{{16,}})"))
        )
    return tuple(rules)


_RULES = _rules()
# One scan for any rule's literal first: most strings (names, IDs, flags) hold none.
_ANY_LITERAL = re.compile("|".join(re.escape(rule.literal) for rule in _RULES))


def _keeps_user(text: str, at: int, secret: str) -> bool:
    """`ssh://git@host` names a user, not a secret. A password always is one, and over
    HTTP(S) or FTP a bare user part is how tokens are passed (https://TOKEN@github.com)."""
    if ":" in secret:
        return False
    start = at
    while start > 0 and text[start - 1] in _SCHEME_CHARS:
        start -= 1
    return not text[start:at].lower().startswith(("http", "ftp"))


def _spans(text: str) -> list[tuple[int, int, _Rule]]:
    if _ANY_LITERAL.search(text) is None:
        return []
    spans = []
    for rule in _RULES:
        at = text.find(rule.literal)
        while at >= 0:
            match = rule.pattern.match(text, at)
            if match is not None:
                has_group = "secret" in rule.pattern.groupindex
                start, end = match.span("secret") if has_group else match.span()
                if not (rule.literal == "://" and _keeps_user(text, at, match["secret"])):
                    spans.append((start, end, rule))
            at = text.find(rule.literal, at + 1)
    return spans


def redact(text: str) -> str:
    """`text` (plain or JSON) with every credential-shaped part replaced by SECRET_MARK."""
    spans = _spans(text)
    if not spans:
        return text
    parts = []
    position = 0
    for start, end, _ in sorted(spans, key=lambda span: span[:2]):
        if end <= position:
            continue  # inside a span already masked (a token inside a PEM block)
        parts.append(text[position : max(start, position)])
        if start >= position:
            parts.append(SECRET_MARK)
        position = end
    parts.append(text[position:])
    return "".join(parts)


def find_credential(text: str) -> bool:
    """True when `text` holds something redact() would mask (for refusing it in config)."""
    return bool(_spans(text))


def credential_kind(text: str) -> str | None:
    """What `text` holds if it is a credential that never belongs in configuration: a
    private key, a GitHub token, a JSON web token or a connection-string secret."""
    for start, _end, rule in _spans(text):
        if rule.kind is not None:
            return rule.kind
        if rule.literal == "-----BEGIN " and "PRIVATE KEY-----" in text[start : start + 80]:
            return "a PEM private key"
    return None
