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
import re
from collections.abc import Callable, Iterable
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


def closure(
    start: str,
    read: Callable[[str], str | None],
    root: Path,
    within: set[str] | None = None,
) -> Closure:
    """Everything ``start`` reaches through ``read`` (a side's file texts).

    With ``within`` (from :func:`may_reach`), only those files are parsed and
    followed: the others cannot lead to a changed file or key, so the closure still
    holds every changed file and key that ``start`` reaches, and nothing else is
    parsed.
    """
    files: set[str] = set()
    keys: set[str] = set()
    dyn_refs = dyn_keys = False
    queue = [start]
    while queue:
        path = queue.pop()
        if path in files:
            continue
        files.add(path)
        if within is not None and path not in within:
            continue
        text = read(path)
        if text is None:
            continue
        deps = file_deps(path, text, root)
        keys |= deps.keys
        dyn_refs |= deps.dynamic_refs
        dyn_keys |= deps.dynamic_keys
        queue.extend(r for r in deps.refs if r not in files)
    return Closure(frozenset(files), frozenset(keys), dyn_refs, dyn_keys)


# -- a textual pre-filter -------------------------------------------------------------
#
# Parsing every template of a large workspace costs more than rendering the few a
# change touches. A constant reference is the referenced file's full name in quotes,
# and a constant translation key is the key in quotes: so a file whose text names
# none of the changed files (nor a file that reaches one), and has no non-constant
# tag, cannot depend on them. Only the files this over-approximation keeps are then
# parsed, and the AST decides.

_DYNAMIC_TAG = re.compile(r"\{%[-+]?\s*(?:extends|include|import|from)\s+(?![\"'])")
_DYNAMIC_T = re.compile(r"\bt\(\s*(?![\"'])")


def may_reach(
    files: Iterable[str],
    read: Callable[[str], str | None],
    root: Path,
    targets: Iterable[str],
    keys: Iterable[str] = (),
) -> set[str]:
    """The ``files`` that may reach a file in ``targets`` or use one of ``keys``.

    An over-approximation (no file that does is left out): a file is kept when its
    text names a kept file (or a target) in quotes or includes it, or has a
    non-constant reference; or names one of ``keys`` in quotes, or calls ``t()``
    with a non-constant key.
    """
    texts = {f: t for f in files if (t := read(f)) is not None}
    needles = set(targets)
    kept: set[str] = needles & set(texts)
    quoted = [q + k + q for k in keys for q in "\"'"]
    for f, text in texts.items():
        if _DYNAMIC_TAG.search(text) or (quoted and _DYNAMIC_T.search(text)):
            kept.add(f)
        elif any(q in text for q in quoted):
            kept.add(f)
    fresh = needles | kept
    while fresh:
        names = [(q + n + q) for n in fresh for q in "\"'"]
        fresh_set = set(fresh)
        fresh = set()
        for f, text in texts.items():
            if f in kept:
                continue
            if any(n in text for n in names) or (
                "mj-include" in text and fresh_set & set(included_paths(text, f, root))
            ):
                kept.add(f)
                fresh.add(f)
    return kept


def named_closure(
    start: str, read: Callable[[str], str | None], root: Path, known: Iterable[str]
) -> list[str]:
    """``start`` and the ``known`` files it names in quotes or includes, transitively.

    The textual twin of :func:`closure` (a superset of it, without parsing): the
    files a finding of a message may point at.
    """
    names = {f: (f'"{f}"', f"'{f}'") for f in known}
    out = [start]
    seen = {start}
    for path in out:
        text = read(path)
        if text is None:
            continue
        found = [f for f, (a, b) in names.items() if f not in seen and (a in text or b in text)]
        if "mj-include" in text:
            found += [f for f in included_paths(text, path, root) if f not in seen]
        for f in found:
            if f not in seen:
                seen.add(f)
                out.append(f)
    return out
