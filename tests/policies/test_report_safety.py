"""What reaches a report from input is text: no markup, no mention, no secret, no overflow.

The Markdown report is parsed with a CommonMark + GFM-tables parser (markdown-it-py) to
prove that hostile names produce no link, emphasis, code, HTML or extra table cell; the
SARIF report is checked against the official schema; the terminal report is rendered by
rich itself.
"""

from __future__ import annotations

import base64
import io
import json
import re
import secrets
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from markdown_it import MarkdownIt
from rich.console import Console
from support import REPO_ROOT

from bootstrap.outputs import json_text
from bootstrap.reports import markdown, sarif, terminal, untrusted
from components.untrusted.credentials import SECRET_MARK, find_credential, redact

SCHEMA = REPO_ROOT / "tests/policies/fixtures/sarif-schema-2.1.0.json"
REGISTRY = "azure-native:containerregistry:Registry"
HOSTILE_NAMES = (
    "[bold]styled[/bold]",
    "reg[/bold]x",
    "[click](https://evil.example/x)",
    "![img](https://evil.example/i.png)",
    "**strong** _em_ ~~gone~~ `code`",
    "<img src=x onerror=alert(1)> <b>bold</b> &amp;",
    "ping @org/team and @someone, see #1 and GH-2",
    "a | b | c",
    "new\nline\rand\ttab",
    "esc\x1b[31mred\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
    "bidi \u202eevil\u202c zero\u200bwidth",
    "www.evil.example and https://evil.example",
)


def _plan(names: Any, stack: str = "dev", message: str = "the registry allows {name}") -> dict:
    results = []
    resources = []
    for index, name in enumerate(names):
        urn = f"urn:pulumi:{stack}::p::{REGISTRY}::{name}"
        resources.append({"urn": urn, "type": REGISTRY, "name": name, "inputs": {}})
        results.append(
            {
                "policy": "acr-admin-user-disabled",
                "controls": [f"ACR-REG-0{index % 5 + 1}"],
                "urn": urn,
                "status": "fail",
                "enforcement": "mandatory" if index % 3 else "advisory",
                "message": message.format(name=name),
            }
        )
    violations = sum(r["enforcement"] == "mandatory" for r in results)
    return {
        "schemaVersion": 1,
        "project": "p",
        "stack": stack,
        "resources": resources,
        "results": results,
        "summary": {"resources": len(resources), "violations": violations},
    }


def _html(text: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(text)


def test_markdown_from_hostile_names_is_plain_text():
    report = markdown.render([_plan(HOSTILE_NAMES, stack="dev @org/team [x]")])
    html = _html(report)

    for tag in ("<a ", "<strong>", "<em>", "<s>", "<img", "<b>bold", "<script"):
        assert tag not in html, f"{tag} injected into the comment"
    codes = re.findall(r"<code>(.*?)</code>", html)
    assert codes and all(re.fullmatch(r"[A-Z0-9-]+", code) for code in codes), codes
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)
    finding_rows = [r for r in rows if "ACR-REG" in r]
    assert len(finding_rows) == len(HOSTILE_NAMES)
    assert all(row.count("<td") == 4 for row in finding_rows), "a pipe never adds a cell"
    text = re.sub(r"<[^>]+>", "", html)
    assert not re.search(r"@(?!\u200b)\w", text), "no live @mention"
    assert not re.search(r"(?:#|GH-)(?!\u200b)\d", text), "no live issue reference"
    assert not re.search(r"(?:https?://|www\.)(?!\u200b)\w", text), "no autolink"
    assert "\x1b" not in report and "\u202e" not in report
    assert "[bold]styled[/bold]" in text, "the name itself still reads as it was written"


def test_terminal_prints_names_as_written_and_no_escape_sequence():
    buffer = io.StringIO()
    terminal.print_results(
        Console(file=buffer, width=300, force_terminal=True), [_plan(HOSTILE_NAMES)]
    )
    out = buffer.getvalue()
    plain_out = re.sub(r"\x1b\[[0-9;]*m", "", out)  # rich's own styling is fine
    assert "[bold]styled[/bold]" in plain_out and "reg[/bold]x" in plain_out
    assert "\x1b]" not in out and "\x1b[31m" not in out, "no escape sequence from input"
    assert "\u202e" not in out


