"""The error every reader raises: one line, the file, where in it, what is wrong."""

from __future__ import annotations

from .redact import one_line, redact


class BadInput(Exception):
    """Input the user must fix (config, plan file, manifest); the CLI exits with code 2.

    `str()` is the whole message, on one line, with secret-looking text masked: these
    lines end up in CI logs.
    """

    def __str__(self) -> str:
        return one_line(redact(super().__str__()))


class InputError(BadInput):
    """A refusal located in a file: `file:line: message (column N)`."""

    def __init__(
        self, file: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.file = file
        self.message = message
        self.line = line
        self.column = column
        where = f"{file}:{line}" if line else file
        at_column = f" (column {column})" if line and column else ""
        super().__init__(f"{where}: {message}{at_column}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.file, self.message, self.line, self.column))
