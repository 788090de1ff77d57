"""One evaluator for every source: the pack's policy objects, run in-process over plan resources.

The resources are plan entries (`{urn, type, name, parent, inputs, dependencies?}`), from the
offline engine, a plan file, `pulumi preview --json`, `pulumi stack export` or Kubernetes
manifests. Each is turned into the objects CrossGuard itself builds - properties through
`deserialize_properties` and the `unknown_checking_proxy`, `ResourceValidationArgs`,
`PolicyResource`, `StackValidationArgs` - and every policy runs exactly as under
`pulumi preview --policy-pack policies`: resource policies get an entry's `inputs`
(Analyze), stack policies its `outputs` when the entry records them (AnalyzeStack; the
offline engine's preview-fidelity mode does), with parents, dependencies and property
dependencies linked. Before the stack policies run, every entry's inputs are recorded for
them as the pack records what Analyze handed it (rules/analyzed.py). A value a check cannot
decide at preview makes it "unknown" (cannot be decided at preview), never a pass; values a
check deliberately leaves to `pulumi up` are counted per control (`atApply`).

Results follow DESIGN §6. Failures, unknowns and waived failures are listed one by one;
passes are aggregated to one entry per control with a `count`; every waiver of the stack
appears as an entry of kind "waiver".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError

from .catalog import Control, load_catalog
from .context import PolicyContext
from .engine_props import engine_props
from .rules import ALL_RULES, Rule
from .rules.analyzed import ANALYZED_INPUTS
from .rules.props import deferred_count

STACK_TYPE = "pulumi:pulumi:Stack"
WAIVER_KIND = "waiver"
_NO_TIMEOUTS = PolicyCustomTimeouts(0, 0, 0)


# ---- building CrossGuard's objects from plan entries


def policy_resources(resources: Sequence[Mapping[str, Any]]) -> list[PolicyResource]:
    """The plan entries as stack policies see them: CrossGuard's PolicyResource objects,
    parents and dependencies linked, properties the entry's `outputs` when it records them
    (AnalyzeStack receives each resource's outputs), else its inputs."""
    built: list[PolicyResource] = []
    by_urn: dict[str, PolicyResource] = {}
    for entry in resources:
        urn = str(entry.get("urn") or "")
        resource_type = str(entry.get("type") or "")
        parent = entry.get("parent") or None
        options = PolicyResourceOptions(False, [], None, [], _NO_TIMEOUTS, [], parent)
        resource = PolicyResource(
            resource_type,
            _props(_stack_view(entry)),
            urn,
            resource_name(entry),
            options,
            None,
            None,
            [],
            {},
        )
        built.append(resource)
        by_urn.setdefault(urn, resource)
    for entry, resource in zip(resources, built, strict=True):
        parent_urn = entry.get("parent")
        if parent_urn:
            resource.parent = by_urn.get(parent_urn)
        resource.dependencies = [
            by_urn[d] for d in entry.get("dependencies") or () if d in by_urn and d != resource.urn
        ]
        property_dependencies = entry.get("propertyDependencies")
        if isinstance(property_dependencies, Mapping):
            resource.property_dependencies = {
                str(key): [by_urn[d] for d in urns or () if d in by_urn]
                for key, urns in property_dependencies.items()
            }
    return built


def resource_name(entry: Mapping[str, Any]) -> str:
    """The resource's name as the engine passes it: the last part of its URN."""
    urn = str(entry.get("urn") or "")
    return str(entry.get("name") or urn.rpartition("::")[2])


def _stack_view(entry: Mapping[str, Any]) -> Any:
    outputs = entry.get("outputs")
    return outputs if isinstance(outputs, Mapping) else entry.get("inputs")


def _props(raw: Any) -> Any:
    """The props CrossGuard hands a policy for these plan values (engine_props.py)."""
    return engine_props(raw)


# ---- running the policies


class _Collector:
    """The report_violation callback: records (message, urn) pairs."""

    def __init__(self) -> None:
        self.violations: list[tuple[str, str | None]] = []

    def __call__(self, message: str, urn: str | None = None) -> None:
        self.violations.append((message, urn))


def evaluate(
    resources: Sequence[Mapping[str, Any]],
    context: PolicyContext | None = None,
    rules: Iterable[Rule] = ALL_RULES,
    stack_outputs: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Runs every policy over the resources; the results of DESIGN §6 (see module doc).

    `stack_outputs` (the program's exports) are shown on the pulumi:pulumi:Stack resource,
    where CrossGuard's stack policies see them.
    """
    context = context or PolicyContext.default()
    config = context.policy_config()
    if stack_outputs:
        resources = [
            {**r, "outputs": {**(r.get("outputs") or {}), **stack_outputs}}
            if r.get("type") == STACK_TYPE
            else r
            for r in resources
        ]
    built = policy_resources(resources)
    rules = tuple(rules)
    findings: list[dict[str, Any]] = []
    passes: Counter[str] = Counter()
    deferred: Counter[str] = Counter()

    by_type: dict[str, list[Rule]] = {}
    for rule in rules:
        if not rule.is_stack:
            for resource_type in rule.resource_types:
                by_type.setdefault(resource_type, []).append(rule)
    wildcard = [
        r for r in rules if not r.is_stack and any(t.endswith("*") for t in r.resource_types)
    ]
    # Resource policies see every resource's inputs (Analyze) before stack policies see the
    # outputs (AnalyzeStack); the pack keeps those inputs for its stack policies.
    analyzed: dict[str, Any] = {}
    matching_rules: dict[str, list[Rule]] = {}
    for entry, resource in zip(resources, built, strict=True):
        props = resource.props if "outputs" not in entry else _props(entry.get("inputs"))
        analyzed.setdefault(resource.urn, props)
        matching = matching_rules.get(resource.resource_type)
        if matching is None:  # the rules of a type, once per type
            matching = [
                *by_type.get(resource.resource_type, ()),
                *(r for r in wildcard if r.control.applies_to(resource.resource_type)),
            ]
            matching_rules[resource.resource_type] = matching
        for rule in matching:
            args = ResourceValidationArgs(
                resource.resource_type,
                props,
                resource.urn,
                resource.name,
                resource.opts,
                None,
                config,
            )
            _run(rule, args, resource.urn, findings, passes, deferred)

    ANALYZED_INPUTS.replace(analyzed)
    stack_args = StackValidationArgs(built, config)
    for rule in rules:
        if rule.is_stack:
            _run(rule, stack_args, None, findings, passes, deferred)

    results = [_adjudicate(finding, context) for finding in findings]
    results.extend(_passes(passes, rules, context))
    _note_deferred(results, deferred)
    results.extend(_waiver_entries(context, results))
    return results


def _run(
    rule: Rule,
    args: Any,
    urn: str | None,
    findings: list[dict[str, Any]],
    passes: Counter[str],
    deferred: Counter[str],
) -> None:
    collect = _Collector()
    control = rule.control
    before = deferred_count()
    try:
        rule.policy.validate(args, collect)  # type: ignore[attr-defined]
    except UnknownValueError as unknown:
        findings.append(
            _finding(control, urn, "unknown", f"cannot be decided at preview: {unknown.message}")
        )
        return
    except _NotApplicableError:
        return
    except Exception as error:
        findings.append(_finding(control, urn, "fail", f"the check could not run: {error!r}"))
        return
    finally:
        # Values the check left to `pulumi up` (unknown at a first preview; catalog atApply).
        deferred[control.id] += deferred_count() - before
    if not collect.violations:
        passes[control.id] += 1
    for message, reported_urn in collect.violations:
        findings.append(_finding(control, reported_urn or urn, "fail", message))


def _note_deferred(results: list[dict[str, Any]], deferred: Counter[str]) -> None:
    """`atApply`: how many values a control left to `pulumi up`, on its pass entry (or its
    first finding when nothing passed)."""
    wanted = {control_id for control_id, count in deferred.items() if count}
    first: dict[str, dict[str, Any]] = {}
    first_pass: dict[str, dict[str, Any]] = {}
    for result in results:  # one pass, not one per control
        controls = result["controls"]
        if len(controls) != 1 or controls[0] not in wanted:
            continue
        first.setdefault(controls[0], result)
        if result["status"] == "pass":
            first_pass.setdefault(controls[0], result)
    for control_id, count in deferred.items():
        entry = first_pass.get(control_id) or first.get(control_id)
        if count and entry is not None:
            entry["atApply"] = count


def _finding(control: Control, urn: str | None, status: str, message: str) -> dict[str, Any]:
    return {
        "policy": control.policy,
        "controls": [control.id],
        "urn": urn,
        "status": status,
        "enforcement": control.enforcement,
        "message": message,
    }


def _adjudicate(finding: dict[str, Any], context: PolicyContext) -> dict[str, Any]:
    """Applies the environment's enforcement level and waivers to one finding."""
    control = load_catalog().get(finding["controls"][0])
    finding["enforcement"] = context.enforcement_of(control)
    if finding["status"] != "fail":
        return finding
    waiver = context.waiver_for(control.id, finding["urn"])
    if waiver is None:
        return finding
    finding["waiver"] = _waiver_record(waiver)
    if waiver.is_expired():
        finding["message"] += f" (waiver expired on {waiver.expires.isoformat()})"
    else:
        finding["status"] = "waived"
    return finding


def _passes(
    passes: Counter[str], rules: Sequence[Rule], context: PolicyContext
) -> list[dict[str, Any]]:
    entries = []
    for rule in rules:
        count = passes.get(rule.control.id)
        if count:
            entry = _finding(rule.control, None, "pass", f"{count} check(s) passed")
            entry["enforcement"] = context.enforcement_of(rule.control)
            entry["count"] = count
            entries.append(entry)
    return entries


def _waiver_record(waiver: Any) -> dict[str, Any]:
    return {
        "control": waiver.control,
        "resource": waiver.resource,
        "reason": waiver.reason,
        "expires": waiver.expires.isoformat(),
        "expired": waiver.is_expired(),
    }


def waiver_entries(
    context: PolicyContext, results: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The waiver entries for results assembled from several evaluations (sources/scope.py)."""
    return _waiver_entries(context, results)


def _waiver_entries(
    context: PolicyContext, results: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One entry per declared waiver, with how many findings it covers right now."""
    entries = []
    covering = Counter(
        _record_key(r["waiver"])
        for r in results
        if r.get("status") == "waived" and isinstance(r.get("waiver"), dict)
    )
    for waiver in context.waivers:
        record = _waiver_record(waiver)
        covered = covering[_record_key(record)]
        control = load_catalog().get(waiver.control)
        entries.append(
            {
                "kind": WAIVER_KIND,
                "policy": control.policy,
                "controls": [waiver.control],
                "urn": waiver.resource,
                "status": "expired" if record["expired"] else "active",
                "enforcement": context.enforcement_of(control),
                "message": f"waiver until {record['expires']}: {waiver.reason}"
                f" (covers {covered} finding(s))",
                "waiver": record,
            }
        )
    return entries


def _record_key(record: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """A waiver record as a hashable value: equal records, equal keys."""
    return tuple(sorted(record.items()))


# ---- the summary


def summarize(
    resources: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """DESIGN §6 summary plus per-control counts for reports."""
    findings = [r for r in results if r.get("kind") != WAIVER_KIND]
    waivers = [r for r in results if r.get("kind") == WAIVER_KIND]
    failed = [r for r in findings if r["status"] == "fail"]
    catalog = load_catalog()
    per_control: dict[str, dict[str, int]] = {}
    deferred: dict[str, int] = {}
    for result in findings:
        for control_id in result["controls"]:
            counts = per_control.setdefault(
                control_id, {"checked": 0, "failed": 0, "waived": 0, "unknown": 0}
            )
            status = result["status"]
            counts["checked"] += int(result.get("count", 1)) if status == "pass" else 1
            if result.get("atApply"):
                deferred[control_id] = deferred.get(control_id, 0) + int(result["atApply"])
            if status in ("waived", "unknown"):
                counts[status] += 1
            elif status == "fail":
                counts["failed"] += 1
    return {
        "resources": len(resources),
        "violations": sum(1 for r in failed if r["enforcement"] == "mandatory"),
        "waived": sum(1 for r in findings if r["status"] == "waived"),
        "advisory": sum(1 for r in failed if r["enforcement"] == "advisory"),
        "unknown": sum(1 for r in findings if r["status"] == "unknown"),
        "waivers": len(waivers),
        "expiredWaivers": sum(1 for r in waivers if r["status"] == "expired"),
        # Controls judged here that leave a part to `pulumi up` (catalog atApply), and how
        # many values each left there in this plan (preview fidelity: values unknown).
        "atApply": sorted(
            c for c in per_control if (c in catalog and catalog.get(c).at_apply) or c in deferred
        ),
        "deferredToApply": dict(sorted(deferred.items())),
        "controls": dict(sorted(per_control.items())),
    }
