"""The policy pack as `pulumi preview --policy-pack policies` starts and drives it.

pack_engine.py plays the engine and the Python language host (sources cited there). The pack
runs from `.venv-pack`, built from policies/requirements.txt only; the resources are what a
first `pulumi preview` hands it (the offline engine in preview-fidelity mode).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pack_engine import (
    PACK_DIR,
    PACK_PYTHON,
    Exited,
    analyze,
    engine_server,
    running_pack,
    stack_configuration,
    start_pack,
    with_stack_outputs,
)
from ruamel.yaml import YAML
from support import REPO_ROOT, offline_run, shipped_raw_config

from bootstrap.engine.runner import engine_config
from policies.catalog import load_catalog

CLUSTER = "azure-native:containerservice:ManagedCluster"
PRICING = "azure-native:security:Pricing"
MAINTENANCE = "azure-native:containerservice:MaintenanceConfiguration"
NODE_OS_SCHEDULE = "aksManagedNodeOSUpgradeSchedule"


def _yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _requirements(path: Path) -> set[str]:
    """Pinned requirement lines of a requirements file, following `-r` includes."""
    found: set[str] = set()
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r"):
            found |= _requirements(path.parent / line[2:].strip())
        elif line:
            found.add(line)
    return found


def _engine_config(stack: str, change: Any = None) -> dict[str, str]:
    """The stack's config as the engine passes it (PULUMI_CONFIG): strings, JSON for objects."""
    raw = copy.deepcopy(shipped_raw_config(stack))
    if change is not None:
        change(raw)
    return engine_config(raw)


# ---- finding 1: the pack starts from a fresh clone


def test_pack_runs_in_the_venv_pulumi_builds_for_the_program() -> None:
    # The language host runs `<virtualenv>/bin/python`, the option resolved against the pack
    # directory (pulumi/pulumi sdk/python/toolchain/pip.go resolveVirtualEnvironmentPath) and
    # never creates it for a policy pack (RunPlugin has no EnsureVenv). `pulumi preview` does
    # create and install the *program's* venv (GetRequiredPackages -> EnsureVenv) before it
    # loads policy packs, so the pack must run in that one.
    pack = _yaml(PACK_DIR / "PulumiPolicy.yaml")["runtime"]["options"]
    project = _yaml(REPO_ROOT / "Pulumi.yaml")["runtime"]["options"]
    assert (PACK_DIR / pack["virtualenv"]).resolve() == (
        REPO_ROOT / project["virtualenv"]
    ).resolve()
    # ... which is installed from requirements.txt: it must hold everything the pack needs.
    assert _requirements(PACK_DIR / "requirements.txt") <= _requirements(
        REPO_ROOT / "requirements.txt"
    )


def test_readme_does_not_promise_a_venv_pulumi_never_creates() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "policies/venv" not in readme


