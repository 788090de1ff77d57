"""The one round-trip YAML setup for files people also edit (stack files, owned overlays)."""

from __future__ import annotations

from ruamel.yaml import YAML

from components.untrusted.yaml_reader import harden


def round_trip_yaml() -> YAML:
    """Keeps comments, key order and quoting; lists indented two spaces under their key,
    as in the stack files, the templates and kustomize's own docs. Loading is bounded
    (components.untrusted: nesting, aliases, values Python refuses)."""
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return harden(yaml)
