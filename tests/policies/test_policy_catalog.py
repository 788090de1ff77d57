"""The control catalog: complete for DESIGN §7, well-formed, and rendered into the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import REPO_ROOT, run_python

from components.config.governance import _CONTROL_ID
from policies.catalog import (
    README_END,
    README_START,
    SECTIONS,
    CatalogError,
    load_catalog,
    readme_block,
)
from policies.rules import ALL_RULES

CHECKOV_ID = re.compile(r"^CKV2?_(AZURE|K8S)_\d+$")
CIS_REF = re.compile(r"^(K8s-1\.10|AKS-1\.8) \d+(\.\d+)+$")


def test_every_design_section_has_controls() -> None:
    sections = {control.section for control in load_catalog()}
    assert sections == set(SECTIONS)


def test_control_ids_are_valid_waiver_targets() -> None:
    # Stack files name controls in waivers and enforcement overrides; the config schema
    # must accept every ID of the catalog.
    assert [c.id for c in load_catalog() if not _CONTROL_ID.match(c.id)] == []


def test_references_are_well_formed() -> None:
    for control in load_catalog():
        assert all(CHECKOV_ID.match(c) for c in control.references.checkov), control.id
        assert all(CIS_REF.match(c) for c in control.references.cis), control.id


def test_each_control_has_exactly_one_policy_named_in_the_catalog() -> None:
    by_control = {rule.control.id: rule.policy.name for rule in ALL_RULES}
    assert by_control == {c.id: c.policy for c in load_catalog()}


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    entry = (
        "  - id: AKS-ID-01\n    section: Identity\n    policy: p-{n}\n    title: t\n"
        "    resourceTypes: [stack]\n    references: {{stage: plan}}\n"
        "    remediation: r\n"
    )
    path = tmp_path / "catalog.yaml"
    path.write_text("controls:\n" + entry.format(n=1) + entry.format(n=2), encoding="utf-8")
    with pytest.raises(CatalogError, match="duplicate id AKS-ID-01"):
        load_catalog(path)


def test_markdown_generator_prints_the_readme_block() -> None:
    done = run_python("-m", "policies.catalog", "--markdown", check=True)
    assert done.stdout == readme_block() + "\n"
    assert done.stdout.count("\n| `") == len(load_catalog())


def test_readme_control_table_is_current() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert README_START in readme and README_END in readme, (
        "README.md lacks the control table markers; paste `python -m policies.catalog --markdown`"
    )
    start = readme.index(README_START)
    block = readme[start : readme.index(README_END, start) + len(README_END)]
    assert block == readme_block(), (
        "README control table is stale: run python -m policies.catalog --markdown"
    )