def test_pack_venv_holds_only_the_pack_requirements() -> None:
    # `.venv-pack` is the CI stand-in for the venv a fresh clone gets: no test tools in it.
    import subprocess

    done = subprocess.run(
        [str(PACK_PYTHON), "-c", "import pytest"], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "No module named 'pytest'" in done.stderr


# ---- finding 2: the stack and its config come from the engine


def _start_without_config(tmp_path: Path, request: Any) -> Exited:
    with engine_server() as (address, _):
        process, port = start_pack(address, request, tmp_path / "stderr")
        if not isinstance(port, Exited):
            process.terminate()
            process.wait(timeout=30)
        assert isinstance(port, Exited), "the pack started serving without knowing its stack"
        return port


def test_pack_without_a_stack_fails_closed(tmp_path: Path) -> None:
    # `pulumi policy publish` loads a pack with no ConfigureStack: no PULUMI_* variables.
    exited = _start_without_config(tmp_path, None)
    assert exited.returncode == 2
    lines = exited.stderr.strip().splitlines()
    assert len(lines) == 1 and "PULUMI_STACK" in lines[0], exited.stderr


def test_stack_without_any_config_fails_closed(tmp_path: Path) -> None:
    exited = _start_without_config(tmp_path, stack_configuration("qa", {}))
    assert exited.returncode == 2
    [line] = exited.stderr.strip().splitlines()
    assert "qa" in line and "PULUMI_CONFIG" in line


def test_bad_engine_config_is_one_line(tmp_path: Path) -> None:
    config = _engine_config("dev", lambda raw: raw.__setitem__("platform:registy", {}))
    exited = _start_without_config(tmp_path, stack_configuration("dev", config))
    assert exited.returncode == 2
    [line] = exited.stderr.strip().splitlines()
    assert "platform:registy" in line and "did you mean 'registry'" in line
    assert "Traceback" not in exited.stderr


def _initial(pack: Any, policy: str) -> dict[str, Any]:
    return pack.policy_config[policy]["properties"]


def test_pack_judges_the_config_the_engine_passes(tmp_path: Path) -> None:
    # An ESC environment or `--config-file` gives the stack config the file does not have:
    # here a waiver that exists only in what the engine passes.
    soon = (dt.date.today() + dt.timedelta(days=30)).isoformat()

    def waive(raw: dict[str, Any]) -> None:
        raw.setdefault("platform:waivers", []).append(
            {"control": "AKS-ID-02", "reason": "break-glass during migration", "expires": soon}
        )
        raw["platform:clusters"][0]["localAccounts"] = True

    request = stack_configuration("dev", _engine_config("dev", waive))
    with running_pack(request, tmp_path / "stderr") as pack:
        waivers = _initial(pack, "aks-local-accounts-disabled")["waivers"]
        assert [w["control"] for w in waivers] == ["AKS-ID-02"]
        [cluster] = [r for r in offline_run("dev", preview=True).resources if r["type"] == CLUSTER]
        insecure = {**cluster, "inputs": {**cluster["inputs"], "disableLocalAccounts": False}}
        found = analyze(pack, [insecure])
        assert "aks-local-accounts-disabled" not in {d.policy for d in found}


def test_stack_without_a_stack_file_uses_the_engine_config(tmp_path: Path) -> None:
    def rename(raw: dict[str, Any]) -> None:
        raw["platform:environment"] = "qa"

    request = stack_configuration("qa", _engine_config("dev", rename))
    with running_pack(request, tmp_path / "stderr") as pack:
        settings = _initial(pack, "images-from-platform-registry")
        assert settings["environment"] == "qa" and settings["isProduction"] is False
        assert settings["registryLoginServers"], "judged with defaults, not the stack's config"


# ---- the whole pack over a first preview of each shipped stack


@pytest.fixture(scope="module", params=["dev", "prod"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    stack = request.param
    stderr = tmp_path_factory.mktemp(f"pack-{stack}") / "stderr"
    configure = stack_configuration(stack, _engine_config(stack))
    # PYTHONPROFILEIMPORTTIME lists every module the pack imports on its stderr.
    with running_pack(configure, stderr, {"PYTHONPROFILEIMPORTTIME": "1"}) as pack:
        yield stack, pack, stderr


def _preview(stack: str) -> list[dict[str, Any]]:
    run = offline_run(stack, preview=True)
    return with_stack_outputs(run.resources, run.outputs)


def test_served_pack_lists_every_control(served: Any) -> None:
    stack, pack, _ = served
    assert pack.info.name == "aks-platform-baseline"
    assert {p.name for p in pack.info.policies} >= {c.policy for c in load_catalog()}
    settings = _initial(pack, "aks-local-accounts-disabled")
    assert settings["environment"] == stack
    assert settings["isProduction"] is (stack == "prod")


def test_served_pack_passes_the_shipped_stack_at_preview(served: Any) -> None:
    stack, pack, _ = served
    found = analyze(pack, _preview(stack))
    mandatory = {c.policy for c in load_catalog() if c.enforcement == "mandatory"}
    blocking = [d for d in found if d.level == "mandatory"]
    assert blocking == []
    # CrossGuard downgrades an undecidable policy to an advisory "can't run ... during
    # preview": no mandatory control may end up there.
    undecided = [d for d in found if "during preview" in d.message and d.policy in mandatory]
    assert undecided == []


def test_served_pack_catches_insecure_variants_at_preview(served: Any) -> None:
    stack, pack, _ = served
    resources = _preview(stack)
    # Which schedule a maintenance configuration is (configName) is a path parameter: absent
    # from the preview outputs the stack policy sees.
    resources = [
        r
        for r in resources
        if not (r["type"] == MAINTENANCE and r["inputs"].get("configName") == NODE_OS_SCHEDULE)
    ]
    expected = {"aks-maintenance-windows"}
    # So is which Defender plan a pricing is (pricingName); only the subscription's owning
    # stack declares them.
    for pricing in (r for r in resources if r["type"] == PRICING):
        if pricing["inputs"].get("pricingName") == "Arm":
            pricing["inputs"] = {**pricing["inputs"], "pricingTier": "Free"}
            pricing["outputs"] = {**pricing["outputs"], "pricingTier": "Free"}
            expected.add("defender-plans-standard")
    assert stack != "prod" or "defender-plans-standard" in expected
    found = analyze(pack, resources)
    caught = {d.policy for d in found if d.level == "mandatory"}
    assert expected <= caught, found


def test_served_pack_never_imports_the_cli(served: Any) -> None:
    _, pack, stderr = served
    pack.stub.GetAnalyzerInfo  # noqa: B018 (the pack has started and imported everything)
    imported = [
        line.rpartition("|")[2].strip()
        for line in stderr.read_text().splitlines()
        if line.startswith("import time:")
    ]
    assert "policies.pack" in imported, "import timing not captured"
    assert [m for m in imported if m.split(".")[0] == "bootstrap"] == []
    assert json.dumps(pack.engine.logs) == "[]"


# ---- the engine context, unit by unit


def test_qualified_stack_names_use_their_last_part() -> None:
    from policies.engine_context import stack_from_engine

    assert stack_from_engine({"PULUMI_STACK": "contoso/aks-platform/prod"}) == "prod"


def test_engine_config_that_is_not_json_is_one_line() -> None:
    from policies.engine_context import StackUnknown, context_from_engine

    with pytest.raises(StackUnknown) as raised:
        context_from_engine(
            {"PULUMI_STACK": "dev", "PULUMI_CONFIG": "{not json"}, REPO_ROOT / "stacks"
        )
    assert "PULUMI_CONFIG" in str(raised.value) and "\n" not in str(raised.value)
