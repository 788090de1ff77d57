"""The test plays the Pulumi engine and CLI for the policy pack, as pulumi/pulumi runs it.

Everything here follows pulumi/pulumi @ 1b5949891b3c (the CLI is not installable offline):

- Launch (sdk/python/cmd/pulumi-language-python/main.go, `RunPlugin` for kind "analyzer"):
  `<venv>/bin/python -u -m pulumi.policy <engine-address> <pack-dir>`, working directory the
  pack dir, the environment of sdk/python/toolchain `ActivateVirtualEnv` (VIRTUAL_ENV, the
  venv's bin first on PATH, no PYTHONHOME), plus PULUMI_ORGANIZATION, PULUMI_PROJECT,
  PULUMI_STACK, PULUMI_DRY_RUN and PULUMI_CONFIG (the stack's config as a JSON object of
  strings) taken from the ConfigureStack request the engine sent the language host's policy
  proxy (sdk/policy_proxy.go). Without one (`pulumi policy publish`) none are set.
- The pack prints its port on stdout; the proxy then forwards ConfigureStack to it.
- The engine asks GetAnalyzerInfo, reconciles each policy's config (schema defaults, then
  the pack's initialConfig, then user config) and validates it against the policy's
  configSchema with a JSON-schema validator (pkg/resource/analyzer/config.go
  `ReconcilePolicyPackConfig`, `validatePolicyConfig`: gojsonschema, draft 4), then calls
  Configure with the result.
- Analyze per resource with its checked inputs, AnalyzeStack once at the end with every
  resource's outputs, parent, dependencies and property dependencies
  (pkg/resource/deploy/step_generator.go `analyzeAll`, `AnalyzeResources`).

The pack runs from `.venv-pack`, a virtualenv built by `make` from policies/requirements.txt
alone, so a dependency the pack needs but does not declare fails here.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import jsonschema
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, engine_pb2_grpc
from support import REPO_ROOT

PACK_DIR = REPO_ROOT / "policies"
PACK_VENV = REPO_ROOT / ".venv-pack"
PACK_PYTHON = PACK_VENV / "bin" / "python"
PROJECT = "aks-platform"
ORGANIZATION = "contoso"
START_TIMEOUT = 60.0
_LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
    "remediate": analyzer_pb2.REMEDIATE,
}


def require_pack_venv() -> None:
    """The pack's own venv must exist: `make test` builds it (never skipped silently)."""
    if not PACK_PYTHON.is_file() or not (PACK_VENV / ".installed").is_file():
        raise AssertionError(
            f"{PACK_VENV} is missing: run `make .venv-pack/.installed` (a prerequisite of "
            "`make test`) to build the pack's venv from policies/requirements.txt"
        )


class _Engine(engine_pb2_grpc.EngineServicer):
    """The engine service a plugin may log to; pulumi.policy (3.x) parses the address but
    does not dial it, so nothing is expected here."""

    def __init__(self) -> None:
        self.logs: list[str] = []

    def Log(self, request: Any, context: Any) -> Any:
        self.logs.append(request.message)
        return empty_pb2.Empty()


@contextmanager
def engine_server() -> Iterator[tuple[str, _Engine]]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    engine = _Engine()
    engine_pb2_grpc.add_EngineServicer_to_server(engine, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}", engine
    finally:
        server.stop(0)


def stack_configuration(
    stack: str, config: Mapping[str, str], dry_run: bool = True
) -> analyzer_pb2.AnalyzerStackConfigureRequest:
    """The ConfigureStack the engine sends (pkg/engine/update.go: decrypted stack config)."""
    return analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=stack,
        project=PROJECT,
        organization=ORGANIZATION,
        dry_run=dry_run,
        config=dict(config),
    )


