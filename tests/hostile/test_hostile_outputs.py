"""Hostile and careless outputs: every case is the CLI run as a separate process.

The table below is the suite (one row per case, like the policy mutations): the command,
the exit code it must give and, for bad input or environment (exit 2), the single stderr
line. Every case also asserts that no traceback is printed and that no temporary file or
folder is left behind; a case that exits 2 must leave its whole scratch folder exactly as
it was (nothing written, nothing half-written). Secrets are assembled at run time.
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile_support import (
    OWNER,
    Outcome,
    Run,
    leftovers,
    registry,
    render_tree,
    run_all,
    write_plan,
    write_stack,
)

Finished = Outcome  # what a case's checks look at: the finished process and its folder
# How this table runs its cases (hostile_support.Run): the CLI's own environment only, the
# folder recorded before and after, no address-space limit, a minute each.
OUTPUT_BOUNDS = {"clean_env": True, "snapshot": True, "memory_limit": None, "timeout": 60.0}


@dataclass(frozen=True)
class Case:
    name: str
    finding: str  # the issue-9 class it guards
    build: Callable[[Path], Run]
    code: int
    # For exit 2: the one stderr line (a regular expression). Otherwise stderr is empty.
    message: str | None = None
    check: Callable[[Finished], None] | None = None


# ---- builders


def _check(*options: str, plan: Callable[[Path], Path] | None = None) -> Callable[[Path], Run]:
    def build(folder: Path) -> Run:
        path = (plan or _failing_plan)(folder)
        return Run(["check", "--plan", str(path), *_paths(folder, options)])

    return build


def _paths(folder: Path, options: tuple[str, ...]) -> list[str]:
    """Options whose values name scratch paths ("@x" means folder/x)."""
    return [str(folder / o[1:]) if o.startswith("@") else o for o in options]


def _failing_plan(folder: Path) -> Path:
    return write_plan(folder, [registry("registry")])


def _with(prepare: Callable[[Path], object], build: Callable[[Path], Run]) -> Callable:
    def both(folder: Path) -> Run:
        prepare(folder)
        return build(folder)

    return both


def _directory(name: str) -> Callable[[Path], object]:
    return lambda folder: (folder / name).mkdir()


def _file(name: str, text: str = "keep me\n") -> Callable[[Path], object]:
    return lambda folder: (folder / name).write_text(text)


def _fifo(name: str) -> Callable[[Path], object]:
    return lambda folder: os.mkfifo(folder / name)


def _symlink(name: str, target: str) -> Callable[[Path], object]:
    return lambda folder: (folder / name).symlink_to(folder / target)


def _render(*options: str, closed_stdout: bool = False) -> Callable[[Path], Run]:
    def build(folder: Path) -> Run:
        write_stack(folder)
        argv = ["render", "--stack-dir", str(folder / "stacks"), *_paths(folder, options)]
        if "--gitops-dir" not in options:
            argv += ["--gitops-dir", str(folder / "gitops")]
        return Run(argv, closed_stdout=closed_stdout, writes=closed_stdout)

    return build


def _rendered(prepare: Callable[[Path], object]) -> Callable[[Path], object]:
    """A rendered scratch tree, then `prepare` (e.g. a link planted inside it)."""

    def setup(folder: Path) -> None:
        write_stack(folder)
        render_tree(folder)
        prepare(folder)

    return setup


def _tenant_add(name: str, *options: str) -> Callable[[Path], Run]:
    def build(folder: Path) -> Run:
        write_stack(folder)
        argv = ["tenant", "add", name, "--env", "dev", "--owner", OWNER]
        argv += ["--stack-dir", str(folder / "stacks"), *_paths(folder, options)]
        if "--gitops-dir" not in options:
            argv += ["--gitops-dir", str(folder / "gitops")]
        return Run(argv)

    return build


def _linked_stack(build: Callable[[Path], Run]) -> Callable[[Path], Run]:
    """The stack file is a link to a file elsewhere: a write would replace the link."""

    def linked(folder: Path) -> Run:
        run = build(folder)
        stack = folder / "stacks/Pulumi.dev.yaml"
        stack.rename(folder / "elsewhere.yaml")
        stack.symlink_to(folder / "elsewhere.yaml")
        return run

    return linked


def _export(output: str) -> Callable[[Path], Run]:
    def build(folder: Path) -> Run:
        plan = _failing_plan(folder)
        return Run(["export", "--format", "arm", _paths(folder, (output,))[0], "--plan", str(plan)])

    return build


# ---- hostile names and values (class 5, 6)

MARKUP_NAMES = ("reg[/bold]x", "[bold]b[/bold]", "[link=https://evil.example]c[/link]")
ESCAPE = "\x1b[2J\x1b]8;;https://evil.example\x07d"


def _markup_plan(folder: Path) -> Path:
    resources = [registry(name) for name in MARKUP_NAMES]
    resources.append(registry("mention @org/team and #1 | `code` <b>x</b> **bold**"))
    resources.append(registry(f"esc{ESCAPE}"))
    return write_plan(folder, resources)


def _markup_check(finished: Finished) -> None:
    out = finished.stdout
    for name in MARKUP_NAMES:
        assert name in out, f"{name!r} must be printed as text, not applied as markup"
    assert "\x1b" not in out, "no escape sequence from input reaches the terminal"
    markdown = (finished.folder / "report.md").read_text(encoding="utf-8")
    assert "@org/team" not in markdown, "a mention in a name must not notify anyone"
    assert "<b>x</b>" not in markdown and "\x1b" not in markdown
    sarif = (finished.folder / "report.sarif").read_text(encoding="utf-8")
    assert "\\u001b" not in sarif and "\x1b" not in sarif


TOKEN = "gh" + "p_" + secrets.token_hex(18)
PASSWORD = secrets.token_urlsafe(12)
KEY_BODY = base64.b64encode(secrets.token_bytes(48)).decode()
PEM = "-----BEGIN " + "PRIVATE KEY-----\n" + KEY_BODY + "\n-----END " + "PRIVATE KEY-----"
WIRE_SECRET = {
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    "plaintext": PASSWORD + "-wire",
}
SECRET_PARTS = (TOKEN, PASSWORD, KEY_BODY[:24])


def _secrets_plan(folder: Path) -> Path:
    leaky = registry(
        f"r-{TOKEN}",
        loginServer=f"https://x-access-token:{PASSWORD}@github.com/o/r.git",
        certificate=PEM,
        tags={"note": f"token {TOKEN}", "deep": [{"wire": WIRE_SECRET}]},
    )
    leaky["source"] = {"file": WIRE_SECRET, "line": 1}
    leaky["custom"] = WIRE_SECRET
    return write_plan(folder, [leaky], outputs={"kubeconfig": PEM})


def _secrets_check(finished: Finished) -> None:
    for name in ("plan.out.json", "report.sarif", "report.md"):
        text = (finished.folder / name).read_text(encoding="utf-8")
        for part in SECRET_PARTS:
            assert part not in text, f"{name} leaks a secret"
        assert "[secret]" in text.replace("\\[secret\\]", "[secret]"), f"{name} marks the place"
    for part in SECRET_PARTS:
        assert part not in finished.stdout


def _escaping_plan(folder: Path) -> Path:
    return write_plan(folder, [registry("registry")], stack="../../escaped")


def _file_unchanged(name: str, text: str = "keep me\n") -> Callable[[Finished], None]:
    def check(finished: Finished) -> None:
        assert (finished.folder / name).read_text() == text

    return check


def _reports_written(*names: str) -> Callable[[Finished], None]:
    def check(finished: Finished) -> None:
        for name in names:
            assert (finished.folder / name).is_file(), f"{name} is written before stdout breaks"

    return check


def _modes(expected: dict[str, int]) -> Callable[[Finished], None]:
    def check(finished: Finished) -> None:
        modes = {path: (finished.folder / path).stat().st_mode & 0o777 for path in expected}
        assert modes == expected, "modes follow the umask, as any other tool's files do"

    return check


NOT_WRITABLE = r"cannot write|not a directory|is a directory|not a regular file|symbolic link"
RESERVED = r"system namespace"


CASES = (
    # -- 4: output paths that cannot take a report: one line, exit 2, nothing written
    Case("sarif-is-a-directory", "4", _with(_directory("out"), _check("--sarif", "@out")), 2,
         r"out: .*is a directory"),
    Case("markdown-is-a-directory", "4", _with(_directory("out"), _check("--markdown", "@out")),
         2, r"out: .*is a directory"),
    Case("json-under-a-file", "4", _with(_file("f"), _check("--json", "@f/plan.json")), 2,
         r"f/plan.json: .*not a directory", _file_unchanged("f")),
    Case("json-is-a-fifo", "4", _with(_fifo("pipe"), _check("--json", "@pipe")), 2,
         r"pipe: .*not a regular file"),
    Case("sarif-is-a-symlink", "4",
         _with(lambda f: (_file("real")(f), _symlink("link", "real")(f)),
               _check("--sarif", "@link")), 2, r"link: .*symbolic link", _file_unchanged("real")),
    Case("sarif-in-a-read-only-system-folder", "4", _check("--sarif", "/sys/report.sarif"), 2,
         r"/sys/report.sarif: cannot write"),
    Case("json-folder-with-a-stack-name-that-escapes", "4",
         _with(_directory("out"), _check("--json", "@out", plan=_escaping_plan)), 2,
         r"stack name .*escaped"),
    # -- 4 / item 4: all or none: a good --json next to a bad --sarif writes nothing
    Case("json-ok-sarif-directory", "4", _with(_directory("out"),
         _check("--json", "@plan.out.json", "--sarif", "@out")), 2, r"out: .*is a directory"),
    Case("json-ok-markdown-unwritable-at-write-time", "4",
         _check("--json", "@new/folder/plan.json", "--markdown", "/proc/report.md"), 2,
         r"/proc/report.md: cannot write"),
    Case("export-to-a-directory", "4", _with(_directory("out"), _export("@out")), 2,
         r"out: .*is a directory"),
    Case("export-under-a-file", "4", _with(_file("f"), _export("@f/arm.json")), 2,
         r"not a directory", _file_unchanged("f")),
    # -- 4 / item 3: a closed stdout (`| head -1`) is exit 2, one line, no traceback
    Case("check-into-a-closed-pipe", "4", lambda f: Run(
        ["check", "--plan", str(_failing_plan(f)), "--json", str(f / "plan.out.json"),
         "--sarif", str(f / "report.sarif")], closed_stdout=True, writes=True),
         2, r"broken pipe", _reports_written("plan.out.json", "report.sarif")),
    Case("render-into-a-closed-pipe", "4", _render(closed_stdout=True), 2, r"broken pipe",
         _reports_written("gitops/README.md")),
    # -- 5: names are text, never markup, in every report
    Case("markup-and-mentions-in-names", "5", lambda f: Run(
        ["check", "--plan", str(_markup_plan(f)), "--markdown", str(f / "report.md"),
         "--sarif", str(f / "report.sarif")], writes=True), 1, check=_markup_check),
    # -- 6: secrets masked wherever they appear in outputs
    Case("secrets-in-any-field", "6", lambda f: Run(
        ["check", "--plan", str(_secrets_plan(f)), "--json", str(f / "plan.out.json"),
         "--markdown", str(f / "report.md"), "--sarif", str(f / "report.sarif")], writes=True),
         1, check=_secrets_check),
    # -- 7: the gitops folder itself
    Case("gitops-dir-is-a-file", "7", _with(_file("gitops"), _render()), 2,
         r"gitops: not a directory", _file_unchanged("gitops")),
    Case("gitops-dir-not-writable", "4", _render("--gitops-dir", "/sys/gitops"), 2,
         r"/sys/gitops: (cannot write|.*not writable)"),
    Case("gitops-dir-is-a-symlink", "7", _with(lambda f: (_directory("real")(f),
         _symlink("gitops", "real")(f)), _render()), 2, r"gitops: .*symbolic link"),
    Case("symlink-inside-gitops-to-outside", "7",
         _with(_rendered(lambda f: (_file("outside.txt", "outside secret\n")(f),
                                    (f / "gitops/apps/base/leak.yaml").symlink_to(
                                        f / "outside.txt"))), _render()),
         2, r"gitops/apps/base/leak.yaml: .*symbolic link"),
    Case("fifo-inside-gitops", "7",
         _with(_rendered(lambda f: os.mkfifo(f / "gitops/apps/base/pipe.yaml")), _render()), 2,
         r"gitops/apps/base/pipe.yaml: not a regular file"),
    Case("render-follows-the-umask", "7",
         lambda f: Run(_render()(f).argv, writes=True, umask=0o027), 0,
         check=_modes({"gitops": 0o750, "gitops/README.md": 0o640})),
    Case("reports-follow-the-umask", "7", lambda f: Run(
        ["check", "--plan", str(_failing_plan(f)), "--json", str(f / "out/plan.json"),
         "--sarif", str(f / "report.sarif")], writes=True, umask=0o022), 1,
         check=_modes({"out": 0o755, "out/plan.json": 0o644, "report.sarif": 0o644})),
    Case("tenant-add-gitops-dir-is-a-file", "7",
         _with(_file("gitops"), _tenant_add("team-z")), 2, r"gitops: not a directory"),
    Case("tenant-add-stack-file-is-a-symlink", "7", _linked_stack(_tenant_add("team-z")), 2,
         r"Pulumi.dev.yaml: is a symbolic link"),
    # -- 8: namespaces Kubernetes, AKS, Arc, Flux, Calico or Gatekeeper own are no tenants
    *(
        Case(f"tenant-{name}", "8", _tenant_add(name), 2, RESERVED)
        # every reserved name is refused in-process by tests/test_reserved_namespaces.py
        for name in ("calico-system", "aks-command")
    ),
)  # fmt: skip

_BY_NAME = {case.name: case for case in CASES}


def test_case_names_are_unique():
    assert len(_BY_NAME) == len(CASES)


@pytest.fixture(scope="module")
def finished(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Runs the selected cases once, in parallel, and keeps their results."""
    selected = {
        item.callspec.params["case"].name
        for item in request.session.items
        if hasattr(item, "callspec") and isinstance(item.callspec.params.get("case"), Case)
    }
    builds = {name: _bounded(_BY_NAME[name].build) for name in selected}
    return run_all(builds, tmp_path_factory.mktemp("hostile-outputs"))


def _bounded(build: Callable[[Path], Run]) -> Callable[[Path], Run]:
    return lambda folder: dataclasses.replace(build(folder), **OUTPUT_BOUNDS)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_output(case: Case, finished: dict[str, Finished]) -> None:
    result = finished[case.name]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == case.code, (result.returncode, result.stderr, result.stdout)
    lines = result.stderr.splitlines()
    if case.code == 2:
        assert len(lines) == 1, f"expected one line on stderr, got {result.stderr!r}"
        assert lines[0].startswith("error: "), lines[0]
        assert re.search(case.message or "", lines[0]), lines[0]
        if not result.writes:
            assert result.after == result.before, "bad input or environment writes nothing"
    else:
        assert lines == [], result.stderr
    assert leftovers(result) == [], "no temporary file or folder is left behind"
    if case.check is not None:
        case.check(result)
