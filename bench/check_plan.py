"""Benchmark: `bootstrap check --plan` over a 5,000-resource plan file, start-up included.

The plan is the prod stack's real resource graph from the offline engine, replicated with
distinct URNs (parents and dependencies rewired) until it holds the requested number of
resources. The timed part is one fresh `python -m bootstrap check --plan F` process, as a
user or CI runs it. With `--checkov PATH`, the same plan is also exported as an ARM template
and scanned with that checkov binary, for comparison.

    python bench/check_plan.py [--resources 5000] [--stack prod] [--checkov /path/to/checkov]

Prints one figure line per tool.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.replicate import replicate  # noqa: E402


def stack_resources(stack: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from bootstrap import stacks
    from bootstrap.engine import run_stack

    loaded = stacks.load(REPO_ROOT / "stacks", stack)
    run = run_stack(
        loaded.name, loaded.raw_config, loaded.config.subscription_id, loaded.config.tenant_id
    )
    return run.resources, run.outputs


def time_command(command: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--checkov", help="path to a checkov binary to compare with")
    args = parser.parse_args()

    resources, outputs = stack_resources(args.stack)
    plan = {
        "schemaVersion": 1,
        "project": "aks-platform",
        "stack": args.stack,
        "resources": replicate(resources, args.resources),
        "outputs": outputs,
        "results": [],
        "summary": {},
    }
    with tempfile.TemporaryDirectory() as scratch:
        plan_path = Path(scratch) / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        seconds, code = time_command(
            [sys.executable, "-m", "bootstrap", "check", "--plan", str(plan_path)]
        )
        if code not in (0, 1):
            print(f"bootstrap check failed with exit code {code}", file=sys.stderr)
            return 2
        print(
            f"bootstrap check --plan: {seconds:.2f} s for {args.resources} resources "
            "(one fresh process, start-up included)"
        )
        if args.checkov:
            arm_path = Path(scratch) / "plan.arm.json"
            export = [
                sys.executable,
                "-m",
                "bootstrap",
                "export",
                "--format",
                "arm",
                str(arm_path),
                "--plan",
                str(plan_path),
            ]
            subprocess.run(export, cwd=REPO_ROOT, capture_output=True, check=True)
            azure = len(json.loads(arm_path.read_text(encoding="utf-8"))["resources"])
            seconds, _ = time_command(
                [
                    args.checkov,
                    "-f",
                    str(arm_path),
                    "--framework",
                    "arm",
                    "--quiet",
                    "--compact",
                    "--skip-download",
                ]
            )
            figure = f"{azure} ARM resources of the same plan in {seconds:.2f} s"
            print(f"checkov --framework arm: {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
