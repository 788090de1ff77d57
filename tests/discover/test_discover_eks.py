"""`bootstrap discover eks` against moto's EKS and STS: no network, no real credentials.

Each test runs inside `mock_aws` with credentials made up at run time and every socket
connection refused, so a call that escaped the mock would fail instead of reaching AWS.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from support import REPO_ROOT, STACK_DIR

from bootstrap import stacks
from bootstrap.cli import main
from bootstrap.gitops import find_drift

REGION = "eu-west-1"


def copy_repo_files(destination: Path) -> tuple[Path, Path]:
    """A scratch copy of stacks/ and gitops/ (tests never touch the real ones)."""
    stack_dir, gitops_dir = destination / "stacks", destination / "gitops"
    shutil.copytree(STACK_DIR, stack_dir)
    shutil.copytree(REPO_ROOT / "gitops", gitops_dir)
    return stack_dir, gitops_dir


ROLE = "arn:aws:iam::123456789012:role/eks-cluster"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """moto's AWS, fake credentials from the environment, and no way out to a network."""
    for variable in ("AWS_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test" + "key" + "id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test" + "secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "test" + "session")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    def refuse(*_: Any, **__: Any) -> None:
        raise AssertionError("a test tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    with mock_aws():
        yield boto3.client("eks", region_name=REGION)


def _create(eks: Any, name: str, version: str = "1.32", **tags: str) -> None:
    eks.create_cluster(
        name=name,
        version=version,
        roleArn=ROLE,
        resourcesVpcConfig={"subnetIds": []},
        tags=tags or {"env": "staging"},
    )


def _discover(stack_dir: Path, gitops_dir: Path, env: str, *extra: str) -> int:
    return main(
        ["discover", "eks", "--env", env, "--region", REGION, *extra,
         "--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir)]
    )  # fmt: skip


def _arc(stack_dir: Path, env: str) -> list[Any]:
    """The discovered clusters (staging also lists eks1, which moto does not know)."""
    return [c for c in stacks.load(stack_dir, env).config.arc_clusters if c.name != "eks1"]


def test_adds_clusters_keeping_comments_and_renders_their_gitops(aws, tmp_path, capsys):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    _create(aws, "payments-prod-1")
    before = (stack_dir / "Pulumi.staging.yaml").read_text()

    assert _discover(stack_dir, gitops_dir, "staging") == 0

    after = (stack_dir / "Pulumi.staging.yaml").read_text()
    kept = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert all(line in after for line in kept), "every comment of the stack file is kept"
    (cluster,) = _arc(stack_dir, "staging")
    assert (cluster.name, cluster.kind, cluster.onboarding) == (
        "paymentsprod1",
        "connected",
        "program",
    )
    assert (cluster.distribution, cluster.infrastructure, cluster.kubernetes_version) == (
        "eks",
        "aws",
        "1.32",
    )
    described = aws.describe_cluster(name="payments-prod-1")["cluster"]
    assert cluster.eks is not None
    assert cluster.eks.endpoint == described["endpoint"].rstrip("/")
    assert cluster.eks.certificate_authority == described["certificateAuthority"]["data"]
    assert cluster.eks.account_id == "123456789012"
    configs = {name: stacks.load(stack_dir, name).config for name in stacks.stack_names(stack_dir)}
    assert find_drift(configs, gitops_dir, complete=True) == []
    assert (gitops_dir / "clusters/staging/paymentsprod1").is_dir()
    assert "added Arc cluster paymentsprod1" in capsys.readouterr().out


def test_lists_every_page(aws, tmp_path, monkeypatch):
    from bootstrap.discover import eks as discover_eks

    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    for index in range(5):
        _create(aws, f"team{index}")
    calls: list[dict[str, Any]] = []
    original = discover_eks.discover

    def two_per_page(region: str, tags: Any, session: Any = None, page_size: int = 100) -> Any:
        calls.append({"page_size": 2})
        return original(region, tags, session, page_size=2)

    monkeypatch.setattr(discover_eks, "discover", two_per_page)
    assert _discover(stack_dir, gitops_dir, "staging") == 0
    assert calls
    assert sorted(c.eks.cluster_name for c in _arc(stack_dir, "staging")) == [
        f"team{i}" for i in range(5)
    ]


def test_pagination_follows_next_tokens(aws):
    from bootstrap.discover.eks import discover

    for index in range(7):
        _create(aws, f"c{index}")
    found = discover(REGION, {}, page_size=3)
    assert [c.name for c in found] == [f"c{i}" for i in range(7)]


def test_a_listed_cluster_is_updated_not_duplicated(aws, tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    _create(aws, "orders", version="1.32")
    assert _discover(stack_dir, gitops_dir, "staging") == 0
    path = stack_dir / "Pulumi.staging.yaml"
    text = path.read_text()
    # The reviewer adds admins and a comment; the file's version is behind AWS's.
    entry = text.index("name: orders")
    head, tail = text[:entry], text[entry:]
    version = re.search(r"kubernetesVersion: ['\"]?1\.32['\"]?", tail)
    assert version is not None
    tail = tail[: version.start()] + "kubernetesVersion: '1.31'" + tail[version.end() :]
    tail = tail.replace(
        "kind: connected\n",
        "kind: connected\n      # reviewed\n"
        "      adminGroupObjectIds: [00000000-0000-0000-0000-00000000c009]\n",
        1,
    )
    path.write_text(head + tail)
    assert _arc(stack_dir, "staging")[0].kubernetes_version == "1.31"

    assert _discover(stack_dir, gitops_dir, "staging") == 0

    (cluster,) = _arc(stack_dir, "staging")
    assert cluster.kubernetes_version == "1.32"
    assert cluster.admin_group_object_ids == ["00000000-0000-0000-0000-00000000c009"]
    assert "# reviewed" in path.read_text()


def test_running_twice_changes_nothing(aws, tmp_path, capsys):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    _create(aws, "orders")
    assert _discover(stack_dir, gitops_dir, "staging") == 0
    first = (stack_dir / "Pulumi.staging.yaml").read_bytes()
    capsys.readouterr()
    assert _discover(stack_dir, gitops_dir, "staging") == 0
    assert (stack_dir / "Pulumi.staging.yaml").read_bytes() == first
    assert "is up to date" in capsys.readouterr().out


def test_tags_select_clusters(aws, tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    _create(aws, "keep", env="staging", team="a")
    _create(aws, "skip", env="prod", team="a")
    assert (
        _discover(stack_dir, gitops_dir, "staging", "--tag", "env=staging", "--tag", "team=a") == 0
    )
    assert [c.eks.cluster_name for c in _arc(stack_dir, "staging")] == ["keep"]


@pytest.mark.parametrize(
    ("code", "message"),
    [("AccessDeniedException", "not authorized to perform eks:ListClusters"),
     ("ExpiredTokenException", "The security token included in the request is expired")],
)  # fmt: skip
def test_aws_errors_are_one_line_and_write_nothing(
    aws, tmp_path, capsys, monkeypatch, code, message
):
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    _create(aws, "orders")
    original = BaseClient._make_api_call

    def refuse_list(self: Any, operation: str, params: Any) -> Any:
        if operation == "ListClusters":
            raise ClientError({"Error": {"Code": code, "Message": message}}, operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", refuse_list)
    before = {
        p: p.read_bytes() for p in [*stack_dir.iterdir(), *gitops_dir.rglob("*")] if p.is_file()
    }

    assert _discover(stack_dir, gitops_dir, "staging") == 2

    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: discover eks:")
    assert code in error and "Traceback" not in error
    after = {
        p: p.read_bytes() for p in [*stack_dir.iterdir(), *gitops_dir.rglob("*")] if p.is_file()
    }
    assert after == before


def test_no_credentials_is_one_line(tmp_path, capsys, monkeypatch):
    for variable in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(
        socket.socket, "connect", lambda *_: (_ for _ in ()).throw(OSError("no network"))
    )
    stack_dir, gitops_dir = copy_repo_files(tmp_path)

    assert _discover(stack_dir, gitops_dir, "staging") == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "credentials" in error.lower()


@pytest.mark.parametrize(
    ("args", "expected"),
    [(["--tag", "novalue"], "--tag 'novalue': expected KEY=VALUE"),
     (["--env", "nosuchstack"], "nosuchstack")],
)  # fmt: skip
def test_bad_input_is_one_line(aws, tmp_path, capsys, args, expected):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    env = [] if "--env" in args else ["--env", "staging"]
    argv = ["discover", "eks", "--region", REGION, "--stack-dir", str(stack_dir),
            "--gitops-dir", str(gitops_dir), *env, *args]  # fmt: skip
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and expected in error


# ---- Done when: the discovered cluster plans offline, in order, with no key material out


def _order(resources: list[dict[str, Any]]) -> dict[str, set[str]]:
    """URN -> every URN created before it (dependencies and parents, transitively)."""
    links = {
        r["urn"]: [*(r.get("dependencies") or []), *([r["parent"]] if r.get("parent") else [])]
        for r in resources
    }
    earlier: dict[str, set[str]] = {}

    def before(urn: str) -> set[str]:
        if urn not in earlier:
            earlier[urn] = set()
            for link in links.get(urn, []):
                earlier[urn] |= {link, *before(link)}
        return earlier[urn]

    for urn in links:
        before(urn)
    return earlier


def test_discovered_cluster_plans_in_order_without_key_material(aws, tmp_path, monkeypatch):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from bootstrap.engine import mocks

    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    _create(aws, "payments")
    assert _discover(stack_dir, gitops_dir, "staging") == 0

    # A real key pair, made now and never written: the offline engine hands it out as the
    # tls PrivateKey's outputs, as pulumi-tls would.
    generated: dict[str, str] = {}

    def real_key(key: str, inputs: dict[str, Any]) -> dict[str, Any]:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        public = (
            private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        generated["private"] = pem
        generated["public"] = public
        return {
            "publicKeyPem": public,
            "privateKeyPem": pem,
            "privateKeyPemPkcs8": pem,
            "privateKeyOpenssh": pem,
        }

    monkeypatch.setattr(mocks, "tls_private_key_outputs", real_key)
    out = tmp_path / "out"
    code = main(["plan", "staging", "--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir),
                 "--json", str(out / "staging.json"), "--markdown", str(out / "plan.md"),
                 "--sarif", str(out / "plan.sarif")])  # fmt: skip
    assert code == 0
    assert generated, "the agent key pair was generated under the mocks"

    plan = json.loads((out / "staging.json").read_text())
    resources = plan["resources"]
    name = "arc-plat-staging-payments"

    def one(token: str, **inputs: Any) -> dict[str, Any]:
        (found,) = [
            r
            for r in resources
            if r["type"] == token and all(r["inputs"].get(k) == v for k, v in inputs.items())
        ]
        return found

    connected = one("azure-native:kubernetes:ConnectedCluster", clusterName=name)
    (agents,) = [
        r
        for r in resources
        if r["type"] == "kubernetes:helm.sh/v3:Release"
        and connected["urn"] in r.get("dependencies", [])
    ]
    extensions = [
        r
        for r in resources
        if r["type"] == "azure-native:kubernetesconfiguration:Extension"
        and r["inputs"]["clusterName"] == name
    ]
    flux = one("azure-native:kubernetesconfiguration:FluxConfiguration", clusterName=name)
    rule = one(
        "azure-native:monitor:DataCollectionRule", dataCollectionRuleName=f"MSCI-westeurope-{name}"
    )
    order = _order(resources)
    assert connected["urn"] in order[agents["urn"]]
    assert len(extensions) == 4  # defender, azure policy, monitoring, flux
    assert all(agents["urn"] in order[e["urn"]] for e in extensions)
    flux_extension = one(
        "azure-native:kubernetesconfiguration:Extension",
        clusterName=name,
        extensionType="microsoft.flux",
    )
    assert flux_extension["urn"] in order[flux["urn"]]
    monitoring = one(
        "azure-native:kubernetesconfiguration:Extension",
        clusterName=name,
        extensionType="microsoft.azuremonitor.containers",
    )
    assert rule["urn"] in order[monitoring["urn"]]
    assert connected["inputs"]["agentPublicKeyCertificate"]
    assert agents["inputs"]["values"]["global"]["onboardingPrivateKey"] == "[secret]"

    from components.arc_onboarding import agent_public_key_certificate

    body = "".join(line for line in generated["private"].splitlines() if "PRIVATE KEY" not in line)
    # Lines of the private key PEM; those that also occur in the public key's encodings (the
    # modulus is in both) prove nothing, every other one is private material.
    public_forms = (
        agent_public_key_certificate(generated["public"]),
        "".join(generated["public"].splitlines()[1:-1]),
    )
    lines = [
        line
        for line in generated["private"].splitlines()
        if "PRIVATE KEY" not in line and not any(line in form for form in public_forms)
    ]
    assert lines
    written = [*out.rglob("*"), *gitops_dir.rglob("*"), *stack_dir.rglob("*")]
    for path in (p for p in written if p.is_file()):
        text = path.read_text(errors="replace")
        assert not re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----", text), path
        assert body not in text.replace("\n", ""), path
        leaked = [line for line in lines if len(line) > 40 and line in text]
        if leaked:
            at = text.index(leaked[0])
            raise AssertionError(f"{path}: {text[max(0, at - 300) : at + 80]}")
