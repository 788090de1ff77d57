"""The GitHub variables and secrets the workflows read, against what the program declares.

Reads come from the workflow files (bootstrap/workflows.py: `vars.X`, `secrets.X`, and the
per-stack `vars[format(...)]` over each matrix); declarations from
components/github_variables.py. A read nobody declares can never be satisfied (missing);
a declared one cannot be seen offline, so the line says how to look with `gh`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bootstrap.workflows import BUILT_IN_SECRETS, workflow_reads
from components.config import stack_file
from components.github_variables import ActionsValue, actions_values

from ..model import DoctorContext, Item

ORDER = 50


def check(context: DoctorContext) -> Iterator[Item]:
    if not context.workflow_dir.is_dir():
        return
    reads = workflow_reads(context.workflow_dir)
    for problem in reads.problems:
        yield Item("missing", None, str(problem), fix=f"edit {context.workflow_dir}")
    if context.all_stacks:
        known = {stack.name for stack in context.stacks}
        for orphan in sorted({r.stack for r in reads.reads if r.stack and r.stack not in known}):
            yield Item(
                "missing",
                orphan,
                f"the workflows run for stack {orphan}, which has no "
                f"{stack_file(context.stack_dir, orphan)}",
                fix=f"remove {orphan} from the preview matrix and the deploy jobs in "
                f"{context.workflow_dir}, or add its stack file",
            )
    for stack in context.stacks:
        config = stack.config
        repo = config.github.full_name
        declared = {(v.kind, v.name, v.environment): v for v in actions_values(config)}
        deploys = {environment for s, environment in reads.environments if s == stack.name}
        if not any(read.stack == stack.name for read in reads.reads):
            yield Item(
                "missing",
                stack.name,
                f"no workflow previews or deploys stack {stack.name}",
                fix=f"add {stack.name} to the preview matrix and a deploy job in "
                f"{context.workflow_dir}",
            )
        if deploys and config.github_environment not in deploys:
            yield Item(
                "missing",
                stack.name,
                f"the workflows deploy stack {stack.name} in environment(s) "
                f"{', '.join(sorted(deploys))}, but platform:github.environment is "
                f"{config.github_environment}",
                fix=f"set `environment: {config.github_environment}` for it in "
                f"{context.workflow_dir / 'deploy.yml'}",
            )
        used: dict[tuple[str, str, str | None], ActionsValue] = {}
        for read in reads.reads:
            if read.stack not in (None, stack.name) or read.name in BUILT_IN_SECRETS:
                continue
            kind = "variable" if read.kind == "vars" else "secret"
            value = declared.get((kind, read.name, None)) or declared.get(
                (kind, read.name, read.environment)
            )
            if value is None:
                yield Item(
                    "missing",
                    stack.name,
                    f"{read.where} reads {read.kind}.{read.name}, which nothing declares for "
                    f"stack {stack.name} (environment {read.environment or 'none'})",
                    fix="declare it in components/github_variables.py or fix the workflow",
                )
                continue
            used[(value.kind, value.name, value.environment)] = value
        yield from _declared_items(stack.name, repo, config.github.manage_repository, used)


def _declared_items(
    stack: str,
    repo: str,
    manages_repository: bool,
    used: dict[tuple[str, str, str | None], ActionsValue],
) -> Iterator[Item]:
    written = []
    for value in sorted(used.values(), key=lambda v: (v.source, v.kind, v.name)):
        scope = f" --env {value.environment}" if value.environment else ""
        if value.source == "person":
            if value.only_when_managing_repository and not manages_repository:
                continue
            if value.kind == "secret":
                fix = f"gh secret set {value.name} --repo {repo}{scope} < app-private-key.pem"
                verify = f"gh secret list --repo {repo}{scope}"
            else:
                body = f'--body "<{value.purpose}>"'
                fix = f"gh variable set {value.name} --repo {repo}{scope} {body}"
                verify = f"gh variable get {value.name} --repo {repo}{scope}"
            what = f"{value.kind} {value.name}: {value.purpose} (set by a person)"
            yield Item("check", stack, what, verify=verify, fix=fix)
        elif manages_repository:
            written.append(value)
        else:
            body = value.value or f"$(pulumi stack output {value.output} --stack {stack})"
            yield Item(
                "check",
                stack,
                f"variable {value.name}: {value.purpose} (platform:github.manageRepository is "
                "false: set it yourself)",
                verify=f"gh variable get {value.name} --repo {repo}{scope}",
                fix=f'gh variable set {value.name} --repo {repo}{scope} --body "{body}"',
            )
    if written:
        names = ", ".join(
            v.name + (f" (env {v.environment})" if v.environment else "") for v in written
        )
        yield Item(
            "check",
            stack,
            f"{len(written)} variables the first `pulumi up` writes: {names}",
            verify=f"gh variable list --repo {repo}",
            fix=f"pulumi up --stack {stack} --policy-pack policies (the first run, by an admin)",
        )
