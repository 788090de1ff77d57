"""YAML that cannot hang, exhaust memory or overflow the stack.

ruamel.yaml is hardened in three places, for every loader type this project uses
(round-trip for stack files and owned kustomizations, safe for manifests):

- the composer refuses nesting deeper than MAX_DEPTH (ruamel's own `max_depth`), an alias
  to a node that contains it (recursive data), and aliases whose expansion would exceed
  MAX_ALIASED_NODES nodes per file: each alias is charged the size of what it
  repeats, computed once per node, so a 1 KB "billion laughs" stops at its first few
  aliases instead of expanding to 10**9 strings downstream;
- the constructor turns values Python refuses (a date like 2027-02-30, an integer of
  more than 4,300 digits) into errors with their position, and refuses what later steps
  cannot carry: non-finite floats (JSON has none) and lone surrogates (not encodable as
  UTF-8);
- the parser is always ruamel's pure-Python one, so these hooks always run.

Errors become `InputError` with the file, line and column.
"""

from __future__ import annotations

import contextlib
import functools
import math
import sys
import threading
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser

from . import yaml_libyaml
from .errors import InputError
from .limits import MAX_ALIASED_NODES, MAX_DEPTH

_PROBLEM_LIMIT = 200


def bounded_yaml(typ: str = "rt") -> YAML:
    """A ruamel YAML instance (`rt` or `safe`) with the limits above."""
    yaml = YAML(typ=typ, pure=True)
    return harden(yaml)


def harden(yaml: YAML) -> YAML:
    """Applies the limits to a configured YAML instance (before its first load)."""
    yaml.max_depth = MAX_DEPTH
    yaml.Parser = Parser if not issubclass(yaml.Parser, Parser) else yaml.Parser
    yaml.Composer = _bounded_composer(yaml.Composer)
    yaml.Constructor = _bounded_constructor(yaml.Constructor)
    return yaml


def parse_yaml(text: str, shown: str, yaml: YAML | None = None) -> Any:
    """The single document in `text` (round-trip types unless `yaml` says otherwise)."""
    loader = yaml or bounded_yaml("rt")
    with _located(shown):
        return loader.load(text)


def parse_yaml_documents(text: str, shown: str) -> list[tuple[int, Any]]:
    """(line, document) for each non-empty document of a multi-document stream.

    Safe types (plain dicts and lists), which is all a manifest needs and parses faster
    than round-trip; the line is where the document's content starts. Text in the subset
    libyaml reads as ruamel does is tokenised in C (yaml_libyaml.py); anything else, and
    anything refused there, is read by ruamel's own parser, whose verdict and message count.
    """
    if yaml_libyaml.eligible(text):
        try:
            return _libyaml_documents(text)
        except Exception:  # read again below: ruamel's verdict and message
            pass
    return ruamel_documents(text, shown)


def ruamel_documents(text: str, shown: str) -> list[tuple[int, Any]]:
    """parse_yaml_documents with ruamel's own (pure-Python) parser throughout."""
    loader = bounded_yaml("safe")
    documents: list[tuple[int, Any]] = []
    with _located(shown):
        for index, document in enumerate(loader.load_all(text)):
            if document is not None:
                documents.append((loader.composer.document_lines[index], document))
    return documents


_readers = threading.local()  # kustomize builds are read on worker threads


def _libyaml_documents(text: str) -> list[tuple[int, Any]]:
    """parse_yaml_documents through libyaml's events, ruamel's resolver and constructor."""
    reader = getattr(_readers, "reader", None)
    if reader is None:
        reader = yaml_libyaml.Reader(bounded_yaml("safe"))
    _readers.reader = None  # not reused if this read fails half-way
    found = yaml_libyaml.documents(reader, text, MAX_DEPTH, MAX_ALIASED_NODES, _weight)
    _readers.reader = reader
    return found


@contextlib.contextmanager
def _located(shown: str) -> Iterator[None]:
    """Turns every parsing failure inside the block into a located InputError."""
    try:
        yield
    except MaxDepthExceededError as error:
        raise _error(shown, f"nesting deeper than {MAX_DEPTH} levels", error) from None
    except _Refused as error:
        raise _error(shown, error.problem or "refused", error) from None
    except MarkedYAMLError as error:
        problem = error.problem or error.context or "invalid YAML"
        raise _error(shown, f"invalid YAML: {_cut(problem)}", error) from None
    except YAMLError as error:
        raise InputError(shown, f"invalid YAML: {_cut(str(error))}") from None
    except RecursionError:
        raise InputError(shown, f"nesting deeper than {MAX_DEPTH} levels") from None
    except (ValueError, OverflowError) as error:
        raise InputError(shown, f"invalid value: {_cut(str(error))}") from None


