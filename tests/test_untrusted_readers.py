"""The bounded readers every input goes through (components.untrusted).

The hostile-input suite (tests/hostile) drives them through the command line; these
tests pin the limits themselves: where they start, that legitimate input below them is
untouched, and that the JSON nesting bound really comes from the interpreter it runs on.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import pytest

from components.untrusted import (
    MAX_ALIASED_NODES,
    MAX_DEPTH,
    InputError,
    display_path,
    parse_json,
    parse_yaml,
    parse_yaml_documents,
    read_bytes,
    redact,
    shown_value,
)


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [1, MAX_DEPTH - 1])
def test_json_nesting_up_to_the_limit_is_read(depth: int) -> None:
    value = parse_json(nested_json(depth), "plan.json")
    for _ in range(depth - 1):
        value = value[0]
    assert value == []


@pytest.mark.parametrize("depth", [MAX_DEPTH + 10, 5_000, 200_000])
def test_json_nesting_beyond_the_limit_is_refused_with_its_position(depth: int) -> None:
    text = '{\n"a":\n' + nested_json(depth) + "}"
    with pytest.raises(InputError) as refused:
        parse_json(text, "plan.json")
    assert refused.value.line == 3 and refused.value.column == MAX_DEPTH  # "{" is level 1
    assert "nesting deeper than" in refused.value.message


def test_json_depth_bound_holds_however_deep_the_caller_is() -> None:
    """The bound is relative to the caller's stack, and the limit is restored."""
    before = sys.getrecursionlimit()

    def at_depth(frames: int) -> object:
        if frames:
            return at_depth(frames - 1)
        with pytest.raises(InputError):
            parse_json(nested_json(MAX_DEPTH + 10), "plan.json")
        return parse_json(nested_json(MAX_DEPTH - 5), "plan.json")

    assert at_depth(300) is not None
    assert sys.getrecursionlimit() == before


def test_json_valid_surrogate_pairs_and_escaped_backslashes_are_kept() -> None:
    assert parse_json('["\\ud83d\\ude00", "\\\\udc80"]', "plan.json") == ["\U0001f600", "\\udc80"]


def test_yaml_aliases_below_the_budget_are_expanded() -> None:
    repeated = "[" + ",".join(["x"] * 99) + "]"  # 100 nodes
    uses = MAX_ALIASED_NODES // 100 - 1
    text = f"base: &b {repeated}\nuses: [{', '.join(['*b'] * uses)}]\n"
    document = parse_yaml(text, "ok.yaml")
    assert len(document["uses"]) == uses and document["uses"][0][98] == "x"


def test_yaml_alias_budget_counts_nested_expansion() -> None:
    # Two levels of ten: 10 * (1 + 10 * 1,000) nodes, far above the budget, in 3 lines.
    leaf = "[" + ",".join(["x"] * 999) + "]"
    text = f"a: &a {leaf}\nb: &b [{','.join(['*a'] * 10)}]\nc: [{','.join(['*b'] * 10)}]\n"
    with pytest.raises(InputError, match="aliases expand to more than") as refused:
        parse_yaml(text, "bomb.yaml")
    assert refused.value.line == 3


def test_yaml_depth_is_bounded_in_block_style_too() -> None:
    text = "".join("  " * level + f"k{level}:\n" for level in range(MAX_DEPTH + 5)) + "  x: 1\n"
    with pytest.raises(InputError, match=f"nesting deeper than {MAX_DEPTH} levels"):
        parse_yaml_documents(text, "deep.yaml")


def test_yaml_documents_report_their_first_line() -> None:
    text = "# comment\nkind: A\n---\n\n---\n# lead\nkind: B\n"
    assert parse_yaml_documents(text, "m.yaml") == [(2, {"kind": "A"}), (7, {"kind": "B"})]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a: .inf\n", "not a finite number"),
        ("a: 2024-13-01\n", "not a valid date"),
        ('a: "\\ud800"\n', "lone surrogate"),
    ],
)
def test_yaml_values_python_or_json_cannot_carry_are_refused(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as refused:
        parse_yaml(text, "v.yaml")
    assert (refused.value.line, refused.value.column) == (1, 4)


def test_reading_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    with pytest.raises(InputError, match="FIFO"):
        read_bytes(tmp_path / "pipe.yaml", "manifest file", 1024)
    with pytest.raises(InputError, match="a directory"):
        read_bytes(tmp_path, "manifest file", 1024)
    (tmp_path / "big.yaml").write_bytes(b"x" * 1025)
    with pytest.raises(InputError, match="over the limit"):
        read_bytes(tmp_path / "big.yaml", "manifest file", 1024)
    (tmp_path / "fits.yaml").write_bytes(b"x" * 1024)
    assert len(read_bytes(tmp_path / "fits.yaml", "manifest file", 1024)) == 1024


def test_symlinks_are_shown_as_themselves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "target.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to("target.yaml")
    assert display_path(Path("link.yaml")) == "link.yaml"


# ---- secrets in error lines


def _key_body() -> str:
    """Random key-like text, built at run time (upper, lower and digits guaranteed)."""
    return secrets.token_urlsafe(48) + "Aa1"


def test_redact_masks_secrets_and_keeps_ordinary_text() -> None:
    body = _key_body()
    label = " ".join(("RSA", "PRIVATE", "KEY"))
    pem = f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"
    token = "gh" + "p_" + body[:36].replace("+", "a").replace("/", "b")
    url = f"https://user:{body[:20]}@example.com/repo.git"
    for secret in (pem, token, url, body):
        assert body[:20] not in redact(f"value {secret} refused")
    ordinary = (
        "stacks/Pulumi.dev.yaml:12: platform:clusters[0].network.addressSpace: '10.0.0.0/33' "
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-platform-dev"
    )
    assert redact(ordinary) == ordinary


def test_shown_value_cuts_long_values() -> None:
    shown = shown_value("x" * 500)
    assert len(shown) < 50 and shown.endswith("...'")


def test_json_depth_is_bounded_while_other_threads_run() -> None:
    """With a second thread alive the interpreter-wide limit is left alone."""
    import threading

    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        limit = sys.getrecursionlimit()
        with pytest.raises(InputError, match="nesting deeper than"):
            parse_json(nested_json(MAX_DEPTH + 1), "plan.json")
        assert parse_json(nested_json(MAX_DEPTH), "plan.json") is not None
        assert sys.getrecursionlimit() == limit
    finally:
        release.set()
        worker.join()


def test_yaml_alias_budget_is_per_file_not_per_document() -> None:
    leaf = "[" + ",".join(["x"] * 999) + "]"
    document = f"a: &a {leaf}\nb: [{','.join(['*a'] * 9)}]\n"  # 9,000 nodes through aliases
    count = MAX_ALIASED_NODES // 9_000 + 1
    with pytest.raises(InputError, match="aliases expand"):
        parse_yaml_documents("---\n".join([document] * count), "many.yaml")
    assert len(parse_yaml_documents("---\n".join([document] * (count - 2)), "ok.yaml")) == count - 2
