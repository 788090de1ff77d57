"""The human-owned part of gitops/: created once from a template, then only nudged.

People edit these files (per-environment infrastructure, the platform's apps). The
renderer creates a missing one, and afterwards only guarantees its managed entry (the
overlay's `resources` lists `../../base`). It changes a file through a ruamel.yaml
round trip, so comments, key order and quoting survive; a file that already satisfies the
rule is kept byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from bootstrap.errors import BadInput
from bootstrap.yaml_io import round_trip_yaml
from components.untrusted import OWNED_FILE_LIMIT, InputError, parse_yaml
from components.untrusted.files import decode_utf8

from .generated import render_template

BASE = "../../base"


@dataclass(frozen=True)
class OwnedFile:
    path: str  # relative to gitops/
    template: str
    # Fixes what the renderer guarantees in a parsed document; True when it changed it.
    ensure: Callable[[CommentedMap, str], bool] | None


def _lists_base(document: CommentedMap, shown: str) -> bool:
    resources = document.get("resources")
    if resources is None:
        document["resources"] = CommentedSeq([BASE])
        return True
    if not isinstance(resources, list):
        raise BadInput(f"{shown}: 'resources' must be a list (expected it to contain {BASE})")
    if BASE in resources:
        return False
    resources.insert(0, BASE)
    return True


def owned_files(environment: str) -> list[OwnedFile]:
    return [
        OwnedFile(
            f"infrastructure/overlays/{environment}/kustomization.yaml",
            "owned/infrastructure-overlay.yaml.j2",
            _lists_base,
        ),
        OwnedFile(
            f"apps/overlays/{environment}/kustomization.yaml",
            "owned/apps-overlay.yaml.j2",
            _lists_base,
        ),
        OwnedFile("apps/base/kustomization.yaml", "owned/apps-base.yaml.j2", None),
    ]


def owned_content(owned: OwnedFile, environment: str, current: bytes | None) -> bytes:
    """What the file should hold: the template when missing, else the file, nudged."""
    if current is None:
        text = render_template(owned.template, environment=environment)
        current = text.encode()
    if owned.ensure is None:
        return current
    shown = f"gitops/{owned.path}"
    if len(current) > OWNED_FILE_LIMIT:
        raise InputError(
            shown, f"is {len(current):,} bytes, over the limit of {OWNED_FILE_LIMIT:,}"
        )
    yaml = round_trip_yaml()
    document = parse_yaml(decode_utf8(current, shown, "kustomization"), shown, yaml)
    if not isinstance(document, CommentedMap):
        raise BadInput(f"{shown}: expected a kustomization (a mapping with 'resources')")
    if not owned.ensure(document, shown):
        return current
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    return buffer.getvalue().encode()
