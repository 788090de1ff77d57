"""Vendors the ARM JSON schema definitions the provider-schema check needs (dev tool).

For every type in policies.arm_types.ARM_TYPES that names a schema, at the API version the
installed pulumi-azure-native SDK uses, this copies from a local clone of
Azure/azure-resource-manager-schemas the resource's definition and every definition it
references (nothing else), keeping their JSON pointers, into
policies/provider_schema/data/schemas/<apiVersion>/<file>.json, and records the source
repository, commit, path and blob of each file in policies/provider_schema/data/SOURCES.json.

Run it after adding a resource type or bumping pulumi-azure-native:

    .venv/bin/python tools/vendor_arm_schemas.py --repo PATH/TO/azure-resource-manager-schemas

Never run by tests or CI: they read only the vendored files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policies.arm_types import ARM_TYPES  # noqa: E402
from policies.provider_schema.documents import (  # noqa: E402
    DATA_DIR,
    SCHEMA_DIR,
    SOURCE_REPOSITORY,
    SOURCES_FILE,
    local_refs,
)
from policies.provider_schema.sdk import api_version  # noqa: E402


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={repo}", *args], check=True, capture_output=True, text=True
    ).stdout


def git_dir(path: Path) -> Path:
    return path / ".git" if (path / ".git").exists() else path


def resolve(document: dict[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.split("/"):
        node = node[part]
    return node


def closure(document: dict[str, Any], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    pending = list(roots)
    while pending:
        pointer = pending.pop()
        if pointer in seen:
            continue
        seen.add(pointer)
        pending.extend(local_refs(resolve(document, pointer)))
    return seen


def extract(document: dict[str, Any], pointers: set[str]) -> dict[str, Any]:
    """The document reduced to the given pointers (two levels: section/name)."""
    out: dict[str, Any] = {
        key: document[key] for key in ("id", "$schema", "title") if key in document
    }
    for pointer in sorted(pointers):
        section, _, name = pointer.partition("/")
        out.setdefault(section, {})[name] = resolve(document, pointer)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True, help="clone of " + SOURCE_REPOSITORY)
    parser.add_argument("--commit", default="HEAD")
    args = parser.parse_args()
    repo = git_dir(args.repo)
    commit = git(repo, "rev-parse", args.commit).strip()

    wanted: dict[tuple[str, str], list[str]] = {}
    for token, known in sorted(ARM_TYPES.items()):
        if not known.schema_file or not known.schema_pointer:
            continue
        version = api_version(token)
        if version is None:
            raise SystemExit(f"{token}: the installed SDK names no API version")
        roots = wanted.setdefault((version, known.schema_file), [])
        roots.append(known.schema_pointer)
        # An envelope field may point inside a definition (its `kind`): vendor the whole
        # definition, whose JSON pointer then resolves.
        roots.extend("/".join(pointer.split("/")[:2]) for _, pointer in known.envelope)

    sources = []
    for (version, stem), roots in sorted(wanted.items()):
        path = f"schemas/{version}/{stem}.json"
        document = json.loads(git(repo, "show", f"{commit}:{path}"))
        pointers = closure(document, roots)
        target = SCHEMA_DIR / version / f"{stem}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(extract(document, pointers), indent=1, sort_keys=True) + "\n")
        sources.append(
            {
                "file": target.relative_to(DATA_DIR).as_posix(),
                "repository": SOURCE_REPOSITORY,
                "commit": commit,
                "path": path,
                "blob": git(repo, "rev-parse", f"{commit}:{path}").strip(),
                "extracted": sorted(pointers),
            }
        )
        print(f"{path}: {len(pointers)} definition(s)")
    manifest = {
        "about": "ARM JSON schema definitions vendored by tools/vendor_arm_schemas.py: "
        "each file holds only the listed definitions, copied unchanged from the source.",
        "files": sources,
    }
    SOURCES_FILE.write_text(json.dumps(manifest, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
