"""Delivery: what the CI identities may do with the Pulumi state and its secrets key.

The state holds every resource's inputs and outputs (secret values encrypted with the
stack's key). The deploy job must read and write it; a pull-request preview only reads it
(pulumi/pulumi pkg/backend/diy/backend.go: a preview takes no lock and writes no checkpoint
or history); both decrypt the stack's data key with the key (pkg/secrets/cloud/manager.go,
through gocloud.dev's Encrypt/Decrypt). So, per CI identity (a managed identity federated
to GitHub; the pull-request one is the preview):

- data roles on storage or Key Vault keys: only Storage Blob Data Contributor (deploy) or
  Reader (preview) on exactly the state container, and Key Vault Crypto User on exactly
  the secrets key;
- no role that reaches the state from above: Owner, Contributor, Storage Account
  Contributor (can list the account keys), Key Vault Contributor (can change the vault's
  access), role-assigning roles, at a scope containing the container or the key;
- where platform:state names the state, each identity holds its two grants (else CI cannot
  open the state at all).
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import PolicyResource

from ..settings import PolicySettings
from .base import Findings, stack_rule
from .identity import (
    FEDERATED_CREDENTIAL,
    GITHUB_ISSUER,
    IDENTITY,
    PULL_REQUEST_SUFFIX,
    credential_owner_name,
)
from .props import text
from .roles import (
    CONTRIBUTOR,
    KEY_VAULT_ADMINISTRATOR,
    KEY_VAULT_CONTRIBUTOR,
    KEY_VAULT_CRYPTO_OFFICER,
    KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    KEY_VAULT_CRYPTO_USER,
    KEY_VAULT_DATA_ACCESS_ADMINISTRATOR,
    OWNER,
    RBAC_ADMINISTRATOR,
    ROLE_NAMES,
    STORAGE_ACCOUNT_CONTRIBUTOR,
    STORAGE_BLOB_DATA_CONTRIBUTOR,
    STORAGE_BLOB_DATA_OWNER,
    STORAGE_BLOB_DATA_READER,
    USER_ACCESS_ADMINISTRATOR,
    covers,
    role_guid,
    same_scope,
)
from .view import StackView, azure_name

ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
CONTAINER, KEY = "the state container", "the secrets key"
# Data roles that read or write state blobs or use keys: judged wherever they are granted.
DATA_ROLES = frozenset(
    {
        STORAGE_BLOB_DATA_OWNER,
        STORAGE_BLOB_DATA_CONTRIBUTOR,
        STORAGE_BLOB_DATA_READER,
        KEY_VAULT_ADMINISTRATOR,
        KEY_VAULT_CRYPTO_OFFICER,
        KEY_VAULT_CRYPTO_USER,
        KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER,
    }
)
# Roles that reach the state from a parent scope (keys, access settings or role grants).
REACHING_ROLES = frozenset(
    {
        OWNER,
        CONTRIBUTOR,
        USER_ACCESS_ADMINISTRATOR,
        RBAC_ADMINISTRATOR,
        STORAGE_ACCOUNT_CONTRIBUTOR,
        KEY_VAULT_CONTRIBUTOR,
        KEY_VAULT_DATA_ACCESS_ADMINISTRATOR,
    }
)
NEEDED = {
    "deploy": {(STORAGE_BLOB_DATA_CONTRIBUTOR, CONTAINER), (KEY_VAULT_CRYPTO_USER, KEY)},
    "preview": {(STORAGE_BLOB_DATA_READER, CONTAINER), (KEY_VAULT_CRYPTO_USER, KEY)},
}


def state_access(view: StackView, settings: PolicySettings) -> Findings:
    targets = {CONTAINER: settings.state_container_scope, KEY: settings.secrets_key_scope}
    for identity, kind in _ci_identities(view):
        granted: set[tuple[str, str]] = set()
        who = f"the {kind} identity {azure_name(identity)}"
        for assignment in view.dependents(identity, ROLE_ASSIGNMENT):
            guid = role_guid(text(view.value(assignment, "roleDefinitionId")))
            # The state container and key exist before the stack (their scopes are literal
            # IDs from platform:state); a scope unknown at preview is the ID of a resource
            # this deployment creates, so it is never the state and never contains it.
            scope = view.known_text(assignment, "scope")
            role = ROLE_NAMES.get(guid, guid)
            if guid in DATA_ROLES:
                target = next((t for t, s in targets.items() if same_scope(scope, s)), None)
                if target is None or (guid, target) not in NEEDED[kind]:
                    yield (
                        f"{who} is granted {role} at {scope or 'an unknown scope'}; CI gets "
                        f"only {_needed(kind)}",
                        assignment.urn,
                    )
                else:
                    granted.add((guid, target))
            elif guid in REACHING_ROLES:
                for target, target_scope in targets.items():
                    if covers(scope, target_scope):
                        yield (
                            f"{who} holds {role} at {scope}, which covers {target}: it can "
                            "read or grant access to the state (keep the state outside the "
                            "platform's resource group)",
                            assignment.urn,
                        )
        if all(targets.values()):
            for guid, target in sorted(NEEDED[kind] - granted):
                yield (
                    f"{who} lacks {ROLE_NAMES[guid]} on {target} ({targets[target]}): CI "
                    "cannot open the state",
                    identity.urn,
                )


def _needed(kind: str) -> str:
    return " and ".join(f"{ROLE_NAMES[g]} on {t}" for g, t in sorted(NEEDED[kind]))


WORKFLOW_REF_CLAIM = ":job_workflow_ref:"


def _ci_identities(view: StackView) -> Iterator[tuple[PolicyResource, str]]:
    """Managed identities federated to GitHub: "preview" if a subject is a pull request."""
    for identity in view.of_type(IDENTITY):
        names = [azure_name(identity)]
        # Identities trusted only by jobs of a reusable workflow called from other
        # repositories (the image signer, SUP-SIG-01) are not this repository's CI.
        if view.any_referrer(
            identity,
            FEDERATED_CREDENTIAL,
            _from_this_repositorys_ci,
            by=credential_owner_name,
            names=names,
        ):
            preview = view.any_referrer(
                identity,
                FEDERATED_CREDENTIAL,
                _from_github_pull_request,
                by=credential_owner_name,
                names=names,
            )
            yield identity, "preview" if preview else "deploy"


def _from_github(view: StackView, credential: PolicyResource) -> bool:
    return view.known_text(credential, "issuer").rstrip("/") == GITHUB_ISSUER


def _from_this_repositorys_ci(view: StackView, credential: PolicyResource) -> bool:
    return _from_github(view, credential) and WORKFLOW_REF_CLAIM not in view.known_text(
        credential, "subject"
    )


def _from_github_pull_request(view: StackView, credential: PolicyResource) -> bool:
    return _from_github(view, credential) and view.known_text(credential, "subject").endswith(
        PULL_REQUEST_SUFFIX
    )


RULES = [stack_rule("DEL-STA-01", state_access)]
