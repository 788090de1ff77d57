"""The whole gitops/ tree: what it should contain, how it differs, and the atomic swap.

A render covers the environments it is given. Generated folders of those environments
(and the shared generated folders) are replaced wholesale, so a file the config no longer
needs disappears; everything else (human-owned files, environments not rendered this
time) is carried over byte for byte.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

from components.config import PlatformConfig

from .generated import (
    SHARED_GENERATED,
    all_generated,
    check_yaml,
    env_generated_dirs,
    with_header,
)
from .owned import owned_content, owned_files

# Every environment's generated folders, for a render that covers all stacks.
ALL_ENVIRONMENTS_GENERATED = ("clusters/", "tenants/overlays/")


def read_tree(gitops_dir: Path) -> dict[str, bytes]:
    """Every file under gitops_dir by its POSIX path relative to it (empty if absent)."""
    if not gitops_dir.is_dir():
        return {}
    return {
        path.relative_to(gitops_dir).as_posix(): path.read_bytes()
        for path in sorted(gitops_dir.rglob("*"))
        if path.is_file()
    }


def desired_tree(
    configs: Mapping[str, PlatformConfig], existing: Mapping[str, bytes], complete: bool
) -> dict[str, bytes]:
    """The tree after rendering `configs` over `existing`.

    complete: the configs are every stack there is, so generated folders of environments
    without a stack are stale and go too.
    """
    generated: dict[str, bytes] = {}
    for path, text in all_generated(configs).items():
        check_yaml(path, text)
        generated[path] = with_header(path, text).encode()
    owned: dict[str, bytes] = {}
    for environment in sorted(configs):
        for spec in owned_files(environment):
            owned[spec.path] = owned_content(spec, environment, existing.get(spec.path))
    scopes = list(SHARED_GENERATED)
    for environment in configs:
        scopes += env_generated_dirs(environment)
    if complete:
        scopes += ALL_ENVIRONMENTS_GENERATED
    tree = {path: content for path, content in existing.items() if not _within(path, scopes)}
    tree.update(owned)
    tree.update(generated)
    return dict(sorted(tree.items()))


def differences(existing: Mapping[str, bytes], desired: Mapping[str, bytes]) -> list[str]:
    """Paths that are missing, stale or different, sorted."""
    return sorted(
        path for path in set(existing) | set(desired) if existing.get(path) != desired.get(path)
    )


def write_tree(gitops_dir: Path, files: Mapping[str, bytes]) -> None:
    """Replaces gitops_dir with exactly `files`, or leaves it untouched on any failure.

    The new tree is written completely into a temporary folder next to gitops_dir (same
    file system, so the swap is a rename), then swapped in; the old tree is removed only
    once the new one is in place.
    """
    parent = gitops_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{gitops_dir.name}-render-", dir=parent))
    backup: Path | None = None
    try:
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if gitops_dir.exists():
            backup = parent / f".{gitops_dir.name}-old-{uuid.uuid4().hex[:8]}"
            gitops_dir.replace(backup)
        staging.replace(gitops_dir)
    except BaseException:
        if backup is not None and not gitops_dir.exists():
            backup.replace(gitops_dir)
            backup = None
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


def _within(path: str, scopes: Iterable[str]) -> bool:
    return any(
        path == scope or (scope.endswith("/") and path.startswith(scope)) for scope in scopes
    )
