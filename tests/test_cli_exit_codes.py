"""The exit-code contract's last resort: a bug is exit 3 and one line, never a traceback.

Exit 1 means "mandatory violation or drift", so an unexpected exception must not end
with Python's default exit 1 and a traceback: CI would report a policy failure that is
not one. BOOTSTRAP_DEBUG=1 shows the traceback for the person fixing the bug.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from support import REPO_ROOT, run_python

from bootstrap import cli
from bootstrap.cli import EXIT_INTERNAL_ERROR, main


def _failing_handler(error: BaseException):
    def handler(args: argparse.Namespace) -> int:
        raise error

    return handler


def _parser_with(handler) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.set_defaults(handler=handler)
    return parser


def test_an_unexpected_exception_is_exit_3_and_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BOOTSTRAP_DEBUG", raising=False)
    token = "gh" + "p_" + "A1b2" * 9
    error = KeyError(f"surprise\nwith {token}")
    monkeypatch.setattr(cli, "build_parser", lambda: _parser_with(_failing_handler(error)))
    assert main([]) == EXIT_INTERNAL_ERROR == 3
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("internal error: KeyError: ") and "please report it" in line
    assert token not in line and "BOOTSTRAP_DEBUG=1" in line


def test_debug_variable_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOTSTRAP_DEBUG", "1")
    monkeypatch.setattr(
        cli, "build_parser", lambda: _parser_with(_failing_handler(ZeroDivisionError()))
    )
    with pytest.raises(ZeroDivisionError):
        main([])


def test_bad_input_stays_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from components.untrusted import InputError

    error = InputError("plan.json", "not a plan", 1)
    monkeypatch.setattr(cli, "build_parser", lambda: _parser_with(_failing_handler(error)))
    assert main([]) == 2
    assert capsys.readouterr().err == "error: plan.json:1: not a plan\n"


def test_internal_error_from_a_real_process(tmp_path: Path) -> None:
    """As CI sees it: a separate process, exit 3, one line on stderr."""
    launcher = (
        "import argparse, sys\n"
        "from bootstrap import cli\n"
        "def boom(args): raise RuntimeError('unexpected state')\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.set_defaults(handler=boom)\n"
        "cli.build_parser = lambda: parser\n"
        "sys.exit(cli.main([]))\n"
    )
    completed = run_python("-c", launcher, env={"PATH": "", "PYTHONPATH": str(REPO_ROOT)})
    assert completed.returncode == 3
    assert completed.stderr.startswith("internal error: RuntimeError: unexpected state")
    assert "Traceback" not in completed.stderr and len(completed.stderr.splitlines()) == 1
