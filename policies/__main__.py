"""Entry point of the CrossGuard pack: `pulumi preview --policy-pack policies`.

The only place that constructs `PolicyPack`, whose constructor serves gRPC until the
engine stops it. The Pulumi CLI runs it as `python -u -m pulumi.policy <engine> <pack dir>`
in the venv of PulumiPolicy.yaml, working directory the pack dir (see PulumiPolicy.yaml);
the stack and its config come from the engine (engine_context.py). It imports the
repository's own modules (components.config, policies) but never the CLI package
`bootstrap`: the pack runs in a venv built from policies/requirements.txt alone.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from components.config import ConfigError  # noqa: E402
from policies.engine_context import StackUnknown, context_from_engine  # noqa: E402
from policies.pack import PACK_NAME, build_policies, initial_config  # noqa: E402


def main() -> None:
    try:
        context = context_from_engine(os.environ, REPO_ROOT / "stacks")
    except (ConfigError, StackUnknown) as error:
        # One line on stderr, nothing on stdout: the CLI reports that the pack failed to
        # start and shows this line (no port was announced, so nothing is judged).
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
