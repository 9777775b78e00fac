"""The shape of the data a template reads, and a sample with placeholders of that shape.

A new sample must render at once: ``{"order": ""}`` breaks a template that loops
over ``order.lines`` and reads ``line.quantity``. The variable analysis
(:mod:`studio.core.variables`) names the paths a template reads; this module follows
the same syntax trees a little further to learn what each path is:

* read through an attribute (``order.number``) → an object;
* looped over (``{% for line in order.lines %}``, also inside a macro it is handed to,
  or through a ``{% set %}`` alias) → a list of objects, whose fields are what the
  loop body reads of its item;
* used as a number (``|money``, ``|sum(attribute=...)``, arithmetic, a ``count=``) →
  a number; formatted as a date or time (``|date``, ``|time``) → an ISO date; the
  currency argument of ``|money`` → a currency code;
* anything else → a string.

Nothing is rendered and nothing is guessed from names, except that a string whose
name ends in ``url`` gets a URL and one ending in ``email`` an address, so that link
and address checks do not flag the placeholder itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, nodes

from .variables import PROVIDED, reached_sources, template_variables

NUMBER_FILTERS = frozenset({"money", "round", "abs", "int", "float", "filesizeformat"})
DATE_FILTERS = frozenset({"date", "datetime", "time"})
NUMBER_ARGS = frozenset({"count", "minutes", "hours", "days"})
ARITHMETIC = (nodes.Mul, nodes.Div, nodes.FloorDiv, nodes.Sub, nodes.Mod, nodes.Pow)


@dataclass
class Shape:
    """What one variable is: an object (``fields``), a list (``item``) or a leaf."""

    kind: str = "string"
    """``object``, ``list``, ``string``, ``number``, ``date`` or ``currency``."""
    fields: dict[str, Shape] = field(default_factory=dict)
    item: Shape | None = None

    def field(self, name: str) -> Shape:
        """The shape of ``name`` read from this one (which is then an object)."""
        if self.kind == "list":  # ``items[0].name``: the item's field
            return self.of_items().field(name)
        self.kind = "object"
        return self.fields.setdefault(name, Shape())

    def of_items(self) -> Shape:
        """The shape of this one's items (which is then a list)."""
        if self.item is None:
            self.item = Shape()
            if self.fields:  # fields read before the loop was seen belong to the items
                self.item.kind, self.item.fields = "object", self.fields
                self.fields = {}
        self.kind = "list"
        return self.item

    def leaf(self, kind: str) -> None:
        if self.kind == "string" or (self.kind == "number" and kind == "date"):
            self.kind = kind

    def placeholder(self, name: str) -> Any:
        """A value of this shape; ``name`` is the variable's (or field's) own name."""
        if self.kind == "object":
            return {k: v.placeholder(k) for k, v in sorted(self.fields.items())}
        if self.kind == "list":
            item = self.item or Shape()
            return [item.placeholder(name.removesuffix("s") or name)]
        if self.kind == "number":
            return 1
        if self.kind == "date":
            return "2026-01-15T09:30:00+00:00"
        if self.kind == "currency":
            return "EUR"
        low = name.lower()
        if low.endswith("url"):
            return "https://www.example.com/"
        if low.endswith("email"):
            return "someone@example.com"
        return name.replace("_", " ").strip().capitalize() or "text"


def _chain(node: nodes.Node) -> tuple[str, list[str]] | None:
    """``order.delivery.city`` → ("order", ["delivery", "city"])."""
    chain: list[str] = []
    cur = node
    while True:
        if isinstance(cur, nodes.Getattr):
            chain.append(cur.attr)
            cur = cur.node
        elif isinstance(cur, nodes.Getitem) and isinstance(cur.arg, nodes.Const):
            if isinstance(cur.arg.value, str):
                chain.append(cur.arg.value)
            cur = cur.node
        elif isinstance(cur, nodes.Getitem) and isinstance(cur.arg, nodes.Slice):
            cur = cur.node  # items[:limit] is still items
        else:
            break
    if isinstance(cur, nodes.Name) and cur.ctx == "load":
        return cur.name, list(reversed(chain))
    return None


