"""One-time supply-chain steps no ARM resource covers, each with the command that does it.

- The Notation signing certificate: ARM has no Key Vault certificate resource (data plane
  only), so a person creates it once, after the vault exists, with the policy Microsoft's
  tutorial uses (MicrosoftDocs/azure-management-docs articles/container-registry/
  container-registry-tutorial-sign-build-push.md: RSA, `digitalSignature`, code-signing EKU
  1.3.6.1.5.5.7.3.3, self-signed), with a non-exportable key so the secret the verifiers
  read holds no private key.
- Ratify's images in the platform registry (the HelmRelease pulls them from there).
- Each builder repository's OIDC subject template (repo, context, job_workflow_ref).
- The Defender for DevOps connector's authorisation in GitHub (portal, once).
All are CHECK lines: doctor is offline and cannot see the vault, registry or GitHub.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from components import verification_layout as verification
from components.naming import Naming

from ..model import DoctorContext, Item

ORDER = 60


def certificate_policy(subject: str, months: int) -> str:
    return json.dumps(
        {
            "issuerParameters": {"name": "Self"},
            "keyProperties": {
                "exportable": False,
                "keySize": 3072,
                "keyType": "RSA",
                "reuseKey": True,
            },
            "secretProperties": {"contentType": "application/x-pem-file"},
            "x509CertificateProperties": {
                "ekus": ["1.3.6.1.5.5.7.3.3"],
                "keyUsage": ["digitalSignature"],
                "subject": subject,
                "validityInMonths": months,
            },
        },
        separators=(",", ":"),
    )


def check(context: DoctorContext) -> Iterator[Item]:
    for stack in context.stacks:
        config = stack.config
        naming = Naming.for_config(config)
        signing = config.supply_chain.signing
        policy = certificate_policy(config.signing_subject, signing.validity_months)
        yield Item(
            "check",
            stack.name,
            f"signing certificate {signing.certificate_name} in {naming.key_vault} (after the "
            "first pulumi up; from a machine that reaches the vault's private endpoint; then "
            "pulumi up again for its role assignments)",
            fix=(
                f"az keyvault certificate create --vault-name {naming.key_vault} "
                f"--name {signing.certificate_name} --policy '{policy}'"
            ),
        )
        for image in verification.RATIFY_IMAGES:
            reference = f"{image}:{verification.RATIFY_APP_VERSION}"
            yield Item(
                "check",
                stack.name,
                f"{reference} imported into {naming.registry}",
                fix=(
                    f"az acr import --name {naming.registry} --source "
                    f"{verification.RATIFY_SOURCE_REGISTRY}/{reference} --image {reference}"
                ),
            )
        for builder in config.supply_chain.builders:
            yield Item(
                "check",
                stack.name,
                f"{builder.repository} signs only if its OIDC subject includes job_workflow_ref",
                fix=(
                    f"gh api -X PUT repos/{builder.repository}/actions/oidc/customization/sub "
                    "-F use_default=false -f 'include_claim_keys[]=repo' "
                    "-f 'include_claim_keys[]=context' -f 'include_claim_keys[]=job_workflow_ref'"
                ),
            )
        if config.devops_connector_enabled:
            yield Item(
                "check",
                stack.name,
                "Defender for DevOps: authorise the GitHub connector (Microsoft Security DevOps "
                f"app) for {config.github.owner} once in Defender for Cloud > Environment settings",
                fix="az security security-connector show --name "
                f"github-{config.github.owner.lower()} --resource-group {naming.resource_group}",
            )
