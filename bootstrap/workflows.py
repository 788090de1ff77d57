"""What the GitHub workflows of this repository read: variables, secrets, reusable calls.

`bootstrap doctor` and the tests compare these reads with what the program declares for
each stack (components/github_variables.py), so a workflow can never depend on a name
nobody sets. Reads are resolved the way GitHub resolves them:

- `vars.NAME` / `secrets.NAME` in a job, and `vars[format('PREFIX_{0}', matrix.KEY)]`
  expanded over the job's matrix (the only dynamic form allowed: anything else cannot be
  checked and is reported as unreadable);
- a job's matrix entry or reusable-workflow input named `stack` ties the read to a stack,
  and a job's `environment:` decides which environment-level variables it sees;
- a job that calls a reusable workflow (`uses: ./.github/workflows/X.yml`) runs X's jobs
  with the caller's `with:` inputs substituted for `inputs.NAME`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bootstrap.errors import BadInput

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_PLAIN = re.compile(r"\b(vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)")
_FORMATTED = re.compile(
    r"\b(vars|secrets)\[\s*format\(\s*'([^']*)'\s*,\s*matrix\.([A-Za-z0-9_-]+)\s*\)\s*\]"
)
_INDEXED = re.compile(r"\b(vars|secrets)\s*\[")
_INPUT = re.compile(r"^\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$")
_MATRIX = re.compile(r"^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$")
# Secrets every job has without anyone setting them.
BUILT_IN_SECRETS = frozenset({"GITHUB_TOKEN"})


@dataclass(frozen=True)
class Read:
    """One `vars.X` or `secrets.X` a job reads, with the stack and environment it runs for."""

    kind: str  # "vars" or "secrets"
    name: str
    workflow: str
    job: str
    stack: str | None = None
    environment: str | None = None

    @property
    def where(self) -> str:
        return f"{self.workflow} job {self.job}"


@dataclass(frozen=True)
class Problem:
    """A workflow construct that cannot be checked or cannot work (one line each)."""

    workflow: str
    message: str

    def __str__(self) -> str:
        return f"{self.workflow}: {self.message}"


@dataclass
class WorkflowReads:
    reads: list[Read] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # (stack, environment) of every job that deploys a stack in an environment.
    environments: set[tuple[str, str]] = field(default_factory=set)


def load_workflows(workflow_dir: Path) -> dict[str, dict[str, Any]]:
    """Every workflow file under `workflow_dir`, parsed; BadInput names a broken one."""
    if not workflow_dir.is_dir():
        raise BadInput(f"{workflow_dir}: workflow directory not found")
    documents: dict[str, dict[str, Any]] = {}
    for path in sorted([*workflow_dir.glob("*.yml"), *workflow_dir.glob("*.yaml")]):
        try:
            document = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YAMLError) as error:
            raise BadInput(f"{path}: not a readable workflow ({_first_line(error)})") from None
        if not isinstance(document, dict) or not isinstance(document.get("jobs"), dict):
            raise BadInput(f"{path}: not a workflow (expected a mapping with 'jobs')")
        documents[path.name] = document
    return documents


def workflow_reads(workflow_dir: Path) -> WorkflowReads:
    documents = load_workflows(workflow_dir)
    result = WorkflowReads()
    for name, document in documents.items():
        if _is_reusable_only(document):
            continue  # judged through its callers, with their inputs
        for job_name, job in document["jobs"].items():
            _job_reads(name, str(job_name), job, {}, documents, result)
    return result


def _job_reads(
    workflow: str,
    job_name: str,
    job: Any,
    inputs: Mapping[str, str],
    documents: Mapping[str, dict[str, Any]],
    result: WorkflowReads,
) -> None:
    if not isinstance(job, dict):
        result.problems.append(Problem(workflow, f"job {job_name} is not a mapping"))
        return
    called = str(job.get("uses") or "")
    if called:
        _call_reads(workflow, job_name, job, called, inputs, documents, result)
        return
    for entry in _matrix_entries(job):
        stack = _resolve(job, entry, inputs, "stack")
        environment = _environment(job.get("environment"), entry, inputs)
        if stack and environment:
            result.environments.add((stack, environment))
        for kind, name in _names_in(job, entry, workflow, job_name, result):
            result.reads.append(Read(kind, name, workflow, job_name, stack, environment))


def _call_reads(
    workflow: str,
    job_name: str,
    job: dict[str, Any],
    called: str,
    inputs: Mapping[str, str],
    documents: Mapping[str, dict[str, Any]],
    result: WorkflowReads,
) -> None:
    target = called.removeprefix("./.github/workflows/")
    if target == called or target not in documents:
        result.problems.append(Problem(workflow, f"job {job_name} calls {called}, not found"))
        return
    with_inputs = {
        str(key): _substitute(str(value), inputs) for key, value in (job.get("with") or {}).items()
    }
    callee = documents[target]
    needed = sorted(
        {
            name
            for callee_job in callee["jobs"].values()
            for kind, name in _plain_names(callee_job)
            if kind == "secrets" and name not in BUILT_IN_SECRETS
        }
    )
    passed = job.get("secrets")
    if needed and passed != "inherit":
        given = set(passed) if isinstance(passed, dict) else set()
        missing = [name for name in needed if name not in given]
        if missing:
            result.problems.append(
                Problem(
                    workflow,
                    f"job {job_name} calls {target}, which reads secrets "
                    f"{', '.join(missing)}, without passing them (add `secrets: inherit`)",
                )
            )
    for callee_name, callee_job in callee["jobs"].items():
        _job_reads(target, f"{callee_name} (from {workflow} {job_name})", callee_job,
                   with_inputs, documents, result)  # fmt: skip


def _names_in(
    job: dict[str, Any], entry: Mapping[str, Any], workflow: str, job_name: str,
    result: WorkflowReads,
) -> Iterator[tuple[str, str]]:  # fmt: skip
    for text in _strings(job):
        for expression in _EXPRESSION.findall(text):
            covered: list[tuple[int, int]] = []
            for match in _FORMATTED.finditer(expression):
                covered.append(match.span())
                value = entry.get(match.group(3))
                if value is None:
                    result.problems.append(
                        Problem(
                            workflow,
                            f"job {job_name} reads {match.group(0)} but its matrix has no "
                            f"'{match.group(3)}'",
                        )
                    )
                    continue
                yield match.group(1), match.group(2).replace("{0}", str(value))
            for match in _INDEXED.finditer(expression):
                if not any(start <= match.start() < end for start, end in covered):
                    result.problems.append(
                        Problem(
                            workflow,
                            f"job {job_name} reads {match.group(1)}[...] in a form that cannot "
                            "be checked (use vars[format('NAME_{0}', matrix.KEY)])",
                        )
                    )
            yield from _PLAIN.findall(expression)


def _plain_names(job: Any) -> Iterator[tuple[str, str]]:
    for text in _strings(job):
        for expression in _EXPRESSION.findall(text):
            yield from _PLAIN.findall(expression)


def _matrix_entries(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The job's matrix combinations (include entries added), or one empty entry."""
    matrix = (job.get("strategy") or {}).get("matrix")
    if not isinstance(matrix, dict):
        return [{}]
    axes = {
        key: values
        for key, values in matrix.items()
        if key not in {"include", "exclude"} and isinstance(values, list)
    }
    entries = [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*axes.values())]
    if not axes:
        entries = []
    entries += [dict(item) for item in matrix.get("include") or [] if isinstance(item, dict)]
    return entries or [{}]


def _resolve(job: dict[str, Any], entry: Mapping[str, Any], inputs: Mapping[str, str],
             key: str) -> str | None:  # fmt: skip
    if key in entry:
        return str(entry[key])
    return inputs.get(key)


def _environment(value: Any, entry: Mapping[str, Any], inputs: Mapping[str, str]) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if value is None:
        return None
    text = str(value)
    matrix = _MATRIX.match(text)
    if matrix:
        resolved = entry.get(matrix.group(1))
        return None if resolved is None else str(resolved)
    return _substitute(text, inputs)


def _substitute(text: str, inputs: Mapping[str, str]) -> str:
    match = _INPUT.match(text)
    if match and match.group(1) in inputs:
        return inputs[match.group(1)]
    return text


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _is_reusable_only(document: Mapping[str, Any]) -> bool:
    triggers = document.get("on", document.get(True))
    if isinstance(triggers, dict):
        return set(triggers) == {"workflow_call"}
    if isinstance(triggers, list):
        return triggers == ["workflow_call"]
    return triggers == "workflow_call"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
