"""Runs the real Pulumi program (`__main__.py`) in-process under mocks, one stack at a time.

This is the offline engine: no Pulumi CLI, no cloud. The program is executed exactly as
`pulumi up` would execute it, only the resource monitor is a recording mock.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import runpy
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource_runtime
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.settings import get_root_resource
from pulumi.runtime.stack import Stack, massage, wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await

from bootstrap.errors import BadInput

from .mocks import PlatformMocks
from .monitor import RecordingMonitor

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAM = REPO_ROOT / "__main__.py"
PROJECT = "aks-platform"


@dataclass
class StackRun:
    stack: str
    resources: list[dict[str, Any]]
    outputs: dict[str, Any] = field(default_factory=dict)
    preview: bool = False


def engine_config(raw_config: dict[str, Any]) -> dict[str, str]:
    """Stack-file values as the engine hands them to a program: strings, structured as JSON."""
    return {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in raw_config.items()
    }


def run_stack(
    stack: str,
    raw_config: dict[str, Any],
    subscription_id: str,
    tenant_id: str,
    program: Path = PROGRAM,
    drop_aliases: bool = True,
    preview: bool = False,
) -> StackRun:
    """Executes the program for one stack and returns the recorded resource graph.

    `drop_aliases=False` keeps azure-native's provider-version aliases, as the real engine
    does; only the benchmark uses it, to show what dropping them saves.

    `preview=True` runs the program as a first `pulumi preview` does (dry run, providers
    answering with preview outputs, see preview.py): each entry's `inputs` are what the
    engine hands resource policies (unknown where they derive from an output unknown at
    preview), its `outputs` what it hands stack policies.
    """
    # Each stack gets a fresh context: the SDK keeps its root resource and config in
    # context variables, so stacks cannot leak into each other.
    return contextvars.Context().run(
        _run, stack, raw_config, subscription_id, tenant_id, program, drop_aliases, preview
    )


def _run(
    stack: str,
    raw_config: dict[str, Any],
    subscription_id: str,
    tenant_id: str,
    program: Path,
    drop_aliases: bool,
    preview: bool,
) -> StackRun:
    mocks = PlatformMocks(subscription_id, tenant_id, preview=preview)
    monitor = RecordingMonitor(mocks, preview=preview)
    set_all_config(engine_config(raw_config))
    pulumi_mocks.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=monitor)
    # azure-native attaches ~100 provider-version aliases to some types; they only serve
    # state migration in the real engine and dominate mocked registration time.
    if drop_aliases:
        pulumi.runtime.register_stack_transformation(_drop_aliases)
    with _without_source_positions():
        try:
            runpy.run_path(str(program), run_name="__main__")
            # The real engine registers `pulumi.export` values when the program ends.
            # (set_mocks already closed the stack once, before the program ran.)
            root = get_root_resource()
            if isinstance(root, Stack):
                root.register_outputs(massage(root.outputs, []))
            _sync_await(wait_for_rpcs())
        except pulumi.RunError as error:
            raise BadInput(str(error)) from None
    return StackRun(
        stack=stack,
        resources=[entry.as_plan_entry() for entry in monitor.recorded],
        outputs=monitor.stack_outputs,
        preview=preview,
    )


@contextlib.contextmanager
def _without_source_positions() -> Iterator[None]:
    """Skips the SDK's per-resource stack capture while the program runs under mocks.

    The real engine uses it to point diagnostics at program lines; offline, nobody reads
    it, and `traceback.extract_stack()` per registration is a third of the engine's time.
    """
    original = getattr(pulumi_resource_runtime, "_get_stack_trace", None)
    if original is None:  # a future SDK without it: nothing to skip
        yield
        return
    pulumi_resource_runtime._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        pulumi_resource_runtime._get_stack_trace = original


def _drop_aliases(
    args: pulumi.ResourceTransformationArgs,
) -> pulumi.ResourceTransformationResult | None:
    if not args.opts.aliases:
        return None
    options = args.opts._copy()
    options.aliases = None
    return pulumi.ResourceTransformationResult(args.props, options)
