"""Manifests tokenised by libyaml read exactly as ruamel's own parser reads them.

components/untrusted/yaml_libyaml.py moves tokenising and parsing of eligible text to C and
keeps ruamel's resolver and constructor; these tests hold it to ruamel's pure parser: the
same documents (types included) and the same lines, over every YAML file of the repository
and over snippets chosen where YAML 1.1 and 1.2, or two parsers, could part ways. Text
outside the subset never takes the fast path, and a refusal is always ruamel's.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from support import REPO_ROOT

from components.untrusted import InputError, parse_yaml_documents
from components.untrusted.yaml_libyaml import Unsupported, available, eligible
from components.untrusted.yaml_reader import _libyaml_documents, ruamel_documents

pytestmark = pytest.mark.skipif(not available(), reason="PyYAML built without libyaml")

SNIPPETS = {
    "booleans-1.2": "a: true\nb: True\nc: TRUE\nd: yes\ne: no\nf: on\ng: off\nh: y\ni: n\n",
    "numbers": "a: 0755\nb: 0o755\nc: 0x1F\nd: 1_000\ne: 1e3\nf: .5\ng: -0\nh: +12\ni: 1:30\n",
    "non-finite-and-null": "a: ~\nb: null\nc: Null\nd:\ne: NULL\nf: 'null'\n",
    "dates": "a: 2027-02-28\nb: 2001-12-14t21:59:43.10-05:00\nc: '2027-02-28'\n",
    "quoted": "a: 'it''s'\nb: \"double\"\nc: \"multi\n  line\"\nd: 'single\n\n  folded'\n",
    "plain-multiline": "a: one\n  two\n\n  three\nb: x: y is not a key\n",
    "block-scalars": (
        "a: |\n  keep\n   indent\n\nb: >-\n  fold\n  this\n\n  para\nc: |+\n  trail\n\n"
    ),
    "block-indicators": "a: |2\n    two extra\nb: >1\n  x\n",
    "flow": "a: {b: 1, c: [x, 'y', {d: e}]}\nf: [ ]\ng: { }\nh: [a: b]\n",
    "keys": "? complex\n: value\n'quoted key': 1\n\"k2\": 2\n123: int key\n",
    "merge-without-alias": "a:\n  <<: {x: 1, y: 2}\n  y: 3\n",
    "documents": "---\na: 1\n...\n---\n# only a comment\n---\n- x\n---\n\n",
    "empty": "",
    "comment-only": "# nothing\n",
    "unicode": "name: café\nnote: 日本語のテキスト\nemoji: \U0001f680\n",
    "urls-and-globs": "u: https://example.com/a?b=c&d=e#f\ng: '*.example.com'\n",
    "colons-and-dashes": "image: repo/app:1.2.3\n- not: a list\n",
    "list-of-maps": "items:\n- name: a\n  value: 1\n- name: b\n  value: [2, 3]\n",
    "indentless-sequence": "a:\n- 1\n- 2\nb:\n  - 3\n",
    "duplicate-key": "a: 1\na: 2\n",
    "bad-indentation": "a:\n  b: 1\n c: 2\n",
    "unclosed-flow": "a: [1, 2\n",
    "special-floats": "a: .inf\nb: -.Inf\nc: .NaN\n",
    "long-int": "a: " + "9" * 5000 + "\n",
    "deep": "a: " + "[" * 95 + "]" * 95 + "\n",
    "too-deep": "a: " + "[" * 150 + "]" * 150 + "\n",
    "anchors": (
        "base: &b {cpu: 1, mem: 2}\nfirst: *b\nsecond:\n  <<: *b\n  cpu: 3\nx: &s v\ny: *s\n"
    ),
    "anchor-redefined": "a: &x 1\nb: *x\nc: &y 2\nd: *y\n",
    "alias-undefined": "a: *nowhere\n",
    "alias-recursive": "a: &x [1, *x]\n",
    "alias-bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n"
        for p, n in zip("abcdefg", "bcdefgh", strict=True)
    ),
    "kubernetes": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n"
        "          image: registry.example/web@sha256:" + "ab" * 32 + "\n"
        "          resources: {limits: {cpu: 500m, memory: 128Mi}}\n"
        "          securityContext: {privileged: false, runAsUser: 1000}\n"
    ),
}


def _outcome(read: Any, text: str) -> Any:
    try:
        return ("documents", read(text))
    except Unsupported:
        return ("unsupported",)
    except Exception as error:
        return ("refused", type(error).__name__)


def _pure(text: str) -> Any:
    try:
        return ("documents", ruamel_documents(text, "f.yaml"))
    except InputError as error:
        return ("refused", str(error))


def _same_types(left: Any, right: Any) -> bool:
    """Equal and of the same types all the way down (True == 1 would hide a typing change)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_same_types(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple):
        return len(left) == len(right) and all(map(_same_types, left, right))
    return left == right or (left != left and right != right)  # NaN


