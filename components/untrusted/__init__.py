"""Reading untrusted input: stack files, plan files, manifests, kustomize output.

`bootstrap` judges pull-request content in CI, so every file it reads may be hostile. The
readers here are the only way in: regular files only (never a FIFO or a device, which
would block or never end), a size limit per kind of file, YAML with bounded nesting and
bounded alias expansion, JSON with bounded nesting, values Python cannot represent
refused; each refusal is an `InputError`: one line naming the file, the line and column
where there is one, and what is wrong, with secret-looking text masked.

It lives under components/ because the Pulumi program (stack files), the policy pack
(plan files, manifests) and the CLI all read input, and components/ is the one package
all three import; it imports nothing of theirs.
"""

from .errors import BadInput, InputError
from .files import read_bytes, read_text
from .json_reader import parse_json
from .limits import (
    KUSTOMIZE_OUTPUT_LIMIT,
    MANIFEST_FILE_LIMIT,
    MAX_ALIASED_NODES,
    MAX_DEPTH,
    OWNED_FILE_LIMIT,
    PLAN_FILE_LIMIT,
    STACK_FILE_LIMIT,
)
from .paths import display_path
from .redact import redact, shown_value
from .yaml_reader import bounded_yaml, parse_yaml, parse_yaml_documents

__all__ = [
    "KUSTOMIZE_OUTPUT_LIMIT",
    "MANIFEST_FILE_LIMIT",
    "MAX_ALIASED_NODES",
    "MAX_DEPTH",
    "OWNED_FILE_LIMIT",
    "PLAN_FILE_LIMIT",
    "STACK_FILE_LIMIT",
    "BadInput",
    "InputError",
    "bounded_yaml",
    "display_path",
    "parse_json",
    "parse_yaml",
    "parse_yaml_documents",
    "read_bytes",
    "read_text",
    "redact",
    "shown_value",
]
