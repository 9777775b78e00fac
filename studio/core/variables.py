"""Which variables a template uses, read from its Jinja syntax (not guessed).

The template's own source and every component it reaches through ``extends``,
``include``, ``import`` and ``from ... import`` are parsed; a variable is a name the
template reads without defining it (``jinja2.meta``), reported with the attribute
path it is read through (``order.delivery_address.city``); a variable read whole
(passed to a macro: ``order_totals(order)``) is reported by its name alone, which
covers every path below it. Studio's own globals
(``brand``, ``locale``, ``t`` ...) are not variables of the template.
"""

from __future__ import annotations

from collections.abc import Iterator

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


def _aliases(ast: nodes.Template, roots: frozenset[str]) -> dict[str, str]:
    """``{% set appt = appointment %}`` makes ``appt`` stand for ``appointment``."""
    aliases: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for assign in ast.find_all(nodes.Assign):
            if not isinstance(assign.target, nodes.Name) or assign.target.name in aliases:
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


def _paths(node: nodes.Node, roots: frozenset[str], aliases: dict[str, str]) -> Iterator[str]:
    """Dotted paths of attribute/item chains that start at a root (or an alias of one)."""
    for n in node.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        found = _chain(n)
        if found is None:
            continue
        root, rest = found
        if root in roots:
            yield ".".join([root, *rest])
        elif root in aliases:
            yield ".".join([aliases[root], *rest])


def _whole(ast: nodes.Template, roots: frozenset[str], aliases: dict[str, str]) -> set[str]:
    """Paths handed whole to a macro or a function (``order_totals(order)``)."""
    found = set()
    for call in ast.find_all(nodes.Call):
        for arg in [*call.args, *(kw.value for kw in call.kwargs)]:
            chain = _chain(arg)
            if chain is None:
                continue
            root, rest = chain
            if root in roots:
                found.add(".".join([root, *rest]))
            elif root in aliases:
                found.add(".".join([aliases[root], *rest]))
    return found


def _declared(ast: nodes.Template) -> set[str]:
    """Names a template defines for itself: sets, imports, macros (any depth)."""
    names: set[str] = set()
    for n in ast.find_all((nodes.Assign, nodes.AssignBlock, nodes.For)):
        target: nodes.Expr = n.target  # type: ignore[attr-defined]
        for name in target.find_all(nodes.Name):
            names.add(name.name)
        if isinstance(target, nodes.Name):
            names.add(target.name)
    for imp in ast.find_all(nodes.Import):
        names.add(imp.target)
    for frm in ast.find_all(nodes.FromImport):
        for item in frm.names:
            names.add(item[1] if isinstance(item, tuple) else item)
    for macro in ast.find_all(nodes.Macro):
        names.add(macro.name)
        names.update(arg.name for arg in macro.args)
    for call in ast.find_all(nodes.CallBlock):
        names.update(arg.name for arg in call.args)
    return names


def referenced(env: Environment, source: str) -> list[str]:
    """Templates that ``source`` extends, includes or imports (constant names only)."""
    return [name for name in meta.find_referenced_templates(env.parse(source)) if name]


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
        try:
            ast = env.parse(text)
        except Exception:  # noqa: BLE001 - a syntax error is the render's error
            continue
        undeclared = frozenset(
            meta.find_undeclared_variables(ast) - PROVIDED - set(env.globals) - _declared(ast)
        )
        aliases = _aliases(ast, undeclared)
        paths = set(_paths(ast, undeclared, aliases))
        # Keep the longest paths only: "order.lines" makes "order" redundant.
        for p in paths | undeclared:
            if not any(other != p and other.startswith(p + ".") for other in paths):
                found.add(p)
        # A root handed whole to a macro or a filter is used whole.
        found |= _whole(ast, undeclared, aliases)
        for ref in meta.find_referenced_templates(ast):
            if ref:
                queue.append((ref, None))
    return found


def top_level(paths: set[str]) -> set[str]:
    """The first segment of each path: what a sample must define."""
    return {p.split(".", 1)[0] for p in paths}


def template_variables(
    env: Environment, relname: str, *, extra_sources: tuple[str, ...] = ()
) -> set[str]:
    """Variables of a template file plus those of extra sources (its subject, preheader)."""
    found = used_variables(env, relname)
    for i, text in enumerate(extra_sources):
        if text:
            found |= used_variables(env, f"<front matter {i}>", source=text)
    return found
