"""Identity: federated credentials, the pull-request identity, role grants and credentials."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .props import PENDING, dig, is_list, is_map, items, preview_dig, text
from .roles import (
    KEY_VAULT_CRYPTO_USER,
    RBAC_ADMINISTRATOR,
    READ_ONLY_ROLES,
    ROLE_ASSIGNERS,
    ROLE_NAMES,
    role_guid,
    same_scope,
)
from .view import StackView, azure_name

IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
FEDERATED_CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
STACK_TYPE = "pulumi:pulumi:Stack"

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
_GITHUB_SUBJECT = re.compile(
    r"^repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+:"
    r"(environment:[A-Za-z0-9._-]+|ref:refs/(heads|tags)/[A-Za-z0-9._/-]+|pull_request)"
    # A repository whose subject template adds the reusable workflow the job runs
    # (include_claim_keys [repo, context, job_workflow_ref]; docs.github.com/en/actions/
    # reference/security/oidc): still one exact subject, narrower than the default.
    r"(:job_workflow_ref:[A-Za-z0-9-]+/[A-Za-z0-9._-]+/\.github/workflows/[A-Za-z0-9._-]+\.ya?ml"
    r"@refs/(heads|tags)/[A-Za-z0-9._/-]+)?$"
)
_SERVICE_ACCOUNT_SUBJECT = re.compile(
    r"^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:"
    r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
)
PULL_REQUEST_SUFFIX = ":pull_request"
HUMAN_PRINCIPALS = {"User", "Group"}


def exact_subjects(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    subject = text(dig(props, "subject"))
    issuer = preview_dig(props, "issuer")
    if issuer is PENDING:
        # The issuer is another resource's output (a cluster's OIDC issuer URL), unknown at
        # a first preview. The subject must still be one exact subject; which kind matches
        # the issuer, and that the issuer is https://, are judged when `pulumi up` registers
        # the credential, before it is created (catalog `atApply`).
        if "*" in subject or "?" in subject:
            yield f"subject '{subject}' contains a wildcard"
        elif not (_GITHUB_SUBJECT.match(subject) or _SERVICE_ACCOUNT_SUBJECT.match(subject)):
            yield (
                f"subject '{subject}' is neither an exact GitHub subject nor an exact "
                "Kubernetes service account"
            )
        yield from _audiences(props)
        return
    issuer = text(issuer)
    if "*" in subject or "?" in subject:
        yield f"subject '{subject}' contains a wildcard"
    elif issuer.rstrip("/") == GITHUB_ISSUER:
        if not _GITHUB_SUBJECT.match(subject):
            yield (
                f"subject '{subject}' is not an exact GitHub subject "
                "(repo:OWNER/REPO:environment:NAME, :ref:refs/heads/BRANCH or :pull_request)"
            )
    elif not _SERVICE_ACCOUNT_SUBJECT.match(subject):
        yield (
            f"subject '{subject}' is not an exact Kubernetes service account "
            "(system:serviceaccount:NAMESPACE:NAME)"
        )
    if not issuer.startswith("https://"):
        yield f"issuer '{issuer or '(none)'}' is not an https:// OIDC issuer"
    yield from _audiences(props)


def _audiences(props: Mapping[str, Any]) -> Iterator[str]:
    audiences = [text(a) for a in items(dig(props, "audiences"))]
    if audiences != [TOKEN_EXCHANGE_AUDIENCE]:
        yield f"audiences {audiences} are not exactly ['{TOKEN_EXCHANGE_AUDIENCE}']"


def pull_request_read_only(view: StackView, settings: PolicySettings) -> Findings:
    for identity in view.of_type(IDENTITY):
        if not view.any_referrer(
            identity,
            FEDERATED_CREDENTIAL,
            _pull_request_subject,
            by=credential_owner_name,
            names=[azure_name(identity)],
        ):
            continue
        for assignment in view.dependents(identity, ROLE_ASSIGNMENT):
            guid = role_guid(text(view.value(assignment, "roleDefinitionId")))
            if guid == KEY_VAULT_CRYPTO_USER and same_scope(
                text(view.value(assignment, "scope")), settings.secrets_key_scope
            ):
                # `pulumi preview` decrypts the stack's data key with the secrets provider
                # before it runs the program (pulumi/pulumi pkg/secrets/cloud/manager.go):
                # decrypt on exactly that one key, never wider (DEL-STA-01).
                continue
            if guid not in READ_ONLY_ROLES:
                role = ROLE_NAMES.get(guid, guid or "an unknown role")
                yield (
                    (
                        f"the pull-request identity {azure_name(identity)} is granted {role}, "
                        "which is not read-only"
                    ),
                    assignment.urn,
                )


def credential_owner_name(view: StackView, credential: PolicyResource) -> str:
    """The name of the identity a federated credential is created under (its path
    parameter `resourceName`; "" when not known before apply)."""
    return view.known_text(credential, "resourceName")


def _pull_request_subject(view: StackView, credential: PolicyResource) -> bool:
    return text(view.value(credential, "subject")).endswith(PULL_REQUEST_SUFFIX)


def no_role_assigners(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    guid = role_guid(text(dig(props, "roleDefinitionId")))
    if guid not in ROLE_ASSIGNERS:
        return
    principal_type = text(dig(props, "principalType"))
    if principal_type in HUMAN_PRINCIPALS:
        return
    who = f"a {principal_type}" if principal_type else "an automation identity (no principalType)"
    if guid == RBAC_ADMINISTRATOR:
        if not text(dig(props, "condition")):
            yield (
                f"{who} is granted Role Based Access Control Administrator without a "
                "condition limiting the roles it may assign"
            )
        return
    yield f"{who} is granted {ROLE_NAMES[guid]}"


_CREDENTIAL_KEY = re.compile(
    r"kube_?config|admin_?credential|client_?certificate|client_?key", re.IGNORECASE
)
_KUBECONFIG_TEXT = ("client-certificate-data", "client-key-data", "kind: Config")


def no_admin_kubeconfig(view: StackView, _: PolicySettings) -> Findings:
    for stack in view.of_type(STACK_TYPE):
        for path in _credential_paths(stack.props, ""):
            yield f"stack output {path} carries cluster credentials", stack.urn


def _credential_paths(value: Any, path: str) -> Iterator[str]:
    """Output keys named like credentials, and values that read like a kubeconfig.

    Keys are known at preview; a value computed from a resource output is not (PENDING), and
    its content is judged when CrossGuard runs stack policies after `pulumi up` applied
    (catalog `atApply`).
    """
    if is_map(value):
        for key in value:
            child = f"{path}.{key}" if path else str(key)
            if _CREDENTIAL_KEY.search(str(key)):
                yield child
            else:
                yield from _credential_paths(preview_dig(value, key), child)
    elif is_list(value):
        for index in range(len(value)):
            yield from _credential_paths(preview_dig(value, index), f"{path}[{index}]")
    elif isinstance(value, str) and any(marker in value for marker in _KUBECONFIG_TEXT):
        yield path


RULES = [
    resource_rule("IAM-ID-01", exact_subjects),
    stack_rule("IAM-ID-02", pull_request_read_only),
    stack_rule("IAM-ID-04", no_admin_kubeconfig),
    resource_rule("IAM-ID-05", no_role_assigners),
]