def test_sarif_text_is_plain_single_line_and_valid():
    document = json.loads(sarif.text([_plan(HOSTILE_NAMES)]))
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(document)
    for result in document["runs"][0]["results"]:
        text = result["message"]["text"]
        assert "\x1b" not in text and "\n" not in text and "\u202e" not in text


def test_long_values_are_cut_everywhere():
    long_name = "n" * 5000
    plan = _plan([long_name], message="x" * 100_000)
    assert len(markdown.render([plan])) < 5000
    result = json.loads(sarif.text([plan]))["runs"][0]["results"][0]
    assert len(result["message"]["text"]) <= untrusted.MESSAGE_LIMIT
    assert result["message"]["text"].endswith(untrusted.ELLIPSIS)


# ---- the comment-size budget


def test_a_plan_too_big_for_one_comment_is_cut_with_a_summary_per_control():
    plan = _plan([f"registry-{i:05d}" for i in range(3000)], message="{name} " + "m" * 120)
    report = markdown.render([plan, {**plan, "stack": "prod"}])

    assert markdown.size(report) <= markdown.BUDGET < markdown.GITHUB_COMMENT_LIMIT
    for section in report.split("<details")[1:]:
        note = re.search(r"… and (\d+) more finding\(s\).*", section)
        assert note, "what was cut is said"
        shown = section.count("| `ACR-REG")
        assert int(note.group(1)) + shown == 3000, "shown + cut = every finding"
        counts = dict(re.findall(r"(ACR-REG-0\d): (\d+)", note.group(0)))
        assert sum(map(int, counts.values())) == int(note.group(1)), "counted per control"
        assert "SARIF report" in note.group(0)
        icons = re.findall(r"\| (❌|⚠️) ", section)
        assert icons == sorted(icons, key=["❌", "⚠️"].index), "mandatory violations first"


def test_a_plan_that_fits_is_not_cut():
    report = markdown.render([_plan([f"registry-{i}" for i in range(50)])])
    assert "more finding(s)" not in report
    assert report.count("| `ACR-REG") == 50


def test_the_budget_holds_for_many_environments():
    plans = [_plan([f"r{i}" for i in range(200)], stack=f"env{e}") for e in range(40)]
    assert markdown.size(markdown.render(plans)) <= markdown.BUDGET


# ---- secrets


def _token() -> str:
    return "gh" + "p_" + secrets.token_hex(18)


def _pem() -> str:
    body = base64.b64encode(secrets.token_bytes(64)).decode()
    return f"-----BEGIN {'RSA PRIVATE'} KEY-----\n{body}\n-----END {'RSA PRIVATE'} KEY-----"


@pytest.mark.parametrize(
    "make",
    [
        lambda: f"https://x-access-token:{secrets.token_urlsafe(16)}@github.com/o/r.git",
        lambda: f"https://{_token()}@github.com/o/r.git",
        _token,
        lambda: "github_pat_" + secrets.token_hex(41),
        _pem,
        lambda: _pem().rsplit("\n", 1)[0],  # cut short of its END line
        lambda: (
            "DefaultEndpointsProtocol=https;AccountName=a;AccountKey="
            + base64.b64encode(secrets.token_bytes(32)).decode()
            + ";EndpointSuffix=core.windows.net"
        ),
        lambda: "https://a.blob.core.windows.net/c?sv=2022-11-02&sig=" + secrets.token_hex(20),
        lambda: "Server=tcp:s;Database=d;User ID=u;Password=" + secrets.token_urlsafe(12) + ";",
        lambda: "Authorization: Bearer " + secrets.token_urlsafe(32),
        lambda: (
            ".".join(
                base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")
                for part in ({"alg": "RS256"}, {"sub": secrets.token_hex(8)})
            )
            + "."
            + secrets.token_hex(16)
        ),
        lambda: "AKIA" + secrets.token_hex(8).upper(),
    ],
    ids=[
        "url-password",
        "url-token-user",
        "github-token",
        "github-fine-grained",
        "pem",
        "pem-without-end",
        "storage-connection-string",
        "sas-signature",
        "sql-password",
        "bearer",
        "jwt",
        "aws-key-id",
    ],
)
def test_credentials_are_masked_in_text_and_in_json(make):
    secret = make()
    hidden = _secret_part(secret)
    text = f"before {secret} after"
    assert hidden not in redact(text) and SECRET_MARK in redact(text)
    assert redact(text).startswith("before ") and find_credential(text)
    document = {"name": secret, "nested": [{"k": f"x {secret} y"}], secret: 1}
    written = json_text(document)
    assert hidden not in written
    json.loads(written)  # masking never breaks the JSON around it


