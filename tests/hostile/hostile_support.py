"""Running the CLI on hostile and careless input as users do: one bounded process per case.

One harness for both tables: test_hostile_inputs.py (input refused with one line, exit 2,
nothing written) and test_hostile_outputs.py (exit codes, safe reports, filesystem edges).
A case builds its input in a fresh folder under the table's root and says what to run
there (a `Run`); the runner starts `python -m bootstrap ...` in that folder with a
wall-clock timeout and, where the table asks, an address-space limit, so a hang or a
memory blow-up fails the case instead of the machine. The limit is set by the child itself
before the CLI starts (a tiny `-c` launcher), not by `preexec_fn`, which is unsafe when
the parent launches from several threads.

Cases run side by side in a thread pool (each one is a process), so a table of dozens of
cases costs a few seconds; a table's cases are all run once, by a module fixture.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from support import REPO_ROOT, minimal_stack_text

# The offline engine and kubectl (a Go binary reserves ~1 GB of address space up front)
# both fit; an alias bomb or a /dev/zero read does not.
MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
REPORTS_DIR = "out"
# Report options every judging command gets: after a refusal this folder must stay empty.
REPORT_ARGS = ("--json", f"{REPORTS_DIR}/plan.json", "--sarif", f"{REPORTS_DIR}/plan.sarif")
WORKERS = max(2, (os.cpu_count() or 2) * 2)

OWNER = "00000000-0000-0000-0000-00000000d0c3"
REGISTRY = "azure-native:containerregistry:Registry"

# 0 for the limit: none.
_LAUNCHER = (
    "import resource, runpy, sys\n"
    "limit = int(sys.argv.pop(1))\n"
    "if limit:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "sys.argv[0] = 'bootstrap'\n"
    "runpy.run_module('bootstrap', run_name='__main__', alter_sys=True)\n"
)


@dataclass(frozen=True)
class Run:
    """One command to run in a prepared folder, and how."""

    argv: Sequence[str]
    # Set when the command's own files may change (e.g. a report written before stdout broke).
    writes: bool = False
    # Stdout is a pipe whose reader has gone away before the command writes.
    closed_stdout: bool = False
    env: Mapping[str, str] = field(default_factory=dict)
    umask: int = 0o022
    # Only what the CLI needs (PATH=/usr/bin:/bin, LANG, COLUMNS), not the test's variables.
    clean_env: bool = False
    memory_limit: int | None = MEMORY_LIMIT_BYTES
    timeout: float = TIMEOUT_SECONDS
    # Record every entry of the folder before and after (reads every file: not for cases
    # with huge sparse inputs).
    snapshot: bool = False


@dataclass(frozen=True)
class Outcome:
    code: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float
    written: tuple[str, ...]  # files found under out/ afterwards
    folder: Path
    writes: bool
    before: dict[str, Any]  # snapshot(folder) before and after, when the Run asked for them
    after: dict[str, Any]

    @property
    def returncode(self) -> int | None:
        return self.code

    @property
    def error_lines(self) -> list[str]:
        return self.stderr.strip().splitlines()


@dataclass(frozen=True)
class HostileCase:
    """One hostile input: `prepare(folder)` builds it and returns the CLI arguments."""

    id: str
    prepare: Callable[[Path], Sequence[str]]
    # Text the single error line must contain: the file (as shown from the case folder),
    # often with the line, and a word saying what is wrong.
    names: tuple[str, ...]
    code: int = 2
    # Text that must appear nowhere in the output (a secret the input carried).
    absent: Callable[[Path], Sequence[str]] = field(default=lambda folder: ())


# ---- running


def bootstrap_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The clean environment (Run.clean_env)."""
    return {
        "PYTHONPATH": str(REPO_ROOT),
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "200",
        "LANG": "C.UTF-8",
        **(extra or {}),
    }


def _environment(run: Run) -> dict[str, str]:
    if run.clean_env:
        return bootstrap_env(run.env)
    child_env = dict(os.environ)
    child_env.pop("BOOTSTRAP_DEBUG", None)  # the traceback switch stays off unless asked
    child_env.update(run.env)
    child_env["PYTHONPATH"] = str(REPO_ROOT)
    return child_env


