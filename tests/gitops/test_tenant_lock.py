"""Concurrent `tenant add` on one working copy: both tenants land, or the second says why not.

Two real processes start their commands at the same moment (each waits at a gate after
its imports), so without the working-copy lock both would read the stack file before
either wrote it, and one tenant would be lost.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from gitops_support import copy_repo_files, tree_bytes
from support import REPO_ROOT

from bootstrap import stacks
from bootstrap.cli import main
from bootstrap.gitops import find_drift
from bootstrap.locking import working_copy_lock

OWNER = "00000000-0000-0000-0000-00000000d0c3"
GATED = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import bootstrap.cli, bootstrap.stacks, bootstrap.stack_edit, bootstrap.gitops.tree
    import bootstrap.commands.tenant
    ready, gate = Path(sys.argv[1]), Path(sys.argv[2])
    ready.touch()
    while not gate.exists():
        time.sleep(0.002)
    sys.exit(bootstrap.cli.main(sys.argv[3:]))
    """
)


def _tenant_names(stack_dir: Path) -> list[str]:
    return [t.name for t in stacks.load(stack_dir, "dev").config.gitops.tenants]


def test_two_concurrent_tenant_adds_both_land(tmp_path):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    gate = tmp_path / "go"
    processes = []
    for name in ("team-x", "team-y"):
        command = ["tenant", "add", name, "--env", "dev", "--owner", OWNER]
        command += ["--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir)]
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", GATED, str(tmp_path / f"ready-{name}"), str(gate), *command],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=REPO_ROOT,
                env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
            )
        )
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in ("team-x", "team-y")):
        assert time.monotonic() < deadline, "the processes never got ready"
        time.sleep(0.01)
    gate.touch()
    results = [process.communicate(timeout=60) for process in processes]

    assert [p.returncode for p in processes] == [0, 0], results
    assert {"team-x", "team-y"} <= set(_tenant_names(stack_dir)), "no tenant is lost"
    for name in ("team-x", "team-y"):
        assert (gitops_dir / f"tenants/overlays/dev/{name}/namespace.yaml").is_file()
    configs = {n: stacks.load(stack_dir, n).config for n in stacks.stack_names(stack_dir)}
    assert find_drift(configs, gitops_dir, complete=True) == [], "the tree has both, too"


def test_a_run_that_waits_too_long_gives_up_with_one_line_and_writes_nothing(
    tmp_path, monkeypatch, capsys
):
    stack_dir, gitops_dir = copy_repo_files(tmp_path)
    stack_before = (stack_dir / "Pulumi.dev.yaml").read_bytes()
    tree_before = tree_bytes(gitops_dir)
    monkeypatch.setenv("BOOTSTRAP_LOCK_TIMEOUT", "0.2")

    with working_copy_lock(stack_dir):  # another run is busy with this working copy
        where = ["--stack-dir", str(stack_dir), "--gitops-dir", str(gitops_dir)]
        code = main(["tenant", "add", "team-z", "--env", "dev", "--owner", OWNER, *where])

    assert code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "still working" in err
    assert (stack_dir / "Pulumi.dev.yaml").read_bytes() == stack_before
    assert tree_bytes(gitops_dir) == tree_before


def test_the_lock_is_released_when_the_holder_ends(tmp_path):
    with working_copy_lock(tmp_path, tmp_path):  # the same folder twice: taken once
        pass
    with working_copy_lock(tmp_path):
        pass
