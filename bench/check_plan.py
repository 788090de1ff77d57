"""Benchmark: `bootstrap check --plan` over plan files of N resources, start-up included.

The plan is the prod stack's real resource graph from the offline engine, replicated with
distinct URNs (parents and dependencies rewired, bench/replicate.py) until it holds the
requested number of resources. The timed part is one fresh `python -m bootstrap check
--plan F` process, as a user or CI runs it; its CPU time (user + system, from the
kernel's accounting of the child) is what the targets apply to, so a machine busy with
other work does not inflate the figure. With `--checkov PATH`, the same plan is also
exported as an ARM template (`bootstrap export --format arm`) and scanned with that checkov
binary (`checkov --framework arm -f`), for comparison.

    python bench/check_plan.py [--resources 5000] [--stack prod] [--checkov /path/to/checkov]

Prints one figure line per tool.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.replicate import replicate  # noqa: E402


@dataclass(frozen=True)
class Timing:
    wall: float  # seconds
    cpu: float  # seconds of user + system time of the child process
    code: int


def stack_resources(stack: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from bootstrap import stacks
    from bootstrap.engine import run_stack

    loaded = stacks.load(REPO_ROOT / "stacks", stack)
    run = run_stack(
        loaded.name, loaded.raw_config, loaded.config.subscription_id, loaded.config.tenant_id
    )
    return run.resources, run.outputs


def write_plan(
    path: Path, count: int, stack: str = "prod", graph: tuple[list[Any], Any] | None = None
) -> None:
    """A plan file of `count` resources (copies of the stack's graph) at `path`."""
    resources, outputs = graph or stack_resources(stack)
    plan = {
        "schemaVersion": 1,
        "project": "aks-platform",
        "stack": stack,
        "resources": replicate(resources, count),
        "outputs": outputs,
        "results": [],
        "summary": {},
    }
    path.write_text(json.dumps(plan), encoding="utf-8")


def measure(command: list[str], accepted: tuple[int, ...] = (0, 1)) -> Timing:
    """One fresh process: wall time and its CPU time (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in accepted:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return Timing(wall, cpu, done.returncode)


def best(command: list[str], repeat: int, accepted: tuple[int, ...] = (0, 1)) -> Timing:
    """The run with the least CPU time of `repeat` runs (the least disturbed one)."""
    return min((measure(command, accepted) for _ in range(repeat)), key=lambda t: t.cpu)


def check_command(plan_path: Path) -> list[str]:
    return [sys.executable, "-m", "bootstrap", "check", "--plan", str(plan_path)]


def checkov_scan(checkov: str, plan_path: Path, scratch: Path) -> tuple[int, Timing]:
    """(ARM resources, timing) of checkov's ARM scan of the plan's ARM export."""
    arm_path = scratch / f"{plan_path.stem}.arm.json"
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
    command = [
        checkov,
        "-f",
        str(arm_path),
        "--framework",
        "arm",
        "--quiet",
        "--compact",
        "--skip-download",
        "--output",
        "json",
    ]
    # checkov exits 1 when a check fails: a verdict, not an error.
    return azure, measure(command, accepted=(0, 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--checkov", help="path to a checkov binary to compare with")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        plan_path = Path(scratch) / "plan.json"
        write_plan(plan_path, args.resources, args.stack)
        timing = measure(check_command(plan_path))
        print(
            f"bootstrap check --plan: {timing.cpu:.2f} s CPU, {timing.wall:.2f} s wall for "
            f"{args.resources} resources (one fresh process, start-up included)"
        )
        if args.checkov:
            azure, scan = checkov_scan(args.checkov, plan_path, Path(scratch))
            print(
                f"checkov --framework arm: {scan.cpu:.2f} s CPU, {scan.wall:.2f} s wall for "
                f"{azure} ARM resources of the same plan"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
