"""The deploy-key reader: what reaches configurationProtectedSettings.sshPrivateKey.

No key is stored in the repository, not even a fake one: each test makes a throwaway
PEM-shaped value from random bytes.
"""

from __future__ import annotations

import base64
import os

import pytest

from components import key_vault_secret
from components.deploy_key import DeployKeyProvider, protected_setting_value


def _throwaway_pem() -> str:
    body = base64.b64encode(os.urandom(96)).decode()
    return f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----\n"


def test_pem_secret_is_base64_encoded():
    pem = _throwaway_pem()
    encoded = protected_setting_value(pem)
    assert base64.b64decode(encoded).decode() == pem


def test_already_base64_secret_passes_unchanged():
    encoded = base64.b64encode(_throwaway_pem().encode()).decode()
    assert protected_setting_value(encoded) == encoded


@pytest.mark.parametrize("value", ["hunter2", base64.b64encode(b"not a key").decode(), ""])
def test_anything_else_is_refused(value):
    with pytest.raises(ValueError, match="neither a PEM private key"):
        protected_setting_value(value)


def test_provider_reads_the_named_secret_at_create_and_refresh(monkeypatch):
    pem = _throwaway_pem()
    reads: list[tuple[str, str]] = []

    def fake_fetch(vault_name: str, secret_name: str) -> str:
        reads.append((vault_name, secret_name))
        return pem

    monkeypatch.setattr(key_vault_secret, "fetch_secret", fake_fetch)
    props = {"vault_name": "kv-dev-abc123", "secret_name": "flux-deploy-key"}
    created = DeployKeyProvider().create(props)
    assert created.id == "kv-dev-abc123/flux-deploy-key"
    assert base64.b64decode(created.outs["ssh_private_key"]).decode() == pem
    refreshed = DeployKeyProvider().read(created.id, props)
    assert refreshed.outs == created.outs
    assert reads == [("kv-dev-abc123", "flux-deploy-key")] * 2


def test_provider_replaces_only_when_the_secret_moves():
    provider = DeployKeyProvider()
    same = {"vault_name": "kv", "secret_name": "a"}
    assert provider.diff("id", same, dict(same)).changes is False
    moved = provider.diff("id", same, {"vault_name": "kv", "secret_name": "b"})
    assert moved.changes is True and moved.replaces == ["secret_name"]
