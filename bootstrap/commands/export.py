"""`bootstrap export --format arm F`: the plan's Azure resources as an ARM template.

    bootstrap export --format arm out/prod.arm.json --stack prod     offline engine
    bootstrap export --format arm out/prod.arm.json --plan plan.json  any plan file

so that ARM scanners (checkov, PSRule) can read what the Pulumi program declares, e.g.
`checkov -f out/prod.arm.json --framework arm`. Exit 0, or 2 on bad input or an output
path that cannot be written (one line, nothing written).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bootstrap.cli_options import add_stack_dir

FORMATS = ("arm",)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="the plan as ARM-shaped JSON for ARM scanners",
        description="Write the plan's Azure resources as an ARM template (checkov, PSRule).",
    )
    parser.add_argument("--format", choices=FORMATS, required=True, help="output format")
    parser.add_argument("output", type=Path, metavar="F", help="file to write")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", metavar="ENV", help="plan this stack with the offline engine")
    source.add_argument("--plan", type=Path, metavar="P", help="plan / preview / export JSON")
    add_stack_dir(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bootstrap.outputs import Output, check_target, json_text, shown, write_files
    from bootstrap.reports import untrusted

    check_target(args.output, "ARM template")
    resources = _resources(args)  # input before the heavy imports: a refusal needs none
    from policies.sources.arm import to_template

    template = to_template(resources)
    write_files([Output(args.output, "ARM template", json_text(template))])
    shown = untrusted.plain(shown(args.output), untrusted.MESSAGE_LIMIT)
    print(f"ARM template written: {shown} ({len(template['resources'])} resources)")
    return 0


def _resources(args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.plan is not None:
        from policies.sources.plan_files import load_plan_file

        return load_plan_file(args.plan).resources
    from bootstrap import stacks
    from bootstrap.engine import run_stack

    names = stacks.select(args.stack_dir, [args.stack])
    stack = stacks.load(args.stack_dir, names[0])
    return run_stack(
        stack.name, stack.raw_config, stack.config.subscription_id, stack.config.tenant_id
    ).resources
