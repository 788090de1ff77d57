"""Turning validation failures into one line: file, line, key path, what was expected."""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any

from pydantic import BaseModel, ValidationError

from components.untrusted.errors import InputError
from components.untrusted.redact import looks_secret, shown_value

from .base import LocatedValueError

NAMESPACE = "platform"


class ConfigError(InputError):
    """A stack file the platform refuses; `str()` is the single line users see
    (`file:line: message`, secrets masked: this is what CI logs show)."""


def key_path(loc: Sequence[str | int]) -> str:
    """('clusters', 0, 'network') -> 'platform:clusters[0].network'."""
    text = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
        elif index == 0:
            text = f"{NAMESPACE}:{part}"
        else:
            text += f".{part}"
    return text


def describe(error: ValidationError, root: type[BaseModel]) -> tuple[tuple[str | int, ...], str]:
    """The first problem of a pydantic error as (location, sentence)."""
    first = error.errors(include_url=False)[0]
    loc = tuple(first["loc"])
    kind = first["type"]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, LocatedValueError):
        return (*loc, *cause.loc), str(cause) + _more(error)
    if kind == "extra_forbidden":
        parent, key = loc[:-1], str(loc[-1])
        allowed = allowed_keys(root, parent)
        close = get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(allowed)}"
        sentence = f"unknown key '{key}' ({hint})"
        if key == "secure":
            sentence = "secrets do not belong in platform config; keep them in Key Vault"
        return loc, sentence
    if kind == "missing":
        return loc, "required key is missing"
    message = str(first["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = first.get("input")
    if isinstance(value, str) and value and (looks_secret(value) or len(value) > 60):
        # Validators quote the refused value; a pasted key or a page of text stays out.
        message = message.replace(value, shown_value(value).strip("'"))
    if kind not in {"value_error", "assertion_error"} and "input" in first:
        message = f"{message} (got {shown_value(value)})"
    return loc, message + _more(error)


def _more(error: ValidationError) -> str:
    count = len(error.errors())
    return f" (and {count - 1} more problem(s))" if count > 1 else ""


def allowed_keys(root: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The camelCase keys accepted at a location of the schema."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = _field_by_alias(model, str(part))
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _field_by_alias(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """Unwraps list[...], X | None and Annotated[...] down to a model class, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated, dict):
        for argument in typing.get_args(annotation):
            found = _model_of(argument)
            if found is not None:
                return found
    return None
