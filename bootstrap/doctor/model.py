"""The doctor's vocabulary: one Item per thing to do, and the facts checks may ask about."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bootstrap.errors import BadInput
from bootstrap.stacks import Stack

# missing: known offline to be absent (exit 1). check: cannot be known offline; the line
# carries the `az`/`gh` command that checks it live with the user's own login (printed,
# never run) and the command that fixes it. ok: in place.
Status = Literal["missing", "check", "ok"]


@dataclass(frozen=True)
class Item:
    status: Status
    stack: str | None
    what: str
    # The exact command (or edit) that fixes it.
    fix: str = ""
    # The command that checks it live (status "check").
    verify: str = ""

    def line(self) -> str:
        label = {"missing": "MISSING", "check": "CHECK  ", "ok": "ok     "}[self.status]
        parts = [f"{label} {self.stack or '-':<8} {self.what}"]
        if self.verify:
            parts.append(f"check: {self.verify}")
        if self.fix and self.status != "ok":
            parts.append(f"fix: {self.fix}")
        return " | ".join(parts)


@dataclass
class DoctorContext:
    """What the checks look at: the repository, the selected stacks, the environment."""

    root: Path
    stack_dir: Path
    stacks: list[Stack]
    environ: Mapping[str, str]
    # True when no ENV was given: every stack file of the project is in `stacks`.
    all_stacks: bool = True
    _plans: dict[str, list[dict[str, Any]]] = field(init=False, default_factory=dict)

    @property
    def workflow_dir(self) -> Path:
        return self.root / ".github" / "workflows"

    def plan(self, stack: Stack) -> list[dict[str, Any]]:
        """The stack's offline plan (the resource graph `pulumi up` would create)."""
        if stack.name not in self._plans:
            from bootstrap.engine import run_stack

            config = stack.config
            run = run_stack(stack.name, stack.raw_config, config.subscription_id, config.tenant_id)
            self._plans[stack.name] = run.resources
        return self._plans[stack.name]

    def project(self) -> dict[str, Any]:
        """Pulumi.yaml, parsed (BadInput when unreadable)."""
        return _project(self.root / "Pulumi.yaml")


def _project(path: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        document = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"{path}: not found (run doctor from the project root)") from None
    except (OSError, UnicodeDecodeError, YAMLError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise BadInput(f"{path}: not a readable Pulumi.yaml ({first})") from None
    if not isinstance(document, dict):
        raise BadInput(f"{path}: expected a mapping (name, runtime, ...)")
    return document


def project_backend_url(project: Mapping[str, Any]) -> str | None:
    backend = project.get("backend")
    if isinstance(backend, dict) and isinstance(backend.get("url"), str):
        return backend["url"]
    return None
