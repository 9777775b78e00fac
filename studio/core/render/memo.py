"""Rendered component output kept for calls whose inputs did not change (issue 18).

A component macro (``footer(variant="full")``, ``ui.heading(text)``) is called with
the same inputs on every render of a template, and again on every keystroke in the
studio and for every sample of a ``studio build``. What it writes depends only on:

* its code (the component file's text: a changed file is compiled again, to new code);
* its arguments;
* the values of the names its body reads from the template context (``brand``, ``t``,
  ``locale``, or any variable), as they are when it is called;
* the locale the ``money``/``date`` filters and ``t()`` format for, and the
  translation tables ``t()`` reads.

So its output is kept under a key made of exactly these, and a call with an equal key
returns the kept output without running the macro. Which macros qualify is decided
when a template is compiled (:func:`macro_inputs`, from the parsed template): a
top-level macro, the only one of its name in the file, that calls no ``caller()``,
includes or imports nothing and uses no ``random`` filter; the names its body reads
are written into the compiled code beside it (``_studio_macro_inputs``), so they
always belong to the code that runs. At a call (:func:`key_of`), every argument and
every such name's value must be plain data (``str``, ``Markup``, numbers, ``None``,
lists, tuples and dicts of them, compared with their types, in their order), the
render's brand tokens (by their version), ``t()`` (by its tables' version) or one of
Jinja's pure globals; anything else (an undefined value, a macro, a cycler) and the
call simply runs. The sandbox, autoescape and ``StrictUndefined`` are untouched: a
call that raises keeps nothing, so it raises again next time.

Kept per workspace renderer (:class:`MacroMemo`), bounded in entries and in the size
of what is kept, emptied when full; only the pipeline's renders use it (the render
sets :data:`ACTIVE`).
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import CodeType
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import Environment
from jinja2.nodes import EvalContext
from jinja2.runtime import Macro
from jinja2.utils import missing
from markupsafe import Markup

INPUTS_NAME = "_studio_macro_inputs"
"""The compiled template's global naming its cacheable macros and the names they read."""

IMPURE_FILTERS = frozenset({"random"})
PURE_GLOBALS = frozenset({"range", "dict", "namespace", "cycler", "joiner"})

MAX_ENTRIES = 2048
MAX_OUTPUT = 100_000
"""Characters of one output kept (a larger one is written each time)."""
MAX_ITEMS = 2_000
"""Values (all arguments and names together) one key may hold."""


# -- at compile time: which macros, reading which names --------------------------------


class _Reads(CodeGenerator):
    """Jinja's code generator run for the names a node looks up in the context."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment, "<memo>", "<memo>")
        self.names: set[str] = set()

    def write(self, x: str) -> None:
        pass

    def enter_frame(self, frame: Frame) -> None:
        super().enter_frame(frame)
        for action, param in frame.symbols.loads.values():
            if action == "resolve":
                self.names.add(param)


def macro_inputs(template: nodes.Template, environment: Environment) -> dict[str, tuple[str, ...]]:
    """The template's cacheable macros and the context names each reads."""
    counts = Counter(m.name for m in template.find_all(nodes.Macro))
    out: dict[str, tuple[str, ...]] = {}
    for node in template.body:
        if not isinstance(node, nodes.Macro) or counts[node.name] != 1 or node.name == "caller":
            continue
        if any(f.name in IMPURE_FILTERS for f in node.find_all(nodes.Filter)):
            continue
        if any(True for _ in node.find_all((nodes.Include, nodes.Import, nodes.FromImport))):
            continue
        if any(n.name == "caller" for n in node.find_all(nodes.Name)):
            continue
        reads = _Reads(environment)
        reads.visit(nodes.Template([node], lineno=1).set_environment(environment))
        # Its own name, when it calls itself, is read from the template too (the name
        # may be bound to something else later): it must still be this macro.
        if any(n.name == node.name and n.ctx == "load" for n in node.find_all(nodes.Name)):
            reads.names.add(node.name)
        out[node.name] = tuple(sorted(reads.names))
    return out


# -- at a call: the key ----------------------------------------------------------------


class _Unkeyable(Exception):
    """A value that cannot stand in a key (the call runs as usual)."""


