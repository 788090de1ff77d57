"""Vendors the column schemas of the Log Analytics tables the detections read (dev tool).

Source: Microsoft's "Azure Monitor Logs reference" tables, one Markdown include per table
with a `| Column | Type | Description |` table, in MicrosoftDocs/azure-reference-other under
azure-monitor-ref/tables/includes/. That folder was later migrated to the (private)
azure-monitor-docs-pr; bea53845 is the last public commit holding it. The same columns are
published at learn.microsoft.com/azure/azure-monitor/reference/tables/<table>.

Writes tools/kql/tables.json: per table its columns and Kusto types, with the repository,
commit, path and blob it came from. Run it after adding a table to a detection:

    .venv/bin/python tools/vendor_log_tables.py --repo PATH/TO/azure-reference-other

Never run by tests or CI: they read only the vendored file.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tools" / "kql" / "tables.json"
REPOSITORY = "https://github.com/MicrosoftDocs/azure-reference-other"
# The last commit before "removing azure-monitor-ref which was migrated to azure-monitor-docs-pr".
COMMIT = "bea53845fef94ad4f1887d306e6618a34efefc01"
TABLES = (
    "SigninLogs",
    "AADNonInteractiveUserSignInLogs",
    "AADServicePrincipalSignInLogs",
    "AADManagedIdentitySignInLogs",
    "AuditLogs",
    "AzureActivity",
    "AKSAuditAdmin",
    "AZKVAuditLogs",
    "KubeEvents",
)
KUSTO_TYPES = {"string", "dynamic", "datetime", "bool", "int", "long", "real", "guid", "timespan"}
_ROW = re.compile(r"^\|\s*(?P<column>[A-Za-z_][A-Za-z0-9_]*)\s*\|\s*(?P<type>[a-z]+)\s*\|")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={repo}", *args], check=True, capture_output=True, text=True
    ).stdout


def columns_of(markdown: str, table: str) -> dict[str, str]:
    columns: dict[str, str] = {}
    for line in markdown.splitlines():
        match = _ROW.match(line)
        if not match or match["column"] == "Column":
            continue
        kind = match["type"]
        if kind not in KUSTO_TYPES:
            raise SystemExit(f"{table}: column {match['column']} has unknown type {kind}")
        columns[match["column"]] = kind
    if not columns:
        raise SystemExit(f"{table}: no columns found")
    return columns


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True, help="clone of " + REPOSITORY)
    args = parser.parse_args()
    repo = args.repo / ".git" if (args.repo / ".git").exists() else args.repo
    tables = {}
    for table in TABLES:
        path = f"azure-monitor-ref/tables/includes/{table.lower()}-include.md"
        tables[table] = {
            "path": path,
            "blob": git(repo, "rev-parse", f"{COMMIT}:{path}").strip(),
            "columns": columns_of(git(repo, "show", f"{COMMIT}:{path}"), table),
        }
        print(f"{table}: {len(tables[table]['columns'])} columns")
    document = {
        "about": "Columns and Kusto types of the Log Analytics tables the detections read, "
        "copied from Microsoft's Azure Monitor table reference by tools/vendor_log_tables.py.",
        "repository": REPOSITORY,
        "commit": COMMIT,
        "tables": tables,
    }
    TARGET.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
