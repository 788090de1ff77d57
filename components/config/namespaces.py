"""Config keys whose namespace only looks like `platform`.

A stack file holds config for other packages too (`azure-native:location`,
`pulumi:tags`): Pulumi accepts any namespace string (sdk/go/common/resource/config/key.go
in pulumi/pulumi: "<namespace> and <name> may be any string of characters, excluding
':'"), and this project ignores the ones it does not own. But a key that is meant for
this project and misses by a letter (`platfrom:`), by case, by a separator, or by a
look-alike character (`platform:` spelt with a Cyrillic U+0430 for the a) would be
ignored as well, and the setting it carries would silently fall back to its default.
Those near misses are refused with a did-you-mean; every other namespace stays allowed.

Near miss: after Unicode compatibility folding (NFKC: full-width and mathematical
letters), case folding, dropping separators and invisible characters, and mapping the
Cyrillic and Greek letters that look like Latin ones (a subset of Unicode's
confusables.txt, UTS #39, for the letters that matter here), the namespace is at most
two edits (insert, delete, substitute, swap) from `platform`.
"""

from __future__ import annotations

import unicodedata

from .errors import NAMESPACE

MAX_EDITS = 2

# Cyrillic and Greek letters whose glyphs are Latin letters (UTS #39 confusables.txt),
# lower case after casefold(); plus dotless i.
_CONFUSABLES = str.maketrans(
    {
        "\u0430": "a",  # CYRILLIC SMALL LETTER A
        "\u0435": "e",  # CYRILLIC SMALL LETTER IE
        "\u043e": "o",  # CYRILLIC SMALL LETTER O
        "\u0440": "p",  # CYRILLIC SMALL LETTER ER
        "\u0441": "c",  # CYRILLIC SMALL LETTER ES
        "\u0443": "y",  # CYRILLIC SMALL LETTER U
        "\u0445": "x",  # CYRILLIC SMALL LETTER HA
        "\u0456": "i",  # CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
        "\u0458": "j",  # CYRILLIC SMALL LETTER JE
        "\u0455": "s",  # CYRILLIC SMALL LETTER DZE
        "\u0501": "d",  # CYRILLIC SMALL LETTER KOMI DE
        "\u04cf": "l",  # CYRILLIC SMALL LETTER PALOCHKA
        "\u0442": "t",  # CYRILLIC SMALL LETTER TE (italic forms)
        "\u043c": "m",  # CYRILLIC SMALL LETTER EM (italic forms)
        "\u03b1": "a",  # GREEK SMALL LETTER ALPHA
        "\u03bf": "o",  # GREEK SMALL LETTER OMICRON
        "\u03c1": "p",  # GREEK SMALL LETTER RHO
        "\u03c4": "t",  # GREEK SMALL LETTER TAU
        "\u03b9": "i",  # GREEK SMALL LETTER IOTA
        "\u03ba": "k",  # GREEK SMALL LETTER KAPPA
        "\u03bd": "v",  # GREEK SMALL LETTER NU
        "\u0131": "i",  # LATIN SMALL LETTER DOTLESS I
        "1": "l",
        "0": "o",
    }
)


def near_miss(namespace: str) -> bool:
    """True when `namespace` is not `platform` but reads like it."""
    if namespace == NAMESPACE:
        return False
    return _distance(skeleton(namespace), NAMESPACE) <= MAX_EDITS


def skeleton(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_CONFUSABLES)
    return "".join(c for c in folded if c.isalnum())


def describe_near_miss(key: str) -> str:
    namespace, _, name = key.partition(":")
    unusual = [c for c in namespace if not c.isascii() or unicodedata.category(c) == "Cf"]
    detail = ""
    if unusual:
        first = unusual[0]
        detail = f"; it contains U+{ord(first):04X} {unicodedata.name(first, 'UNNAMED')}"
    return (
        f"config key '{key}': namespace '{namespace}' is not '{NAMESPACE}' but looks like "
        f"it{detail} (did you mean '{NAMESPACE}:{name}'?)"
    )


def _distance(left: str, right: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent swaps)."""
    previous_row: list[int] | None = None
    row = list(range(len(right) + 1))
    for i, a in enumerate(left, start=1):
        current = [i] + [0] * len(right)
        for j, b in enumerate(right, start=1):
            cost = 0 if a == b else 1
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if (
                previous_row is not None
                and i > 1
                and j > 1
                and a == right[j - 2]
                and left[i - 2] == b
            ):
                current[j] = min(current[j], previous_row[j - 2] + 1)
        previous_row, row = row, current
    return row[-1]
