"""Namespaces Kubernetes, AKS, Arc, Flux, Calico, Gatekeeper or the platform own are no tenants.

One list (components/namespaces.py) feeds the schema and the renderer; these tests prove
that every reserved name is refused, that the Calico backstop exempts only reserved
namespaces, and that nothing Azure Policy leaves out by default can become a tenant.
"""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError
from support import REPO_ROOT

from bootstrap.gitops.model import SYSTEM_NAMESPACES
from components.config import GovernanceConfig, TenantConfig
from components.namespaces import RESERVED_NAMESPACES, backstop_exempt, reserved_owner

OWNER = "00000000-0000-0000-0000-00000000d0c3"
ISSUE_EXAMPLES = ("calico-system", "tigera-operator", "aks-command", "app-routing-system")


@pytest.mark.parametrize(
    "name",
    sorted({n.name for n in RESERVED_NAMESPACES} | {"kube-anything", *ISSUE_EXAMPLES}),
)
def test_reserved_names_are_refused_naming_their_owner(name):
    with pytest.raises(ValidationError) as raised:
        TenantConfig(name=name, owner_group_id=OWNER)
    message = str(raised.value)
    assert "system namespace owned by" in message and reserved_owner(name) in message


@pytest.mark.parametrize("name", ["team-a", "payments", "calico", "system", "kube", "arc"])
def test_ordinary_names_are_tenants(name):
    assert TenantConfig(name=name, owner_group_id=OWNER).name == name


def test_every_entry_says_who_owns_it_and_where_that_is_written():
    names = [n.name for n in RESERVED_NAMESPACES]
    assert len(names) == len(set(names))
    assert all(n.owner and n.source for n in RESERVED_NAMESPACES)


def test_the_calico_backstop_exempts_exactly_the_shared_list():
    assert backstop_exempt() == SYSTEM_NAMESPACES
    assert set(SYSTEM_NAMESPACES) <= {n.name for n in RESERVED_NAMESPACES}
    policy = yaml.safe_load(
        (REPO_ROOT / "gitops/infrastructure/calico/default-deny.yaml").read_text()
    )
    selector = policy["spec"]["namespaceSelector"]
    listed = selector.split("not in {", 1)[1].rstrip("} \n").replace("'", "").split(", ")
    assert tuple(listed) == SYSTEM_NAMESPACES


def test_no_namespace_azure_policy_leaves_out_by_default_can_be_a_tenant():
    excluded = GovernanceConfig().policy.excluded_namespaces
    assert [name for name in excluded if reserved_owner(name) is None] == []


def test_the_backstop_leaves_aks_run_command_open():
    # Issue 11, finding 5: `az aks command invoke` starts its pod in aks-command; under the
    # backstop's default deny it could not reach the API server.
    assert "aks-command" in SYSTEM_NAMESPACES


def test_every_backstop_exemption_says_why_it_must_stay_open():
    exempt = [n for n in RESERVED_NAMESPACES if n.name in SYSTEM_NAMESPACES]
    assert exempt and all(len(n.open_because) > 20 for n in exempt)
    # A reason is what makes an exemption: no reason, no exemption.
    assert all(not n.open_because for n in RESERVED_NAMESPACES if n.name not in SYSTEM_NAMESPACES)
