"""Hostile and careless input: every case is refused with one line, exit 2, nothing written.

`bootstrap` judges pull-request content in CI, so stack files, plan files and manifest
trees are attacker-controlled. Each row below builds one such input in a fresh folder and
runs the real command line on it as a separate process, bounded in time and memory
(hostile_support.py): alias bombs, FIFOs, devices, oversized files, deep nesting,
impossible values, symlink tricks, kustomizations that would use the network or loop, and
secrets typed into the wrong place. It must exit 2 with one line on stderr that names the
file (and the line, where there is one), no traceback, no report written, and no secret
echoed. Rows marked "handled before" are the cases the tool already refused; they stay
here so none comes back.
"""

# One row per line reads best, however wide.
# ruff: noqa: E501

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

import pytest
from hostile_support import (
    REPORT_ARGS,
    HostileCase,
    Outcome,
    assert_refused,
    billion_laughs_yaml,
    fifo,
    nested_flow,
    run_cases,
    sparse,
    symlink,
    write,
)
from support import minimal_stack_text

STACK = "stacks/Pulumi.dev.yaml"
PLAN = "plan.json"
MANIFESTS = "m"
SECRET_FILE = "secret.txt"  # where a case keeps the secret it typed in (outside out/)

PLAN_DEV = ("plan", "dev", *REPORT_ARGS)
CHECK_PLAN = ("check", "--plan", PLAN, *REPORT_ARGS)
CHECK_MANIFESTS = ("check", "--manifests", MANIFESTS, *REPORT_ARGS)
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"


# ---- inputs built at run time (no secret-looking text is committed)


def _token() -> str:
    return "gh" + "s_" + secrets.token_hex(18)


def _private_key() -> str:
    label = " ".join(("OPENSSH", "PRIVATE", "KEY"))
    body = base64.b64encode(os.urandom(240)).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"])


def _kept_secret(folder: Path) -> list[str]:
    """The secret a case typed in, as the pieces that must never be echoed."""
    text = (folder / SECRET_FILE).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if "-----" not in line] or [text]


def _stack(folder: Path, text: str | bytes) -> list[str]:
    write(folder, STACK, text)
    return list(PLAN_DEV)


def _with_stack(extra: str) -> str:
    return minimal_stack_text("dev") + extra