def _secret_part(secret: str) -> str:
    """A piece of the value that must never survive masking."""
    for marker in ("Key=", "sig=", "Password=", "Bearer ", "token:"):
        if marker in secret:
            return secret.split(marker, 1)[1][:12]
    if "://" in secret:
        return secret.split("://", 1)[1].split("@", 1)[0][:12]
    if "KEY-----\n" in secret:
        return secret.split("KEY-----\n", 1)[1][:24]
    return secret[-16:]


def test_what_is_no_credential_stays_as_it_is():
    for text in (
        "ssh://git@github.com/contoso/platform.git",
        "https://github.com/contoso/platform",
        "https://login.microsoftonline.com/tenant/v2.0",
        "acrplatdev123abc.azurecr.io/app:1.2.3",
        "ghost_town and github_actions",
        "sku Basic, tier Standard",
    ):
        assert redact(text) == text and not find_credential(text)


def test_shipped_plans_lose_nothing_to_masking(shipped):
    text = json.dumps({"resources": shipped.resources, "outputs": shipped.outputs}, indent=2)
    assert redact(text) == text, "no false positive in what the platform itself declares"


def test_wire_secrets_anywhere_in_a_plan_file_are_masked():
    secret = secrets.token_urlsafe(16)
    wire = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
    plan = {"resources": [{"source": {**wire, "plaintext": secret}, "custom": {"x": wire}}]}
    written = json_text(plan)
    assert secret not in written and SECRET_MARK in written


def test_an_error_line_never_carries_a_key_or_a_second_line(tmp_path: Path, capsys):
    from support import minimal_stack_text

    from bootstrap.cli import main

    pem = _pem()
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    indented = pem.replace("\n", "\n      ")
    (stacks / "Pulumi.dev.yaml").write_text(
        minimal_stack_text("dev") + f"  platform:gitops:\n    repoUrl: |\n      {indented}\n"
    )
    assert main(["render", "--stack-dir", str(stacks), "--gitops-dir", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert _secret_part(pem) not in err


# ---- SARIF locations


def _sarif_uris(plan: dict, stack_dir: Path) -> list[str]:
    results = sarif.build([plan], stack_dir)["runs"][0]["results"]
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]


def test_sarif_locations_are_relative_to_the_repository_root(tmp_path, monkeypatch):
    from support import minimal_stack_text

    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    (repository / "stacks").mkdir()
    (repository / "stacks/Pulumi.dev.yaml").write_text(minimal_stack_text("dev"))
    (repository / "ci").mkdir()
    monkeypatch.chdir(repository / "ci")  # a run from a subfolder

    from_stack = _plan(["registry"])
    assert _sarif_uris(from_stack, Path("../stacks")) == ["stacks/Pulumi.dev.yaml"]

    from_manifest = _plan(["registry"], stack="")
    from_manifest["resources"][0]["source"] = {"file": "../gitops/app.yaml", "line": 7}
    assert _sarif_uris(from_manifest, Path("../stacks")) == ["gitops/app.yaml"]


def test_a_plan_file_cannot_point_sarif_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plan = _plan(["registry"], stack="")
    plan["sourceFile"] = "plan.json"
    for hostile in ("https://evil.example/x", {"nested": 1}, "file:///etc/passwd"):
        plan["resources"][0]["source"] = {"file": hostile, "line": "not a number"}
        assert _sarif_uris(plan, tmp_path) == ["plan.json"]
