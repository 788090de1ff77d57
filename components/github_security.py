"""The repository guards its own code: GitHub's security features, declared as code.

Declared by the stack that owns branch protection (one per repository):

- secret scanning with push protection (pushes carrying a recognised secret are refused),
  on the existing repository. pulumi-github exposes these only on `github.Repository`
  (security_and_analysis), so the repository is adopted with the `import` option: since
  pulumi/pulumi#19339 the engine imports the live repository and then updates only what
  differs from the program; every other setting is left as it is (ignore_changes), and the
  repository is never deleted by Pulumi (retain_on_delete).
- Dependabot alerts (vulnerability alerts) and Dependabot security updates.
- CodeQL code scanning runs from the committed .github/workflows/codeql.yml; its check
  `codeql` is one of the branch's required status checks (BranchProtectionConfig).

Secret scanning and push protection on a private repository need GitHub Secret Protection
(Advanced Security); `bootstrap doctor` says so.
"""

from __future__ import annotations

import inspect

import pulumi
import pulumi_github as github

# The required status check CodeQL's workflow reports (job `codeql` of codeql.yml).
CODEQL_CHECK = "codeql"
ENABLED = "enabled"


def _other_inputs() -> list[str]:
    """Every Repository input except the name and the security settings managed here."""
    names = inspect.signature(github.RepositoryArgs.__init__).parameters
    return sorted(n for n in names if n not in {"__self__", "name", "security_and_analysis"})


def repository_security(
    name: str, owner: str, repository: str, opts: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """The security features of `owner/repository`; returns the resources declared."""
    adopted = github.Repository(
        f"{name}-repository",
        name=repository,
        security_and_analysis=github.RepositorySecurityAndAnalysisArgs(
            secret_scanning=github.RepositorySecurityAndAnalysisSecretScanningArgs(status=ENABLED),
            secret_scanning_push_protection=(
                github.RepositorySecurityAndAnalysisSecretScanningPushProtectionArgs(status=ENABLED)
            ),
        ),
        opts=pulumi.ResourceOptions.merge(
            opts,
            pulumi.ResourceOptions(
                import_=repository,
                retain_on_delete=True,
                ignore_changes=_other_inputs(),
            ),
        ),
    )
    alerts = github.RepositoryVulnerabilityAlerts(
        f"{name}-dependabot-alerts", repository=repository, enabled=True, opts=opts
    )
    updates = github.RepositoryDependabotSecurityUpdates(
        f"{name}-dependabot-updates",
        repository=repository,
        enabled=True,
        # Security updates need the alerts on first.
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[alerts])),
    )
    return [adopted, alerts, updates]
