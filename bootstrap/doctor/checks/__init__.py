"""The doctor's checks, one module each, found by name like the CLI's commands.

A check module defines `ORDER` (an int: where its lines appear) and
`check(context: DoctorContext) -> Iterable[Item]`. To add a check (a signing certificate
step, a tenant-level diagnostic-setting permission, ...), add a module here: nothing else
changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from types import ModuleType

from ..model import DoctorContext, Item

Check = Callable[[DoctorContext], Iterable[Item]]


def all_checks() -> list[tuple[str, Check]]:
    modules: list[ModuleType] = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
    ]
    ordered = sorted(
        (m for m in modules if hasattr(m, "check")), key=lambda m: (m.ORDER, m.__name__)
    )
    return [(m.__name__.rpartition(".")[2], m.check) for m in ordered]
