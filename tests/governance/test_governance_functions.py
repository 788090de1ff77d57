"""The pure functions the lead calls: subscription ownership and the deploy identity's roles."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from gov_support import (
    SHIPPED,
    STACK_DIR,
    governance_setting,
    shipped_stack,
    validated,
    variant_config,
)

from bootstrap.cli import main
from components.governance import allowed_images_regex, check_subscription_owners
from components.governance import required_deploy_roles as roles_for

SECURITY_ADMIN = "fb1c8493-542b-48eb-b624-b4c8fea62acd"
RESOURCE_POLICY_CONTRIBUTOR = "36243c78-bf99-498c-9df9-86d9f8d28608"
MONITORING_CONTRIBUTOR = "749f88d5-cbae-40b8-bcfc-e573ddc772fa"


def _configs(**edits: Any) -> dict[str, Any]:
    """The shipped configs, with `stack=edit` applied to the named stacks."""
    configs = {}
    for name in SHIPPED:
        edit = edits.get(name)
        configs[name] = (
            validated(name, variant_config(name, edit)) if edit else shipped_stack(name).config
        )
    return configs


def _owns(value: bool) -> Any:
    def edit(raw: dict[str, Any]) -> None:
        governance_setting(raw)["ownsSubscriptionResources"] = value

    return edit


def test_shipped_stacks_have_one_owner_per_subscription() -> None:
    check_subscription_owners(_configs())


def test_two_owners_of_one_subscription_are_refused() -> None:
    with pytest.raises(ValueError, match="owned by stacks dev and staging") as error:
        check_subscription_owners(_configs(dev=_owns(True)))
    assert "\n" not in str(error.value)


def test_a_subscription_without_owner_is_refused() -> None:
    with pytest.raises(ValueError, match=r"b001 \(stacks dev, staging\) has no owning stack"):
        check_subscription_owners(_configs(staging=_owns(False)))


def test_a_single_stack_subscription_needs_its_owner_too() -> None:
    with pytest.raises(ValueError, match=r"b002 \(stacks prod\) has no owning stack"):
        check_subscription_owners(_configs(prod=_owns(False)))


def test_subscription_scope_assignments_in_a_shared_subscription_are_refused() -> None:
    def wide(raw: dict[str, Any]) -> None:
        governance_setting(raw)["policy"] = {"scope": "subscription"}

    with pytest.raises(ValueError, match="stack dev assigns policies at subscription scope"):
        check_subscription_owners(_configs(dev=wide))
    # Alone in its subscription, prod may use subscription scope.
    check_subscription_owners(_configs(prod=wide))


def test_deploy_roles_of_the_owning_stack() -> None:
    assert sorted(roles_for(shipped_stack("prod").config)) == sorted(
        [
            ("resourceGroup", RESOURCE_POLICY_CONTRIBUTOR),
            ("subscription", SECURITY_ADMIN),
            ("subscription", MONITORING_CONTRIBUTOR),
        ]
    )


def test_deploy_roles_of_a_stack_that_does_not_own_its_subscription() -> None:
    assert roles_for(shipped_stack("dev").config) == [
        ("resourceGroup", RESOURCE_POLICY_CONTRIBUTOR)
    ]


def test_deploy_roles_follow_the_assignment_scope() -> None:
    def wide(raw: dict[str, Any]) -> None:
        governance_setting(raw)["policy"] = {"scope": "subscription"}

    config = validated("dev", variant_config("dev", wide))
    assert roles_for(config) == [("subscription", RESOURCE_POLICY_CONTRIBUTOR)]


def test_no_deploy_role_is_owner_or_user_access_administrator() -> None:
    forbidden = {"8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"}
    for name in SHIPPED:
        assert not {role for _, role in roles_for(shipped_stack(name).config)} & forbidden


def test_allowed_images_regex_is_escaped_and_anchored() -> None:
    assert allowed_images_regex("ACRplatDev1.azurecr.io") == r"^acrplatdev1\.azurecr\.io/.+$"


@pytest.mark.parametrize(
    ("stack", "old", "new", "expected"),
    [
        ("dev", "ownsSubscriptionResources: false", "ownsSubscriptionResources: true",
         "owned by stacks dev and staging"),
        ("staging", "ownsTenantResources: false",
         "ownsTenantResources: false\n    ownsSubscriptionResources: false",
         "has no owning stack"),
    ],
)  # fmt: skip
def test_bootstrap_plan_refuses_incoherent_ownership_before_planning(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    stack: str,
    old: str,
    new: str,
    expected: str,
) -> None:
    stack_dir = tmp_path / "stacks"
    shutil.copytree(STACK_DIR, stack_dir)
    path = stack_dir / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    out = tmp_path / "dev.json"
    # Only dev is planned; the owner check still reads every stack file.
    code = main(["plan", "dev", "--stack-dir", str(stack_dir), "--json", str(out)])
    error = capsys.readouterr().err.strip()
    assert code == 2
    assert expected in error and len(error.splitlines()) == 1
    assert not out.exists()
