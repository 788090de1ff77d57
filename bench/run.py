"""`make bench`: the speed figures quoted in the README, measured on this machine.

1. `bootstrap plan` of the shipped stacks, as a user runs it (a fresh process: imports,
   engine, policies, GitOps check), best of three; again with `--preview-fidelity`.
2. The offline engine over generated fleets of 10, 25 and 50 AKS clusters in one stack:
   wall time and cost per resource, which should stay roughly flat as the fleet grows.
3. What dropping azure-native's provider-version aliases saves per cluster.
4. `bootstrap check --plan` over a 5,000-resource plan file (bench/check_plan.py).

Targets (from the issues): plan < 10 s (either mode); 50-cluster fleet < 60 s; check < 5 s.
`--update-readme README.md` writes the table between the README's bench markers.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bootstrap import stacks  # noqa: E402
from bootstrap.engine import run_stack  # noqa: E402
from components.config.loader import validate  # noqa: E402

TARGETS = {"plan": 10.0, "fleet-50": 60.0, "check": 5.0}


def time_command(arguments: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        completed = subprocess.run(
            arguments, cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - started
        if completed.returncode not in (0, 1):
            sys.exit(f"{' '.join(arguments)} failed:\n{completed.stderr}")
        best = min(best, elapsed)
    return best


def fleet_config(size: int) -> dict[str, Any]:
    """The dev stack with `size` clusters, each in its own /20 (10.<n>.0.0/20)."""
    raw = copy.deepcopy(stacks.load(REPO_ROOT / "stacks", "dev").raw_config)
    template = raw["platform:clusters"][0]
    fleet = []
    for number in range(1, size + 1):
        cluster = copy.deepcopy(template)
        cluster["name"] = f"c{number:03d}"
        cluster["network"] = {"addressSpace": f"10.{number}.0.0/20"}
        fleet.append(cluster)
    raw["platform:clusters"] = fleet
    raw["platform:network"] = {"hub": {"addressSpace": "10.0.0.0/24"}}
    # A Key Vault tenant's identity holds one federated credential per cluster, and
    # Microsoft Entra allows 20 per identity: the tenant runs on the first 20 clusters.
    for tenant in raw.get("platform:gitops", {}).get("tenants", []):
        if tenant.get("keyVault"):
            tenant["clusters"] = [c["name"] for c in fleet[:20]]
    return raw


def time_fleet(size: int, drop_aliases: bool = True) -> tuple[float, int]:
    raw = fleet_config(size)
    values = {k.partition(":")[2]: v for k, v in raw.items() if k.startswith("platform:")}
    config = validate(values, REPO_ROOT / "stacks" / "Pulumi.dev.yaml", "dev")
    started = time.perf_counter()
    run = run_stack("dev", raw, config.subscription_id, config.tenant_id, drop_aliases=drop_aliases)
    return time.perf_counter() - started, sum(1 for r in run.resources if r["custom"])


def main() -> int:
    rows: list[tuple[str, str, str]] = []
    python = str(Path(sys.executable))

    plan_seconds = time_command([python, "-m", "bootstrap", "plan"])
    rows.append(
        (
            "`bootstrap plan` (dev, staging, prod; fresh process)",
            f"{plan_seconds:.1f} s",
            f"< {TARGETS['plan']:.0f} s",
        )
    )
    preview_seconds = time_command([python, "-m", "bootstrap", "plan", "--preview-fidelity"])
    rows.append(
        (
            "`bootstrap plan --preview-fidelity` (dev, staging, prod; fresh process)",
            f"{preview_seconds:.1f} s",
            f"< {TARGETS['plan']:.0f} s",
        )
    )

    time_fleet(1)  # warm imports so the fleet rows measure the engine only
    for size in (10, 25, 50):
        seconds, resources = time_fleet(size)
        per_resource = seconds / resources * 1000
        target = f"< {TARGETS['fleet-50']:.0f} s" if size == 50 else ""
        rows.append(
            (
                f"offline engine, fleet of {size} clusters ({resources} resources)",
                f"{seconds:.1f} s ({per_resource:.1f} ms/resource)",
                target,
            )
        )

    with_aliases, _ = time_fleet(5, drop_aliases=False)
    without_aliases, _ = time_fleet(5)
    rows.append(
        (
            "engine, 5 clusters, azure-native aliases kept vs dropped",
            f"{with_aliases:.2f} s vs {without_aliases:.2f} s",
            "",
        )
    )

    check_script = REPO_ROOT / "bench" / "check_plan.py"
    if check_script.is_file():
        completed = subprocess.run(
            [python, str(check_script)], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0:
            sys.exit(f"bench/check_plan.py failed:\n{completed.stderr}")
        figure = re.search(r"([0-9.]+) s", completed.stdout.strip().splitlines()[-1])
        if figure is None:
            sys.exit(f"bench/check_plan.py printed no figure:\n{completed.stdout}")
        rows.append(
            (
                "`bootstrap check --plan` over 5,000 resources (fresh process)",
                f"{float(figure.group(1)):.1f} s",
                f"< {TARGETS['check']:.0f} s",
            )
        )

    table = "\n".join(
        ["| measurement | result | target |", "|---|---|---|"]
        + [f"| {name} | {result} | {target} |" for name, result, target in rows]
    )
    print(table)
    if len(sys.argv) > 2 and sys.argv[1] == "--update-readme":
        update_readme(Path(sys.argv[2]), table)
    return 0


def update_readme(readme: Path, table: str) -> None:
    """Replaces the figures between the bench markers, so the README quotes this run."""
    start_marker, end_marker = "<!-- bench:start -->", "<!-- bench:end -->"
    text = readme.read_text(encoding="utf-8")
    start = text.index(start_marker) + len(start_marker)
    end = text.index(end_marker, start)
    readme.write_text(text[:start] + "\n" + table + "\n" + text[end:], encoding="utf-8")
    print(f"figures written to {readme}")


if __name__ == "__main__":
    sys.exit(main())
