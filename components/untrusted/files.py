"""Reading a file that may be anything: only a regular file, and only up to a limit.

A FIFO blocks `open()` until a writer comes and `/dev/zero` never ends, so the file is
opened non-blocking and checked with fstat() on the open descriptor (no race with a
rename) before a byte is read; then at most `limit + 1` bytes are read, so a file that
grows while it is read is still refused.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import InputError
from .limits import KIB, MIB
from .paths import display_path

_CHUNK = 1 * MIB
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_bytes(path: Path, what: str, limit: int) -> bytes:
    """The content of the regular file `path` (a `what`, e.g. "stack file").

    The path is shown only in a refusal (naming it resolves its folders: not done for each
    of the thousands of files a manifest tree may hold).
    """
    try:
        descriptor = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise InputError(display_path(path), f"{what} not found") from None
    except OSError as error:
        raise InputError(display_path(path), f"cannot read {what} ({_reason(error)})") from None
    try:
        problem = file_problem(os.fstat(descriptor), what, limit)
        if problem:
            raise InputError(display_path(path), problem)
        os.set_blocking(descriptor, True)
        data = _read_at_most(descriptor, limit + 1)
    except OSError as error:
        raise InputError(display_path(path), f"cannot read {what} ({_reason(error)})") from None
    finally:
        os.close(descriptor)
    if len(data) > limit:
        raise InputError(display_path(path), _too_large(what, len(data), limit))
    return data


def file_problem(status: os.stat_result, what: str, limit: int) -> str | None:
    """Why a file with this status is refused as a `what`, or None."""
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a file")
        return f"is {kind}, not a regular file (expected a {what})"
    if status.st_size > limit:
        return _too_large(what, status.st_size, limit)
    return None


def read_text(path: Path, what: str, limit: int) -> str:
    """`read_bytes`, decoded as UTF-8 (a bad byte is refused with its line and column)."""
    data = read_bytes(path, what, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_utf8(data, display_path(path), what)


def decode_utf8(data: bytes, shown: str, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError(
            shown,
            f"not UTF-8 text (byte 0x{data[error.start]:02x}; expected a {what} in UTF-8)",
            line,
            column,
        ) from None


def _read_at_most(descriptor: int, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = os.read(descriptor, min(_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a symlink loop"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return error.strerror or type(error).__name__


def _too_large(what: str, size: int, limit: int) -> str:
    return f"{what} is {_size(size)}, over the limit of {_size(limit)}"


def _size(count: int) -> str:
    if count >= MIB:
        return f"{count / MIB:.1f} MiB"
    if count >= KIB:
        return f"{count / KIB:.0f} KiB"
    return f"{count} bytes"
