"""Finding and loading the stack files a command works on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bootstrap.errors import BadInput

if TYPE_CHECKING:
    from components.config import PlatformConfig

DEFAULT_STACK_DIR = Path("stacks")
# Promotion order: reports list dev before staging before prod.
_ORDER = {"dev": 0, "test": 1, "staging": 2, "prod": 3}


@dataclass(frozen=True)
class Stack:
    name: str
    path: Path
    config: PlatformConfig
    # The file's `config:` mapping as plain values (every namespace), for the engine.
    raw_config: dict[str, Any]


def stack_names(stack_dir: Path) -> list[str]:
    if not stack_dir.is_dir():
        raise BadInput(f"{stack_dir}: stack directory not found")
    names = [p.name[len("Pulumi.") : -len(".yaml")] for p in stack_dir.glob("Pulumi.*.yaml")]
    return sorted(names, key=lambda name: (_ORDER.get(name, 99), name))


def select(stack_dir: Path, requested: list[str]) -> list[str]:
    available = stack_names(stack_dir)
    if not available:
        raise BadInput(f"{stack_dir}: no Pulumi.<stack>.yaml files found")
    for name in requested:
        if name not in available:
            raise BadInput(
                f"{stack_dir / f'Pulumi.{name}.yaml'}: stack not found "
                f"(available: {', '.join(available)})"
            )
    return requested or available


def load(stack_dir: Path, name: str) -> Stack:
    # The schema (pydantic) loads here, not at import: every command imports this module,
    # and `--help` or a refused plan file need no schema.
    from components.config import load_stack_file, read_stack_document, stack_file
    from components.config.loader import plain_values

    path = stack_file(stack_dir, name)
    config = load_stack_file(path, name)
    raw = {
        str(key): plain_values(value) for key, value in read_stack_document(path)["config"].items()
    }
    return Stack(name=name, path=path, config=config, raw_config=raw)
