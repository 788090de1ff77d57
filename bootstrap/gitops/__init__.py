"""The GitOps renderer: validated stack configs -> the gitops/ tree Flux reconciles.

`render` writes the tree atomically; `find_drift` tells whether the committed tree still
matches the configs (used by `bootstrap render --check` and `bootstrap plan`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from components.config import PlatformConfig

from .tree import desired_tree, differences, read_tree, write_tree


def find_drift(
    configs: Mapping[str, PlatformConfig], gitops_dir: Path, *, complete: bool = False
) -> list[str]:
    """Files of gitops_dir that a render of `configs` would create, change or delete.

    Empty when the tree matches. Paths are gitops_dir-prefixed POSIX paths, sorted.
    complete=True when `configs` holds every stack: generated folders of environments
    that no longer have a stack then count as drift too.
    """
    existing = read_tree(gitops_dir)
    desired = desired_tree(configs, existing, complete)
    return [(gitops_dir / path).as_posix() for path in differences(existing, desired)]


def render(
    configs: Mapping[str, PlatformConfig], gitops_dir: Path, *, complete: bool = False
) -> list[str]:
    """Brings gitops_dir in line with `configs`; returns the paths it changed."""
    existing = read_tree(gitops_dir)
    desired = desired_tree(configs, existing, complete)
    changed = differences(existing, desired)
    if changed:
        write_tree(gitops_dir, desired)
    return [(gitops_dir / path).as_posix() for path in changed]


__all__ = ["find_drift", "render"]