class _Walker:
    """Walks the template and every component it reaches, filling in the shapes."""

    def __init__(self, roots: dict[str, Shape], trees: list[nodes.Template]) -> None:
        self.roots = roots
        self.trees = trees
        self.macros: dict[str, nodes.Macro] = {}
        for tree in trees:
            for macro in tree.find_all(nodes.Macro):
                self.macros.setdefault(macro.name, macro)
        self.visited: set[tuple[str, int, str]] = set()

    def resolve(self, node: nodes.Node, scope: dict[str, Shape]) -> Shape | None:
        if isinstance(node, nodes.CondExpr):  # ``a if c else b``: either side
            return self.resolve(node.expr1, scope) or (
                self.resolve(node.expr2, scope) if node.expr2 is not None else None
            )
        found = _chain(node)
        if found is None:
            return None
        root, rest = found
        shape = scope.get(root)
        if shape is None:
            return None
        for name in rest:
            shape = shape.field(name)
        return shape

    def walk_all(self) -> None:
        for tree in self.trees:
            self.walk(tree, dict(self.roots))

    def walk(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        if isinstance(node, nodes.Macro):
            return  # walked when called, with its arguments
        if isinstance(node, nodes.For):
            self.walk(node.iter, scope)
            inner = dict(scope)
            shape = self.resolve(node.iter, scope)
            if shape is not None and isinstance(node.target, nodes.Name):
                inner[node.target.name] = shape.of_items()
            for child in [*node.body, *node.else_]:
                self.walk(child, inner)
            if node.test is not None:
                self.walk(node.test, inner)
            return
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            self.walk(node.node, scope)
            shape = self.resolve(node.node, scope)
            if shape is not None:
                scope[node.target.name] = shape  # an alias: {% set appt = appointment %}
            else:
                scope.pop(node.target.name, None)
            return
        if isinstance(node, nodes.Filter):
            self.filtered(node, scope)
        elif isinstance(node, ARITHMETIC):
            for side in (node.left, node.right):
                shape = self.resolve(side, scope)
                if shape is not None:
                    shape.leaf("number")
        elif isinstance(node, nodes.Call):
            self.called(node, scope)
        elif isinstance(node, nodes.Getattr | nodes.Getitem | nodes.Name):
            self.resolve(node, scope)
        for child in node.iter_child_nodes():
            self.walk(child, scope)

    def filtered(self, node: nodes.Filter, scope: dict[str, Shape]) -> None:
        shape = self.resolve(node.node, scope) if node.node is not None else None
        if node.name in NUMBER_FILTERS and shape is not None:
            shape.leaf("number")
        if node.name in DATE_FILTERS and shape is not None:
            shape.leaf("date")
        if node.name == "money" and node.args:
            currency = self.resolve(node.args[0], scope)
            if currency is not None:
                currency.leaf("currency")
        if node.name == "sum" and shape is not None:
            for kw in node.kwargs:
                if kw.key == "attribute" and isinstance(kw.value, nodes.Const):
                    shape.of_items().field(str(kw.value.value)).leaf("number")

    def called(self, node: nodes.Call, scope: dict[str, Shape]) -> None:
        for kw in node.kwargs:
            if kw.key in NUMBER_ARGS:
                shape = self.resolve(kw.value, scope)
                if shape is not None:
                    shape.leaf("number")
        callee = node.node
        name = (
            callee.name
            if isinstance(callee, nodes.Name)
            else callee.attr
            if isinstance(callee, nodes.Getattr)
            else None
        )
        macro = self.macros.get(name) if name else None
        if macro is None:
            return
        params: dict[str, Shape] = {}
        for arg, value in zip(macro.args, node.args, strict=False):
            shape = self.resolve(value, scope)
            if shape is not None:
                params[arg.name] = shape
        names = {a.name for a in macro.args}
        for kw in node.kwargs:
            shape = self.resolve(kw.value, scope)
            if kw.key in names and shape is not None:
                params[kw.key] = shape
        for param, shape in params.items():
            key = (macro.name, id(shape), param)
            if key in self.visited:
                return
            self.visited.add(key)
        inner = {k: v for k, v in self.roots.items() if k not in names} | params
        for child in macro.body:
            self.walk(child, inner)


def _sources(env: Environment, relname: str, extra: tuple[str, ...]) -> list[nodes.Template]:
    """The syntax trees of the template, its front-matter sources and what it reaches."""
    trees: list[nodes.Template] = []
    for text in (text for _, text in reached_sources(env, relname)):
        if text is not None:
            try:
                trees.append(env.parse(text))
            except Exception:  # noqa: BLE001 - the render reports the syntax error
                continue
    for text in extra:
        if text:
            try:
                trees.append(env.parse(text))
            except Exception:  # noqa: BLE001 - the render reports the syntax error
                continue
    return trees


def template_trees(
    env: Environment, relname: str, *, extra_sources: tuple[str, ...] = ()
) -> list[nodes.Template]:
    """The syntax trees of a template, its front-matter sources and what it reaches."""
    return _sources(env, relname, extra_sources)


def sample_shape(
    env: Environment, relname: str, *, extra_sources: tuple[str, ...] = ()
) -> dict[str, Shape]:
    """The shape of every variable a template reads, by top-level name.

    Args:
        env: the workspace's Jinja environment.
        relname: the template's loader name (``templates/order_confirmation.mjml``).
        extra_sources: its subject and preheader (front matter is not in the body).
    """
    paths = template_variables(env, relname, extra_sources=extra_sources)
    roots: dict[str, Shape] = {}
    for path in sorted(paths):
        parts = path.split(".")
        if parts[0] in PROVIDED:
            continue
        shape = roots.setdefault(parts[0], Shape())
        for part in parts[1:]:
            shape = shape.field(part)
    _Walker(roots, _sources(env, relname, extra_sources)).walk_all()
    return roots


def placeholder_sample(
    env: Environment, relname: str, *, extra_sources: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A sample of placeholders of the right shape for every variable the template reads."""
    shapes = sample_shape(env, relname, extra_sources=extra_sources)
    return {name: shape.placeholder(name) for name, shape in sorted(shapes.items())}
