"""One writer at a time on a working copy: `render`, `tenant add` and `discover eks` take
this lock first (bootstrap.stack_change.locked).

Two `tenant add` runs that both read the stack file before either writes it would both
report success and one tenant would be lost; a render that read the stacks while
another command changed them would write a stale tree. So each command that writes
gitops/ or a stack file holds an exclusive flock(2) on the folders it edits (the stack
folder, and the folder that holds gitops/) from before it reads anything until it has
written everything. A second run waits for the first and then works on what the first
wrote; after BOOTSTRAP_LOCK_TIMEOUT seconds (default 120) it gives up with one line,
exit 2, having written nothing. The lock is on the folders themselves: no lock file is
left behind, and the kernel releases it when a process ends, however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from bootstrap.errors import BadInput
from bootstrap.outputs import shown

TIMEOUT_VARIABLE = "BOOTSTRAP_LOCK_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 120.0
_POLL_SECONDS = 0.05


def timeout_seconds() -> float:
    value = os.environ.get(TIMEOUT_VARIABLE, "")
    if not value:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise BadInput(f"{TIMEOUT_VARIABLE}={value!r}: expected a number of seconds (0-86400)")
    return seconds


@contextlib.contextmanager
def working_copy_lock(*folders: Path) -> Iterator[None]:
    """Holds an exclusive lock on each folder (the nearest existing one for a new path)."""
    timeout = timeout_seconds()
    handles: list[int] = []
    seen: set[tuple[int, int]] = set()
    try:
        for folder in folders:
            existing = _nearest_existing(folder)
            handle = os.open(existing, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            info = os.fstat(handle)
            if (info.st_dev, info.st_ino) in seen:  # one lock per folder, or it waits on itself
                os.close(handle)
                continue
            seen.add((info.st_dev, info.st_ino))
            handles.append(handle)
            _acquire(handle, existing, timeout)
        yield
    finally:
        for handle in handles:
            os.close(handle)  # closing the descriptor releases its lock


def _acquire(handle: int, folder: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise BadInput(
                    f"{shown(folder)}: another bootstrap render or tenant add is still working "
                    f"here (waited {timeout:g} s, {TIMEOUT_VARIABLE}); run again when it is done"
                ) from None
            time.sleep(_POLL_SECONDS)


def _nearest_existing(folder: Path) -> Path:
    current = folder
    while not current.is_dir() and current != current.parent:
        current = current.parent
    return current
