"""The whole gitops/ tree: what it should contain and how it differs (files.py: the disk side).

A render covers the environments it is given. Generated folders of those environments
(and the shared generated folders) are replaced wholesale, so a file the config no longer
needs disappears; everything else (human-owned files, environments not rendered this
time) is carried over byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from components.config import PlatformConfig

from .files import read_tree, write_tree
from .generated import (
    SHARED_GENERATED,
    all_generated,
    check_yaml,
    env_generated_dirs,
    with_header,
)
from .owned import owned_content, owned_files

__all__ = ["desired_tree", "differences", "read_tree", "write_tree"]

# Every environment's generated folders, for a render that covers all stacks.
ALL_ENVIRONMENTS_GENERATED = ("clusters/", "tenants/overlays/", "infrastructure/verification/")


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


def _within(path: str, scopes: Iterable[str]) -> bool:
    return any(
        path == scope or (scope.endswith("/") and path.startswith(scope)) for scope in scopes
    )