def _error(shown: str, message: str, error: MarkedYAMLError) -> InputError:
    mark = error.problem_mark or error.context_mark
    if mark is None:
        return InputError(shown, message)
    return InputError(shown, message, mark.line + 1, mark.column + 1)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _PROBLEM_LIMIT else text[: _PROBLEM_LIMIT - 3] + "..."


class _Refused(MarkedYAMLError):
    """A limit of this module, raised at the offending node."""


# ---- composer: depth (ruamel's max_depth), recursive aliases, alias expansion


@functools.cache
def _bounded_composer(base: type) -> type:
    class BoundedComposer(base):  # type: ignore[misc, valid-type]
        def __init__(self, loader: Any = None) -> None:
            super().__init__(loader)
            self.document_lines: list[int] = []
            self._aliased = 0
            self._weights: dict[int, int] = {}

        def compose_document(self) -> Any:
            # Node sizes are per document (its nodes die with it); the alias budget is
            # per stream, or a file of many small bombs would multiply it.
            self._weights = {}
            self.depth = 0
            node = super().compose_document()
            self.document_lines.append(node.start_mark.line + 1 if node is not None else 1)
            return node

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.parser.check_event(AliasEvent):
                event = self.parser.peek_event()
                target = self.anchors.get(event.anchor)
                if target is not None:
                    self._charge(target, event)
            return super().compose_node(parent, index)

        def _charge(self, target: Node, event: Any) -> None:
            if not isinstance(target, ScalarNode) and target.end_mark is None:
                raise _Refused(
                    None,
                    None,
                    f"alias *{event.anchor} refers to a node that contains it "
                    "(recursive data is refused)",
                    event.start_mark,
                )
            self._aliased += _weight(target, self._weights)
            if self._aliased > MAX_ALIASED_NODES:
                raise _Refused(
                    None,
                    None,
                    f"aliases expand to more than {MAX_ALIASED_NODES:,} nodes "
                    "(an alias bomb?); write the repeated part out or reuse less",
                    event.start_mark,
                )

    return BoundedComposer


def _weight(root: Node, weights: dict[int, int]) -> int:
    """Nodes under `root` with every alias expanded; iterative, memoized per node."""
    stack = [root]
    while stack:
        node = stack[-1]
        if id(node) in weights:
            stack.pop()
            continue
        children = _children(node)
        pending = [child for child in children if id(child) not in weights]
        if pending:
            stack.extend(pending)
            continue
        weights[id(node)] = 1 + sum(weights[id(child)] for child in children)
        stack.pop()
    return weights[id(root)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


# ---- constructor: values Python refuses, and values later steps cannot carry

_TAG = "tag:yaml.org,2002:"


@functools.cache
def _bounded_constructor(base: type) -> type:
    class BoundedConstructor(base):  # type: ignore[misc, valid-type]
        pass

    for name, check in (
        ("int", _integer),
        ("float", _float),
        ("timestamp", _timestamp),
        ("str", _string),
    ):
        original = base.yaml_constructors.get(_TAG + name)
        if original is not None:
            BoundedConstructor.add_constructor(_TAG + name, check(original))
    return BoundedConstructor


def _integer(construct: Any) -> Any:
    def integer(self: Any, node: ScalarNode) -> Any:
        try:
            return construct(self, node)
        except ValueError:
            raise _refused(
                node, f"integer with more than {sys.get_int_max_str_digits():,} digits"
            ) from None

    return integer


def _float(construct: Any) -> Any:
    def number(self: Any, node: ScalarNode) -> Any:
        value = construct(self, node)
        if not math.isfinite(float(value)):
            raise _refused(node, f"'{node.value}' is not a finite number (JSON has none)")
        return value

    return number


def _timestamp(construct: Any) -> Any:
    def timestamp(self: Any, node: ScalarNode, *args: Any) -> Any:
        try:
            return construct(self, node, *args)
        except (ValueError, OverflowError) as error:
            raise _refused(node, f"'{node.value}' is not a valid date ({error})") from None

    return timestamp


def _string(construct: Any) -> Any:
    def string(self: Any, node: ScalarNode) -> Any:
        value = construct(self, node)
        # Only escapes in double quotes can produce a lone surrogate (\udc80).
        if node.style == '"' and isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                code = ord(value[error.start])
                raise _refused(
                    node, f"\\u{code:04x} is a lone surrogate, not a Unicode character"
                ) from None
        return value

    return string


def _refused(node: Node, problem: str) -> _Refused:
    return _Refused(None, None, problem, node.start_mark)
