"""Reports: SARIF 2.1.0 (valid against the official OASIS schema), Markdown, terminal."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
from rich.console import Console
from secure_plan import context, secure_resources
from support import STACK_DIR

from bootstrap import stacks
from bootstrap.engine import run_stack
from bootstrap.reports import markdown, sarif, terminal
from components.config import display_path
from policies.catalog import load_catalog
from policies.context import PolicyContext
from policies.evaluator import evaluate, summarize

SCHEMA = Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json"
SOON = (dt.date.today() + dt.timedelta(days=20)).isoformat()


def weakened_dev_stack(tmp_path: Path) -> Path:
    """The shipped dev stack with local accounts on (waived) and SSH on both pools (not waived)."""
    text = (STACK_DIR / "Pulumi.dev.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    - name: dev1\n",
        "    - name: dev1\n      localAccounts: true\n      sshAccess: true\n",
        1,
    )
    text += (
        f"  platform:waivers:\n    - control: AKS-ID-02\n"
        f"      reason: break-glass while Entra groups sync\n      expires: '{SOON}'\n"
    )
    (tmp_path / "Pulumi.dev.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "Pulumi.dev.yaml"


@functools.cache
def _judged(stack_dir: Path) -> dict[str, Any]:
    stack = stacks.load(stack_dir, "dev")
    run = run_stack(
        stack.name, stack.raw_config, stack.config.subscription_id, stack.config.tenant_id
    )
    results = evaluate(
        run.resources, PolicyContext.from_config(stack.config, stack_file=stack.path)
    )
    return {
        "schemaVersion": 1,
        "project": "aks-platform",
        "stack": "dev",
        "resources": run.resources,
        "results": results,
        "summary": summarize(run.resources, results),
    }


def judged_weakened(tmp_path: Path) -> dict[str, Any]:
    weakened_dev_stack(tmp_path)
    return _judged(tmp_path)


def synthetic_plan() -> dict[str, Any]:
    resources = secure_resources()
    for resource in resources:
        if resource["name"] == "registry":
            resource["inputs"]["adminUserEnabled"] = True
    results = evaluate(resources, context())
    return {
        "schemaVersion": 1,
        "project": "aks-platform",
        "stack": "dev",
        "resources": resources,
        "results": results,
        "summary": summarize(resources, results),
    }


def validate_sarif(document: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(document)


def test_sarif_is_valid_and_has_one_rule_per_control(tmp_path: Path) -> None:
    document = json.loads(sarif.text([synthetic_plan()], tmp_path))
    validate_sarif(document)
    [run] = document["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(load_catalog().ids)
    admin = rules[[r["id"] for r in rules].index("ACR-REG-01")]
    assert "CKV_AZURE_137" in admin["help"]["markdown"] and admin["properties"]["security-severity"]
    [result] = run["results"]
    assert result["ruleId"] == "ACR-REG-01" and result["level"] == "error"
    assert rules[result["ruleIndex"]]["id"] == "ACR-REG-01"


def test_sarif_points_at_the_stack_file_line(tmp_path: Path) -> None:
    plan = judged_weakened(tmp_path)
    document = sarif.build([plan], tmp_path)
    validate_sarif(document)
    results = document["runs"][0]["results"]
    lines = (tmp_path / "Pulumi.dev.yaml").read_text(encoding="utf-8").splitlines()
    by_rule = {r["ruleId"]: r for r in results}
    ssh = by_rule["AKS-CLU-09"]
    location = ssh["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == display_path(tmp_path / "Pulumi.dev.yaml")
    assert lines[location["region"]["startLine"] - 1].strip() == "sshAccess: true"
    assert ssh["level"] == "error" and "suppressions" not in ssh
    waived = by_rule["AKS-ID-02"]
    assert (
        lines[waived["locations"][0]["physicalLocation"]["region"]["startLine"] - 1].strip()
        == "localAccounts: true"
    )
    assert waived["suppressions"][0]["status"] == "accepted"
    assert document["runs"][0]["properties"]["waivers"][0]["control"] == "AKS-ID-02"


def test_markdown_has_a_collapsed_section_per_environment_and_lists_waivers(tmp_path: Path) -> None:
    weakened = judged_weakened(tmp_path)
    clean = {**synthetic_plan(), "stack": "staging"}
    clean["results"] = [r for r in clean["results"] if r["status"] == "pass"]
    clean["summary"] = summarize(clean["resources"], clean["results"])
    text = markdown.render([weakened, clean])
    assert text.startswith("## Policy check: 2 mandatory violation(s)")
    assert "<details open><summary><b>dev</b>" in text
    assert "<details><summary><b>staging</b>" in text
    assert text.count("</details>") == 2
    assert "**Waivers**" in text and "break-glass while Entra groups sync" in text
    dev = text.split("<details open>")[1].split("</details>")[0]
    assert dev.index("AKS-CLU-09") < dev.index("AKS-ID-02")  # violations before waived findings


def test_terminal_lists_failures_first_and_waivers(tmp_path: Path) -> None:
    buffer = io.StringIO()
    terminal.print_results(
        Console(file=buffer, width=200, force_terminal=False), [judged_weakened(tmp_path)]
    )
    text = buffer.getvalue()
    assert "dev: 2 mandatory violation(s)" in text
    table = text.split("\n", 1)[1]
    assert table.index("AKS-CLU-09") < table.index("AKS-ID-02") < table.index("│ waived")
    assert "waivers" in text and SOON in text


def test_terminal_lists_a_bounded_number_of_findings_and_counts_the_rest() -> None:
    registry = "azure-native:containerregistry:Registry"
    rows = terminal.TABLE_ROWS + 7
    results = [
        {
            "policy": "acr-admin-user-disabled",
            "controls": ["ACR-REG-01"],
            "urn": f"urn:pulumi:dev::p::{registry}::r{index}",
            "status": "fail",
            "enforcement": "mandatory" if index < rows - 2 else "advisory",
            "message": "adminUserEnabled is true",
        }
        for index in range(rows)
    ]
    plan = {"stack": "dev", "resources": [], "results": results, "summary": {"violations": rows}}
    buffer = io.StringIO()
    terminal.print_results(Console(file=buffer, width=200, force_terminal=False), [plan])
    text = buffer.getvalue()
    assert f"{rows} mandatory violation(s)" in text  # the verdict counts every finding
    assert text.count("adminUserEnabled is true") == terminal.TABLE_ROWS
    assert "... and 7 more finding(s) not listed here (5 violation, 2 advisory)" in text
