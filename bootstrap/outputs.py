"""The files a command writes (plan files, reports, ARM templates): checked, then all or none.

Every output path is checked before any work is done (a directory, a symbolic link, a
device or a path under a regular file is refused with one line, exit 2), and checked
again right before writing. The files of one command are written together: each to a
temporary file beside its target, and only when every one is complete are they renamed
into place; on any failure the temporaries (and folders created for them) are removed,
so a failed command leaves no report at all rather than some of them. New files get the
mode the umask gives (as `touch` would), an existing file keeps its own.

Serialized JSON goes through json_text(): Pulumi wire secrets anywhere in the document
and credential-shaped strings (components.untrusted.credentials) read "[secret]".
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bootstrap.errors import BadInput
from components.untrusted.credentials import redact
from policies.sources.wire import SIG_KEY, mask


@dataclass(frozen=True)
class Output:
    path: Path
    what: str  # "SARIF report", "plan file", ... as the error line names it
    text: str


def current_umask() -> int:
    # os.umask can only be read by setting it; the CLI is single-threaded.
    mask_bits = os.umask(0o022)
    os.umask(mask_bits)
    return mask_bits


def new_file_mode() -> int:
    return 0o666 & ~current_umask()


def new_folder_mode() -> int:
    return 0o777 & ~current_umask()


def shown(path: Path) -> str:
    """The path as typed (relative to the working directory when inside it), links kept:
    a message about a symbolic link must name the link, not what it points to."""
    absolute = Path(os.path.normpath(Path.cwd() / path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_target(path: Path, what: str) -> None:
    """Raises BadInput unless `path` can be created, or replaced, as a regular file."""
    shown_path = shown(path)
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        info = None  # the folder check below names what is wrong
    except OSError as error:
        raise BadInput(f"{shown_path}: cannot write the {what} ({_reason(error)})") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise BadInput(
                f"{shown_path}: is a symbolic link (expected a regular file or a new path for "
                f"the {what}; outputs never write through links)"
            )
        if stat.S_ISDIR(info.st_mode):
            raise BadInput(f"{shown_path}: is a directory (expected a file path for the {what})")
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(
                f"{shown_path}: not a regular file (expected a file path for the {what})"
            )
    check_folder(path.parent, f"{shown_path}: cannot write the {what}")


def check_folder(folder: Path, context: str) -> None:
    """The folder (or its nearest existing ancestor) is a directory this user may write."""
    existing = folder
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise BadInput(f"{context}: {shown(existing)} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise BadInput(f"{context}: {shown(existing)} is not writable")


def write_files(outputs: Sequence[Output]) -> None:
    """Writes every output, or none of them (see the module docstring)."""
    seen: dict[Path, str] = {}
    for output in outputs:
        check_target(output.path, output.what)
        key = output.path.resolve()
        if key in seen:
            raise BadInput(
                f"{shown(output.path)}: named for both the {seen[key]} and the "
                f"{output.what} (expected a different path for each)"
            )
        seen[key] = output.what
    created: list[Path] = []
    temporaries: list[tuple[Path, Output]] = []
    try:
        for output in outputs:
            temporaries.append((_write_temporary(output, created), output))
        for temporary, output in temporaries:
            try:
                temporary.replace(output.path)
            except OSError as error:
                raise _cannot_write(output, error) from None
    except BaseException:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)
        for folder in reversed(created):
            _remove_empty(folder)
        raise


def _write_temporary(output: Output, created: list[Path]) -> Path:
    try:
        make_folders(output.path.parent, created)
        handle, name = tempfile.mkstemp(
            prefix=f".{output.path.name}.", suffix=".tmp", dir=output.path.parent
        )
    except OSError as error:
        raise _cannot_write(output, error) from None
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", errors="replace", newline="\n") as stream:
            stream.write(output.text)
        temporary.chmod(_mode_for(output.path))
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _cannot_write(output, error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def make_folders(folder: Path, created: list[Path] | None = None) -> list[Path]:
    """Creates the missing folders of `folder` (umask modes); returns those it created,
    also adding each to `created` as soon as it exists (so a failure can undo them)."""
    missing = []
    current = folder
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    made = [] if created is None else created
    start = len(made)
    for path in reversed(missing):
        path.mkdir()
        made.append(path)
    return made[start:]


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return new_file_mode()


def _remove_empty(folder: Path) -> None:
    # Not empty or already gone: never remove more than this run created.
    with contextlib.suppress(OSError):
        folder.rmdir()


def _cannot_write(output: Output, error: OSError) -> BadInput:
    return BadInput(
        f"{shown(output.path)}: cannot write the {output.what} ({_reason(error)}); "
        "nothing was written"
    )


@contextlib.contextmanager
def writing(path: Path, what: str) -> Iterator[None]:
    """An OSError while writing `path` becomes one line and exit 2 (an environment problem)."""
    try:
        yield
    except BrokenPipeError:
        raise  # stdout, not the file: the CLI reports it
    except OSError as error:
        raise BadInput(f"{shown(path)}: cannot write the {what} ({_reason(error)})") from None


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def json_text(document: Any, expand: int | None = None) -> str:
    """JSON for an output file, with secrets masked wherever they appear.

    Indented throughout by default. With `expand`, only the outer `expand` levels are laid
    out one entry per line and each deeper value is written on its line as compact JSON:
    a plan file of 50,000 resources then reads one resource per line (which also diffs
    well), and is written by the json module's C encoder instead of its pure-Python
    indenting one, several times slower on large documents.
    """
    text = _dump(document, expand)
    if SIG_KEY in text:
        # A Pulumi wire object (a secret) survived somewhere reading did not expect.
        text = _dump(mask(document), expand)
    return redact(text)


_COMPACT = json.JSONEncoder(ensure_ascii=False).encode  # separators ", " and ": "


def _dump(document: Any, expand: int | None = None) -> str:
    if expand is None:
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    parts: list[str] = []
    _layout(document, 0, expand, parts)
    parts.append("\n")
    return "".join(parts)


def _layout(value: Any, level: int, expand: int, parts: list[str]) -> None:
    """`value` indented (two spaces) for `expand` levels, compact below."""
    inner = "\n" + "  " * (level + 1)
    if level < expand and isinstance(value, dict) and value and all(type(k) is str for k in value):
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            parts.append(("," if index else "") + inner + _COMPACT(key) + ": ")
            _layout(item, level + 1, expand, parts)
        parts.append("\n" + "  " * level + "}")
    elif level < expand and isinstance(value, list | tuple) and value:
        parts.append("[")
        for index, item in enumerate(value):
            parts.append(("," if index else "") + inner)
            _layout(item, level + 1, expand, parts)
        parts.append("\n" + "  " * level + "]")
    else:
        parts.append(_COMPACT(value))
