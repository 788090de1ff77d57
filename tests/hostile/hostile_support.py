"""Running hostile cases against the real command line, each in its own bounded process.

A case builds its input in a fresh folder and names the command to run there; the runner
starts `python -m bootstrap ...` in that folder with a wall-clock timeout and an
address-space limit, so a hang or a memory blow-up fails the case instead of the machine.
The limit is set by the child itself before the CLI starts (a tiny `-c` launcher), not by
`preexec_fn`, which is unsafe when the parent launches from several threads.

Cases run side by side in a thread pool (each one is a process), so a table of dozens of
cases costs a few seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# The offline engine and kubectl (a Go binary reserves ~1 GB of address space up front)
# both fit; an alias bomb or a /dev/zero read does not.
MEMORY_LIMIT_BYTES = 1536 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
REPORTS_DIR = "out"
# Report options every judging command gets: after a refusal this folder must stay empty.
REPORT_ARGS = ("--json", f"{REPORTS_DIR}/plan.json", "--sarif", f"{REPORTS_DIR}/plan.sarif")

_LAUNCHER = (
    "import resource, runpy, sys\n"
    "limit = int(sys.argv.pop(1))\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "sys.argv[0] = 'bootstrap'\n"
    "runpy.run_module('bootstrap', run_name='__main__', alter_sys=True)\n"
)


@dataclass(frozen=True)
class Outcome:
    code: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float
    written: tuple[str, ...]  # files found under out/ afterwards

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


def run_bootstrap(
    args: Sequence[str],
    cwd: Path,
    timeout: float = TIMEOUT_SECONDS,
    memory_limit: int = MEMORY_LIMIT_BYTES,
    env: dict[str, str] | None = None,
) -> Outcome:
    """`python -m bootstrap ARGS` in `cwd`, bounded in time and address space."""
    command = [sys.executable, "-c", _LAUNCHER, str(memory_limit), *args]
    child_env = dict(os.environ)
    child_env.pop("BOOTSTRAP_DEBUG", None)  # the traceback switch stays off unless asked
    child_env.update(env or {})
    child_env["PYTHONPATH"] = str(REPO_ROOT)
    started = time.monotonic()
    try:
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=child_env,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        code, stdout, stderr = completed.returncode, completed.stdout, completed.stderr
    except subprocess.TimeoutExpired as expired:
        code = None
        stdout = _text(expired.stdout)
        stderr = _text(expired.stderr) + f"\n[killed after {timeout:.0f} s]"
    seconds = time.monotonic() - started
    reports = cwd / REPORTS_DIR
    written = tuple(
        sorted(str(p.relative_to(cwd)) for p in reports.rglob("*")) if reports.is_dir() else ()
    )
    return Outcome(code, stdout, stderr, seconds, written)


def run_cases(cases: Iterable[HostileCase], root: Path) -> dict[str, Outcome]:
    """Every case in its own folder under `root`, several at a time."""
    prepared: list[tuple[str, Path, Sequence[str]]] = []
    for case in cases:
        folder = root / case.id
        folder.mkdir(parents=True)
        prepared.append((case.id, folder, case.prepare(folder)))
    workers = max(2, (os.cpu_count() or 2) * 2)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            case_id: pool.submit(run_bootstrap, args, folder) for case_id, folder, args in prepared
        }
        return {case_id: future.result() for case_id, future in futures.items()}


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
