"""`platform:github`: the repository whose workflows deploy this environment through OIDC."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from .base import LocatedValueError, StrictModel

_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_ENVIRONMENT = re.compile(r"^[A-Za-z0-9._-]{1,255}$")
# Exact subjects only: a wildcard would let any branch, fork or environment obtain a token.
_SUBJECT = re.compile(
    r"^repo:[A-Za-z0-9-]+/[A-Za-z0-9._-]+:"
    r"(environment:[A-Za-z0-9._-]+|ref:refs/(heads|tags)/[A-Za-z0-9._/-]+|pull_request)$"
)


def _owner(value: str) -> str:
    if not _OWNER.match(value):
        raise ValueError(f"'{value}' is not a GitHub owner name")
    return value


def _repo(value: str) -> str:
    if not _REPO.match(value) or value in {".", ".."}:
        raise ValueError(f"'{value}' is not a GitHub repository name")
    return value


def _subject(value: str) -> str:
    if "*" in value:
        raise ValueError(f"'{value}' contains a wildcard; federated subjects must be exact")
    if not _SUBJECT.match(value):
        raise ValueError(
            f"'{value}' is not a GitHub OIDC subject (expected repo:OWNER/REPO:environment:NAME,"
            " repo:OWNER/REPO:ref:refs/heads/BRANCH or repo:OWNER/REPO:pull_request)"
        )
    return value


def _environment(value: str) -> str:
    if not _ENVIRONMENT.match(value):
        raise ValueError(f"'{value}' is not a GitHub environment name")
    return value


GitHubSubject = Annotated[str, AfterValidator(_subject)]

# Microsoft Entra: "A maximum of 20 federated identity credentials can be added to an
# application or user-assigned managed identity", and a repeated issuer and subject pair is
# refused ("Issuer and subject combination already exists for this Managed Identity")
# (MicrosoftDocs/entra-docs docs/workload-id/workload-identity-federation-considerations.md
# and includes/federated-credential-configuration-considerations.md).
MAX_FEDERATED_CREDENTIALS = 20


class BranchProtectionConfig(StrictModel):
    required_reviews: int = Field(default=1, ge=1, le=6)
    # "codeql": the CodeQL code scanning job (.github/workflows/codeql.yml).
    required_checks: list[str] = Field(default_factory=lambda: ["preview", "test", "codeql"])


class GitHubConfig(StrictModel):
    owner: Annotated[str, AfterValidator(_owner)]
    repo: Annotated[str, AfterValidator(_repo)]
    # The GitHub environment whose jobs deploy this stack; unset means the stack's name.
    environment: Annotated[str, AfterValidator(_environment)] | None = None
    # Teams or users (GitHub IDs) who approve deployments of production environments.
    reviewer_team_ids: list[int] = Field(default_factory=list)
    # Manage branch protection and the deployment environment with the GitHub provider
    # (needs a GITHUB_TOKEN with admin rights at `pulumi up`).
    manage_repository: bool = True
    # Branch protection is repository-wide: exactly one stack declares it (unset means the
    # production stack), so stacks never fight over it.
    owns_branch_protection: bool | None = None
    branch_protection: BranchProtectionConfig = Field(default_factory=BranchProtectionConfig)
    # More exact subjects for the deploy identity, e.g. a release tag.
    extra_subjects: list[GitHubSubject] = Field(default_factory=list)

    @property
    def full_name(self) -> str:
        """OWNER/REPO, as GitHub names the repository (its `full_name`)."""
        return f"{self.owner}/{self.repo}"

    @model_validator(mode="after")
    def _subjects_in_this_repo(self) -> GitHubConfig:
        prefix = f"repo:{self.full_name}:"
        for subject in self.extra_subjects:
            if not subject.startswith(prefix):
                raise ValueError(f"extraSubjects '{subject}' is not in {self.full_name}")
        # The deploy identity trusts its environment's subject plus these, one federated
        # credential each.
        if 1 + len(self.extra_subjects) > MAX_FEDERATED_CREDENTIALS:
            raise LocatedValueError(
                ("extraSubjects",),
                f"{len(self.extra_subjects)} subjects plus the environment's make "
                f"{1 + len(self.extra_subjects)} federated credentials on the deploy identity; "
                f"Microsoft Entra allows at most {MAX_FEDERATED_CREDENTIALS} per identity",
            )
        for index, subject in enumerate(self.extra_subjects):
            if subject in self.extra_subjects[:index]:
                raise LocatedValueError(
                    ("extraSubjects", index),
                    f"'{subject}' is listed twice; Microsoft Entra refuses a second credential "
                    "with the same issuer and subject on one identity",
                )
        return self

    def environment_subject(self, environment: str) -> str:
        """The subject the deploy identity always trusts: jobs of this GitHub environment."""
        return f"repo:{self.full_name}:environment:{environment}"

    @property
    def https_url(self) -> str:
        return f"https://github.com/{self.full_name}.git"
