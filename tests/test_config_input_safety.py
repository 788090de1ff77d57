"""Stack files typed carelessly: look-alike namespaces, credentials in URLs, pasted keys.

Config errors name the key and say what is expected, but never print a value that looks
like a secret, and cut long ones: the line ends up in CI logs.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

import pytest
from support import minimal_stack_text

from components.config import ConfigError, load_stack_file
from components.config.namespaces import near_miss


def stack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "namespace",
    ["Platform", "PLATFORM", "plat-form", "plat_form", "platfrom", "plaform", "platforms",
     "p1atform", "pl\u0430tform", "\u0440latform", "platform\u200b", "\uff50latform"],
)  # fmt: skip
def test_near_misses_of_platform_are_refused(tmp_path: Path, namespace: str) -> None:
    assert near_miss(namespace)
    text = minimal_stack_text("dev") + f"  {namespace}:registry:\n    sku: Basic\n"
    with pytest.raises(ConfigError) as refused:
        load_stack_file(stack(tmp_path, text))
    assert "did you mean 'platform:registry'?" in str(refused.value)
    assert refused.value.line == 13


@pytest.mark.parametrize(
    "namespace", ["azure-native", "pulumi", "kubernetes", "github", "aws", "plat", "form"]
)
def test_other_namespaces_stay_allowed(tmp_path: Path, namespace: str) -> None:
    assert not near_miss(namespace)
    text = minimal_stack_text("dev") + f"  {namespace}:location: westeurope\n"
    assert load_stack_file(stack(tmp_path, text)).environment == "dev"


def _private_key() -> str:
    label = " ".join(("EC", "PRIVATE", "KEY"))
    body = base64.b64encode(os.urandom(120)).decode()
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


@pytest.mark.parametrize("key", ["location", "environment", "registry"])
def test_a_pasted_key_is_refused_without_being_echoed(tmp_path: Path, key: str) -> None:
    pem = _private_key()
    body = pem.splitlines()[1]
    block = "".join(f"    {line}\n" for line in pem.splitlines())
    kept = [
        line
        for line in minimal_stack_text("dev").splitlines(keepends=True)
        if not line.startswith(f"  platform:{key}:")
    ]
    text = "".join(kept) + f"  platform:{key}: |\n{block}"
    with pytest.raises(ConfigError) as refused:
        load_stack_file(stack(tmp_path, text))
    line = str(refused.value)
    assert "\n" not in line and body[:16] not in line and "PRIVATE" not in line
    assert f"platform:{key}" in line


def test_credentials_in_the_repo_url_are_refused(tmp_path: Path) -> None:
    token = secrets.token_hex(20)
    for url in (
        f"https://x-access-token:{token}@github.com/contoso/platform.git",
        f"https://{token}@github.com/contoso/platform.git",
        f"ssh://git:{token}@github.com/contoso/platform.git",
    ):
        text = minimal_stack_text("dev") + f"  platform:gitops:\n    repoUrl: {url}\n"
        with pytest.raises(ConfigError) as refused:
            load_stack_file(stack(tmp_path, text))
        assert "platform:gitops.repoUrl: must not carry credentials" in str(refused.value)
        assert token not in str(refused.value)


def test_an_ssh_user_is_not_a_credential(tmp_path: Path) -> None:
    url = "ssh://git@github.com/contoso/platform.git"
    text = minimal_stack_text("dev") + (
        f"  platform:gitops:\n    repoUrl: {url}\n    auth: sshKey\n"
        "    sshKeySecretName: flux-deploy-key\n"
    )
    assert load_stack_file(stack(tmp_path, text)).gitops.repo_url == url


def test_long_values_are_cut_in_errors(tmp_path: Path) -> None:
    text = minimal_stack_text("dev").replace("westeurope", "x" * 5000)
    with pytest.raises(ConfigError) as refused:
        load_stack_file(stack(tmp_path, text))
    assert "x" * 100 not in str(refused.value) and len(str(refused.value)) < 300


def _block(text: str, spaces: int) -> str:
    return "".join(" " * spaces + line + "\n" for line in text.splitlines())


@pytest.mark.parametrize("where", ["waiver reason", "tenant name", "key"])
def test_a_key_in_any_free_text_field_is_refused(tmp_path: Path, where: str) -> None:
    pem = _private_key()
    body = pem.splitlines()[1]
    extra = {
        "waiver reason": "  platform:waivers:\n    - control: AKS-ID-01\n"
        f"      expires: 2026-01-01\n      reason: |\n{_block(pem, 8)}",
        "tenant name": "  platform:gitops:\n    tenants:\n      - ownerGroupId: x\n"
        f"        name: |\n{_block(pem, 10)}",
        "key": f"  platform:github-extra:\n    '{pem.splitlines()[0]}{body[:20]}': 1\n",
    }[where]
    with pytest.raises(ConfigError) as refused:
        load_stack_file(stack(tmp_path, minimal_stack_text("dev") + extra))
    line = str(refused.value)
    assert "holds a PEM private key; secrets do not belong in platform config" in line
    assert body[:10] not in line and "\n" not in line