def _indented(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" for line in text.splitlines())


def _stack_with_secret(folder: Path, secret: str, place: str) -> list[str]:
    write(folder, SECRET_FILE, secret)
    if place == "repoUrl":
        extra = "  platform:gitops:\n    repoUrl: |\n" + _indented(secret, 6)
        return _stack(folder, _with_stack(extra))
    if place == "reason":  # free text: accepted as a string, refused as a secret
        extra = WAIVER.format("2026-01-01").replace(
            "reason: a reason of some length", "reason: |\n" + _indented(secret, 8).rstrip("\n")
        )
        return _stack(folder, _with_stack(extra))
    text = minimal_stack_text("dev").replace("owner: contoso", "owner: |\n" + _indented(secret, 6))
    return _stack(folder, text)


def _token_in_repo_url(folder: Path) -> list[str]:
    token = _token()
    write(folder, SECRET_FILE, token)
    url = f"https://x-access-token:{token}@github.com/contoso/platform.git"
    return _stack(folder, _with_stack(f"  platform:gitops:\n    repoUrl: {url}\n"))


def _plan(folder: Path, document: object) -> list[str]:
    write(folder, PLAN, json.dumps(document))
    return list(CHECK_PLAN)


def _plan_text(folder: Path, text: str | bytes) -> list[str]:
    write(folder, PLAN, text)
    return list(CHECK_PLAN)


def _resource(inputs: str = "{}") -> str:
    """One plan resource as JSON text, with `inputs` spliced in verbatim."""
    return (
        '{"urn": "urn:pulumi:dev::p::azure-native:resources:ResourceGroup::rg", '
        f'"type": "azure-native:resources:ResourceGroup", "inputs": {inputs}}}'
    )


def _our_plan_text(inputs: str) -> str:
    return '{"schemaVersion": 1, "resources": [\n' + _resource(inputs) + "\n]}\n"


def _manifest(folder: Path, text: str | bytes, name: str = "app.yaml") -> list[str]:
    write(folder, f"{MANIFESTS}/{name}", text)
    return list(CHECK_MANIFESTS)


def _kustomization(folder: Path, text: str) -> list[str]:
    write(folder, f"{MANIFESTS}/kustomization.yaml", text)
    write(folder, f"{MANIFESTS}/settings.yaml", CONFIG_MAP)
    return list(CHECK_MANIFESTS)


def _listed(folder: Path, text: str) -> list[str]:
    """A kustomization listing one file: kustomize, not this tool, reads it."""
    write(folder, f"{MANIFESTS}/kustomization.yaml", "resources: [listed.yaml]\n")
    write(folder, f"{MANIFESTS}/listed.yaml", text)
    return list(CHECK_MANIFESTS)


def _listed_fifo(folder: Path) -> list[str]:
    write(folder, f"{MANIFESTS}/kustomization.yaml", "resources: [listed.yaml]\n")
    fifo(folder, f"{MANIFESTS}/listed.yaml")
    return list(CHECK_MANIFESTS)


def _listed_too_large(folder: Path) -> list[str]:
    write(folder, f"{MANIFESTS}/kustomization.yaml", "resources: [listed.yaml]\n")
    sparse(folder, f"{MANIFESTS}/listed.yaml", 20 * 1024 * 1024, CONFIG_MAP.encode())
    return list(CHECK_MANIFESTS)


def _cycle(folder: Path) -> list[str]:
    write(folder, f"{MANIFESTS}/pods/pod.yaml", CONFIG_MAP)
    write(folder, f"{MANIFESTS}/pods/kustomization.yaml", "resources:\n  - pod.yaml\n")
    write(folder, f"{MANIFESTS}/a/kustomization.yaml", "resources:\n  - ../b\n  - ../pods\n")
    write(folder, f"{MANIFESTS}/b/kustomization.yaml", "resources:\n  - ../a\n  - ../pods\n")
    return list(CHECK_MANIFESTS)


def _valid_stack_and_owned(folder: Path, owned_text: str) -> list[str]:
    write(folder, STACK, minimal_stack_text("dev"))
    write(folder, "gitops/infrastructure/overlays/dev/kustomization.yaml", owned_text)
    return ["render", "dev", "--gitops-dir", "gitops"]


def _stack_and_manifest(folder: Path, stack_text: str) -> list[str]:
    write(folder, STACK, stack_text)
    write(folder, f"{MANIFESTS}/settings.yaml", CONFIG_MAP)
    return [*CHECK_MANIFESTS, "--stack", "dev"]


def _fifo_stack(folder: Path) -> list[str]:
    fifo(folder, STACK)
    return list(PLAN_DEV)


def _device_stack(folder: Path) -> list[str]:
    symlink(folder, STACK, "/dev/zero")
    return list(PLAN_DEV)


def _fifo_plan(folder: Path) -> list[str]:
    fifo(folder, PLAN)
    return list(CHECK_PLAN)


def _fifo_manifest(folder: Path) -> list[str]:
    write(folder, f"{MANIFESTS}/settings.yaml", CONFIG_MAP)
    fifo(folder, f"{MANIFESTS}/pod.yaml")
    return list(CHECK_MANIFESTS)


def _fifo_manifests_argument(folder: Path) -> list[str]:
    fifo(folder, "pod.yaml")
    return ["check", "--manifests", "pod.yaml", *REPORT_ARGS]


def _symlink_loop(folder: Path) -> list[str]:
    write(folder, f"{MANIFESTS}/settings.yaml", CONFIG_MAP)
    symlink(folder, f"{MANIFESTS}/a.yaml", "b.yaml")
    symlink(folder, f"{MANIFESTS}/b.yaml", "a.yaml")
    return list(CHECK_MANIFESTS)


def _symlink_outside(folder: Path) -> list[str]:
    write(folder, "outside.yaml", CONFIG_MAP.replace("settings", "outside"))
    symlink(folder, f"{MANIFESTS}/leak.yaml", "../outside.yaml")
    return list(CHECK_MANIFESTS)


def _missing_stack(folder: Path) -> list[str]:
    write(folder, STACK, minimal_stack_text("dev"))
    return ["plan", "qa", *REPORT_ARGS]


def _too_large_plan(folder: Path) -> list[str]:
    sparse(folder, PLAN, 300 * 1024 * 1024, b'{"schemaVersion": 1, "resources": [')
    return list(CHECK_PLAN)


def _too_large_manifest(folder: Path) -> list[str]:
    sparse(folder, f"{MANIFESTS}/big.yaml", 20 * 1024 * 1024, CONFIG_MAP.encode())
    return list(CHECK_MANIFESTS)


def _comments(megabytes: int) -> str:
    line = "  # " + "x" * 60 + "\n"
    return minimal_stack_text("dev") + line * (megabytes * 1024 * 1024 // len(line))


LOOKALIKE = "pl\u0430tform"  # Cyrillic a
WAIVER = "  platform:waivers:\n    - control: AKS-ID-01\n      reason: a reason of some length\n      expires: {}\n"
EXPORT = {"version": 3, "deployment": {"manifest": {}, "resources": []}}

CASES = [
    # ---- stack files (plan)
    HostileCase("stack-alias-bomb-ignored-namespace", lambda f: _stack(f, _with_stack(billion_laughs_yaml("  ", "azure-native:lol"))), (STACK, "alias")),
    HostileCase("stack-alias-bomb-platform", lambda f: _stack(f, minimal_stack_text("dev").replace("    repo: platform\n", "    repo: platform\n" + billion_laughs_yaml("    ", "x"))), (STACK, "alias")),
    HostileCase("stack-recursive-alias", lambda f: _stack(f, _with_stack("  azure-native:r: &r [*r]\n")), (f"{STACK}:", "alias")),
    HostileCase("stack-fifo", _fifo_stack, (STACK, "FIFO")),
    HostileCase("stack-dev-zero", _device_stack, (STACK, "device")),
    HostileCase("stack-10mb-of-comments", lambda f: _stack(f, _comments(10)), (STACK, "limit")),
    HostileCase("stack-deep-nesting", lambda f: _stack(f, _with_stack(f"  azure-native:deep: {nested_flow(400)}\n")), (f"{STACK}:", "deep")),
    HostileCase("stack-impossible-date", lambda f: _stack(f, _with_stack(WAIVER.format("2027-02-30"))), (f"{STACK}:", "2027-02-30")),
    HostileCase("stack-huge-integer", lambda f: _stack(f, _with_stack(f"  azure-native:n: {'9' * 5000}\n")), (f"{STACK}:", "digits")),
    HostileCase("stack-lone-surrogate", lambda f: _stack(f, _with_stack(WAIVER.format("2026-01-01").replace("a reason of some length", '"a reason \\udc80 of some length"'))), (f"{STACK}:", "surrogate")),
    HostileCase("stack-lookalike-namespace", lambda f: _stack(f, minimal_stack_text("dev").replace("platform:location", f"{LOOKALIKE}:location")), (f"{STACK}:", "did you mean 'platform:location'")),
    HostileCase("stack-misspelt-namespace", lambda f: _stack(f, minimal_stack_text("dev").replace("platform:location", "platfrom:location")), (f"{STACK}:", "did you mean 'platform:location'")),
    HostileCase("stack-token-in-repo-url", _token_in_repo_url, (f"{STACK}:", "repoUrl"), absent=_kept_secret),
    HostileCase("stack-private-key-in-repo-url", lambda f: _stack_with_secret(f, _private_key(), "repoUrl"), (f"{STACK}:", "repoUrl"), absent=_kept_secret),
    HostileCase("stack-private-key-in-owner", lambda f: _stack_with_secret(f, _private_key(), "owner"), (f"{STACK}:", "github.owner"), absent=_kept_secret),
    HostileCase("stack-private-key-in-waiver-reason", lambda f: _stack_with_secret(f, _private_key(), "reason"), (f"{STACK}:", "platform:waivers[0].reason", "secrets do not belong"), absent=_kept_secret),
    HostileCase("stack-via-check-alias-bomb", lambda f: _stack_and_manifest(f, _with_stack(billion_laughs_yaml("  ", "azure-native:lol"))), (STACK, "alias")),
    # handled before
    HostileCase("stack-invalid-yaml", lambda f: _stack(f, "config:\n  platform:environment: dev\n bad: [\n"), (f"{STACK}:", "invalid YAML")),
    HostileCase("stack-wrong-type", lambda f: _stack(f, minimal_stack_text("dev").replace("  platform:clusters:\n", "  platform:clusters: 3\n  azure-native:unused:\n")), (f"{STACK}:", "platform:clusters")),
    HostileCase("stack-bad-cidr", lambda f: _stack(f, minimal_stack_text("dev").replace("10.10.0.0/16", "10.10.0.0/33")), (f"{STACK}:", "addressSpace")),
    HostileCase("stack-bad-guid", lambda f: _stack(f, minimal_stack_text("dev").replace("00000000-0000-0000-0000-0000000000a1", "not-a-guid")), (f"{STACK}:", "tenantId")),
    HostileCase("stack-latin-1", lambda f: _stack(f, _with_stack("  # caf\xe9\n").encode("latin-1")), (STACK, "UTF-8")),
    HostileCase("stack-unknown-key", lambda f: _stack(f, _with_stack("  platform:netwrk: {}\n")), (f"{STACK}:", "did you mean 'network'")),
    HostileCase("stack-missing", _missing_stack, ("Pulumi.qa.yaml", "not found")),
    # ---- owned gitops files (render)
    HostileCase("owned-file-deep-nesting", lambda f: _valid_stack_and_owned(f, f"resources: {nested_flow(400)}\n"), ("gitops/infrastructure/overlays/dev/kustomization.yaml:", "deep")),
    HostileCase("owned-file-alias-bomb", lambda f: _valid_stack_and_owned(f, "resources: [../../base]\n" + billion_laughs_yaml()), ("gitops/infrastructure/overlays/dev/kustomization.yaml:", "alias")),
    # ---- plan files (check --plan)
    HostileCase("plan-fifo", _fifo_plan, (PLAN, "FIFO")),
    HostileCase("plan-dev-zero", lambda f: ["check", "--plan", "/dev/zero", *REPORT_ARGS], ("/dev/zero", "device")),
    HostileCase("plan-too-large", _too_large_plan, (PLAN, "limit")),
    HostileCase("plan-deep-nesting", lambda f: _plan_text(f, _our_plan_text('{"a": ' + nested_flow(400) + "}")), (f"{PLAN}:2", "deep")),
    HostileCase("plan-very-deep-nesting", lambda f: _plan_text(f, _our_plan_text('{"a": ' + nested_flow(100_000) + "}")), (f"{PLAN}:2", "deep")),
    HostileCase("plan-lone-surrogate", lambda f: _plan_text(f, _our_plan_text('{"tag": "\\udc80"}')), (f"{PLAN}:2", "surrogate")),
    HostileCase("plan-huge-integer", lambda f: _plan_text(f, _our_plan_text('{"n": ' + "9" * 5000 + "}")), (f"{PLAN}:2", "digits")),
    HostileCase("plan-not-a-number", lambda f: _plan_text(f, _our_plan_text('{"n": NaN}')), (f"{PLAN}:2", "NaN")),
    HostileCase("export-resources-object", lambda f: _plan(f, {**EXPORT, "deployment": {"resources": {"a": {}}}}), (f"{PLAN}:1", "deployment.resources")),
    HostileCase("export-resources-empty-object", lambda f: _plan(f, {**EXPORT, "deployment": {"resources": {}}}), (f"{PLAN}:1", "deployment.resources")),
    HostileCase("export-dependencies-object", lambda f: _plan(f, {**EXPORT, "deployment": {"resources": [{"urn": "urn:pulumi:dev::p::a:b:C::c", "type": "a:b:C", "dependencies": {}}]}}), (f"{PLAN}:1", "dependencies")),
    HostileCase("preview-steps-object", lambda f: _plan(f, {"steps": {}}), (f"{PLAN}:1", "steps")),
    HostileCase("export-command-fifo", lambda f: ["export", "--format", "arm", "out/arm.json", "--plan", fifo(f, PLAN).name], (PLAN, "FIFO")),
    # handled before
    HostileCase("plan-invalid-json", lambda f: _plan_text(f, '{\n  "schemaVersion": 1,\n  "resources": [,]\n}\n'), (f"{PLAN}:3", "invalid JSON")),
    HostileCase("plan-yaml-alias-bomb", lambda f: _plan_text(f, billion_laughs_yaml()), (f"{PLAN}:1", "invalid JSON")),
    HostileCase("plan-not-a-plan", lambda f: _plan(f, {"hello": "world"}), (f"{PLAN}:1", "not a plan")),
    HostileCase("plan-bad-type", lambda f: _plan(f, {"schemaVersion": 1, "resources": [{"urn": "urn:pulumi:a::b::c:d:E::e", "type": 3}]}), (f"{PLAN}:1", "type")),
    HostileCase("plan-utf-16", lambda f: _plan_text(f, json.dumps({"schemaVersion": 1, "resources": []}).encode("utf-16")), (PLAN, "UTF-8")),
    HostileCase("plan-missing", lambda f: list(CHECK_PLAN), (PLAN, "not found")),
    # ---- manifests (check --manifests)
    HostileCase("manifest-alias-bomb", lambda f: _manifest(f, CONFIG_MAP + "data:\n" + billion_laughs_yaml("  ")), (f"{MANIFESTS}/app.yaml:", "alias")),
    HostileCase("manifest-recursive-alias", lambda f: _manifest(f, CONFIG_MAP + "data: &d {a: *d}\n"), (f"{MANIFESTS}/app.yaml:", "alias")),
    HostileCase("manifest-fifo", _fifo_manifest, (f"{MANIFESTS}/pod.yaml", "FIFO")),
    HostileCase("manifests-argument-fifo", _fifo_manifests_argument, ("pod.yaml", "FIFO")),
    HostileCase("manifests-dev-zero", lambda f: ["check", "--manifests", "/dev/zero", *REPORT_ARGS], ("/dev/zero", "device")),
    HostileCase("manifest-too-large", _too_large_manifest, (f"{MANIFESTS}/big.yaml", "limit")),
    HostileCase("manifest-deep-nesting", lambda f: _manifest(f, CONFIG_MAP + f"data: {{a: {nested_flow(400)}}}\n"), (f"{MANIFESTS}/app.yaml:5", "deep")),
    HostileCase("manifest-huge-integer", lambda f: _manifest(f, CONFIG_MAP + f"data: {{a: {'9' * 5000}}}\n"), (f"{MANIFESTS}/app.yaml:5", "digits")),
    HostileCase("manifest-impossible-date", lambda f: _manifest(f, CONFIG_MAP + "data: {a: 2027-02-30}\n"), (f"{MANIFESTS}/app.yaml:5", "2027-02-30")),
    HostileCase("manifest-lone-surrogate", lambda f: _manifest(f, CONFIG_MAP + 'data: {a: "\\udc80"}\n'), (f"{MANIFESTS}/app.yaml:5", "surrogate")),
    HostileCase("manifest-symlink-loop", _symlink_loop, (f"{MANIFESTS}/a.yaml", "symlink")),
    HostileCase("manifest-symlink-outside-the-tree", _symlink_outside, (f"{MANIFESTS}/leak.yaml", "outside")),
    HostileCase("kustomize-reference-cycle", _cycle, (f"{MANIFESTS}/a/kustomization.yaml", "cycle", "m/b")),
    HostileCase("kustomize-remote-git", lambda f: _kustomization(f, "resources:\n  - settings.yaml\n  - github.com/example/repo//deploy?ref=v1\n"), (f"{MANIFESTS}/kustomization.yaml:3", "remote", "github.com/example/repo")),
    HostileCase("kustomize-remote-http", lambda f: _kustomization(f, "resources:\n  - https://example.com/pod.yaml\n"), (f"{MANIFESTS}/kustomization.yaml:2", "remote", "https://example.com/pod.yaml")),
    HostileCase("kustomize-remote-component", lambda f: _kustomization(f, "resources: [settings.yaml]\ncomponents:\n  - git@github.com:example/repo.git\n"), (f"{MANIFESTS}/kustomization.yaml:3", "remote")),
    HostileCase("kustomize-helm-chart-repo", lambda f: _kustomization(f, "helmCharts:\n  - name: app\n    repo: https://charts.example.com\n    version: 1.0.0\n"), (f"{MANIFESTS}/kustomization.yaml:3", "helm")),
    HostileCase("kustomize-missing-entry", lambda f: _kustomization(f, "resources:\n  - settings.yaml\n  - missing.yaml\n"), (f"{MANIFESTS}/kustomization.yaml:3", "missing.yaml")),
    HostileCase("kustomize-build-failure-message", lambda f: _kustomization(f, "resources:\n  - settings.yaml\n  - settings.yaml\n"), (f"{MANIFESTS}/kustomization.yaml", "kubectl kustomize failed", "already registered id")),
    HostileCase("kustomize-resource-alias-bomb", lambda f: _listed(f, CONFIG_MAP + "data:\n" + billion_laughs_yaml("  ")), (f"{MANIFESTS}/listed.yaml:", "alias")),
    HostileCase("kustomize-resource-deep-nesting", lambda f: _listed(f, CONFIG_MAP + f"data: {{a: {nested_flow(400)}}}\n"), (f"{MANIFESTS}/kustomization.yaml:1", "kustomize output", "deep")),
    HostileCase("kustomize-resource-fifo", _listed_fifo, (f"{MANIFESTS}/kustomization.yaml:1", "FIFO")),
    HostileCase("kustomize-resource-too-large", _listed_too_large, (f"{MANIFESTS}/kustomization.yaml:1", "limit")),
    HostileCase("kustomization-alias-bomb", lambda f: _kustomization(f, "resources: [settings.yaml]\n" + billion_laughs_yaml()), (f"{MANIFESTS}/kustomization.yaml:", "alias")),
    # handled before
    HostileCase("manifest-invalid-yaml", lambda f: _manifest(f, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n"), (f"{MANIFESTS}/app.yaml:5", "invalid YAML")),
    HostileCase("manifest-utf-16", lambda f: _manifest(f, CONFIG_MAP.encode("utf-16")), (f"{MANIFESTS}/app.yaml", "UTF-8")),
    HostileCase("manifest-no-kind", lambda f: _manifest(f, "apiVersion: v1\nmetadata: {name: a}\n"), (f"{MANIFESTS}/app.yaml:1", "apiVersion and kind")),
    HostileCase("manifests-missing", lambda f: list(CHECK_MANIFESTS), (MANIFESTS, "not found")),
]  # fmt: skip


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Outcome]]:
    root = tmp_path_factory.mktemp("hostile-inputs")
    return root, run_cases(CASES, root)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_is_refused(case: HostileCase, outcomes) -> None:
    root, results = outcomes
    assert_refused(case, results[case.id], root / case.id)


def test_case_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)
