"""Every YAML file and kustomization under a directory, without leaving it.

The walk follows no symlink out of the directory: a symlinked file or folder inside it is
walked as its target (each real file and folder once, however many links lead to it, so
link loops between folders end); a link that
leads outside (a pull request could point `leak.yaml` at a runner's credentials, and the
judged plan file is published), a dangling link or a link loop among the YAML files is
refused with one line. Folders that never hold manifests (.git, virtualenvs) are skipped.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from components.untrusted import InputError, display_path

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
YAML_SUFFIXES = (".yaml", ".yml")
SKIPPED_DIRS = frozenset({".git", ".venv", "node_modules", "__pycache__"})


@dataclass
class Tree:
    root: Path  # resolved
    kustomization_dirs: list[Path] = field(default_factory=list)  # resolved, sorted
    yaml_files: list[Path] = field(default_factory=list)  # resolved, sorted, no kustomizations


def kustomization_file(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def walk(root: Path) -> Tree:
    real_root = Path(os.path.realpath(root))
    tree = Tree(real_root)
    kustomizations: set[Path] = set()
    files: set[Path] = set()
    pending = [real_root]
    visited: set[Path] = set()
    while pending:
        directory = pending.pop()
        if directory in visited:
            continue
        visited.add(directory)
        for entry in _entries(directory):
            path = Path(entry.path)
            if entry.is_symlink():
                target = _inside(path, real_root, entry.name)
                if target is None:
                    continue
                if target.is_dir():
                    pending.append(target)  # once, by its real path (see `visited`)
                    continue
                _add_file(target, entry.name, directory, kustomizations, files)
            elif entry.is_dir(follow_symlinks=False):
                if entry.name not in SKIPPED_DIRS:
                    pending.append(path)
            else:
                _add_file(path, entry.name, directory, kustomizations, files)
    tree.kustomization_dirs = sorted(kustomizations)
    tree.yaml_files = sorted(files)
    return tree


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError as error:
        raise InputError(
            display_path(directory), f"cannot list folder ({error.strerror or error})"
        ) from None


def _add_file(
    path: Path, name: str, directory: Path, kustomizations: set[Path], files: set[Path]
) -> None:
    if name in KUSTOMIZATION_FILES:
        kustomizations.add(directory)
    elif name.endswith(YAML_SUFFIXES):
        files.add(path)


def _inside(link: Path, root: Path, name: str) -> Path | None:
    """The link's target when it stays inside `root`; None for links that do not matter."""
    relevant = name.endswith(YAML_SUFFIXES) or name in KUSTOMIZATION_FILES
    try:
        target = Path(os.path.realpath(link, strict=True))
    except OSError as error:
        if not relevant and not _points_to_dir(link):
            return None
        problem = "a symlink loop" if _is_loop(error) else "a dangling symlink"
        raise InputError(display_path(link), f"is {problem} (expected a manifest file)") from None
    if target.is_dir() or relevant:
        if target != root and root not in target.parents:
            raise InputError(
                display_path(link),
                f"is a symlink to {target}, outside {display_path(root)} (links must stay "
                "inside the folder being judged)",
            )
        return target
    return None


def _points_to_dir(link: Path) -> bool:
    try:
        return link.is_dir()
    except OSError:
        return False


def _is_loop(error: OSError) -> bool:
    return error.errno == errno.ELOOP
