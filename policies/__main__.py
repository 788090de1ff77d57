"""Entry point of the CrossGuard pack: `pulumi preview --policy-pack policies`.

The only place that constructs `PolicyPack`, whose constructor serves gRPC until the
engine stops it. The Pulumi CLI runs this file with the pack directory as the working
directory and PULUMI_STACK set; the stack's settings, enforcement levels and waivers come
from <repo>/stacks/Pulumi.<stack>.yaml.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from bootstrap.errors import BadInput  # noqa: E402
from components.config import ConfigError  # noqa: E402
from policies.context import PolicyContext  # noqa: E402
from policies.pack import PACK_NAME, build_policies, initial_config  # noqa: E402


def stack_context() -> PolicyContext:
    # Cloud backends may qualify the name (org/project/stack); stack files use the last part.
    stack = os.environ.get("PULUMI_STACK", "").rpartition("/")[2]
    if not stack:
        return PolicyContext.default()
    return PolicyContext.for_stack(stack, REPO_ROOT / "stacks")


def main() -> None:
    try:
        context = stack_context()
    except (ConfigError, BadInput) as error:
        sys.stderr.write(f"{error}\n")
        raise SystemExit(2) from None
    policies = build_policies(context)
    PolicyPack(
        PACK_NAME,
        policies=policies,
        enforcement_level=EnforcementLevel.MANDATORY,
        initial_config=initial_config(context, policies),
        description="Secure AKS / Azure Arc baseline: the control catalog of policies/catalog.yaml",
    )


if __name__ == "__main__":
    main()
