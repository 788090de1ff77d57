"""`bootstrap render`: deterministic, atomic, drift-checking, and kind to human-owned files."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitops_support import GITOPS, STACK_DIR, copy_repo_files, tree_bytes

from bootstrap import stacks
from bootstrap.cli import main
from bootstrap.gitops import find_drift, render
from bootstrap.gitops import tree as tree_module

OVERLAY = "apps/overlays/dev/kustomization.yaml"


def _configs(stack_dir: Path = STACK_DIR) -> dict:
    return {name: stacks.load(stack_dir, name).config for name in stacks.stack_names(stack_dir)}


def _render_cli(stack_dir: Path, gitops_dir: Path, *extra: str) -> int:
    return main(["render", *extra, "--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir)])


def test_committed_tree_matches_a_fresh_render():
    assert find_drift(_configs(), GITOPS, complete=True) == []


def test_render_check_passes_on_the_committed_tree(capsys):
    assert _render_cli(STACK_DIR, GITOPS, "--check") == 0
    assert "matches" in capsys.readouterr().out


def test_rendering_from_nothing_gives_the_committed_bytes(tmp_path):
    """A fresh clone: the generated files and the initial human-owned files."""
    render(_configs(), tmp_path / "gitops", complete=True)
    assert tree_bytes(tmp_path / "gitops") == tree_bytes(GITOPS)


def test_rendering_twice_gives_identical_bytes(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    render(_configs(), first, complete=True)
    render(_configs(), second, complete=True)
    assert tree_bytes(first) == tree_bytes(second)
    assert render(_configs(), first, complete=True) == [], "a second render changes nothing"


def test_check_names_changed_missing_and_stale_files_and_writes_nothing(tmp_path, capsys):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    edited = gitops_dir / "tenants/overlays/dev/team-a/resource-quota.yaml"
    edited.write_text(edited.read_text().replace('pods: "50"', 'pods: "5000"'))
    missing = gitops_dir / "infrastructure/base/coredns-custom.yaml"
    missing.unlink()
    stale = gitops_dir / "tenants/overlays/dev/gone/namespace.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: gone\n")
    before = tree_bytes(gitops_dir)

    assert _render_cli(stack_dir, gitops_dir, "--check") == 1

    out = capsys.readouterr().out
    for path in (edited, missing, stale):
        assert path.relative_to(tmp_path).as_posix() in out
    assert tree_bytes(gitops_dir) == before


def test_render_repairs_drift(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    (gitops_dir / "tenants/base/limit-range.yaml").write_text("# hand edit\n")
    assert _render_cli(stack_dir, gitops_dir) == 0
    assert tree_bytes(gitops_dir) == tree_bytes(GITOPS)


def test_a_failed_render_leaves_the_old_tree_intact(tmp_path, monkeypatch):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    (gitops_dir / "tenants/base/limit-range.yaml").write_text("# hand edit\n")
    before = tree_bytes(gitops_dir)
    written = []
    real_write = Path.write_bytes

    def failing_write(self: Path, data: bytes) -> int:
        written.append(self)
        if len(written) == 20:
            raise OSError("disk full")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(OSError, match="disk full"):
        render(_configs(stack_dir), gitops_dir, complete=True)

    assert len(written) == 20, "the failure happened half-way through the new tree"
    assert tree_bytes(gitops_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gitops", "stacks"], "no leftovers"


def test_a_failed_swap_restores_the_old_tree(tmp_path, monkeypatch):
    _, gitops_dir = copy_repo_files(tmp_path)
    before = tree_bytes(gitops_dir)
    real_replace = Path.replace

    def failing_replace(self: Path, target: Path) -> Path:
        if Path(target) == gitops_dir and self.name.startswith(".gitops-render-"):
            raise OSError("rename failed")
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", failing_replace)
    with pytest.raises(OSError, match="rename failed"):
        tree_module.write_tree(gitops_dir, {"README.md": b"new\n"})
    assert tree_bytes(gitops_dir) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gitops", "stacks"]


def test_bad_stack_is_one_line_exit_2_and_nothing_written(tmp_path, capsys):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    dev = stack_dir / "Pulumi.dev.yaml"
    dev.write_text(dev.read_text().replace("keyVault: true", "keyVault: sometimes"))
    (gitops_dir / "tenants/base/limit-range.yaml").write_text("# hand edit\n")
    before = tree_bytes(gitops_dir)

    assert _render_cli(stack_dir, gitops_dir) == 2

    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "Pulumi.dev.yaml" in err and "keyVault" in err
    assert tree_bytes(gitops_dir) == before


def test_unknown_environment_is_bad_input(tmp_path, capsys):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    assert _render_cli(stack_dir, gitops_dir, "qa") == 2
    assert "Pulumi.qa.yaml" in capsys.readouterr().err


def test_human_owned_overlay_keeps_comments_and_entries_when_updated(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    overlay = gitops_dir / OVERLAY
    overlay.write_text(
        "# Our dev tweaks: keep this comment.\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        "resources:\n"
        "  - status-page  # the team's own app\n"
        "patches:\n"
        "  - path: replicas.yaml  # one replica is enough in dev\n"
    )
    assert _render_cli(stack_dir, gitops_dir) == 0
    text = overlay.read_text()
    assert text == (
        "# Our dev tweaks: keep this comment.\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        "resources:\n"
        "  - ../../base\n"
        "  - status-page  # the team's own app\n"
        "patches:\n"
        "  - path: replicas.yaml  # one replica is enough in dev\n"
    )


def test_human_owned_files_that_comply_are_kept_byte_for_byte(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    overlay = gitops_dir / OVERLAY
    custom = "resources: [../../base, extra]   # flow style, odd spacing, all mine\n"
    overlay.write_text(custom)
    app = gitops_dir / "apps/base/status-page/deployment.yaml"
    app.parent.mkdir(parents=True)
    app.write_text("# a human-owned workload file\n")
    assert find_drift(_configs(stack_dir), gitops_dir, complete=True) == []
    assert _render_cli(stack_dir, gitops_dir) == 0
    assert overlay.read_text() == custom
    assert app.read_text() == "# a human-owned workload file\n"


def test_broken_human_owned_file_is_bad_input(tmp_path, capsys):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    (gitops_dir / OVERLAY).write_text("resources: [unclosed\n")
    before = tree_bytes(gitops_dir)
    assert _render_cli(stack_dir, gitops_dir) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and OVERLAY in err
    assert tree_bytes(gitops_dir) == before


def test_rendering_one_environment_leaves_the_others_alone(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    prod_quota = gitops_dir / "tenants/overlays/prod/team-b/resource-quota.yaml"
    prod_quota.write_text("# stale, but not dev's business\n")
    dev_quota = gitops_dir / "tenants/overlays/dev/team-a/resource-quota.yaml"
    dev_quota.write_text("# stale\n")

    assert _render_cli(stack_dir, gitops_dir, "dev") == 0

    assert dev_quota.read_bytes() == (GITOPS / dev_quota.relative_to(gitops_dir)).read_bytes()
    assert prod_quota.read_text() == "# stale, but not dev's business\n"
    assert find_drift({"dev": _configs(stack_dir)["dev"]}, gitops_dir) == []


def test_a_full_render_removes_environments_without_a_stack(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    (stack_dir / "Pulumi.staging.yaml").unlink()
    assert _render_cli(stack_dir, gitops_dir) == 0
    assert not (gitops_dir / "clusters/staging").exists()
    assert not (gitops_dir / "tenants/overlays/staging").exists()
    # Human-owned files of the environment are the humans' to delete.
    assert (gitops_dir / "apps/overlays/staging/kustomization.yaml").is_file()


def test_generated_files_say_so_and_human_owned_ones_do_not():
    header = "# generated by bootstrap render; do not edit\n"
    for path, content in tree_bytes(GITOPS).items():
        generated = not path.startswith(("apps/", "infrastructure/overlays/"))
        if path.endswith(".yaml"):
            assert content.decode().startswith(header) == generated, path
