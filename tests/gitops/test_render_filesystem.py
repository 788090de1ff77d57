"""`render` on a real working copy: a kill mid-swap is recovered, debris is cleaned, links
are never followed. Kills are real: a separate process dies between the two renames."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from gitops_support import copy_repo_files, tree_bytes
from support import REPO_ROOT

from bootstrap import stacks
from bootstrap.cli import main
from bootstrap.gitops import find_drift

HUMAN_FILE = "apps/base/team-notes.yaml"
HUMAN_TEXT = "# written by a person; render must never drop it\n"
OWNER = "00000000-0000-0000-0000-00000000d0c3"

# Runs `bootstrap render` and dies (SIGKILL-like, no cleanup) right after the first rename
# of the swap (gitops/ -> .gitops-old-*) and before the second one.
KILLED_RENDER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    real_replace = Path.replace
    def replace(self, target):
        result = real_replace(self, target)
        if Path(target).name.startswith(".gitops-old-"):
            os._exit(137)
        return result
    Path.replace = replace
    from bootstrap.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def _render_process(*arguments: str, script: str | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", script] if script else [sys.executable, "-m", "bootstrap"]
    return subprocess.run(
        [*command, "render", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def _scratch(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the repository's stacks and tree, a human file, and a pending change."""
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    (gitops_dir / HUMAN_FILE).write_text(HUMAN_TEXT)
    dev = stack_dir / "Pulumi.dev.yaml"
    tenant = f"      - name: team-k\n        ownerGroupId: {OWNER}\n"
    dev.write_text(dev.read_text().replace("    tenants:\n", "    tenants:\n" + tenant, 1))
    return stack_dir, gitops_dir


def _debris(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".gitops-"))


def test_a_render_killed_between_the_renames_is_restored_by_the_next_one(tmp_path):
    stack_dir, gitops_dir = _scratch(tmp_path)
    arguments = ("--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir))

    killed = _render_process(*arguments, script=KILLED_RENDER)
    assert killed.returncode == 137
    assert not gitops_dir.exists(), "the kill landed between the two renames"
    assert [name.split("-")[1] for name in _debris(tmp_path)] == ["old", "render"]

    checked = _render_process("--check", *arguments)
    assert checked.returncode == 2, "a read-only check never repairs, and never says 'clean'"
    assert "interrupted render" in checked.stderr and len(checked.stderr.splitlines()) == 1

    recovered = _render_process(*arguments)
    assert recovered.returncode == 0, recovered.stderr
    assert "restored" in recovered.stdout
    assert (gitops_dir / HUMAN_FILE).read_text() == HUMAN_TEXT, "human-owned files survive"
    assert (gitops_dir / "tenants/overlays/dev/team-k/namespace.yaml").is_file()
    assert _debris(tmp_path) == [], "no staging folder or old tree is left behind"
    configs = {n: stacks.load(stack_dir, n).config for n in stacks.stack_names(stack_dir)}
    assert find_drift(configs, gitops_dir, complete=True) == []


def test_staging_folders_and_old_trees_of_interrupted_renders_are_removed(tmp_path, capsys):
    stack_dir, gitops_dir = _scratch(tmp_path)
    for name in (".gitops-render-k1lled00", ".gitops-old-k1lled00"):
        (tmp_path / name / "clusters").mkdir(parents=True)
        (tmp_path / name / "clusters" / "half.yaml").write_text("kind: Half\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not ours\n")
    (tmp_path / ".gitops-render-link0000").symlink_to(elsewhere)

    assert main(["render", "--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir)]) == 0

    assert _debris(tmp_path) == [".gitops-render-link0000"], "a link is never followed or removed"
    assert (elsewhere / "keep.txt").read_text() == "not ours\n"
    assert "removed" in capsys.readouterr().out
    assert (gitops_dir / HUMAN_FILE).read_text() == HUMAN_TEXT


def test_a_missing_tree_with_several_old_trees_is_not_guessed(tmp_path, capsys):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    gitops_dir.rename(tmp_path / ".gitops-old-aaaa0000")
    (tmp_path / ".gitops-old-bbbb0000").mkdir()

    assert main(["render", "--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir)]) == 2

    err = capsys.readouterr().err
    assert "several earlier trees" in err and len(err.splitlines()) == 1
    assert not gitops_dir.exists()


def test_the_tree_follows_the_umask_and_keeps_no_staging_mode(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    before = tree_bytes(gitops_dir)
    gitops_dir.chmod(0o700)
    (gitops_dir / "README.md").write_text("stale\n")

    assert main(["render", "--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir)]) == 0

    assert tree_bytes(gitops_dir) == before
    assert gitops_dir.stat().st_mode & 0o777 == 0o777 & ~_umask()


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask
