"""`bootstrap tenant add`: one command from nothing to a born-segmented namespace."""

from __future__ import annotations

import difflib

from gitops_support import copy_repo_files, kustomize, tree_bytes, validation_error

from bootstrap import stacks
from bootstrap.cli import main
from bootstrap.gitops import find_drift

OWNER = "00000000-0000-0000-0000-00000000d0c3"


def _add(stack_dir, gitops_dir, *args: str) -> int:
    return main(
        ["tenant", "add", *args, "--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir)]
    )


def test_adds_the_tenant_keeping_comments_and_order_then_renders(tmp_path, capsys):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    stack = stack_dir / "Pulumi.staging.yaml"
    before = stack.read_text()

    assert (
        _add(
            stack_dir,
            gitops_dir,
            "team-c",
            "--env",
            "staging",
            "--owner",
            OWNER,
            "--keyvault",
            "--cluster",
            "stg1",
        )
        == 0
    )

    after = stack.read_text()
    diff = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert diff == [
        "+      - name: team-c",
        f"+        ownerGroupId: {OWNER}",
        "+        keyVault: true",
        "+        clusters: [stg1]",
    ], "only the new entry changes; every comment and key order is kept"
    assert "# No Key Vault, so team-b runs on every cluster, EKS included." in after

    config = stacks.load(stack_dir, "staging").config
    assert [t.name for t in config.gitops.tenants] == ["team-a", "team-b", "team-c"]
    configs = {name: stacks.load(stack_dir, name).config for name in stacks.stack_names(stack_dir)}
    assert find_drift(configs, gitops_dir, complete=True) == []

    built = kustomize(gitops_dir / "clusters/staging/stg1/tenants")
    names = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in built}
    assert ("Namespace", None, "team-c") in names
    assert ("ServiceAccount", "team-c", "workload") in names
    assert all(validation_error(o, "1.33") is None for o in built)
    on_eks = kustomize(gitops_dir / "clusters/staging/eks1/tenants")
    assert ("Namespace", None, "team-c") not in {
        (o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in on_eks
    }
    assert "tenants/overlays/staging/team-c/namespace.yaml" in capsys.readouterr().out


def test_without_keyvault_no_identity_is_rendered(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    assert _add(stack_dir, gitops_dir, "team-d", "--env", "dev", "--owner", OWNER) == 0
    folder = gitops_dir / "tenants/overlays/dev/team-d"
    assert sorted(p.name for p in folder.iterdir()) == [
        "kustomization.yaml",
        "namespace.yaml",
        "owners.yaml",
        "resource-quota.yaml",
    ]


def _refused(tmp_path, capsys, *args: str) -> str:
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    before = (tree_bytes(stack_dir), tree_bytes(gitops_dir))
    assert _add(stack_dir, gitops_dir, *args) == 2
    assert (tree_bytes(stack_dir), tree_bytes(gitops_dir)) == before, "nothing written"
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    return err


def test_bad_owner_is_refused_before_writing(tmp_path, capsys):
    err = _refused(tmp_path, capsys, "team-c", "--env", "dev", "--owner", "not-a-guid")
    assert "Pulumi.dev.yaml" in err and "ownerGroupId" in err and "GUID" in err


def test_bad_name_is_refused_before_writing(tmp_path, capsys):
    err = _refused(tmp_path, capsys, "Team_C", "--env", "dev", "--owner", OWNER)
    assert "DNS-1123" in err


def test_system_namespace_is_refused(tmp_path, capsys):
    err = _refused(tmp_path, capsys, "kube-tools", "--env", "dev", "--owner", OWNER)
    assert "system namespace" in err


def test_duplicate_tenant_is_refused(tmp_path, capsys):
    err = _refused(tmp_path, capsys, "team-a", "--env", "dev", "--owner", OWNER)
    assert "already declares 'team-a'" in err


def test_unknown_environment_is_refused(tmp_path, capsys):
    err = _refused(tmp_path, capsys, "team-c", "--env", "qa", "--owner", OWNER)
    assert "Pulumi.qa.yaml" in err


def test_first_tenant_creates_the_gitops_section(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    dev = stack_dir / "Pulumi.dev.yaml"
    text = dev.read_text()
    start = text.index("  platform:gitops:")
    dev.write_text(text[:start])
    assert _add(stack_dir, gitops_dir, "team-c", "--env", "dev", "--owner", OWNER) == 0
    assert dev.read_text().endswith(
        f"  platform:gitops:\n    tenants:\n      - name: team-c\n        ownerGroupId: {OWNER}\n"
    )
    assert not (gitops_dir / "tenants/overlays/dev/team-a").exists()


def test_key_vault_tenant_on_an_arc_cluster_is_refused_and_nothing_written(tmp_path, capsys):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    stack = stack_dir / "Pulumi.staging.yaml"
    before, tree = stack.read_text(), tree_bytes(gitops_dir)
    args = ("team-e", "--env", "staging", "--owner", OWNER, "--keyvault")
    assert _add(stack_dir, gitops_dir, *args) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "platform:gitops.tenants[2].clusters" in error and "eks1" in error
    assert stack.read_text() == before and tree_bytes(gitops_dir) == tree
