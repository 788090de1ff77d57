"""The environment the pack judges, from what the Pulumi engine hands it.

When `pulumi preview` / `pulumi up` load the pack, the engine sends its ConfigureStack
request to the Python language host's policy proxy first; the host then starts the pack with
PULUMI_ORGANIZATION, PULUMI_PROJECT, PULUMI_STACK, PULUMI_DRY_RUN and PULUMI_CONFIG taken from
it (pulumi/pulumi @ 1b5949891b3c, sdk/python/cmd/pulumi-language-python/main.go `RunPlugin`,
sdk/policy_proxy.go). PULUMI_CONFIG is the stack's decrypted configuration as a JSON object
of strings, structured values JSON-encoded (pkg/engine/update.go passes `target.Config`
after decryption): the stack file merged with ESC environments and `--config-file`, exactly
what the program sees. pulumi-policy 1.21.0 reads only the tags from its own ConfigureStack
(pulumi_policy/policy.py), so the environment is the channel; `pulumi.policy`'s entry point
configures `pulumi.get_stack()` from the same PULUMI_STACK.

Commands that load a pack without a stack (`pulumi policy publish`: "The engine sometimes
calls other methods before calling StackConfiguration", sdk/policy_proxy.go) set none of
these. The pack then refuses to start, in one line, instead of judging every resource
against non-production defaults with no waivers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from components.config import ConfigError, config_from_engine, load_stack_file, stack_file

from .context import PolicyContext

STACK_VARIABLE = "PULUMI_STACK"
CONFIG_VARIABLE = "PULUMI_CONFIG"


class StackUnknown(Exception):
    """The engine did not say which stack (or config) to judge; `str()` is one line."""


def stack_from_engine(environ: Mapping[str, str]) -> str:
    # Cloud backends may qualify the name (org/project/stack); stack files use the last part.
    stack = environ.get(STACK_VARIABLE, "").rpartition("/")[2]
    if not stack:
        raise StackUnknown(
            f"policies: {STACK_VARIABLE} is not set, so the stack to judge is unknown; run the "
            "pack through `pulumi preview|up --policy-pack policies -s <stack>`, which sets it"
        )
    return stack


def context_from_engine(environ: Mapping[str, str], stack_dir: Path) -> PolicyContext:
    """The stack's settings, enforcement levels and waivers.

    From PULUMI_CONFIG when the engine passes it, validated by the schema `pulumi up`
    validates the program's config with (components.config); from the stack file only when
    the engine passes no config; never from defaults.
    """
    stack = stack_from_engine(environ)
    path = stack_file(stack_dir, stack)
    shown_file = path if path.is_file() else None
    raw = environ.get(CONFIG_VARIABLE)
    if raw is not None:
        try:
            values = json.loads(raw)
        except json.JSONDecodeError as error:
            raise StackUnknown(
                f"policies: {CONFIG_VARIABLE} for stack {stack} is not JSON ({error.msg} at "
                f"character {error.pos})"
            ) from None
        if not isinstance(values, dict):
            raise StackUnknown(
                f"policies: {CONFIG_VARIABLE} for stack {stack} is not a JSON object of config keys"
            )
        config = config_from_engine(values, stack, stack_dir)
        return PolicyContext.from_config(config, stack_file=shown_file)
    if shown_file is None:
        raise StackUnknown(
            f"policies: no config for stack {stack}: {CONFIG_VARIABLE} is not set and "
            f"{path} does not exist"
        )
    return PolicyContext.from_config(load_stack_file(path, stack), stack_file=path)


__all__ = [
    "CONFIG_VARIABLE",
    "STACK_VARIABLE",
    "ConfigError",
    "StackUnknown",
    "context_from_engine",
    "stack_from_engine",
]
