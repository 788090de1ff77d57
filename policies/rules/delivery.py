"""Delivery: OIDC-only, least-privilege workflows, a protected main branch, gated production.

Workflow files are not Pulumi resources; `bootstrap check --manifests .github/workflows`
reads each one as the resource type `github:actions/workflow:Workflow` whose properties are
the workflow document, so the same policy objects judge them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import PolicyResource

from ..settings import PolicySettings
from .base import Findings, resource_rule, stack_rule
from .props import dig, is_list, is_map, is_true, items, text
from .view import StackView

WORKFLOW = "github:actions/workflow:Workflow"
BRANCH_PROTECTION = "github:index/branchProtection:BranchProtection"
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
AZURE_LOGIN = "azure/login@"
# Names of stored credentials that OIDC federation makes unnecessary.
_CREDENTIAL_NAME = re.compile(
    r"CLIENT_SECRET|AZURE_CREDENTIALS|CLIENT_CERTIFICATE|ARM_ACCESS_KEY|ARM_CLIENT_SECRET",
    re.IGNORECASE,
)
_SECRET_REFERENCE = re.compile(r"secrets\.([A-Za-z0-9_]+)")


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every (path, string) in a document, keys included as their own path."""
    if is_map(value):
        for key in value:
            child = f"{path}.{key}" if path else str(key)
            yield child, str(key)
            yield from _strings(value[key], child)
    elif is_list(value):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def workflow_steps(workflow: Any) -> Iterator[tuple[str, Any]]:
    """Every step of a workflow document, with its path (jobs.<job>.steps[<i>])."""
    jobs = dig(workflow, "jobs")
    if not is_map(jobs):
        return
    for job_name in jobs:
        for index, step in enumerate(items(dig(jobs[job_name], "steps"))):
            yield f"jobs.{job_name}.steps[{index}]", step


def oidc_only(resource_type: str, props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    if resource_type != WORKFLOW:
        name = text(dig(props, "secretName"))
        if _CREDENTIAL_NAME.search(name):
            yield f"the repository stores the credential secret {name}"
        return
    for where, step in workflow_steps(props):
        if not text(dig(step, "uses")).startswith(AZURE_LOGIN):
            continue
        settings = dig(step, "with")
        for key in ("creds", "client-secret"):
            if dig(settings, key) is not None:
                yield f"{where}: azure/login uses '{key}' instead of OIDC"
        if not text(dig(settings, "client-id")):
            yield f"{where}: azure/login has no client-id (OIDC federation)"
    reported: set[str] = set()
    for where, value in _strings(props):
        for name in _SECRET_REFERENCE.findall(value):
            if _CREDENTIAL_NAME.search(name) and name not in reported:
                reported.add(name)
                yield f"{where} reads the stored credential secrets.{name}"
        if value.upper() == "ARM_CLIENT_SECRET" and "ARM_CLIENT_SECRET" not in reported:
            reported.add("ARM_CLIENT_SECRET")
            yield f"{where} sets ARM_CLIENT_SECRET"


def least_permissions(props: Mapping[str, Any], _: PolicySettings) -> Iterator[str]:
    top = dig(props, "permissions")
    if top is None:
        yield "no top-level permissions block: jobs get the repository's default token scopes"
    elif top == "write-all":
        yield "top-level permissions are write-all"
    elif is_map(top):
        writes = sorted(str(scope) for scope in top if top[scope] == "write")
        if writes:
            yield (
                f"top-level permissions grant write on {', '.join(writes)}; grant write only "
                "to the jobs that need it"
            )
    jobs = dig(props, "jobs")
    if is_map(jobs):
        for name in jobs:
            if dig(jobs[name], "permissions") == "write-all":
                yield f"job {name} has permissions write-all"


def _repository_managed(view: StackView, settings: PolicySettings) -> bool:
    return settings.manage_repository and view.is_azure_plan


def main_protected(view: StackView, settings: PolicySettings) -> Findings:
    # Repository-wide: judged in the one stack that owns it (`bootstrap plan` checks that
    # exactly one stack per repository does).
    if not _repository_managed(view, settings) or not settings.owns_branch_protection:
        return
    branch = settings.default_branch
    rules = [r for r in view.of_type(BRANCH_PROTECTION) if dig(r.props, "pattern") == branch]
    if not rules:
        yield f"branch {branch} has no branch protection", None
        return
    for rule in rules:
        for problem in _protection_problems(rule):
            yield f"branch {branch}: {problem}", rule.urn


def _protection_problems(rule: PolicyResource) -> Iterator[str]:
    props = rule.props
    reviews = dig(props, "requiredPullRequestReviews", 0)
    count = dig(reviews, "requiredApprovingReviewCount")
    if not isinstance(count, int | float) or count < 1:
        yield "pull requests need no approving review"
    contexts = items(dig(props, "requiredStatusChecks", 0, "contexts"))
    if not contexts:
        yield "no required status checks"
    if is_true(dig(props, "allowsForcePushes")):
        yield "force pushes are allowed"
    if is_true(dig(props, "allowsDeletions")):
        yield "the branch can be deleted"


def production_approval(view: StackView, settings: PolicySettings) -> Findings:
    if not settings.is_production or not _repository_managed(view, settings):
        return
    wanted = settings.github_environment
    environments = [
        e
        for e in view.of_type(ENVIRONMENT)
        if wanted is None or dig(e.props, "environment") == wanted
    ]
    if not environments:
        yield (
            f"the production GitHub environment {wanted or ''} is not declared".replace("  ", " "),
            None,
        )
        return
    for environment in environments:
        reviewers = items(dig(environment.props, "reviewers"))
        if not any(items(dig(r, "teams")) or items(dig(r, "users")) for r in reviewers):
            name = dig(environment.props, "environment")
            yield f"GitHub environment {name} has no required reviewers", environment.urn


RULES = [
    resource_rule("DEL-GHA-01", oidc_only, typed=True),
    resource_rule("DEL-GHA-02", least_permissions),
    stack_rule("DEL-GHA-03", main_protected),
    stack_rule("DEL-GHA-04", production_approval),
]
