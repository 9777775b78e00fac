"""What each message depends on, read from Jinja's AST (and MJML's ``mj-include``).

A file's direct references are the constant names of its ``extends``, ``include``,
``import`` and ``from ... import`` tags and the paths of its ``<mj-include>``; its
translation keys are the constant first arguments of ``t(...)`` calls (in the body
and, for a template, in the subject and preheader). A reference or a key that is
not a constant (``{% include name %}``, ``t(key)``) makes the file *dynamic*: it may
reach anything, and the diff treats every component or every key as used.

Parsing is cached by path and text, so the two sides of a diff parse a file once
when it did not change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2 import nodes

from ..render.include import included_paths
from ..templates import parse_meta, split_front_matter


@dataclass(frozen=True)
class FileDeps:
    refs: frozenset[str]
    keys: frozenset[str]
    dynamic_refs: bool = False
    dynamic_keys: bool = False


@dataclass(frozen=True)
class Closure:
    """Every file a message's template reaches (itself included) and the keys they use."""

    files: frozenset[str]
    keys: frozenset[str]
    dynamic_refs: bool
    dynamic_keys: bool


_ENV = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
_CACHE: dict[tuple[str, bytes], FileDeps] = {}
_CACHE_MAX = 4096


def _names(node: nodes.Node) -> tuple[list[str], bool]:
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return [node.value], False
    if isinstance(node, (nodes.List, nodes.Tuple)):
        out: list[str] = []
        dynamic = False
        for item in node.items:
            names, dyn = _names(item)
            out += names
            dynamic |= dyn
        return out, dynamic
    return [], True


def _scan(source: str, refs: set[str], keys: set[str]) -> tuple[bool, bool]:
    """Add ``source``'s references and keys; whether either was dynamic."""
    try:
        ast = _ENV.parse(source)
    except jinja2.TemplateSyntaxError:
        return True, True  # cannot tell: assume anything (the render reports the error)
    dyn_refs = dyn_keys = False
    for tag in ast.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        names, dyn = _names(tag.template)  # type: ignore[attr-defined]
        refs.update(names)
        dyn_refs |= dyn
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "t":
            if call.args and isinstance(call.args[0], nodes.Const):
                keys.add(str(call.args[0].value))
            else:
                dyn_keys = True
    return dyn_refs, dyn_keys


def file_deps(path: str, text: str, root: Path) -> FileDeps:
    """The direct references and translation keys of the file ``path`` holding ``text``."""
    key = (path, hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest())
    found = _CACHE.get(key)
    if found is not None:
        return found
    front, body, _ = split_front_matter(text)
    refs: set[str] = set()
    keys: set[str] = set()
    dyn_refs, dyn_keys = _scan(body, refs, keys)
    if front is not None:
        try:
            meta = parse_meta(front, path)
            strings = [meta.subject, meta.preheader]
        except Exception:  # noqa: BLE001 - bad front matter is the render's error to report
            strings, dyn_keys = [], True
        for s in strings:
            if s:
                _, dk = _scan(s, refs, keys)
                dyn_keys |= dk
    if "mj-include" in body:
        refs.update(included_paths(body, path, root))
    found = FileDeps(frozenset(refs), frozenset(keys), dyn_refs, dyn_keys)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[key] = found
    return found


def closure(start: str, read: Callable[[str], str | None], root: Path) -> Closure:
    """Everything ``start`` reaches through ``read`` (a side's file texts)."""
    files: set[str] = set()
    keys: set[str] = set()
    dyn_refs = dyn_keys = False
    queue = [start]
    while queue:
        path = queue.pop()
        if path in files:
            continue
        files.add(path)
        text = read(path)
        if text is None:
            continue
        deps = file_deps(path, text, root)
        keys |= deps.keys
        dyn_refs |= deps.dynamic_refs
        dyn_keys |= deps.dynamic_keys
        queue.extend(r for r in deps.refs if r not in files)
    return Closure(frozenset(files), frozenset(keys), dyn_refs, dyn_keys)
