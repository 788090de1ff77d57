"""Each Azure resource checked against Microsoft's ARM schema for the API version sent.

What the provider would send (body.py) is validated with the pinned `jsonschema` against
the vendored, prepared definition (documents.py), compiled once per type and API version.
Every problem is one line in the SDK's input names: an unknown property, a value outside
an enum (case included), a missing required property, a name or value that breaks a
pattern, length, range or type. Values unknown at preview and secrets are not judged.

Two things azure-native fills in itself are not reported missing: the resource's own name
(azure-native auto-names a resource whose name input is absent) and `location` (taken from
the resource group when absent; AutoLocationDisabled in provider/pkg/resources).

A schema known to be wrong for what the service accepts is corrected only through
data/exceptions.json: per type, API version, input path and value, with its evidence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..arm_types import ARM_TYPES, ArmType
from .body import ArmBody, arm_body
from .documents import EXCEPTIONS_FILE, load, resolve, schema_path
from .fast import Unsupported, compile_schema
from .sdk import api_version

_ENVELOPE_KEY = "x-bootstrap-envelope"


def _is_integer(_: Any, instance: Any) -> bool:
    # The Pulumi engine passes every number as a protobuf double (google.protobuf.Struct),
    # so 3 arrives as 3.0: an integral float is an integer, as JSON Schema draft 6 says.
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


@cache
def arm_validator_class() -> Any:
    """Draft 4 with integral floats as integers. jsonschema is imported here, when a body
    first fails the compiled check (fast.py): a plan whose bodies all pass never loads it."""
    from jsonschema import Draft4Validator, validators

    return validators.extend(
        Draft4Validator,
        type_checker=Draft4Validator.TYPE_CHECKER.redefine("integer", _is_integer),
    )


_PROVIDER_FILLED = {"name", "location"}
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(resource)'}: {self.message}"


@dataclass(frozen=True)
class TypeSchema:
    token: str
    known: ArmType
    api_version: str
    document: dict[str, Any]
    definition: Any
    pointer: str
    # The compiled yes/no check (fast.py); None where the schema needs jsonschema throughout.
    valid: Callable[[Any], bool] | None = None

    @property
    def validator(self) -> Any:
        """jsonschema's validator for the error list (built on first use)."""
        return _validator(self.token)

    @property
    def label(self) -> str:
        return f"{self.known.arm_type}@{self.api_version}"


class MissingSchema(LookupError):
    """The type has no vendored schema: the check cannot vouch for it."""


def in_scope(token: str) -> bool:
    """An azure-native type the pinned SDK defines. Other tokens can only come from plan files
    of other tools or SDK versions, whose API version is unknown here."""
    return token.startswith("azure-native:") and api_version(token) is not None


@cache
def type_schema(token: str) -> TypeSchema:
    known = ARM_TYPES.get(token)
    if (
        not token.startswith("azure-native:")
        or known is None
        or not known.schema_file
        or not known.schema_pointer
    ):
        raise MissingSchema(
            f"no ARM schema is vendored for {token}: add it to policies/arm_types.py and run "
            "tools/vendor_arm_schemas.py"
        )
    version = api_version(token)
    if version is None:
        raise MissingSchema(f"the pinned pulumi-azure-native SDK does not define {token}")
    document = load(version, known.schema_file)
    if document is None:
        raise MissingSchema(
            f"no ARM schema is vendored for {known.arm_type} {version} "
            f"({schema_path(version, known.schema_file).name}): run tools/vendor_arm_schemas.py"
        )
    if known.envelope or not known.schema_pointer.count("esourceDefinitions/"):
        document = {**document, _ENVELOPE_KEY: _envelope(known, version)}
        pointer = _ENVELOPE_KEY
    else:
        pointer = known.schema_pointer
    definition = resolve(document, {"$ref": f"#/{pointer}"})
    if not isinstance(definition, dict):
        raise MissingSchema(f"{known.schema_pointer} is not in the vendored {known.schema_file}")
    try:
        valid: Callable[[Any], bool] | None = compile_schema(document, pointer)
    except Unsupported:
        valid = None
    return TypeSchema(token, known, version, document, definition, pointer, valid)


