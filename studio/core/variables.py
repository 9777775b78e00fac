"""Which variables a template uses, read from its Jinja syntax (not guessed).

The template's own source and every component it reaches through ``extends``,
``include``, ``import`` and ``from ... import`` are parsed; a variable is a name the
template reads without defining it anywhere in its text, reported with the attribute
path it is read through (``order.delivery_address.city``); a variable read whole
(passed to a macro: ``order_totals(order)``) is reported by its name alone, which
covers every path below it. Studio's own globals
(``brand``, ``locale``, ``t`` ...) are not variables of the template.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, meta, nodes

# Provided by Studio to every template; never expected from a sample.
PROVIDED = frozenset(
    {"brand", "locale", "template_name", "subject", "preheader", "t", "_babel_locale"}
)


def _chain(n: nodes.Node) -> tuple[str, list[str]] | None:
    """``order.delivery.city`` → ("order", ["delivery", "city"]); None if not such a chain."""
    chain: list[str] = []
    cur: nodes.Node = n
    while True:
        if isinstance(cur, nodes.Getattr):
            chain.append(cur.attr)
            cur = cur.node
        elif isinstance(cur, nodes.Getitem) and isinstance(cur.arg, nodes.Const):
            chain.append(str(cur.arg.value))
            cur = cur.node
        else:
            break
    if isinstance(cur, nodes.Name) and cur.ctx == "load":
        return cur.name, list(reversed(chain))
    return None


class _Index:
    """The nodes of a template by type, gathered in one walk (``find_all`` walks each time)."""

    def __init__(self, ast: nodes.Template):
        self.by_type: dict[type[nodes.Node], list[nodes.Node]] = {}
        stack: list[nodes.Node] = [ast]
        while stack:
            node = stack.pop()
            self.by_type.setdefault(type(node), []).append(node)
            stack.extend(node.iter_child_nodes())

    def all(self, *kinds: type[nodes.Node]) -> list[Any]:
        return [n for kind in kinds for n in self.by_type.get(kind, ())]


def _aliases(index: _Index, roots: frozenset[str]) -> dict[str, str]:
    """``{% set appt = appointment %}`` makes ``appt`` stand for ``appointment``."""
    aliases: dict[str, str] = {}
    assigns = [a for a in index.all(nodes.Assign) if isinstance(a.target, nodes.Name)]
    changed = True
    while changed:
        changed = False
        for assign in assigns:
            if assign.target.name in aliases:
                continue
            found = _chain(assign.node)
            if found is None:
                continue
            root, rest = found
            if root in roots or root in aliases:
                base = aliases.get(root, root)
                aliases[assign.target.name] = ".".join([base, *rest])
                changed = True
    return aliases


def _path(node: nodes.Node, roots: frozenset[str], aliases: dict[str, str]) -> str | None:
    """The dotted path of an attribute/item chain that starts at a root (or an alias of one)."""
    found = _chain(node)
    if found is None:
        return None
    root, rest = found
    if root in roots:
        return ".".join([root, *rest])
    if root in aliases:
        return ".".join([aliases[root], *rest])
    return None


def _paths(index: _Index, roots: frozenset[str], aliases: dict[str, str]) -> set[str]:
    found = set()
    for n in index.all(nodes.Getattr, nodes.Getitem, nodes.Name):
        path = _path(n, roots, aliases)
        if path is not None:
            found.add(path)
    return found


def _whole(index: _Index, roots: frozenset[str], aliases: dict[str, str]) -> set[str]:
    """Paths handed whole to a macro or a function (``order_totals(order)``)."""
    found = set()
    for call in index.all(nodes.Call):
        for arg in [*call.args, *(kw.value for kw in call.kwargs)]:
            path = _path(arg, roots, aliases)
            if path is not None:
                found.add(path)
    return found


# Names Jinja itself provides inside loops, macros and blocks.
_JINJA_NAMES = frozenset({"loop", "caller", "varargs", "kwargs", "self", "super"})


def _declared(index: _Index) -> set[str]:
    """Names a template defines for itself: sets, loops, imports, macros (any depth)."""
    names: set[str] = set()
    for n in index.all(nodes.Assign, nodes.AssignBlock, nodes.For):
        target = n.target
        if isinstance(target, nodes.Name):
            names.add(target.name)
        names.update(name.name for name in target.find_all(nodes.Name))
    names.update(imp.target for imp in index.all(nodes.Import))
    for frm in index.all(nodes.FromImport):
        for item in frm.names:
            names.add(item[1] if isinstance(item, tuple) else item)
    for macro in index.all(nodes.Macro):
        names.add(macro.name)
        names.update(arg.name for arg in macro.args)
    for call in index.all(nodes.CallBlock):
        names.update(arg.name for arg in call.args)
    return names


@dataclass(frozen=True)
class _Analysis:
    """What one template text reads and reaches (cached by text: parsing is costly)."""

    paths: frozenset[str]
    references: tuple[str, ...]


@lru_cache(maxsize=1024)
def _parsed(env: Environment, text: str) -> nodes.Template | None:
    """The syntax tree of a template text (cached: parsing is costly; never mutated)."""
    try:
        return env.parse(text)
    except Exception:  # noqa: BLE001 - a syntax error is the render's error
        return None


@lru_cache(maxsize=1024)
def _analyse(env: Environment, text: str) -> _Analysis | None:
    ast = _parsed(env, text)
    if ast is None:
        return None
    index = _Index(ast)
    loaded = {n.name for n in index.all(nodes.Name) if n.ctx == "load"}
    undeclared = frozenset(loaded - PROVIDED - _JINJA_NAMES - set(env.globals) - _declared(index))
    aliases = _aliases(index, undeclared)
    paths = _paths(index, undeclared, aliases)
    # Keep the longest paths only: "order.lines" makes "order" redundant ...
    found = {
        p
        for p in paths | undeclared
        if not any(other != p and other.startswith(p + ".") for other in paths)
    }
    # ... but a path handed whole to a macro or a function is used whole.
    found |= _whole(index, undeclared, aliases)
    return _Analysis(frozenset(found), _references(ast))


def _references(ast: nodes.Template) -> tuple[str, ...]:
    return tuple(ref for ref in meta.find_referenced_templates(ast) if ref)


def referenced(env: Environment, source: str) -> list[str]:
    """Templates that ``source`` extends, includes or imports (constant names only).

    Raises:
        jinja2.TemplateSyntaxError: when ``source`` does not parse.
    """
    ast = _parsed(env, source)
    if ast is None:
        env.parse(source)  # raises the syntax error
    assert ast is not None
    return list(_references(ast))


def reached_sources(
    env: Environment,
    name: str,
    refs: Callable[[Environment, str], Sequence[str]] = referenced,
) -> Iterator[tuple[str, str | None]]:
    """(name, text) of template ``name`` and of every file it reaches through
    ``extends``, ``include`` and ``import`` (``refs`` finds them), each once; the text
    is None where the file cannot be loaded. A file that does not parse is yielded but
    not followed: that is the render's error to report."""
    assert env.loader is not None
    seen: set[str] = set()
    queue = [name]
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            text = env.loader.get_source(env, current)[0]
        except Exception:  # noqa: BLE001 - a missing or unreadable file is the render's error
            yield current, None
            continue
        yield current, text
        try:
            queue.extend(refs(env, text))
        except Exception:  # noqa: BLE001 - a syntax error is the render's error
            continue