def launch_environment(
    request: analyzer_pb2.AnalyzerStackConfigureRequest | None,
) -> dict[str, str]:
    """RunPlugin's environment: the activated venv plus what ConfigureStack said."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PULUMI_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["VIRTUAL_ENV"] = str(PACK_VENV)
    env["PATH"] = f"{PACK_VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    if request is not None:
        for key, value in (
            ("PULUMI_ORGANIZATION", request.organization),
            ("PULUMI_PROJECT", request.project),
            ("PULUMI_STACK", request.stack),
            ("PULUMI_DRY_RUN", "true" if request.dry_run else "false"),
        ):
            if value:
                env[key] = value
        if request.config:
            env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
    return env


@dataclass
class RunningPack:
    process: subprocess.Popen[bytes]
    stub: analyzer_pb2_grpc.AnalyzerStub
    channel: grpc.Channel
    engine: _Engine
    info: Any = None
    policy_config: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Exited:
    """The pack ended before announcing a port (fail closed)."""

    returncode: int
    stderr: str


def start_pack(
    engine_address: str,
    request: analyzer_pb2.AnalyzerStackConfigureRequest | None,
    stderr_path: Path,
    extra_env: Mapping[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], int | Exited]:
    """Starts the pack exactly as RunPlugin does; returns its port, or how it exited."""
    require_pack_venv()
    env = {**launch_environment(request), **(extra_env or {})}
    command = [str(PACK_PYTHON), "-u", "-m", "pulumi.policy", engine_address, str(PACK_DIR)]
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=PACK_DIR, env=env, stdout=subprocess.PIPE, stderr=stderr
        )
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([process.stdout], [], [], max(remaining, 0))
        if not ready:
            process.kill()
            process.wait()
            raise AssertionError(f"the pack announced no port within {START_TIMEOUT:.0f}s")
        chunk = os.read(process.stdout.fileno(), 1)
        if not chunk:  # stdout closed: the process is ending
            process.wait(timeout=30)
            return process, Exited(process.returncode, stderr_path.read_text())
        line += chunk
    return process, int(line.strip())


@contextmanager
def running_pack(
    request: analyzer_pb2.AnalyzerStackConfigureRequest,
    stderr_path: Path,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[RunningPack]:
    """A started and configured pack, as the engine has it before the first Analyze."""
    with engine_server() as (address, engine):
        process, port = start_pack(address, request, stderr_path, extra_env)
        try:
            assert not isinstance(port, Exited), f"the pack did not start: {port}"
            channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            grpc.channel_ready_future(channel).result(timeout=30)
            pack = RunningPack(process, analyzer_pb2_grpc.AnalyzerStub(channel), channel, engine)
            configure(pack, request)
            yield pack
            channel.close()
        finally:
            process.terminate()
            process.wait(timeout=30)


def configure(pack: RunningPack, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None:
    """ConfigureStack (forwarded by the proxy), GetAnalyzerInfo, config validation, Configure."""
    try:
        pack.stub.ConfigureStack(request)
    except grpc.RpcError as error:  # older packs: the proxy ignores UNIMPLEMENTED
        if error.code() != grpc.StatusCode.UNIMPLEMENTED:
            raise
    info = pack.stub.GetAnalyzerInfo(empty_pb2.Empty())
    pack.info = info
    pack.policy_config = reconciled_config(info)
    problems = config_problems(info, pack.policy_config)
    assert problems == [], problems
    pack.stub.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                name: analyzer_pb2.PolicyConfig(
                    enforcementLevel=_LEVELS[value["enforcementLevel"]],
                    properties=struct(value["properties"]),
                )
                for name, value in pack.policy_config.items()
            }
        )
    )


def reconciled_config(info: Any) -> dict[str, dict[str, Any]]:
    """ReconcilePolicyPackConfig: schema defaults, then the pack's initialConfig."""
    names = {v: k for k, v in _LEVELS.items()}
    result: dict[str, dict[str, Any]] = {}
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties)
        defaults = {k: v["default"] for k, v in schema.items() if "default" in v}
        result[policy.name] = {
            "enforcementLevel": names[policy.enforcementLevel],
            "properties": defaults,
        }
    for name, initial in info.initialConfig.items():
        entry = result.setdefault(name, {"enforcementLevel": "advisory", "properties": {}})
        if initial.enforcementLevel:
            entry["enforcementLevel"] = names[initial.enforcementLevel]
        entry["properties"].update(json_format.MessageToDict(initial.properties))
    return result


def config_problems(info: Any, config: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """validatePolicyPackConfig: each policy's properties against its configSchema."""
    problems = []
    for policy in info.policies:
        schema: dict[str, Any] = {"type": "object"}
        properties = json_format.MessageToDict(policy.configSchema.properties)
        if properties:
            schema["properties"] = properties
        if policy.configSchema.required:
            schema["required"] = list(policy.configSchema.required)
        validator = jsonschema.Draft4Validator(schema)
        for error in validator.iter_errors(config.get(policy.name, {}).get("properties", {})):
            problems.append(f"{policy.name}: {error.message}")
    return problems


def struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    json_format.ParseDict(dict(value), message)
    return message


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    level: str
    urn: str
    message: str


def _diagnostics(response: Any, urn: str = "") -> list[Diagnostic]:
    names = {v: k for k, v in _LEVELS.items()}
    return [
        Diagnostic(d.policyName, names[d.enforcementLevel], d.urn or urn, d.message)
        for d in response.diagnostics
    ]


def analyze(pack: RunningPack, resources: Sequence[Mapping[str, Any]]) -> list[Diagnostic]:
    """Analyze for every custom resource (its inputs), then AnalyzeStack (its outputs)."""
    found: list[Diagnostic] = []
    stack_resources = []
    for entry in resources:
        properties = struct(entry.get("inputs") or {})
        if entry.get("custom", True) and entry["type"] != "pulumi:pulumi:Stack":
            request = analyzer_pb2.AnalyzeRequest(
                type=entry["type"],
                urn=entry["urn"],
                name=entry["urn"].rpartition("::")[2],
                properties=properties,
            )
            found.extend(_diagnostics(pack.stub.Analyze(request), entry["urn"]))
        outputs = entry.get("outputs")
        stack_resources.append(
            analyzer_pb2.AnalyzerResource(
                type=entry["type"],
                urn=entry["urn"],
                name=entry["urn"].rpartition("::")[2],
                properties=struct(outputs) if isinstance(outputs, Mapping) else properties,
                parent=entry.get("parent") or "",
                dependencies=entry.get("dependencies") or [],
                propertyDependencies={
                    key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                    for key, urns in (entry.get("propertyDependencies") or {}).items()
                },
            )
        )
    response = pack.stub.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=stack_resources))
    found.extend(_diagnostics(response))
    return found


def with_stack_outputs(
    resources: Sequence[Mapping[str, Any]], outputs: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The Stack resource's outputs are the program's exports (as the engine holds them)."""
    return [
        {**r, "outputs": dict(outputs)} if r["type"] == "pulumi:pulumi:Stack" else dict(r)
        for r in resources
    ]
