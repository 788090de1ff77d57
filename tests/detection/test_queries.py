"""Every detection query parses and reads only the tables and columns its logs produce.

Checked with Microsoft's Kusto language service (npm @kusto/language-service-next, pinned in
tools/kql/package-lock.json, installed by `make test`) against the columns Microsoft
publishes for each table (tools/kql/tables.json, vendored by tools/vendor_log_tables.py).
The queries are those the shipped stacks' plans hold, as the program wrote them.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from typing import Any

import pytest
from support import REPO_ROOT, SHIPPED_STACKS, of_type, offline_run

from components.detection.catalog import BY_ID, DETECTIONS, QueryInputs

CHECKER = REPO_ROOT / "tools" / "kql" / "check_kql.js"
SERVICE = REPO_ROOT / "tools" / "kql" / "node_modules" / "@kusto" / "language-service-next"
ALERT_RULE = "azure-native:monitor:ScheduledQueryRule"
ANALYTICS_RULE = "azure-native:securityinsights:ScheduledAlertRule"
# Every log source the platform's diagnostic settings and data collection rules fill, and
# the tables each writes (see components/detection/catalog.py for the sources).
PRODUCED_TABLES = {
    "identity": {"SigninLogs", "AADNonInteractiveUserSignInLogs", "AADServicePrincipalSignInLogs",
                 "AADManagedIdentitySignInLogs", "AuditLogs"},
    "activity": {"AzureActivity"},
    "aks": {"AKSAuditAdmin"},
    "keyvault": {"AZKVAuditLogs"},
    "flux": {"KubeEvents"},
}  # fmt: skip
FULL_INPUTS = QueryInputs(
    break_glass_accounts=("00000000-0000-0000-0000-0000000000e1",),
    cluster_admin_groups=("00000000-0000-0000-0000-0000000000c1",),
    privileged_namespaces=("kube-system", "calico-system"),
)


def analyse(queries: dict[str, str]) -> dict[str, dict[str, Any]]:
    if shutil.which("node") is None or not SERVICE.is_dir():
        pytest.fail("the Kusto language service is not installed: run `make test`")
    request = {"queries": [{"id": key, "query": text} for key, text in queries.items()]}
    done = subprocess.run(
        ["node", str(CHECKER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {result["id"]: result for result in json.loads(done.stdout)["results"]}


def _plan_queries() -> dict[str, tuple[str, str]]:
    """key -> (detection id, query) for every rule in the shipped stacks' plans."""
    queries: dict[str, tuple[str, str]] = {}
    sentinel_ids = {d.sentinel_rule_id: d.id for d in DETECTIONS}
    for stack in SHIPPED_STACKS:
        run = offline_run(stack)
        for rule in of_type(run, ALERT_RULE):
            inputs = rule["inputs"]
            detection = inputs["tags"]["platform-detection"]
            queries[f"{stack}/{rule['name']}"] = (
                detection,
                inputs["criteria"]["allOf"][0]["query"],
            )
        for rule in of_type(run, ANALYTICS_RULE):
            inputs = rule["inputs"]
            queries[f"{stack}/{rule['name']}"] = (sentinel_ids[inputs["ruleId"]], inputs["query"])
    return queries


@functools.cache
def _plan_results() -> tuple[dict[str, tuple[str, str]], dict[str, dict[str, Any]]]:
    queries = _plan_queries()
    return queries, analyse({key: query for key, (_, query) in queries.items()})


def test_the_plans_hold_queries_to_check() -> None:
    queries, _ = _plan_results()
    assert {detection for detection, _ in queries.values()} == set(BY_ID)


def test_every_query_in_the_plans_parses_against_the_published_schemas() -> None:
    queries, results = _plan_results()
    problems = {key: results[key]["diagnostics"] for key in queries if results[key]["diagnostics"]}
    assert problems == {}


def test_every_query_reads_exactly_the_tables_of_its_detection() -> None:
    queries, results = _plan_results()
    for key, (detection, _) in queries.items():
        tables = set(results[key]["tables"])
        assert tables == set(BY_ID[detection].tables), key
        assert tables <= PRODUCED_TABLES[BY_ID[detection].source], key


def test_entity_mappings_name_columns_the_query_returns() -> None:
    results = analyse({d.id: d.query(FULL_INPUTS) for d in DETECTIONS})
    for detection in DETECTIONS:
        columns = results[detection.id]["columns"]
        for entity in detection.entities:
            for identifier, column in entity.fields:
                assert columns.get(column) == "string", (detection.id, identifier, column)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("AKSAuditAdmin | where NoSuchColumn == 1", "KS142"),
        ("AKSAudit | take 1", "KS204"),  # kube-audit is not exported: no such table
        ("AZKVAuditLogs | wher HttpStatusCode == 403", "KS"),
        ("SigninLogs | summarize sum(UserPrincipalName)", "KS"),  # sum of a string column
    ],
)
def test_the_check_refuses_what_the_workspace_would(query: str, expected: str) -> None:
    diagnostics = analyse({"q": query})["q"]["diagnostics"]
    assert diagnostics and diagnostics[0].startswith(expected), diagnostics


def test_the_vendored_schemas_name_their_source() -> None:
    document = json.loads((REPO_ROOT / "tools" / "kql" / "tables.json").read_text())
    assert document["repository"].startswith("https://github.com/MicrosoftDocs/")
    assert len(document["commit"]) == 40
    used = {table for detection in DETECTIONS for table in detection.tables}
    assert used <= set(document["tables"])