def used_variables(env: Environment, name: str, *, source: str | None = None) -> set[str]:
    """Dotted variable paths used by template ``name`` and what it reaches.

    Args:
        env: the workspace's Jinja environment (its loader finds components).
        name: the template's loader name (``templates/order_confirmation.mjml``).
        source: the template's text, when it is an unsaved buffer.
    """
    assert env.loader is not None
    seen: set[str] = set()
    found: set[str] = set()
    queue: list[tuple[str, str | None]] = [(name, source)]
    while queue:
        current, text = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        if text is None:
            try:
                text = env.loader.get_source(env, current)[0]
            except Exception:  # noqa: BLE001 - a missing component is the render's error
                continue
        analysis = _analyse(env, text)
        if analysis is None:
            continue
        found |= analysis.paths
        queue.extend((ref, None) for ref in analysis.references)
    return found


def template_variables(
    env: Environment, relname: str, *, extra_sources: tuple[str, ...] = ()
) -> set[str]:
    """Variables of a template file plus those of extra sources (its subject, preheader)."""
    found = used_variables(env, relname)
    for i, text in enumerate(extra_sources):
        if text:
            found |= used_variables(env, f"<front matter {i}>", source=text)
    return found


# C0 controls but tab, line feed and carriage return: no HTML, XML or MJML can carry
# them (MRML stops with "unable to parse next template", naming nothing).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# How JSON writes those characters: one C-level scan of the dumped data clears the
# usual case (no control character anywhere) without walking it in Python.
_JSON_CONTROL = re.compile(r"\\(?:u00(?:0[0-8bcef]|1[0-9a-f])|[bf])", re.I)


def control_character(value: Any, path: str = "") -> tuple[str, str] | None:
    """The first variable (its dotted path) holding a control character, and the character.

    Walks dicts, lists and tuples; keys are checked as well as values.
    """
    if not path and not isinstance(value, str):
        try:
            dumped = json.dumps(value, default=repr, check_circular=False)
        except (ValueError, TypeError, RecursionError):
            dumped = "\\b"  # cannot tell: walk it
        if not _JSON_CONTROL.search(dumped):
            return None
    return _control_character(value, path)


def _control_character(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        found = _CONTROL.search(value)
        return (path, found.group()) if found else None
    if isinstance(value, Mapping):
        for key, sub in value.items():
            where = f"{path}.{key}" if path else str(key)
            hit = _control_character(str(key), where) or _control_character(sub, where)
            if hit:
                return hit
    elif isinstance(value, (list, tuple)):
        for i, sub in enumerate(value):
            hit = _control_character(sub, f"{path}[{i}]")
            if hit:
                return hit
    return None