@cache
def _validator(token: str) -> Any:
    schema = type_schema(token)
    return arm_validator_class()({**schema.document, "$ref": f"#/{schema.pointer}"})


def _envelope(known: ArmType, version: str) -> dict[str, Any]:
    """The resource body for a file that describes only the properties object."""
    fields = {name: {"$ref": f"#/{pointer}"} for name, pointer in known.envelope}
    return {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "type": {"enum": [known.arm_type]},
            "apiVersion": {"enum": [version]},
            "properties": {"$ref": f"#/{known.schema_pointer}"},
            **fields,
        },
        "required": ["name", "type", "apiVersion"],
        "additionalProperties": False,
    }


def check(token: str, inputs: Mapping[str, Any]) -> list[Problem]:
    """Every schema problem of one resource; raises MissingSchema for an unknown type."""
    schema = type_schema(token)
    if schema.valid is not None:
        body = arm_body(
            schema.known,
            inputs,
            schema.api_version,
            schema.document,
            schema.definition,
            paths=False,
        ).body
        if _valid(schema, body):
            return []  # jsonschema would find no error (fast.py): nothing to list
    built = arm_body(schema.known, inputs, schema.api_version, schema.document, schema.definition)
    problems = []
    for error in schema.validator.iter_errors(built.body):
        for problem in _problems(error, built, schema):
            if not _excepted(schema, problem, error):
                problems.append(problem)
    return sorted(set(problems), key=lambda p: (p.path, p.message))


def _valid(schema: TypeSchema, body: Any) -> bool:
    if schema.valid is None:
        return False
    try:
        return bool(schema.valid(body))
    except Exception:  # whatever the closures trip on, jsonschema decides
        return False


def _problems(error: Any, built: ArmBody, schema: TypeSchema) -> Iterator[Problem]:
    """Problems of one jsonschema ValidationError."""
    path = tuple(error.absolute_path)
    where = f"({schema.label})"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        declared = error.schema.get("properties") or {}
        for key in sorted(set(error.instance) - set(declared), key=str):
            yield Problem(
                built.sdk_path((*path, key)), f"unknown property: not in Microsoft's schema {where}"
            )
        return
    if error.validator == "required" and isinstance(error.instance, dict):
        for key in error.validator_value:
            missing = (*path, key)
            if key in error.instance or missing in built.skipped:
                continue
            if not path and key in _PROVIDER_FILLED:
                continue
            yield Problem(built.sdk_path(missing), f"required property is missing {where}")
        return
    if error.validator == "enum":
        allowed = ", ".join(repr(v) for v in error.validator_value)
        hint = ""
        if isinstance(error.instance, str):
            same = [v for v in error.validator_value if str(v).lower() == error.instance.lower()]
            if same:
                hint = f" (the API spells it {same[0]!r}: enum values are case-sensitive)"
        message = f"{error.instance!r} is not an allowed value; allowed: {allowed}{hint} {where}"
        yield Problem(built.sdk_path(path), message)
        return
    yield Problem(built.sdk_path(path), f"{error.message} {where}")


# ---- documented corrections of the schema


@cache
def exceptions() -> tuple[dict[str, Any], ...]:
    if not EXCEPTIONS_FILE.is_file():
        return ()
    document = json.loads(EXCEPTIONS_FILE.read_text(encoding="utf-8"))
    return tuple(document.get("exceptions") or ())


def _excepted(schema: TypeSchema, problem: Problem, error: Any) -> bool:
    """A value the service accepts although the schema's enum omits it (narrowly: type, API
    version, input path with any list index, and the exact value)."""
    if error.validator != "enum":
        return False
    generic_path = _INDEX.sub("[]", problem.path)
    return any(
        entry.get("type") == schema.token
        and entry.get("apiVersion") == schema.api_version
        and entry.get("path") == generic_path
        and error.instance in (entry.get("values") or ())
        for entry in exceptions()
    )
