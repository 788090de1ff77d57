"""libyaml's scanner and parser under ruamel's resolver and hardened constructor.

Reading manifests is most of the cost of `check --manifests` over a large tree, and nearly
all of that is ruamel's pure-Python scanner, parser and composer (about 1.5 ms for a 1 KB
manifest). libyaml (the C library PyYAML binds, `yaml._yaml.CParser`) produces the same
event stream many times faster. Here its events are composed into ruamel's own node
classes, each scalar and collection tagged by ruamel's resolver (YAML 1.2 typing), and the
document is built by the very constructor `yaml_reader.bounded_yaml("safe")` configures:
duplicate keys, merge keys and the checks on integers, floats, dates and strings are
ruamel's and this project's, unchanged. Only tokenising, parsing and composing move.

libyaml is a YAML 1.1 parser and ruamel a 1.2 one; their event streams differ only in
corners this path never takes. It is used only for text that has:

- no directive (`%YAML 1.1` switches ruamel to 1.1 typing), no explicit tag (`!`),
- no backslash (escapes in double quotes differ between 1.1 and 1.2), no tab,
- no byte-order mark, no control character, no NEL, LINE or PARAGRAPH SEPARATOR (line
  breaks in 1.1 only), no code point outside what both versions call printable;

and the composing stops (`Unsupported`) well before the depth limit and at any alias the
bounded composer would refuse (undefined, recursive, over the expansion budget). Text
outside the subset, and any text libyaml, this composer or the constructor refuses, is
read again by ruamel's own parser, which gives the one verdict and message (errors always
carry ruamel's wording, line and column). A test reads the repository's YAML, the
hostile-input table and generated variants both ways and requires the same documents and
lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:  # PyYAML's binding of libyaml (pinned; wheels carry libyaml)
    from yaml import _yaml as _libyaml
    from yaml import events as _pyyaml_events
except ImportError:  # pragma: no cover - a build without libyaml: the pure parser only
    _libyaml = None  # type: ignore[assignment]

# Text the fast path takes (see the module doc): printable ASCII with LF, and code points
# both YAML versions call printable, minus the BOM; none of `%` at a line start, `!`, `\`.
_OUTSIDE = re.compile(
    r"[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    r"|[!\\]|(?:^|\n)%"
)


def available() -> bool:
    return _libyaml is not None


def eligible(text: str) -> bool:
    """The text is in the subset where libyaml and ruamel read the same events."""
    return _libyaml is not None and _OUTSIDE.search(text) is None


class Unsupported(Exception):
    """Outside what this path reads exactly like ruamel: read the text with ruamel."""


class Reader:
    """One loader's resolver and constructor, reused from file to file (per thread), with
    the resolver's answers remembered (keys and values repeat across manifests).

    A reader whose constructor raised is not reused: its state may be half-way.
    """

    _CACHE_LIMIT = 50_000

    def __init__(self, loader: YAML) -> None:
        self.constructor = loader.constructor
        self._resolve = loader.resolver.resolve
        self._tags: dict[tuple[Any, ...], Any] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        key = (kind, value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._resolve(kind, value, implicit)
            if len(self._tags) < self._CACHE_LIMIT:
                self._tags[key] = tag
        return tag


def documents(
    reader: Reader,
    text: str,
    max_depth: int,
    alias_budget: int,
    weight: Callable[[Any, dict[int, int]], int],
) -> list[tuple[int, Any]]:
    """(line, document) of each document of `text`, with the reader's resolver and
    constructor (see the module doc); raises Unsupported, or whatever libyaml or the
    constructor raise.

    Anchors and aliases are composed as ruamel's composer does (an alias is the anchored
    node itself); each alias is charged `weight(node)` against `alias_budget` per stream,
    as yaml_reader's bounded composer charges it, and anything that composer would refuse
    (an undefined or recursive alias, a budget overrun) is Unsupported here.
    """
    constructor = reader.constructor
    resolve = reader.resolve
    parser = _libyaml.CParser(text)
    found: list[tuple[int, Any]] = []
    # Open collections: [node, key waiting for its value (mappings), is_mapping].
    stack: list[list[Any]] = []
    root: Any = None
    anchors: dict[str, Any] = {}
    weights: dict[int, int] = {}
    aliased = 0
    limit = max_depth - 2  # stop well before the pure composer's limit: it decides there
    while True:
        event = parser.get_event()
        kind = type(event)
        if kind is _Scalar:
            if event.tag not in (None, "!"):
                raise Unsupported("explicit tag")
            node: Any = ScalarNode(
                resolve(ScalarNode, event.value, event.implicit),
                event.value,
                event.start_mark,
                event.end_mark,
                style=event.style or None,  # PyYAML marks a plain scalar "", ruamel None
                anchor=event.anchor,
            )
            if event.anchor is not None:
                anchors[event.anchor] = node
        elif kind is _MappingStart or kind is _SequenceStart:
            if event.tag not in (None, "!"):
                raise Unsupported("explicit tag")
            if len(stack) >= limit:
                raise Unsupported("deep nesting")
            node_class = MappingNode if kind is _MappingStart else SequenceNode
            collection = node_class(
                resolve(node_class, None, event.implicit),
                [],
                event.start_mark,
                None,
                flow_style=event.flow_style,
                anchor=event.anchor,
            )
            if event.anchor is not None:
                anchors[event.anchor] = collection
            stack.append([collection, None, kind is _MappingStart])
            continue
        elif kind is _MappingEnd or kind is _SequenceEnd:
            node = stack.pop()[0]
            node.end_mark = event.end_mark
        elif kind is _Alias:
            node = anchors.get(event.anchor)
            if node is None or (not isinstance(node, ScalarNode) and node.end_mark is None):
                raise Unsupported("undefined or recursive alias")
            aliased += weight(node, weights)
            if aliased > alias_budget:
                raise Unsupported("alias budget")
        elif kind is _DocumentStart:
            if event.version is not None or event.tags:
                raise Unsupported("directive")
            root = None
            anchors = {}
            weights = {}
            continue
        elif kind is _DocumentEnd:
            if root is not None:
                document = constructor.construct_document(root)
                if document is not None:
                    found.append((root.start_mark.line + 1, document))
            continue
        elif kind is _StreamStart:
            continue
        elif kind is _StreamEnd:
            return found
        else:  # nothing more (a stream without its end)
            raise Unsupported(f"{kind.__name__} event")
        if not stack:
            root = node
            continue
        parent = stack[-1]
        if not parent[2]:
            parent[0].value.append(node)
        elif parent[1] is None:
            parent[1] = node
        else:
            parent[0].value.append((parent[1], node))
            parent[1] = None


if _libyaml is not None:
    _Scalar = _pyyaml_events.ScalarEvent
    _MappingStart = _pyyaml_events.MappingStartEvent
    _MappingEnd = _pyyaml_events.MappingEndEvent
    _SequenceStart = _pyyaml_events.SequenceStartEvent
    _SequenceEnd = _pyyaml_events.SequenceEndEvent
    _DocumentStart = _pyyaml_events.DocumentStartEvent
    _DocumentEnd = _pyyaml_events.DocumentEndEvent
    _StreamStart = _pyyaml_events.StreamStartEvent
    _StreamEnd = _pyyaml_events.StreamEndEvent
    _Alias = _pyyaml_events.AliasEvent
