"""The control catalog (policies/catalog.yaml) as typed data, and its README table.

`python -m policies.catalog --markdown` prints the Markdown table that README.md carries
between the markers below; tests/policies/test_policy_catalog.py fails when the README is stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import cache
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")
README_START = "<!-- controls:start -->"
README_END = "<!-- controls:end -->"

Enforcement = Literal["mandatory", "advisory"]
STACK = "stack"
# `azure-native:*`: every resource type of that provider (a control that must follow new types).
WILDCARD = ":*"
STAGES = ("plan", "code", "build", "test", "release", "deploy", "operate", "monitor")
SECTIONS = (
    "Identity",
    "Network",
    "Cluster",
    "Registry",
    "Key Vault",
    "Governance",
    "Kubernetes objects",
    "Arc",
    "Delivery",
    "Provider schema",
    "Deployment hazards",
    "Detection",
    "Supply chain",
    "Tenancy",
)
# `scope: cluster`: the control judges a whole cluster (what only the cluster-wide baseline
# provides). `bootstrap check --manifests` applies it only when the checked folder is a
# whole cluster (policies/sources/scope.py); a team's folder is judged without it.
SCOPES = ("cluster",)
_ID = re.compile(r"^[A-Z]{2,4}-[A-Z]{2,4}-\d{2}$")
# How CrossGuard judges at apply what a first preview cannot (pulumi/pulumi @ 1b5949891b3c,
# pkg/resource/deploy/step_generator.go, deployment_executor.go).
AT_APPLY_INTRO = (
    "Decided in part at apply: at a first `pulumi preview` these controls judge every value "
    "that is known, and the part below needs an output of a resource not created yet. "
    "`pulumi up` runs the pack again: resource policies when each resource is registered, "
    "with its inputs known, before it is created (a mandatory violation stops it), stack "
    "policies once after the last change, on the final outputs (a mandatory violation fails "
    "the update). `bootstrap plan --preview-fidelity` counts these values per control."
)
_POLICY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{2,80}$")


@dataclass(frozen=True)
class References:
    stage: str
    cis: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    # Where the rule comes from (Microsoft documentation, Microsoft's own tooling), for
    # controls whose authority is a published behaviour rather than a benchmark.
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Control:
    id: str
    section: str
    policy: str
    title: str
    resource_types: tuple[str, ...]
    enforcement: Enforcement
    references: References
    remediation: str
    # Set when part of the judgement needs values a first `pulumi preview` does not know:
    # which part, and when CrossGuard judges it during `pulumi up`. Empty: decided at preview.
    at_apply: str = ""
    # "cluster": judged only over a whole cluster's manifests (see SCOPES); "": anywhere.
    scope: str = ""

    @property
    def cluster_wide(self) -> bool:
        return self.scope == "cluster"

    @property
    def stack_level(self) -> bool:
        return STACK in self.resource_types

    @property
    def target_types(self) -> tuple[str, ...]:
        """The Pulumi type tokens the control looks at (without the `stack` marker)."""
        return tuple(t for t in self.resource_types if t != STACK)

    def applies_to(self, token: str) -> bool:
        """Exact type tokens, or every type of a provider for `<provider>:*`."""
        return any(
            token == t or (t.endswith(WILDCARD) and token.startswith(t[: -len("*")]))
            for t in self.target_types
        )


@dataclass(frozen=True)
class Catalog:
    controls: tuple[Control, ...]
    _by_id: dict[str, Control] = field(init=False, repr=False, compare=False)
    _by_policy: dict[str, Control] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.controls})
        object.__setattr__(self, "_by_policy", {c.policy: c for c in self.controls})

    def __iter__(self) -> Iterator[Control]:
        return iter(self.controls)

    def __len__(self) -> int:
        return len(self.controls)

    def __contains__(self, control_id: object) -> bool:
        return control_id in self._by_id

    def get(self, control_id: str) -> Control:
        return self._by_id[control_id]

    def by_policy(self, policy_name: str) -> Control:
        return self._by_policy[policy_name]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(control.id for control in self.controls)

    def suggest(self, unknown_id: str) -> str | None:
        """The closest known control ID, for did-you-mean hints."""
        close = get_close_matches(unknown_id.upper(), self.ids, n=1, cutoff=0.5)
        return close[0] if close else None


class CatalogError(ValueError):
    """catalog.yaml breaks its own schema: a bug in the repository, not user input."""


@cache
def load_catalog(path: Path = CATALOG_FILE) -> Catalog:
    document = _load_yaml(path.read_text(encoding="utf-8"))
    entries = document.get("controls") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{path}: expected a non-empty 'controls' list")
    controls = tuple(_control(entry, path) for entry in entries)
    _check_unique(controls, path)
    return Catalog(controls)


def _load_yaml(text: str) -> Any:
    """The catalog's one document, as ruamel's safe loader reads it (tokenised by libyaml
    where the text allows: the catalog is read at every start, components.untrusted)."""
    from components.untrusted import parse_yaml_documents

    documents = parse_yaml_documents(text, str(CATALOG_FILE.name))
    return documents[0][1] if len(documents) == 1 else YAML(typ="safe").load(text)


def _control(entry: Any, path: Path) -> Control:
    if not isinstance(entry, dict):
        raise CatalogError(f"{path}: every control must be a mapping")
    control_id = str(entry.get("id", ""))
    where = f"{path}: control {control_id or '?'}"
    allowed = {
        "id",
        "section",
        "policy",
        "title",
        "resourceTypes",
        "enforcement",
        "references",
        "remediation",
        "atApply",
        "scope",
    }
    extra = set(entry) - allowed
    if extra:
        raise CatalogError(f"{where}: unknown keys {sorted(extra)}")
    if not _ID.match(control_id):
        raise CatalogError(f"{where}: id must match {_ID.pattern}")
    section = entry.get("section")
    if section not in SECTIONS:
        raise CatalogError(f"{where}: section must be one of {SECTIONS}")
    policy = str(entry.get("policy", ""))
    if not _POLICY_NAME.match(policy):
        raise CatalogError(f"{where}: policy must be a lowercase slug")
    types = entry.get("resourceTypes")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise CatalogError(f"{where}: resourceTypes must be a non-empty list of type tokens")
    if types == [STACK]:
        pass
    elif any(t != STACK and t.count(":") < 2 and not t.endswith(WILDCARD) for t in types):
        raise CatalogError(f"{where}: resourceTypes must be Pulumi type tokens or 'stack'")
    enforcement = entry.get("enforcement", "mandatory")
    if enforcement not in ("mandatory", "advisory"):
        raise CatalogError(f"{where}: enforcement must be mandatory or advisory")
    refs = entry.get("references") or {}
    stage = refs.get("stage")
    if stage not in STAGES:
        raise CatalogError(f"{where}: references.stage must be one of {STAGES}")
    for text_key in ("title", "remediation"):
        if not isinstance(entry.get(text_key), str) or not entry[text_key].strip():
            raise CatalogError(f"{where}: {text_key} is required")
    at_apply = entry.get("atApply", "")
    if not isinstance(at_apply, str):
        raise CatalogError(f"{where}: atApply must be a sentence (what is judged at apply)")
    scope = entry.get("scope", "")
    if scope and scope not in SCOPES:
        raise CatalogError(f"{where}: scope must be one of {SCOPES}")
    return Control(
        id=control_id,
        section=section,
        policy=policy,
        title=entry["title"].strip(),
        resource_types=tuple(types),
        enforcement=enforcement,
        references=References(
            stage=stage,
            cis=tuple(str(item) for item in refs.get("cis") or ()),
            checkov=tuple(str(item) for item in refs.get("checkov") or ()),
            sources=tuple(str(item) for item in refs.get("sources") or ()),
        ),
        remediation=entry["remediation"].strip(),
        at_apply=at_apply.strip(),
        scope=scope,
    )


def _check_unique(controls: tuple[Control, ...], path: Path) -> None:
    for attribute in ("id", "policy"):
        seen: set[str] = set()
        for control in controls:
            value = getattr(control, attribute)
            if value in seen:
                raise CatalogError(f"{path}: duplicate {attribute} {value}")
            seen.add(value)


# ---------------------------------------------------------------- README table


def short_type(token: str) -> str:
    """`azure-native:containerservice:ManagedCluster` -> `containerservice:ManagedCluster`."""
    if token == STACK:
        return "stack"
    if token.endswith(WILDCARD):
        return token
    provider, _, rest = token.partition(":")
    if provider == "kubernetes":
        return rest.rpartition(":")[2]
    if provider == "azure-native":
        return rest
    return f"{provider}:{rest.rpartition(':')[2]}"


def markdown_table(catalog: Catalog | None = None) -> str:
    """The README's control table, one row per control in catalog order."""
    catalog = catalog or load_catalog()
    lines = [
        "| ID | Area | Rule | Applies to | Enforcement | Decided at | Stage | CIS | checkov |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for control in catalog:
        types = _collapse_types(control)
        lines.append(
            "| "
            + " | ".join(
                [
                    f"`{control.id}`",
                    control.section,
                    _cell(control.title),
                    types,
                    control.enforcement,
                    "preview, part at apply" if control.at_apply else "preview",
                    control.references.stage,
                    ", ".join(control.references.cis) or "-",
                    ", ".join(f"`{c}`" for c in control.references.checkov) or "-",
                ]
            )
            + " |"
        )
    decided_later = [control for control in catalog if control.at_apply]
    if decided_later:
        lines += ["", AT_APPLY_INTRO, ""]
        lines += [f"- `{control.id}`: {_cell(control.at_apply)}" for control in decided_later]
    return "\n".join(lines) + "\n"


def _collapse_types(control: Control) -> str:
    shorts = list(dict.fromkeys(short_type(t) for t in control.resource_types))
    if len(shorts) > 4:
        shorts = [*shorts[:3], f"+{len(shorts) - 3} more"]
    return ", ".join(shorts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def readme_block(catalog: Catalog | None = None) -> str:
    """The table with its markers, exactly as README.md must contain it."""
    return f"{README_START}\n{markdown_table(catalog)}{README_END}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m policies.catalog", description="Print the control catalog."
    )
    parser.add_argument(
        "--markdown", action="store_true", help="the README table, with its markers"
    )
    parser.add_argument(
        "--update-readme",
        type=Path,
        metavar="README",
        help="replace the table between the markers of this file in place",
    )
    args = parser.parse_args(argv)
    catalog = load_catalog()
    if args.update_readme is not None:
        text = args.update_readme.read_text(encoding="utf-8")
        if README_START not in text or README_END not in text:
            sys.stderr.write(f"{args.update_readme}: no {README_START} / {README_END} markers\n")
            return 2
        start = text.index(README_START)
        end = text.index(README_END, start) + len(README_END)
        args.update_readme.write_text(text[:start] + readme_block(catalog) + text[end:])
        return 0
    if args.markdown:
        sys.stdout.write(readme_block(catalog) + "\n")
        return 0
    for control in catalog:
        sys.stdout.write(f"{control.id}\t{control.enforcement}\t{control.title}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
