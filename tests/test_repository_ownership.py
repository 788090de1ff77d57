"""Branch protection is repository-wide: exactly one stack per repository declares it."""

from __future__ import annotations

import pytest
from support import SHIPPED_STACKS, of_type, offline_run, shipped_configs_with

from components.github import check_branch_protection_owners

PROTECTION = "github:index/branchProtection:BranchProtection"


def configs_with(owners: dict[str, bool | None]) -> dict:
    return shipped_configs_with("github", "ownsBranchProtection", owners)


def test_shipped_stacks_have_one_owner_the_production_stack() -> None:
    check_branch_protection_owners(configs_with({}))
    owners = [s for s in SHIPPED_STACKS if of_type(offline_run(s), PROTECTION)]
    assert owners == ["prod"]


def test_two_owners_are_refused() -> None:
    with pytest.raises(ValueError, match="stacks dev and prod both declare branch protection"):
        check_branch_protection_owners(configs_with({"dev": True}))


def test_no_owner_is_refused() -> None:
    with pytest.raises(ValueError, match="has no stack that declares branch protection"):
        check_branch_protection_owners(configs_with({"prod": False}))
