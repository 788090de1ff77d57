"""The GitHub Actions variables and secrets a stack's workflows need: names, scopes, sources.

One table serves three readers: components/github.py writes the program's variables,
`bootstrap doctor` tells a person what to set, and the tests check that every name the
workflows read is declared here for the stack that reads it.

Why two scopes. The deploy job runs in the stack's GitHub environment, so it reads
environment-level variables (`vars.AZURE_CLIENT_ID`). The pull-request preview must not
name an environment: its OIDC subject has to stay `repo:OWNER/REPO:pull_request`, the only
subject the read-only preview identity trusts, and a job with `environment:` gets the
subject `repo:OWNER/REPO:environment:NAME` instead
(docs.github.com/actions/deployment/security-hardening-your-deployments/about-security-hardening-with-openid-connect#example-subject-claims).
Without an environment it sees only repository-level variables, so each stack publishes its
preview identity there under its own suffix (`AZURE_PREVIEW_CLIENT_ID_DEV`), read with
`vars[format('AZURE_PREVIEW_CLIENT_ID_{0}', matrix.key)]`. Per-stack names also mean no
two stacks ever write the same repository variable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from components.config import PlatformConfig

Source = Literal["config", "output", "person"]
# Stack outputs holding the values only `pulumi up` knows (see components/platform.py).
DEPLOY_CLIENT_ID_OUTPUT = "githubDeployClientId"
PREVIEW_CLIENT_ID_OUTPUT = "githubPreviewClientId"


@dataclass(frozen=True)
class ActionsValue:
    """One variable or secret a workflow of this stack reads."""

    kind: Literal["variable", "secret"]
    name: str
    # None: repository level (every job sees it); else the GitHub environment it lives in.
    environment: str | None
    source: Source
    purpose: str
    # The value when the config decides it; None when it is a stack output or a person's.
    value: str | None = None
    # The stack output that holds the value (source "output").
    output: str | None = None
    # Needed only when the program manages repository settings (platform:github).
    only_when_managing_repository: bool = False


def stack_key(config: PlatformConfig) -> str:
    """The suffix of this stack's repository-level variables (GitHub upper-cases names)."""
    return config.environment.upper()


def actions_values(config: PlatformConfig) -> list[ActionsValue]:
    """Everything the workflows of `config`'s stack read, declared by the program or a person."""
    key = stack_key(config)
    environment = config.github_environment
    state = config.state
    backend = state.backend_url if state else None
    values = [
        # ---- the pull-request preview (no environment)
        ActionsValue("variable", f"AZURE_PREVIEW_CLIENT_ID_{key}", None, "output",
                     "client ID of the read-only preview identity",
                     output=PREVIEW_CLIENT_ID_OUTPUT),
        ActionsValue("variable", f"AZURE_TENANT_ID_{key}", None, "config",
                     "Entra tenant of the stack", value=config.tenant_id),
        ActionsValue("variable", f"AZURE_SUBSCRIPTION_ID_{key}", None, "config",
                     "subscription of the stack", value=config.subscription_id),
        # ---- the deployment (runs in the stack's GitHub environment)
        ActionsValue("variable", "AZURE_CLIENT_ID", environment, "output",
                     "client ID of the deploy identity", output=DEPLOY_CLIENT_ID_OUTPUT),
        ActionsValue("variable", "AZURE_TENANT_ID", environment, "config",
                     "Entra tenant of the stack", value=config.tenant_id),
        ActionsValue("variable", "AZURE_SUBSCRIPTION_ID", environment, "config",
                     "subscription of the stack", value=config.subscription_id),
        # ---- set once by a person: the GitHub App that manages repository settings
        ActionsValue("variable", "PLATFORM_APP_CLIENT_ID", None, "person",
                     "client ID of the GitHub App whose one-hour token manages repository "
                     "settings (environments, variables, branch protection)",
                     only_when_managing_repository=True),
        ActionsValue("secret", "PLATFORM_APP_PRIVATE_KEY", None, "person",
                     "private key of that GitHub App (a .pem file)",
                     only_when_managing_repository=True),
    ]  # fmt: skip
    if backend is not None:
        values += [
            ActionsValue("variable", f"PULUMI_BACKEND_URL_{key}", None, "config",
                         "Pulumi state backend (platform:state)", value=backend),
            ActionsValue("variable", "PULUMI_BACKEND_URL", environment, "config",
                         "Pulumi state backend (platform:state)", value=backend),
        ]  # fmt: skip
    return values


def program_variables(config: PlatformConfig) -> list[ActionsValue]:
    """The variables `pulumi up` writes (only when it manages the repository)."""
    if not config.github.manage_repository:
        return []
    return [v for v in actions_values(config) if v.kind == "variable" and v.source != "person"]
