"""Supply chain: images are signed by the build workflow only, verified on every cluster.

What the plan must hold follows the stack (PolicySettings, from platform:supplyChain): the
signer when builders are configured, the verifier and its admission constraint on every
cluster, an ACR task per base image, the Defender for DevOps connector where configured, and
the repository's security features in the stack that owns branch protection. Rendered
manifests (the constraint, Ratify's trust policy) and workflow files are judged when
`bootstrap check --manifests` hands them to the pack. Every rule reads inputs through
`view.value` / `view.known_text`, so it decides at a first preview too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import PolicyResource

from ..settings import PolicySettings
from .base import Findings, stack_rule
from .delivery import workflow_steps
from .identity import credential_owner_name
from .props import dig, is_list, is_map, items, text
from .view import StackView, azure_name

IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
CREDENTIAL = "azure-native:managedidentity:FederatedIdentityCredential"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
AKS = "azure-native:containerservice:ManagedCluster"
CONNECTED = "azure-native:kubernetes:ConnectedCluster"
FLUX_CONFIGURATION = "azure-native:kubernetesconfiguration:FluxConfiguration"
TASK = "azure-native:containerregistry:Task"
CONNECTOR = "azure-native:security:SecurityConnector"
REPOSITORY = "github:index/repository:Repository"
ALERTS = "github:index/repositoryVulnerabilityAlerts:RepositoryVulnerabilityAlerts"
UPDATES = "github:index/repositoryDependabotSecurityUpdates:RepositoryDependabotSecurityUpdates"
BRANCH_PROTECTION = "github:index/branchProtection:BranchProtection"
WORKFLOW = "github:actions/workflow:Workflow"
CONSTRAINT = "kubernetes:constraints.gatekeeper.sh/v1beta1:PlatformSignedImages"
RATIFY_VERIFIER = "kubernetes:config.ratify.deislabs.io/v1beta1:Verifier"

ACR_PUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
CERTIFICATE_USER = "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba"
CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
WORKFLOW_REF = ":job_workflow_ref:"
VERIFIER_SUBJECT = "system:serviceaccount:gatekeeper-system:ratify-admin"
VERIFICATION_KUSTOMIZATIONS = ("verifier", "image-policy")
CODEQL_CHECK = "codeql"

# What the signer may hold, and at which kind of scope (the last segments of the ARM ID).
SIGNER_GRANTS = {
    ACR_PUSH: "/providers/microsoft.containerregistry/registries/",
    CERTIFICATE_USER: "/certificates/",
    CRYPTO_USER: "/keys/",
}
VERIFIER_GRANTS = {
    ACR_PULL: "/providers/microsoft.containerregistry/registries/",
    SECRETS_USER: "/secrets/",
}


# ---------------------------------------------------------------- identities


def _federated(view: StackView, identity: PolicyResource) -> list[str]:
    """The subjects of the credentials federated to `identity`, one per credential: those
    linked to it, else (a plan wired by names) those created under its name."""
    credentials = view.dependents(identity, CREDENTIAL) or view.keyed(
        credential_owner_name, CREDENTIAL
    ).get(azure_name(identity), [])
    return [view.known_text(c, "subject") for c in credentials]


def _grants(view: StackView, identity: PolicyResource) -> list[PolicyResource]:
    return view.dependents(identity, ROLE_ASSIGNMENT)


def _role(view: StackView, assignment: PolicyResource) -> str:
    return view.known_text(assignment, "roleDefinitionId").rsplit("/", 1)[-1].lower()


def _scope_problems(
    view: StackView, identity: PolicyResource, allowed: dict[str, str], certificate: str | None
) -> Iterator[tuple[str, str | None]]:
    name = azure_name(identity)
    held: set[str] = set()
    for assignment in _grants(view, identity):
        role = _role(view, assignment)
        scope = view.known_text(assignment, "scope").lower()
        expected = allowed.get(role)
        if expected is None:
            yield f"{name} holds role {role}, beyond what signing images needs", assignment.urn
            continue
        if scope and expected not in scope:
            yield (
                f"{name} holds role {role} at {scope}, wider than {expected.strip('/')}",
                (assignment.urn),
            )
            continue
        if scope and expected != allowed.get(ACR_PUSH, allowed.get(ACR_PULL)):
            object_name = scope.rsplit("/", 1)[-1]
            if certificate and object_name != certificate.lower():
                yield (
                    f"{name} holds role {role} on {object_name}, not {certificate}",
                    assignment.urn,
                )
                continue
        held.add(role)
    for role in sorted(set(allowed) - held):
        yield f"{name} lacks role {role} at its {allowed[role].strip('/')} scope", identity.urn


def image_signer(view: StackView, settings: PolicySettings) -> Findings:
    signers = [
        i for i in view.of_type(IDENTITY) if any(WORKFLOW_REF in s for s in _federated(view, i))
    ]
    if settings.image_builders and view.is_azure_plan and not signers:
        yield "no identity is federated to the platform's build workflow (the image signer)", None
    for signer in signers:
        for subject in _federated(view, signer):
            if WORKFLOW_REF not in subject:
                yield (
                    f"{azure_name(signer)} also trusts {subject}, which is not a job of the "
                    "platform's build workflow",
                    signer.urn,
                )
        yield from _scope_problems(view, signer, SIGNER_GRANTS, settings.signing_certificate)


def image_verifier(view: StackView, settings: PolicySettings) -> Findings:
    if not settings.image_verification or not view.is_azure_plan:
        return
    verifiers = [i for i in view.of_type(IDENTITY) if VERIFIER_SUBJECT in _federated(view, i)]
    clusters = view.of_type(AKS)
    if clusters and not verifiers:
        yield f"no identity is federated to Ratify ({VERIFIER_SUBJECT})", None
    for verifier in verifiers:
        trusted = _federated(view, verifier).count(VERIFIER_SUBJECT)
        if trusted < len(clusters):
            yield (
                f"{azure_name(verifier)} is federated on {trusted} of {len(clusters)} AKS "
                "clusters: Ratify cannot read the signing certificate on the others",
                verifier.urn,
            )
        yield from _scope_problems(view, verifier, VERIFIER_GRANTS, settings.signing_certificate)
    for configuration in view.of_type(FLUX_CONFIGURATION):
        paths = [
            text(dig(k, "path")).rstrip("/").rsplit("/", 1)[-1]
            for k in (view.value(configuration, "kustomizations") or {}).values()
            if is_map(k)
        ]
        for wanted in VERIFICATION_KUSTOMIZATIONS:
            if wanted not in paths:
                cluster = view.known_text(configuration, "clusterName") or configuration.name
                yield (
                    f"Flux configuration of {cluster} does not reconcile the {wanted} of the "
                    "image verification",
                    configuration.urn,
                )
    if view.of_type(AKS, CONNECTED) and not view.of_type(FLUX_CONFIGURATION):
        yield "no cluster reconciles the image verifier (no Flux configuration)", None


# ---------------------------------------------------------------- admission


def signed_images_enforced(view: StackView, settings: PolicySettings) -> Findings:
    for constraint in view.of_type(CONSTRAINT):
        action = text(dig(constraint.props, "spec", "enforcementAction")) or "deny"
        registries = [
            text(r) for r in items(dig(constraint.props, "spec", "parameters", "registries"))
        ]
        # `check --manifests gitops --stack ENV` reads every environment's tree: the
        # stack's own constraint is the one covering its registry.
        own = not settings.registry_login_servers or any(
            settings.registry_allowed(r) for r in registries
        )
        if settings.is_production and own and action != "deny":
            yield f"production admits unsigned images (enforcementAction {action})", constraint.urn
        elif action not in ("deny", "warn", "dryrun"):
            yield f"enforcementAction {action} is not deny, warn or dryrun", constraint.urn
        kinds = [k for entry in items(dig(constraint.props, "spec", "match", "kinds"))
                 for k in items(dig(entry, "kinds"))]  # fmt: skip
        if "Pod" not in kinds:
            yield "the constraint does not match Pods", constraint.urn
        registries = [
            text(r) for r in items(dig(constraint.props, "spec", "parameters", "registries"))
        ]
        # Any environment's registry: `check --manifests` judges every environment's tree.
        if not any(r.lower().endswith(".azurecr.io") for r in registries):
            yield "the constraint does not cover the platform registry", constraint.urn
        for namespace in items(dig(constraint.props, "spec", "match", "namespaces")):
            yield f"the constraint is limited to namespace {text(namespace)}", constraint.urn
    for verifier in view.of_type(RATIFY_VERIFIER):
        document = dig(verifier.props, "spec", "parameters", "trustPolicyDoc")
        for policy in items(dig(document, "trustPolicies")):
            if text(dig(policy, "signatureVerification", "level")) != "strict":
                yield f"trust policy {text(dig(policy, 'name'))} is not strict", verifier.urn
            if "*" in [text(i) for i in items(dig(policy, "trustedIdentities"))]:
                yield f"trust policy {text(dig(policy, 'name'))} trusts any signer", verifier.urn


# ---------------------------------------------------------------- build workflow

_PUSH = re.compile(r"docker\s+push\b|buildx\s+build\b[^\n]*--push\b|\boras\s+push\b")
_NOTATION_SIGN = re.compile(r"\bnotation\s+sign\b")
_SBOM = re.compile(r"--sbom(=true)?\b|\boras\s+attach\b")
_TRIVY_CLI = re.compile(r"\btrivy\s+image\b[^\n]*--exit-code\s+[1-9]")


_INPUT = re.compile(r"^\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$")


def _resolved(workflow: Any, value: str) -> str:
    """A reusable workflow's `${{ inputs.X }}` read as the input's default (what a caller
    gets unless it passes another value, which the caller's own workflow then shows)."""
    match = _INPUT.match(value.strip())
    if not match:
        return value
    trigger = dig(workflow, "on")
    if trigger is None:
        trigger = dig(workflow, True)
    return text(dig(trigger, "workflow_call", "inputs", match.group(1), "default"))


def _scans(workflow: Any, step: Any) -> bool:
    uses = text(dig(step, "uses"))
    if uses.startswith("aquasecurity/trivy-action@"):
        settings = dig(step, "with")
        severity = _resolved(workflow, text(dig(settings, "severity"))).upper()
        exit_code = _resolved(workflow, text(dig(settings, "exit-code")))
        return exit_code not in ("", "0") and "CRITICAL" in severity and "HIGH" in severity
    return bool(_TRIVY_CLI.search(text(dig(step, "run"))))


def builds_scanned_and_signed(view: StackView, _: PolicySettings) -> Findings:
    for workflow in view.of_type(WORKFLOW):
        steps = list(workflow_steps(workflow.props))
        pushes = [i for i, (_, s) in enumerate(steps) if _PUSH.search(text(dig(s, "run")))]
        if not pushes:
            continue
        first_push = pushes[0]
        where = steps[first_push][0]
        if not any(_scans(workflow.props, s) for _, s in steps[:first_push]):
            yield (
                f"{where} pushes an image no Trivy scan failing on CRITICAL,HIGH checked first",
                (workflow.urn),
            )
        if not any(_NOTATION_SIGN.search(text(dig(s, "run"))) for _, s in steps[first_push:]):
            yield f"{where} pushes an image that is never signed with Notation", workflow.urn
        if not any(_SBOM.search(text(dig(s, "run"))) for _, s in steps):
            yield f"{where} pushes an image without an SBOM", workflow.urn


# ---------------------------------------------------------------- Azure and GitHub


def base_image_tasks(view: StackView, settings: PolicySettings) -> Findings:
    if not view.is_azure_plan:
        return
    tasks = {view.known_text(t, "taskName"): t for t in view.of_type(TASK)}
    for name in settings.base_images:
        task = tasks.get(name)
        if task is None:
            yield f"base image {name} has no ACR task rebuilding it", None
            continue
        trigger = view.value(task, "trigger", "baseImageTrigger")
        if not is_map(trigger) or text(dig(trigger, "status")) != "Enabled":
            yield f"ACR task {name} has no enabled base-image trigger", task.urn
        if not view.known_text(task, "agentPoolName") and not view.sources(task, "agentPoolName"):
            yield (
                f"ACR task {name} runs on shared agents, which cannot reach a registry "
                "without public access (no dedicated agent pool)",
                task.urn,
            )


def devops_connector(view: StackView, settings: PolicySettings) -> Findings:
    if not settings.devops_connector or not view.is_azure_plan:
        return
    connectors = [
        c for c in view.of_type(CONNECTOR) if view.known_text(c, "environmentName") == "Github"
    ]
    if not connectors:
        yield "no Defender for DevOps GitHub connector (security:SecurityConnector)", None
    for connector in connectors:
        offerings = view.value(connector, "offerings") or []
        types = [text(dig(o, "offeringType")) for o in offerings if is_map(o)]
        if "CspmMonitorGithub" not in types:
            yield "the GitHub connector has no CspmMonitorGithub offering", connector.urn


def repository_security(view: StackView, settings: PolicySettings) -> Findings:
    if not settings.repository_security or not settings.manage_repository:
        return
    if not view.is_azure_plan:
        return
    repositories = view.of_type(REPOSITORY)
    if not repositories:
        yield "the repository's security settings are not declared", None
    for repository in repositories:
        analysis = view.value(repository, "securityAndAnalysis")
        analysis = analysis[0] if is_list(analysis) and analysis else analysis
        for feature in ("secretScanning", "secretScanningPushProtection"):
            status = dig(analysis, feature)
            status = status[0] if is_list(status) and status else status
            if text(dig(status, "status")) != "enabled":
                yield f"{feature} is not enabled", repository.urn
    for kind, what in ((ALERTS, "Dependabot alerts"), (UPDATES, "Dependabot security updates")):
        resources = view.of_type(kind)
        if not resources:
            yield f"{what} are not declared", None
        for resource in resources:
            if view.value(resource, "enabled") is False:
                yield f"{what} are disabled", resource.urn
    for rule in view.of_type(BRANCH_PROTECTION):
        contexts = [
            text(c)
            for entry in items(view.value(rule, "requiredStatusChecks"))
            for c in items(dig(entry, "contexts"))
        ]
        if CODEQL_CHECK not in contexts:
            yield "CodeQL code scanning is not a required status check", rule.urn


RULES = [
    stack_rule("SUP-SIG-01", image_signer),
    stack_rule("SUP-VER-01", image_verifier),
    stack_rule("SUP-VER-02", signed_images_enforced),
    stack_rule("SUP-BLD-01", builds_scanned_and_signed),
    stack_rule("SUP-ACR-01", base_image_tasks),
    stack_rule("SUP-DEV-01", devops_connector),
    stack_rule("SUP-REP-01", repository_security),
]
