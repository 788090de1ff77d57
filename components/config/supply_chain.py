"""`platform:supplyChain`: signed images, verified at admission, built from fresh bases.

One section for the whole chain, so the program (identities, roles, ACR tasks, the Defender
for DevOps connector), the renderer (the verifier and the admission constraint on every
cluster) and the policy pack read the same facts:

- `signing`: the Notation signing certificate in the platform Key Vault. ARM cannot create
  Key Vault certificates (they exist only in the vault's data plane), so a person creates it
  once with the command `bootstrap doctor` prints; its X.509 subject is the identity every
  cluster trusts.
- `builders`: the application repositories whose build jobs may sign. Each gets one federated
  credential on the signing identity whose subject names the repository, the branch or
  environment the job runs for, and the platform's reusable build workflow
  (`job_workflow_ref`), so no other workflow of that repository can obtain the token.
- `verification`: how the admission constraint acts: deny, or warn/dryrun (audit) outside
  production.
- `baseImages`: curated base images kept in the platform registry, each rebuilt by an ACR
  task when its upstream base image changes.
- `defenderForDevOps`: the Microsoft Defender for Cloud GitHub connector.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import VAULT_OBJECT_NAME, LocatedValueError, StrictModel, matching

_REPOSITORY = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}/[A-Za-z0-9._-]{1,100}$"
)
_GIT_REF = re.compile(r"^refs/(heads|tags)/[A-Za-z0-9._/-]{1,200}$")
_ENVIRONMENT = re.compile(r"^[A-Za-z0-9._-]{1,255}$")
# An X.509 distinguished name as `az keyvault certificate create` takes it: RDNs such as
# CN=..., O=..., separated by commas; no wildcard (it names exactly one signer).
_SUBJECT = re.compile(r"^(?:(?:CN|O|OU|L|ST|C)=[^,=*]+)(?:,(?:CN|O|OU|L|ST|C)=[^,=*]+)*$")
# ACR repository names: lowercase path components (OCI distribution spec name grammar).
_REPOSITORY_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
# ACR task names: 5-50 characters of letters, digits, '-' and '_' (ARM schema
# Microsoft.ContainerRegistry 2019-06-01-preview, registries_tasks.name).
_TASK_NAME = re.compile(r"^[a-zA-Z0-9-_]{5,50}$")

# The reusable workflow tenants call, relative to this repository's root (committed here).
BUILD_WORKFLOW_PATH = ".github/workflows/build-image.yml"
# Microsoft Entra allows at most 20 federated credentials per identity.
MAX_BUILDERS = 20


class SigningConfig(StrictModel):
    # The certificate (and its key, which Key Vault names the same) in the platform vault.
    certificate_name: Annotated[
        str, matching(VAULT_OBJECT_NAME, "a Key Vault object name (letters, digits, '-')")
    ] = "image-signing"
    # The X.509 subject of the certificate; clusters trust exactly this identity. Unset:
    # "CN=<owner> platform images <environment>,O=<owner>" (PlatformConfig.signing_subject).
    subject: (
        Annotated[str, matching(_SUBJECT, "an X.509 subject such as CN=Contoso images,O=Contoso")]
        | None
    ) = None
    # Months of validity of the certificate the doctor command creates (Key Vault renews it
    # at 80% of its lifetime by default; renewal keeps the subject, so trust holds).
    validity_months: int = Field(default=12, ge=1, le=24)


class BuilderConfig(StrictModel):
    """One repository whose build jobs may push and sign through the platform's workflow."""

    repository: Annotated[str, matching(_REPOSITORY, "a GitHub repository as OWNER/REPO")]
    # The context of the calling job: a protected branch (default main) or an environment.
    ref: Annotated[str, matching(_GIT_REF, "a git ref such as refs/heads/main")] = "refs/heads/main"
    environment: Annotated[str, matching(_ENVIRONMENT, "a GitHub environment name")] | None = None

    def context(self) -> str:
        """The `context` part of the subject, as GitHub writes it (environment wins)."""
        if self.environment:
            return f"environment:{self.environment}"
        return f"ref:{self.ref}"


class VerificationConfig(StrictModel):
    # deny refuses an unsigned image; warn admits it with a warning; dryrun only audits.
    # Unset: deny in production, warn elsewhere. Production only accepts deny.
    enforcement: Literal["deny", "warn", "dryrun"] | None = None


class BaseImageConfig(StrictModel):
    """A curated base image kept in the platform registry and rebuilt when its base changes."""

    # The ACR task's name.
    name: Annotated[str, matching(_TASK_NAME, "an ACR task name (5-50 letters, digits, - or _)")]
    # Where the image lands in the platform registry, e.g. base/python:3.12.
    repository: Annotated[str, matching(_REPOSITORY_NAME, "a lowercase repository path")]
    tag: Annotated[str, matching(_TAG, "an image tag")]
    # The build context: a public git URL with optional #ref:folder, as `az acr task create
    # --context` takes it. No access token is stored, so the context must be public.
    context: str = Field(pattern=r"^https://[^\s#]+\.git(#[A-Za-z0-9._/-]*(:[A-Za-z0-9._/-]+)?)?$")
    dockerfile: str = Field(default="Dockerfile", pattern=r"^[A-Za-z0-9._/-]{1,255}$")


class DevOpsConfig(StrictModel):
    # Declare the Defender for DevOps GitHub connector. Unset: in the stack that owns the
    # repository's branch protection (one connector per GitHub organisation).
    enabled: bool | None = None


class SupplyChainConfig(StrictModel):
    signing: SigningConfig = Field(default_factory=SigningConfig)
    builders: list[BuilderConfig] = Field(default_factory=list)
    # The ref tenants call the reusable build workflow at (`uses: .../build-image.yml@main`
    # gives refs/heads/main); part of every builder's federated subject.
    build_workflow_ref: Annotated[str, matching(_GIT_REF, "a git ref such as refs/heads/main")] = (
        "refs/heads/main"
    )
    verification: VerificationConfig = Field(default_factory=VerificationConfig)
    base_images: list[BaseImageConfig] = Field(default_factory=list)
    defender_for_dev_ops: DevOpsConfig = Field(default_factory=DevOpsConfig)

    @model_validator(mode="after")
    def _unique_and_bounded(self) -> SupplyChainConfig:
        if len(self.builders) > MAX_BUILDERS:
            raise LocatedValueError(
                ("builders",),
                f"{len(self.builders)} builders make {len(self.builders)} federated credentials "
                f"on the signing identity; Microsoft Entra allows at most {MAX_BUILDERS}",
            )
        seen: set[str] = set()
        for index, builder in enumerate(self.builders):
            key = f"{builder.repository.lower()}:{builder.context()}"
            if key in seen:
                raise LocatedValueError(
                    ("builders", index),
                    f"'{builder.repository}' ({builder.context()}) is listed twice; Microsoft "
                    "Entra refuses a second credential with the same issuer and subject",
                )
            seen.add(key)
        names: set[str] = set()
        for index, image in enumerate(self.base_images):
            if image.name.lower() in names:
                raise LocatedValueError(
                    ("baseImages", index, "name"), f"task name '{image.name}' is used twice"
                )
            names.add(image.name.lower())
        return self
