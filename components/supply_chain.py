"""The supply chain in Azure: who signs images, who verifies them, and fresh base images.

- The **signer**: a user-assigned identity federated only to the platform's reusable build
  workflow as called by each configured builder repository (exact subjects with
  `job_workflow_ref`, components.config PlatformConfig.builder_subject). It may push to the
  registry (AcrPush) and sign with the certificate's key: "Key Vault Certificate User" on
  the certificate and "Key Vault Crypto User" on its key, nothing on the rest of the vault.
  Microsoft's tutorial names exactly these roles for signing with a self-signed certificate
  (MicrosoftDocs/azure-management-docs articles/container-registry/
  container-registry-tutorial-sign-build-push.md, "Authorize access to AKV"); Azure RBAC
  for Key Vault takes individual keys, secrets and certificates as scopes for sharing one
  object between applications (MicrosoftDocs/azure-docs articles/key-vault/general/
  rbac-guide.md, "Best Practices for individual keys, secrets, and certificates").
- The **verifier**: Ratify on every AKS cluster, as its service account federated per
  cluster. It reads the certificate chain through the certificate's secret (Ratify v1.4.0
  pkg/keymanagementprovider/azurekeyvault/provider.go GetCertificates calls GetSecret; its
  docs ask for "Key Vault Secrets User", ratify-project/ratify-web versioned_docs/
  version-1.4/quickstarts/ratify-on-azure.md) and pulls signatures with AcrPull. The key is
  created non-exportable, so the secret holds the certificate only, never the private key.
- **Base images**: an ACR task per configured base image with a base-image trigger, on a
  dedicated agent pool in the hub (the registry has no public access and ACR Tasks is not
  one of its trusted services).
- **Defender for DevOps**: the GitHub connector of Microsoft Defender for Cloud.

The certificate itself is created by a person once (`bootstrap doctor` prints the command):
ARM has no Key Vault certificate resource, and pulumi-azure-native none either.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import containerregistry as acr
from pulumi_azure_native import keyvault, security

from components import roles
from components.common import Placement
from components.identity import (
    GITHUB_ISSUER,
    Federation,
    assign_roles,
    cluster_federations,
    federate_all,
    user_identity,
)
from components.verification_layout import VERIFIER_SUBJECT

SIGNER_PURPOSE = "image-signer"
VERIFIER_PURPOSE = "image-verifier"
AGENT_POOL_NAME = "basetasks"
_CONNECTOR_NAMESPACE = uuid.UUID("4c1f0e42-8f3a-4f7b-9a55-2a8d0b6f1c73")


def vault_object_scope(vault_id: pulumi.Input[str], kind: str, name: str) -> pulumi.Output[str]:
    """The ARM scope of one key, secret or certificate in a vault (rbac-guide.md)."""
    return pulumi.Output.concat(vault_id, f"/{kind}/{name}")


@dataclass(frozen=True)
class SupplyChainArgs:
    placement: Placement
    registry: acr.Registry
    vault: keyvault.Vault
    # AKS cluster name -> its OIDC issuer URL (Ratify runs there with workload identity).
    issuers: Mapping[str, pulumi.Input[str]]
    # The hub subnet of the task agent pool (HubNetwork.tasks_subnet), with base images.
    tasks_subnet_id: pulumi.Input[str] | None = None


class SupplyChain(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: SupplyChainArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("platform:supplychain:SupplyChain", name, None, opts)
        placement = args.placement
        config = placement.config
        certificate = config.supply_chain.signing.certificate_name
        vault_id = args.vault.id
        registry_id = args.registry.id

        # ---- the signer: the build workflow of each builder, and nothing else ----
        self.signer = user_identity(
            f"{name}-signer", placement, SIGNER_PURPOSE, placement.location, self
        )
        federate_all(
            placement,
            self.signer,
            [
                Federation(
                    f"{name}-signer-{index}",
                    f"builder-{index}",
                    GITHUB_ISSUER,
                    config.builder_subject(builder),
                )
                for index, builder in enumerate(config.supply_chain.builders)
            ],
            self,
        )
        signer_grants = (
            ("push", registry_id, roles.ACR_PUSH),
            ("certificate", vault_object_scope(vault_id, "certificates", certificate),
             roles.KEY_VAULT_CERTIFICATE_USER),
            ("sign", vault_object_scope(vault_id, "keys", certificate),
             roles.KEY_VAULT_CRYPTO_USER),
        )  # fmt: skip
        assign_roles(f"{name}-signer", placement, self.signer.principal_id, signer_grants, self)

        # ---- the verifier: Ratify on every AKS cluster, read-only ----
        self.verifier = user_identity(
            f"{name}-verifier", placement, VERIFIER_PURPOSE, placement.location, self
        )
        federations = cluster_federations(f"{name}-verifier", args.issuers, VERIFIER_SUBJECT)
        federate_all(placement, self.verifier, federations, self)
        verifier_grants = (
            ("pull", registry_id, roles.ACR_PULL),
            ("chain", vault_object_scope(vault_id, "secrets", certificate),
             roles.KEY_VAULT_SECRETS_USER),
        )  # fmt: skip
        assign_roles(
            f"{name}-verifier", placement, self.verifier.principal_id, verifier_grants, self
        )

        self._base_image_tasks(name, placement, args)
        if config.devops_connector_enabled:
            self._devops_connector(name, placement)
        self.signer_client_id = self.signer.client_id
        self.verifier_client_id = self.verifier.client_id
        self.register_outputs(
            {"signerClientId": self.signer_client_id, "verifierClientId": self.verifier_client_id}
        )

    def _base_image_tasks(self, name: str, placement: Placement, args: SupplyChainArgs) -> None:
        """One ACR task per base image, rebuilt when its own base image is updated.

        "ACR Tasks automatically builds ... when a base image is updated" for base images in
        a public registry or an Azure container registry (MicrosoftDocs/azure-management-docs
        articles/container-registry/container-registry-tasks-base-images.md). The task pushes
        with the credentials ACR Tasks generates for its own registry (sourceRegistry
        loginMode Default): no token or password is stored.
        """
        images = placement.config.supply_chain.base_images
        if not images:
            return
        if args.tasks_subnet_id is None:
            raise ValueError("base images need the hub's tasks subnet (HubNetwork.tasks_subnet)")
        pool = acr.AgentPool(
            f"{name}-agent-pool",
            agent_pool_name=AGENT_POOL_NAME,
            registry_name=args.registry.name,
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            os="Linux",
            tier="S1",
            count=1,
            virtual_network_subnet_resource_id=args.tasks_subnet_id,
            tags=placement.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        login_server = placement.naming.registry_login_server
        for image in images:
            acr.Task(
                f"{name}-task-{image.name.lower()}",
                task_name=image.name,
                registry_name=args.registry.name,
                resource_group_name=placement.resource_group_name,
                location=placement.location,
                agent_pool_name=pool.name,
                platform=acr.PlatformPropertiesArgs(os="Linux", architecture="amd64"),
                status="Enabled",
                step=acr.DockerBuildStepArgs(
                    type="Docker",
                    context_path=image.context,
                    docker_file_path=image.dockerfile,
                    image_names=[f"{login_server}/{image.repository}:{image.tag}"],
                    is_push_enabled=True,
                    no_cache=True,
                ),
                trigger=acr.TriggerPropertiesArgs(
                    base_image_trigger=acr.BaseImageTriggerArgs(
                        name="base-image-update",
                        base_image_trigger_type="Runtime",
                        status="Enabled",
                    ),
                ),
                credentials=acr.CredentialsArgs(
                    source_registry=acr.SourceRegistryCredentialsArgs(login_mode="Default")
                ),
                tags=placement.tags,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[pool]),
            )

    def _devops_connector(self, name: str, placement: Placement) -> None:
        """Microsoft Defender for Cloud's GitHub connector (DevOps security).

        Shape from Azure PowerShell's New-AzSecurityConnector example "Create GitHub
        security connector" (Azure/azure-powershell src/Security/Security/help/
        New-AzSecurityConnector.md): environment Github, GithubScope environment data, a
        GUID hierarchy identifier and the CspmMonitorGithub offering. Which organisations
        and repositories it sees is granted once in GitHub by installing the Microsoft
        Security DevOps app (`bootstrap doctor` says so).
        """
        config = placement.config
        owner = config.github.owner
        security.SecurityConnector(
            f"{name}-devops-github",
            security_connector_name=f"github-{owner.lower()}",
            resource_group_name=placement.resource_group_name,
            location=placement.location,
            environment_name="Github",
            environment_data=security.GithubScopeEnvironmentDataArgs(
                environment_type="GithubScope"
            ),
            hierarchy_identifier=str(uuid.uuid5(_CONNECTOR_NAMESPACE, owner.lower())),
            offerings=[security.CspmMonitorGithubOfferingArgs(offering_type="CspmMonitorGithub")],
            tags=placement.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
