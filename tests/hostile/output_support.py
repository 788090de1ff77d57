"""Running the CLI as users do (a separate process each) over small scratch inputs.

The hostile output cases run in parallel: every selected case is started at once (a few at
a time), each with a timeout, and the tests then assert on the finished processes.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support import REPO_ROOT, minimal_stack_text

TIMEOUT_SECONDS = 60
OWNER = "00000000-0000-0000-0000-00000000d0c3"
REGISTRY = "azure-native:containerregistry:Registry"


@dataclass
class Run:
    """One command to run in a prepared scratch folder."""

    argv: list[str]
    # Set when the command's own files may change (e.g. a report written before stdout broke).
    writes: bool = False
    # Stdout is a pipe whose reader has gone away before the command writes.
    closed_stdout: bool = False
    env: dict[str, str] = field(default_factory=dict)
    umask: int = 0o022


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    before: dict[str, Any]
    after: dict[str, Any]
    folder: Path
    writes: bool


def bootstrap_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        "PYTHONPATH": str(REPO_ROOT),
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "200",
        "LANG": "C.UTF-8",
        **(extra or {}),
    }


def run_bootstrap(run: Run, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bootstrap", *run.argv]
    if not run.closed_stdout:
        return subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env=bootstrap_env(run.env),
            umask=run.umask,
            check=False,
        )
    reader, writer = os.pipe()
    os.close(reader)  # like `| head -1` after its first line: nobody reads any more
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=TIMEOUT_SECONDS,
            env=bootstrap_env(run.env),
            umask=run.umask,
            check=False,
        )
    finally:
        os.close(writer)
    return subprocess.CompletedProcess(command, completed.returncode, "", completed.stderr)


def snapshot(folder: Path) -> dict[str, Any]:
    """Every entry under folder (links not followed): kind, bytes or target, and mode."""
    entries: dict[str, Any] = {}
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(root) / name
            info = path.lstat()
            shown = path.relative_to(folder).as_posix()
            if stat.S_ISLNK(info.st_mode):
                entries[shown] = ("link", str(path.readlink()))
            elif stat.S_ISREG(info.st_mode):
                entries[shown] = ("file", path.read_bytes(), stat.S_IMODE(info.st_mode))
            elif stat.S_ISDIR(info.st_mode):
                entries[shown] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                entries[shown] = ("other", stat.S_IFMT(info.st_mode))
    return entries


def run_all(
    builds: dict[str, Callable[[Path], Run]], base: Path, workers: int = 4
) -> dict[str, Finished]:
    """Prepares every case in its own folder, then runs them all, a few at a time."""
    prepared = {}
    for name, build in builds.items():
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=base))
        run = build(folder)
        prepared[name] = (folder, run, snapshot(folder))

    def finish(name: str) -> tuple[str, Finished]:
        folder, run, before = prepared[name]
        completed = run_bootstrap(run, folder)
        return name, Finished(
            completed.returncode,
            completed.stdout,
            completed.stderr,
            before,
            snapshot(folder),
            folder,
            run.writes,
        )

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(finish, prepared))


# ---- scratch inputs


def write_stack(folder: Path, environment: str = "dev", extra: str = "") -> Path:
    stacks = folder / "stacks"
    stacks.mkdir(exist_ok=True)
    (stacks / f"Pulumi.{environment}.yaml").write_text(minimal_stack_text(environment) + extra)
    return stacks


def render_tree(folder: Path) -> Path:
    """A rendered gitops/ for the scratch stacks (in this process: it is quick)."""
    from bootstrap import stacks as stack_files
    from bootstrap.gitops import render

    stack_dir = folder / "stacks"
    configs = {
        name: stack_files.load(stack_dir, name).config
        for name in stack_files.stack_names(stack_dir)
    }
    render(configs, folder / "gitops", complete=True)
    return folder / "gitops"


def registry(name: str, **inputs: Any) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:dev::p::{REGISTRY}::{name}",
        "type": REGISTRY,
        "name": name,
        "inputs": {"adminUserEnabled": True, **inputs},
    }


def write_plan(
    folder: Path, resources: Iterable[dict[str, Any]], stack: str = "dev", **extra: Any
) -> Path:
    plan = {
        "schemaVersion": 1,
        "project": "p",
        "stack": stack,
        "resources": list(resources),
        **extra,
    }
    path = folder / "plan.json"
    path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return path


def leftovers(finished: Finished) -> list[str]:
    """Temporary files or folders a write left behind (names of the writers' temporaries)."""
    found = []
    for shown, entry in finished.after.items():
        name = shown.rpartition("/")[2]
        temporary = name.startswith(".") and (
            ".tmp" in name
            or "-render-" in name
            or "-old-" in name
            or (name.count(".") >= 2 and entry[0] == "file")
        )
        if temporary and shown not in finished.before:
            found.append(shown)
    return found
