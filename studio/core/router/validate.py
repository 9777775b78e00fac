"""The variables of a trigger checked against what the template reads, before rendering.

An application that forgets a variable or sends the wrong kind of value is told so
at once, naming every variable (``422`` from the router), instead of finding the first
one in a render error. What the template reads comes from its syntax
(:mod:`studio.core.variables` for the paths, :mod:`studio.core.sample_shape` for what
each one is: an object, a list, a number, a date, a currency); ids are the lint ids:

* ``template.undefined-variable``: a path the template reads and the payload lacks;
* ``template.variable-type``: a value of another kind than the template uses it as
  (a string where it loops over a list, a word where it formats a number).

A path the template guards (``x is defined``, ``x | default(...)``) is optional, and
below it too. A value the analysis only sees printed or tested ("string") accepts
anything: nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from jinja2 import Environment, nodes

from ..sample_shape import Shape, sample_shape, template_trees
from ..templates import Template
from ..variables import reached_sources, referenced

MISSING = "template.undefined-variable"
MISTYPED = "template.variable-type"
MAX_ITEMS = 200
"""Items of one list checked (a 10,000-line order is checked on its first ones)."""


@dataclass(frozen=True)
class VariableProblem:
    """One variable the payload lacks or sends as the wrong kind of value."""

    check: str
    """``template.undefined-variable`` or ``template.variable-type``."""
    variable: str
    """Its path as sent: ``order.lines[0].price``."""
    expected: str
    """What the template uses it as: object, list, number, date, currency, value."""
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "check": self.check,
            "variable": self.variable,
            "expected": self.expected,
            "message": self.message,
        }


def _chain(node: nodes.Node) -> list[str] | None:
    parts: list[str] = []
    cur = node
    while True:
        if isinstance(cur, nodes.Getattr):
            parts.append(cur.attr)
            cur = cur.node
        elif isinstance(cur, nodes.Getitem) and isinstance(cur.arg, nodes.Const):
            parts.append(str(cur.arg.value))
            cur = cur.node
        else:
            break
    if isinstance(cur, nodes.Name):
        return [cur.name, *reversed(parts)]
    return None


@dataclass(frozen=True)
class _Guards:
    """What the templates guard: whole paths, and tails read through a local name."""

    paths: frozenset[str]
    tails: frozenset[tuple[str, ...]]

    def optional(self, path: str) -> bool:
        if any(path == g or path.startswith(g + ".") for g in self.paths):
            return True
        # ``{% macro address(a) %}{% if a.company is defined %}``: ``a`` may be any
        # variable handed to the macro, so ``company`` is optional under any of them.
        segs = tuple(path.split("."))
        for tail in self.tails:
            n = len(tail)
            if any(segs[end - n : end] == tail for end in range(n, len(segs) + 1)):
                return True
        return False


def _guarded(trees: list[nodes.Template], roots: set[str]) -> _Guards:
    """The paths the templates test with ``is defined`` or give a ``default``.

    A name bound by ``{% set a = b.c %}`` or ``{% for a in b.c %}`` is followed back
    to what it stands for (a loop's items share the list's path); one that is not
    (a macro's argument) leaves the rest of the path as a tail.
    """
    aliases: dict[str, list[str]] = {}
    guards: list[list[str]] = []
    for tree in trees:
        for n in tree.find_all((nodes.Assign, nodes.For)):
            assert isinstance(n, (nodes.Assign, nodes.For))
            if isinstance(n.target, nodes.Name):
                found = _chain(n.iter if isinstance(n, nodes.For) else n.node)
                if found is not None:
                    aliases.setdefault(n.target.name, found)
        for test in tree.find_all(nodes.Test):
            if test.name in ("defined", "undefined"):
                found = _chain(test.node)
                if found is not None:
                    guards.append(found)
        for flt in tree.find_all(nodes.Filter):
            if flt.name in ("default", "d") and flt.node is not None:
                found = _chain(flt.node)
                if found is not None:
                    guards.append(found)
    paths: set[str] = set()
    tails: set[tuple[str, ...]] = set()
    for chain in guards:
        seen = 0
        while chain[0] in aliases and seen < 10:  # a set that aliases itself stops
            chain = aliases[chain[0]] + chain[1:]
            seen += 1
        if chain[0] in roots:
            paths.add(".".join(chain))
        elif len(chain) > 1:
            tails.add(tuple(chain[1:]))
    return _Guards(frozenset(paths), frozenset(tails))


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, str):
        try:
            Decimal(value)
        except InvalidOperation:
            return False
        return True
    return False


def _is_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    for parse in (dt.datetime.fromisoformat, dt.date.fromisoformat, dt.time.fromisoformat):
        try:
            parse(value)
        except ValueError:
            continue
        return True
    return False


def _kind_of(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"[:60]


_EXPECTED = {
    "object": "an object",
    "list": "a list",
    "number": "a number",
    "date": "an ISO 8601 date or time",
    "currency": "a 3-letter currency code",
}


def _fits(shape: Shape, value: Any) -> bool:
    if shape.kind == "object":
        return isinstance(value, Mapping)
    if shape.kind == "list":
        return isinstance(value, list)
    if shape.kind == "number":
        return _is_number(value)
    if shape.kind == "date":
        return _is_date(value)
    if shape.kind == "currency":
        return isinstance(value, str) and len(value) == 3 and value.isalpha()
    return True  # printed or tested only: any value will do


def _walk(
    fields: Mapping[str, Shape],
    value: Mapping[str, Any],
    shown: str,
    norm: str,
    guarded: _Guards,
) -> Iterator[VariableProblem]:
    for name, shape in sorted(fields.items()):
        path = f"{shown}.{name}" if shown else name
        npath = f"{norm}.{name}" if norm else name
        if name not in value:
            if not guarded.optional(npath):
                yield VariableProblem(
                    MISSING,
                    path,
                    shape.kind if shape.kind in _EXPECTED else "value",
                    f"{path} is used by the template and missing from the variables",
                )
            continue
        yield from _check(shape, value[name], path, npath, guarded)


def _check(
    shape: Shape, value: Any, path: str, npath: str, guarded: _Guards
) -> Iterator[VariableProblem]:
    if value is None and guarded.optional(npath):
        return
    if not _fits(shape, value):
        yield VariableProblem(
            MISTYPED,
            path,
            shape.kind,
            f"{path}: expected {_EXPECTED[shape.kind]}, got {_kind_of(value)}",
        )
        return
    if shape.kind == "object":
        yield from _walk(shape.fields, value, path, npath, guarded)
    elif shape.kind == "list" and shape.item is not None:
        for i, item in enumerate(value[:MAX_ITEMS]):
            yield from _check(shape.item, item, f"{path}[{i}]", npath, guarded)


_CACHE: dict[tuple[object, ...], tuple[dict[str, Shape], _Guards]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


@lru_cache(maxsize=1024)
def _references(env: Environment, text: str) -> tuple[str, ...]:
    return tuple(referenced(env, text))


def _texts(env: Environment, relname: str) -> tuple[str, ...]:
    """The texts of a template and of everything it reaches (each file read, not parsed:
    references come from the parse cache of :mod:`studio.core.variables`)."""
    texts = [f"{name}\0{text or ''}" for name, text in reached_sources(env, relname, _references)]
    return tuple(sorted(texts))


def _analysis(
    env: Environment, relname: str, extra: tuple[str, ...]
) -> tuple[dict[str, Shape], _Guards]:
    """The shapes and guards of a template, worked out once per version of its files
    (the walk takes a few hundred milliseconds; the router checks every trigger)."""
    key = (id(env), relname, extra, _texts(env, relname))
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is not None:
        return found
    shapes = sample_shape(env, relname, extra_sources=extra)
    guards = _guarded(template_trees(env, relname, extra_sources=extra), set(shapes))
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = (shapes, guards)
    return shapes, guards


def check_variables(
    env: Environment, template: Template, variables: Mapping[str, Any]
) -> list[VariableProblem]:
    """Every variable ``template`` reads that ``variables`` lacks or sends mistyped.

    Args:
        env: the workspace's Jinja environment (its loader finds the components).
        template: the e-mail or SMS template (its subject and preheader count too).
        variables: the payload's variables.
    """
    extra = (template.meta.subject or "", template.meta.preheader or "")
    shapes, guarded = _analysis(env, template.relname, extra)
    return list(_walk(shapes, variables, "", "", guarded))
