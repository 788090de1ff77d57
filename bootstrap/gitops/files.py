"""gitops/ on disk: read without following links, swapped in atomically, always recoverable.

The tree is read as regular files and folders only: a symbolic link (which could pull a
file from outside the tree into it, or send a write outside it), a FIFO or a device
inside the tree is refused with one line, and so is a `--gitops-dir` that is a file or a
link (render replaces the folder as a whole, it would silently replace either).

A render writes the new tree into a staging folder beside gitops/ and swaps it in with
two renames (gitops/ -> .gitops-old-*, staging -> gitops/). A run killed between them
leaves no gitops/ but a complete .gitops-old-*; the next render (under the working-copy
lock, so nothing else is rendering) puts that old tree back before anything else, and
removes staging folders and old trees that interrupted runs left behind. Read-only
commands never repair: they say that a render must run first.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path

from bootstrap.errors import BadInput
from bootstrap.outputs import make_folders, new_folder_mode, shown

STAGING = "render"
BACKUP = "old"


def debris_prefix(gitops_dir: Path, kind: str) -> str:
    return f".{gitops_dir.name}-{kind}-"


def check_gitops_dir(gitops_dir: Path) -> None:
    """gitops_dir is a real folder, or does not exist yet (one line, exit 2 otherwise)."""
    try:
        info = gitops_dir.lstat()
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise BadInput(
            f"{shown(gitops_dir)}: not a directory (a folder on its path is a file)"
        ) from None
    if stat.S_ISLNK(info.st_mode):
        raise BadInput(
            f"{shown(gitops_dir)}: is a symbolic link (expected the gitops folder itself: "
            "render replaces it as a whole and never follows a link)"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise BadInput(
            f"{shown(gitops_dir)}: not a directory (expected the gitops folder; render would "
            "replace this file)"
        )


def read_tree(gitops_dir: Path) -> dict[str, bytes]:
    """Every file under gitops_dir by its POSIX path relative to it (empty if absent)."""
    check_gitops_dir(gitops_dir)
    interrupted = _backups(gitops_dir)
    if not gitops_dir.exists():
        if interrupted:
            raise BadInput(
                f"{shown(gitops_dir)}: missing, and an interrupted render left the previous "
                f"tree in {shown(interrupted[0])}; run `bootstrap render` to restore it"
            )
        return {}
    files: dict[str, bytes] = {}
    _read_folder(gitops_dir, "", files)
    return dict(sorted(files.items()))


def _read_folder(folder: Path, prefix: str, files: dict[str, bytes]) -> None:
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            relative = f"{prefix}{entry.name}"
            path = Path(entry.path)
            if entry.is_symlink():
                raise BadInput(
                    f"{shown(path)}: is a symbolic link (render reads and writes only the "
                    "files inside gitops/ and never follows a link; replace it with the file "
                    "itself or remove it)"
                )
            if entry.is_dir(follow_symlinks=False):
                _read_folder(path, f"{relative}/", files)
            elif entry.is_file(follow_symlinks=False):
                files[relative] = _read_regular(path)
            else:
                raise BadInput(
                    f"{shown(path)}: not a regular file (expected only files and folders "
                    "under gitops/)"
                )


def _read_regular(path: Path) -> bytes:
    # O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a FIFO after the listing is
    # refused instead of followed or waited on.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(path, flags)
    except OSError as error:
        raise BadInput(f"{shown(path)}: cannot read ({error.strerror})") from None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise BadInput(f"{shown(path)}: not a regular file (expected only files under gitops/)")
        return stream.read()


def recover(gitops_dir: Path) -> list[str]:
    """Repairs what interrupted renders left (call under the working-copy lock).

    Returns one line per repair, for the command to print.
    """
    check_gitops_dir(gitops_dir)
    notes = []
    backups = _backups(gitops_dir)
    if not os.path.lexists(gitops_dir) and backups:
        if len(backups) > 1:
            names = ", ".join(shown(b) for b in backups)
            raise BadInput(
                f"{shown(gitops_dir)}: missing, and interrupted renders left several earlier "
                f"trees ({names}); rename the one to keep to {gitops_dir.name} and run again"
            )
        backups[0].replace(gitops_dir)
        notes.append(
            f"restored {shown(gitops_dir)} from {shown(backups[0])}, left by an interrupted render"
        )
        backups = []
    for leftover in [*_debris(gitops_dir, STAGING), *backups]:
        shutil.rmtree(leftover, ignore_errors=True)
        notes.append(f"removed {shown(leftover)}, left by an interrupted render")
    return notes


def _backups(gitops_dir: Path) -> list[Path]:
    return _debris(gitops_dir, BACKUP)


def _debris(gitops_dir: Path, kind: str) -> list[Path]:
    """Real folders (never links) named like this module's staging or backup folders."""
    parent = gitops_dir.parent
    prefix = debris_prefix(gitops_dir, kind)
    if not parent.is_dir():
        return []
    found = []
    with os.scandir(parent) as entries:
        for entry in entries:
            if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False):
                found.append(Path(entry.path))
    return sorted(found)


def write_tree(gitops_dir: Path, files: Mapping[str, bytes]) -> None:
    """Replaces gitops_dir with exactly `files`, or leaves it untouched on any failure.

    The new tree is written completely into a staging folder next to gitops_dir (same
    file system, so the swap is a rename), then swapped in; the old tree is removed only
    once the new one is in place. Folders and files get the modes the umask gives.
    """
    check_gitops_dir(gitops_dir)
    parent = gitops_dir.parent
    make_folders(parent)
    staging = Path(tempfile.mkdtemp(prefix=debris_prefix(gitops_dir, STAGING), dir=parent))
    backup: Path | None = None
    try:
        staging.chmod(new_folder_mode())  # mkdtemp makes it 0700 whatever the umask
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if gitops_dir.exists():
            backup = parent / f"{debris_prefix(gitops_dir, BACKUP)}{uuid.uuid4().hex[:8]}"
            gitops_dir.replace(backup)
        staging.replace(gitops_dir)
    except BaseException:
        if backup is not None and not gitops_dir.exists():
            with contextlib.suppress(OSError):
                backup.replace(gitops_dir)
                backup = None
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
