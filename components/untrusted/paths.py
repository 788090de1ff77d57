"""Paths as users typed them, for one-line messages."""

from __future__ import annotations

from pathlib import Path


def display_path(path: Path) -> str:
    """The path relative to the working directory when inside it, else as given.

    The last component is not resolved: a symlink is shown as itself, not as its target.
    """
    try:
        full = path.parent.resolve() / path.name if path.name else path.resolve()
        return str(full.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # outside the cwd, or a symlink loop
        return str(path)
