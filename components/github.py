"""GitHub Actions reach Azure by OIDC, and the repository enforces review before production.

Two identities per environment, neither with a secret: the deploy identity trusts only the
environment's GitHub deployment environment (which requires approval in production), and
the preview identity trusts pull requests and can only read. Client IDs are published as
Actions *variables*: they are identifiers, not credentials. Which variable lives where, and
why the preview's are repository-level with a per-stack suffix: components/github_variables.py.

Both identities reach the Pulumi state (platform:state) with the narrowest built-in roles:
the deploy job reads and writes blobs in the state container, the preview only reads them,
and both decrypt the stack's secrets with its key (Pulumi's azurekeyvault secrets provider
calls Encrypt and Decrypt with RSA-OAEP-256 on the key, google/go-cloud
secrets/azurekeyvault/akv.go, so the wrap/unwrap-only "Crypto Service Encryption User" role
is not enough; "Key Vault Crypto User" is the narrowest role with keys/decrypt/action).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_github as github

from components import roles
from components.common import Placement
from components.config import PlatformConfig
from components.github_security import repository_security
from components.github_variables import (
    DEPLOY_CLIENT_ID_OUTPUT,
    PREVIEW_CLIENT_ID_OUTPUT,
    ActionsValue,
    program_variables,
)
from components.identity import (
    GITHUB_ISSUER,
    Federation,
    assign_role,
    federate,
    federate_all,
    user_identity,
)
from components.ownership import check_one_owner

# Roles the deploy identity may hand out (constrained delegation): exactly those the
# platform's components assign, so it can never grant Owner or User Access Administrator.
DELEGABLE_ROLES = (
    roles.ACR_PULL,
    roles.NETWORK_CONTRIBUTOR,
    roles.MANAGED_IDENTITY_OPERATOR,
    roles.KEY_VAULT_CRYPTO_USER,
    roles.KEY_VAULT_CONTRIBUTOR,
    roles.KEY_VAULT_SECRETS_USER,
    roles.KEY_VAULT_SECRETS_OFFICER,
    # The image signer and verifiers (components/supply_chain.py).
    roles.ACR_PUSH,
    roles.KEY_VAULT_CERTIFICATE_USER,
    roles.AKS_RBAC_CLUSTER_ADMIN,
    roles.ARC_KUBERNETES_CLUSTER_ADMIN,
    roles.ARC_CLUSTER_USER,
    roles.CONNECTED_CLUSTER_CHECK_ACCESS_READER,
)


def check_branch_protection_owners(configs: Mapping[str, PlatformConfig]) -> None:
    """Raises ValueError (one line) unless each managed repository has one owning stack.

    Like subscription-wide resources, branch protection exists once per repository; only
    `bootstrap plan`, which reads every stack file, can see two stacks claiming it
    (components.ownership).
    """
    check_one_owner(
        configs,
        lambda config: config.github.full_name if config.github.manage_repository else None,
        lambda config: config.owns_branch_protection,
        none="repository {scope} (stacks {stacks}) has no stack that declares branch "
        "protection: set platform:github.ownsBranchProtection true in one",
        several="repository {scope}: stacks {owners} both declare branch protection; set "
        "platform:github.ownsBranchProtection false in all but one",
    )


def delegation_condition(allowed: tuple[str, ...] = DELEGABLE_ROLES) -> str:
    """ABAC condition: role assignments may be written or deleted only for `allowed` roles."""
    guids = ", ".join(allowed)
    return (
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
        f"(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
        f"ForAnyOfAnyValues:GuidEquals {{{guids}}})) AND "
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
        f"(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
        f"ForAnyOfAnyValues:GuidEquals {{{guids}}}))"
    )


@dataclass(frozen=True)
class GitHubDeliveryArgs:
    placement: Placement
    # Extra (scope, role) grants the deploy identity needs, e.g. Security Admin on the
    # subscription for the stack that owns Defender plans.
    extra_deploy_roles: tuple[tuple[pulumi.Input[str], str], ...] = ()


class GitHubDelivery(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: GitHubDeliveryArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("platform:github:GitHubDelivery", name, None, opts)
        placement = args.placement
        config = placement.config
        settings = config.github
        environment = config.github_environment
        group = placement.resource_group_id

        self.deploy = user_identity(
            f"{name}-deploy", placement, "github-deploy", placement.location, self
        )
        subjects = [settings.environment_subject(environment), *settings.extra_subjects]
        # One credential per subject, created one after another (see federate_all).
        federate_all(
            placement,
            self.deploy,
            [
                Federation(f"{name}-deploy-{index}", f"github-{index}", GITHUB_ISSUER, subject)
                for index, subject in enumerate(subjects)
            ],
            self,
        )
        # Manages the environment's resources, and nothing outside its resource group.
        assign_role(
            f"{name}-deploy-contributor",
            placement,
            group,
            roles.CONTRIBUTOR,
            self.deploy.principal_id,
            self,
        )
        assign_role(
            f"{name}-deploy-delegation",
            placement,
            group,
            roles.RBAC_ADMINISTRATOR,
            self.deploy.principal_id,
            self,
            condition=delegation_condition(),
        )
        for scope, role in args.extra_deploy_roles:
            assign_role(
                f"{name}-deploy-{roles.NAMES.get(role, role).lower().replace(' ', '-')}",
                placement,
                scope,
                role,
                self.deploy.principal_id,
                self,
            )

        # Pull requests (forks included) only ever get a read-only token.
        self.preview = user_identity(
            f"{name}-preview", placement, "github-preview", placement.location, self
        )
        federate(
            f"{name}-preview-pr",
            placement,
            self.preview,
            "github-pull-request",
            GITHUB_ISSUER,
            f"repo:{settings.full_name}:pull_request",
            self,
        )
        assign_role(
            f"{name}-preview-reader",
            placement,
            group,
            roles.READER,
            self.preview.principal_id,
            self,
        )

        self._state_access(name, placement)
        if settings.manage_repository:
            self._repository_settings(name, placement)
        self.register_outputs(
            {"deployClientId": self.deploy.client_id, "previewClientId": self.preview.client_id}
        )

    def _state_access(self, name: str, placement: Placement) -> None:
        """Data-plane roles on the state container and the secrets key, nothing wider."""
        config = placement.config
        state = config.state
        if state is None:
            return
        subscription = state.subscription(config.subscription_id)
        container = state.container_scope(config.subscription_id)
        key = state.key_scope(config.subscription_id)
        grants = (
            ("deploy", self.deploy, "state", container, roles.STORAGE_BLOB_DATA_CONTRIBUTOR),
            ("deploy", self.deploy, "secrets-key", key, roles.KEY_VAULT_CRYPTO_USER),
            ("preview", self.preview, "state", container, roles.STORAGE_BLOB_DATA_READER),
            ("preview", self.preview, "secrets-key", key, roles.KEY_VAULT_CRYPTO_USER),
        )
        for who, identity, what, scope, role in grants:
            assign_role(
                f"{name}-{who}-{what}",
                placement,
                scope,
                role,
                identity.principal_id,
                self,
                definition_subscription=subscription,
            )

    def _repository_settings(self, name: str, placement: Placement) -> None:
        config = placement.config
        settings = config.github
        provider = github.Provider(
            f"{name}-github", owner=settings.owner, opts=pulumi.ResourceOptions(parent=self)
        )
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        environment = github.RepositoryEnvironment(
            f"{name}-environment",
            repository=settings.repo,
            environment=config.github_environment,
            # Production waits for a named reviewer, who may not approve their own run.
            reviewers=[github.RepositoryEnvironmentReviewerArgs(teams=settings.reviewer_team_ids)]
            if config.is_production and settings.reviewer_team_ids
            else None,
            prevent_self_review=config.is_production,
            can_admins_bypass=not config.is_production,
            # Only protected branches (main) may deploy: no deploys from feature branches.
            deployment_branch_policy=github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
                protected_branches=True, custom_branch_policies=False
            ),
            opts=child,
        )
        outputs = {
            DEPLOY_CLIENT_ID_OUTPUT: self.deploy.client_id,
            PREVIEW_CLIENT_ID_OUTPUT: self.preview.client_id,
        }
        for variable in program_variables(config):
            _actions_variable(name, settings.repo, variable, environment, outputs, child)
        if config.owns_branch_protection:
            # Secret scanning with push protection, Dependabot alerts and security updates
            # (components/github_security.py); CodeQL's check is required below.
            repository_security(name, settings.owner, settings.repo, child)
            # One stack (production by default) owns the repository-wide branch rule.
            protection = settings.branch_protection
            github.BranchProtection(
                f"{name}-main",
                repository_id=settings.repo,
                pattern=config.gitops.branch,
                enforce_admins=True,
                allows_force_pushes=False,
                allows_deletions=False,
                required_linear_history=True,
                require_conversation_resolution=True,
                required_pull_request_reviews=[
                    github.BranchProtectionRequiredPullRequestReviewArgs(
                        required_approving_review_count=protection.required_reviews,
                        dismiss_stale_reviews=True,
                        require_last_push_approval=True,
                    )
                ],
                required_status_checks=[
                    github.BranchProtectionRequiredStatusCheckArgs(
                        strict=True, contexts=list(protection.required_checks)
                    )
                ],
                opts=child,
            )


def _actions_variable(
    name: str,
    repository: str,
    variable: ActionsValue,
    environment: github.RepositoryEnvironment,
    outputs: Mapping[str, pulumi.Output[str]],
    child: pulumi.ResourceOptions,
) -> None:
    """One Actions variable, repository-level or in the stack's environment."""
    value: pulumi.Input[str] = outputs[variable.output] if variable.output else variable.value or ""
    if variable.environment is None:
        github.ActionsVariable(
            f"{name}-{variable.name.lower()}",
            repository=repository,
            variable_name=variable.name,
            value=value,
            opts=child,
        )
        return
    github.ActionsEnvironmentVariable(
        f"{name}-{variable.name.lower()}",
        repository=repository,
        environment=environment.environment,
        variable_name=variable.name,
        value=value,
        opts=child,
    )