def _repository_yaml() -> list[Path]:
    found = []
    for folder in ("gitops", "stacks", "policies", "tests", ".github"):
        found += sorted((REPO_ROOT / folder).rglob("*.y*ml"))
    return [p for p in found if p.is_file() and p.stat().st_size < 1_000_000]


def test_the_repository_yaml_reads_the_same_both_ways() -> None:
    files = _repository_yaml()
    assert len(files) > 50, "the repository's YAML was not found"
    read_fast = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        pure = _pure(text)
        if not eligible(text):
            continue
        fast = _outcome(_libyaml_documents, text)
        if fast[0] == "documents":
            read_fast += 1
            assert pure[0] == "documents" and _same_types(fast[1], pure[1]), path
        assert parse_yaml_documents(text, "f.yaml") == pure[1] if pure[0] == "documents" else True
    assert read_fast > 40, "the fast path was not taken for the repository's manifests"


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_snippets_read_the_same_both_ways(name: str) -> None:
    text = SNIPPETS[name]
    pure = _pure(text)
    if eligible(text):
        fast = _outcome(_libyaml_documents, text)
        if fast[0] == "documents":
            assert pure[0] == "documents", f"libyaml accepted what ruamel refuses: {pure}"
            assert _same_types(fast[1], pure[1])
    # Whatever path it takes, the public reader gives ruamel's documents or refusal.
    try:
        public = ("documents", parse_yaml_documents(text, "f.yaml"))
    except InputError as error:
        public = ("refused", str(error))
    assert public[0] == pure[0]
    if public[0] == "documents":
        assert _same_types(public[1], pure[1])
    else:
        assert public == pure


def test_typing_is_yaml_1_2_on_the_fast_path() -> None:
    [(line, document)] = _libyaml_documents(SNIPPETS["booleans-1.2"])
    assert line == 1
    assert document["a"] is True and document["d"] == "yes" and document["f"] == "on"
    [(_, dates)] = _libyaml_documents(SNIPPETS["dates"])
    assert dates["a"] == datetime.date(2027, 2, 28) and dates["c"] == "2027-02-28"


@pytest.mark.parametrize(
    "text",
    [
        "%YAML 1.1\n---\na: yes\n",
        "a: !!str 1\n",
        'a: "tab\\there"\n',
        "a:\tb\n",
        "\ufeffa: 1\n",
        "a: b\u2028c\n",
        "a: \x85\n",
    ],
    ids=["directive", "tag", "escape", "tab", "bom", "line-separator", "nel"],
)
def test_text_outside_the_subset_is_left_to_ruamel(text: str) -> None:
    assert not eligible(text)
    pure = _pure(text)
    try:
        public: Any = ("documents", parse_yaml_documents(text, "f.yaml"))
    except InputError as error:
        public = ("refused", str(error))
    assert public == pure


def test_a_refusal_carries_ruamels_message_and_position() -> None:
    with pytest.raises(InputError) as fast_path:
        parse_yaml_documents(SNIPPETS["duplicate-key"], "m.yaml")
    with pytest.raises(InputError) as pure_path:
        ruamel_documents(SNIPPETS["duplicate-key"], "m.yaml")
    assert str(fast_path.value) == str(pure_path.value)
    assert "m.yaml:2" in str(fast_path.value)