def run_bootstrap(run: Run, cwd: Path, before: dict[str, Any] | None = None) -> Outcome:
    """`python -m bootstrap ARGS` in `cwd`, bounded in time (and address space)."""
    command = [sys.executable, "-c", _LAUNCHER, str(run.memory_limit or 0), *run.argv]
    options: dict[str, Any] = {
        "cwd": cwd,
        "env": _environment(run),
        "text": True,
        "errors": "replace",
        "timeout": run.timeout,
        "stdin": subprocess.DEVNULL,
        "umask": run.umask,
        "check": False,
    }
    started = time.monotonic()
    try:
        if run.closed_stdout:
            code, stdout, stderr = _into_closed_pipe(command, options)
        else:
            completed = subprocess.run(command, capture_output=True, **options)
            code, stdout, stderr = completed.returncode, completed.stdout, completed.stderr
    except subprocess.TimeoutExpired as expired:
        code = None
        stdout = _text(expired.stdout)
        stderr = _text(expired.stderr) + f"\n[killed after {run.timeout:.0f} s]"
    seconds = time.monotonic() - started
    reports = cwd / REPORTS_DIR
    written = tuple(
        sorted(str(p.relative_to(cwd)) for p in reports.rglob("*")) if reports.is_dir() else ()
    )
    after = snapshot(cwd) if run.snapshot else {}
    return Outcome(code, stdout, stderr, seconds, written, cwd, run.writes, before or {}, after)


def _into_closed_pipe(command: list[str], options: dict[str, Any]) -> tuple[int, str, str]:
    reader, writer = os.pipe()
    os.close(reader)  # like `| head -1` after its first line: nobody reads any more
    try:
        completed = subprocess.run(command, stdout=writer, stderr=subprocess.PIPE, **options)
    finally:
        os.close(writer)
    return completed.returncode, "", completed.stderr


def run_all(builds: Mapping[str, Callable[[Path], Run]], root: Path) -> dict[str, Outcome]:
    """Prepares every case in its own folder `root/<name>`, then runs them all, several
    at a time."""
    prepared: dict[str, tuple[Path, Run, dict[str, Any]]] = {}
    for name, build in builds.items():
        folder = root / name
        folder.mkdir(parents=True)
        run = build(folder)
        prepared[name] = (folder, run, snapshot(folder) if run.snapshot else {})
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {
            name: pool.submit(run_bootstrap, run, folder, before)
            for name, (folder, run, before) in prepared.items()
        }
        return {name: future.result() for name, future in futures.items()}


def run_cases(cases: Iterable[HostileCase], root: Path) -> dict[str, Outcome]:
    """The input table: each case's arguments run with the default bounds."""

    def build(case: HostileCase) -> Callable[[Path], Run]:
        return lambda folder: Run(tuple(case.prepare(folder)))

    return run_all({case.id: build(case) for case in cases}, root)


def assert_refused(case: HostileCase, outcome: Outcome, folder: Path) -> None:
    """Exit code 2 (or the case's code), one line naming the file, no traceback, no output."""
    described = f"{case.id}: exit {outcome.code} in {outcome.seconds:.1f} s\n{outcome.stderr}"
    assert "Traceback" not in outcome.stderr, described
    assert outcome.code == case.code, described
    assert len(outcome.error_lines) == 1, described
    line = outcome.error_lines[0]
    for text in case.names:
        assert text in line, f"{described}\nexpected {text!r} in the error line"
    assert outcome.written == (), f"{described}\nwritten: {outcome.written}"
    for secret in case.absent(folder):
        assert secret not in outcome.stderr + outcome.stdout, f"{case.id}: secret echoed"


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


# ---- looking at a folder


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


def leftovers(outcome: Outcome) -> list[str]:
    """Temporary files or folders a write left behind (names of the writers' temporaries)."""
    found = []
    for shown, entry in outcome.after.items():
        name = shown.rpartition("/")[2]
        temporary = name.startswith(".") and (
            ".tmp" in name
            or "-render-" in name
            or "-old-" in name
            or (name.count(".") >= 2 and entry[0] == "file")
        )
        if temporary and shown not in outcome.before:
            found.append(shown)
    return found


# ---- building inputs


def write(folder: Path, relative: str, content: str | bytes) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def fifo(folder: Path, relative: str) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def symlink(folder: Path, relative: str, target: str) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


def sparse(folder: Path, relative: str, size: int, head: bytes = b"") -> Path:
    """A file of `size` bytes that takes no disk space (a hole after `head`)."""
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        stream.write(head)
        stream.truncate(size)
    return path


def billion_laughs_yaml(indent: str = "", key: str = "lol", levels: int = 9) -> str:
    """The classic alias bomb: under 1 KB of text, 10**levels strings once expanded."""
    lines = [f'{indent}{key}0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        alias = f"*a{level - 1}"
        lines.append(f"{indent}{key}{level}: &a{level} [{','.join([alias] * 9)}]")
    return "\n".join(lines) + "\n"


def nested_flow(depth: int, leaf: str = "1") -> str:
    """`[[[...1...]]]` nested `depth` levels deep."""
    return "[" * depth + leaf + "]" * depth


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