@dataclass
class MacroMemo:
    """Macro outputs by key, shared by a workspace's renderer and its variants."""

    entries: dict[Hashable, tuple[str, CodeType]] = field(default_factory=dict)
    enabled: bool = True
    hits: int = 0
    misses: int = 0

    def clear(self) -> None:
        self.entries.clear()

    def get(self, key: Hashable) -> str | None:
        found = self.entries.get(key)
        return found[0] if found is not None else None

    def keep(self, key: Hashable, output: str, code: CodeType) -> None:
        """Keep ``output`` (with ``code``, whose id() is in ``key``)."""
        if len(output) > MAX_OUTPUT:
            return
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        self.entries[key] = (output, code)


@dataclass(frozen=True)
class Render:
    """What one render lets the memo know: the store and the versions of its tokens."""

    memo: MacroMemo
    versions: Mapping[int, Hashable]
    """``id()`` of a value the render holds for its whole length (the brand tokens)
    → a key standing for it (its file's modification time, or its buffer's text)."""


ACTIVE: contextvars.ContextVar[Render | None] = contextvars.ContextVar(
    "studio_macro_memo", default=None
)
"""The memo of the render running in this thread (none: macros always run)."""


def _frozen(value: Any, render: Render, budget: list[int]) -> Hashable:
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unkeyable
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is Markup or kind is int or kind is bool or value is None:
        return (kind, value)
    if kind is float:
        return (kind, repr(value))  # 0.0 and -0.0 are equal but print differently
    if kind is list or kind is tuple:
        return (kind, tuple([_frozen(v, render, budget) for v in value]))
    if kind is dict:
        version = render.versions.get(id(value))
        if version is not None:
            return version
        items = [(_frozen(k, render, budget), _frozen(v, render, budget)) for k, v in value.items()]
        return (kind, tuple(items))
    raise _Unkeyable


# Per macro code object: where its closure holds the context (an index into the
# closure, and whether it is the context itself or its ``resolve`` method), or None.
# Keyed by id(); the code object is kept in the value, so the id is not reused.
_CELLS: dict[int, tuple[CodeType, int, bool] | None] = {}


def _context_of(macro: Macro) -> Any:
    """The context a macro's body reads names from (its template module's)."""
    func = macro._func
    code = func.__code__
    try:
        where = _CELLS[id(code)]
    except KeyError:
        where = None
        for name in ("context", "resolve"):
            if name in code.co_freevars:
                where = (code, code.co_freevars.index(name), name == "context")
                break
        if len(_CELLS) >= 4096:
            _CELLS.clear()
        _CELLS[id(code)] = where
    if where is None or where[0] is not code:
        return None
    value = (func.__closure__ or ())[where[1]].cell_contents
    return value if where[2] else getattr(value, "__self__", None)


def key_of(
    macro: Macro,
    names: tuple[str, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    render: Render,
) -> Hashable | None:
    """The key of this call's output, or None when it cannot have one.

    The macro's code stands in the key by its ``id()``: :meth:`MacroMemo.keep` keeps
    the code object with the output, so the id cannot be reused while the entry lasts.
    """
    autoescape = macro._default_autoescape
    if args and isinstance(args[0], EvalContext):
        autoescape = args[0].autoescape
        args = args[1:]
    budget = [MAX_ITEMS]
    try:
        parts: list[Hashable] = [
            id(macro._func.__code__),
            autoescape,
            tuple([a if type(a) is str else _frozen(a, render, budget) for a in args]),
        ]
        if kwargs:
            parts.append(tuple([(k, _frozen(v, render, budget)) for k, v in kwargs.items()]))
        context = _context_of(macro)
        if context is not None:
            resolve = context.resolve_or_missing
            locale = resolve("_babel_locale")
            parts.append(
                (locale.language, locale.territory, locale.script, locale.variant, locale.modifier)
                if hasattr(locale, "territory")
                else None
            )
            for name in names:
                value = resolve(name)
                if type(value) is str:
                    parts.append(value)
                elif value is macro:  # calls itself
                    parts.append((name, "itself"))
                elif value is missing:
                    parts.append((name, "missing"))
                elif name == "t" and hasattr(value, "studio_translations"):
                    parts.append((value, value.studio_translations.generation))
                elif name in PURE_GLOBALS and value is macro._environment.globals.get(name):
                    parts.append(value)
                else:
                    parts.append(_frozen(value, render, budget))
        elif names:
            return None
    except (_Unkeyable, RecursionError, TypeError):
        return None
    return tuple(parts)
