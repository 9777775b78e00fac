"""The bounds of the template sandbox: what a template may read, change and build.

Jinja's ``ImmutableSandboxedEnvironment`` already keeps templates away from Python
internals and from changing lists and dicts (a template could otherwise change the
brand tokens of every later render, or empty the caller's variables). What it does
not bound is work: ``'a' * 10**10``, ``lipsum(10**6)``, ``"{:>999999999}".format(x)``
or two nested loops of a hundred thousand items each exhaust memory or time. This
module adds those bounds, each small enough to cost a normal render nothing
measurable:

* every value one operation builds (``*``, ``+``, ``~``, ``%``, ``str.format``, the
  width of ``center``/``ljust``/``indent``/..., ``replace``, ``join``) is at most
  :data:`MAX_STRING` characters or items, and all of them together in one render at
  most :data:`MAX_BUILT`;
* integer powers at most :data:`MAX_POWER_BITS` bits; ``range`` at most
  :data:`MAX_RANGE` items; ``lipsum`` at most :data:`MAX_LIPSUM` paragraphs;
* what one render (or one macro, block or ``{% set %}`` body) outputs at most
  :data:`MAX_OUTPUT` characters;
* one render lasts at most :data:`StudioSandbox.max_render_seconds`: the clock is read
  on every call and every 1024 loop iterations, the only ways a template repeats work.

Beyond a bound the render stops with a :class:`jinja2.exceptions.SecurityError`,
which the pipeline reports as a :class:`~studio.errors.RenderError` of kind
``sandbox`` naming the template line. And ``include``/``import``/``extends`` reach
only :data:`TEMPLATE_FOLDERS` (``{% include ".env" %}`` rendered any workspace file).
"""

from __future__ import annotations

import contextvars
import functools
import re
import string
import time
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import Macro, markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer

from . import memo

MAX_STRING = 1_000_000
"""Characters (or items) one operation may build."""
MAX_BUILT = 20_000_000
"""Characters (or items) all bounded operations of one render may build together."""
MAX_OUTPUT = 5_000_000
"""Characters one render, macro, block or ``{% set %}`` body may output."""
MAX_POWER_BITS = 4096
"""Bits an integer power may have."""
MAX_RANGE = 100_000
"""Items ``range`` may give (Jinja's own sandbox limit)."""
MAX_LIPSUM = 100
"""Paragraphs ``lipsum`` may give (and at most this many times ten words each)."""

TEMPLATE_FOLDERS = ("templates", "components", "brand")
"""The workspace folders ``include``, ``import`` and ``extends`` may reach."""


def check_template_name(name: str) -> None:
    """Refuse a template name outside :data:`TEMPLATE_FOLDERS` (or a hidden file).

    Raises:
        jinja2.TemplateNotFound: its message naming the folders a template may come from.
    """
    parts = name.replace("\\", "/").split("/")
    if (
        len(parts) < 2
        or parts[0] not in TEMPLATE_FOLDERS
        or any(not p or p.startswith(".") for p in parts)
    ):
        folders = ", ".join(f"{f}/" for f in TEMPLATE_FOLDERS)
        raise jinja2.TemplateNotFound(
            name, f"include, import and extends reach only {folders}, not {name!r}"
        )


def is_template_name(name: str) -> bool:
    """Whether :func:`check_template_name` accepts ``name``."""
    try:
        check_template_name(name)
    except jinja2.TemplateNotFound:
        return False
    return True


# -- the per-render budget ------------------------------------------------------------


@dataclass
class _Budget:
    deadline: float
    built: int = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError(
                f"the render took longer than {StudioSandbox.max_render_seconds:g} s"
            )

    def charge(self, size: int) -> None:
        self.built += size
        if self.built > MAX_BUILT:
            raise SecurityError(f"the render built more than {MAX_BUILT:,} characters")


# The budget of the render running in this thread (each render sets its own, so
# renders in several threads, as the studio's workers run them, never share one).
_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "studio_render_budget", default=None
)


def _built(size: int, what: str) -> None:
    """Account for a value of ``size`` about to be built by ``what``."""
    if size > MAX_STRING:
        raise SecurityError(f"{what} would build {size:,} items (at most {MAX_STRING:,})")
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(size)


def _guard_loop(iterable: Iterable[Any]) -> Iterable[Any]:
    """The iterable of a ``{% for %}``, reading the clock every 1024 items."""
    budget = _BUDGET.get()
    if budget is None:
        return iterable
    return _ticking(iterable, budget)


def _ticking(iterable: Iterable[Any], budget: _Budget) -> Iterator[Any]:
    for n, item in enumerate(iterable, 1):
        if not n & 1023:
            budget.tick()
        yield item


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, bytes)) else 0


@jinja2.pass_eval_context
def _guard_concat(eval_ctx: jinja2.nodes.EvalContext, values: list[Any]) -> str:
    """``a ~ b ~ c``, bounded (the ``~`` operator is compiled to a call of this)."""
    _built(sum(map(_sized, values)), "'~'")
    return markup_join(values) if eval_ctx.autoescape else str_join(values)


# -- format specs -----------------------------------------------------------------------

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _check_percent(fmt: str) -> None:
    """Refuse ``'%999999999d' % x`` and ``*`` widths in a printf-style format."""
    for match in _PERCENT_SPEC.finditer(fmt):
        for n in match.groups():
            if n == "*" or (n is not None and int(n) > MAX_STRING):
                raise SecurityError(f"format width {match.group()!r} refused")


def _check_format(fmt: str) -> None:
    """Refuse ``"{:>999999999}"`` and nested width fields in a ``str.format`` string."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format reports it
    for _, _, spec, _ in fields:
        if spec and ("{" in spec or any(int(n) > MAX_STRING for n in _DIGITS.findall(spec))):
            raise SecurityError(f"format spec {spec!r} refused")


# -- calls of str methods and filters that take a size ----------------------------------


def _str_method_size(text: str, name: str, args: tuple[Any, ...]) -> int:
    """What ``text.<name>(*args)`` would build, for the methods that can grow text."""
    first = args[0] if args else None
    if name in ("ljust", "rjust", "center", "zfill") and isinstance(first, int):
        return first
    if name == "expandtabs" and isinstance(first, int):
        return len(text) + text.count("\t") * first
    if name == "replace" and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
        return len(text) + text.count(args[0]) * max(len(args[1]) - len(args[0]), 0)
    if name == "join" and isinstance(first, (list, tuple)):
        return len(text) * len(first) + sum(map(_sized, first))
    if name in ("format", "format_map"):
        _check_format(text)
    return 0


def _filter_guard(name: str, check: Callable[..., int]) -> Callable[[Callable[..., Any]], Any]:
    """Wrap filter ``name`` so that ``check`` (its arguments → the size built) runs first."""

    def wrap(fn: Callable[..., Any]) -> Any:
        @functools.wraps(fn)  # keeps Jinja's pass_eval_context marker
        def guarded(*args: Any, **kwargs: Any) -> Any:
            _built(check(*args, **kwargs), f"the {name} filter")
            return fn(*args, **kwargs)

        return guarded

    return wrap


def _lines(text: Any) -> int:
    return str(text).count("\n") + 1


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _format_size(value: Any, *args: Any, **kwargs: Any) -> int:
    _check_percent(str(value))
    return 0


# Filter name → a function of the filter's arguments giving the size it would build.
_FILTER_SIZES: dict[str, Callable[..., int]] = {
    "center": lambda value, width=80: _int(width),
    "indent": lambda s, width=4, *a, **k: _int(width) * _lines(s),
    "format": _format_size,
    "batch": lambda value, linecount, *a, **k: _int(linecount),
    "slice": lambda value, slices, *a, **k: _int(slices),
    "tojson": lambda ctx, value, indent=None: _int(indent) * 1000,
    "replace": lambda ctx, s, old, new, *a: _str_method_size(str(s), "replace", (old, new)),
    "join": lambda ctx, value, d="", *a: len(str(d)) * _sized(value),
}


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
    if not all(isinstance(v, int) for v in (n, min, max)) or not (
        0 <= n <= MAX_LIPSUM and 0 <= min <= max <= 10 * MAX_LIPSUM
    ):
        raise SecurityError(
            f"lipsum(n={n!r}, min={min!r}, max={max!r}) refused: at most {MAX_LIPSUM}"
            f" paragraphs of at most {10 * MAX_LIPSUM} words"
        )
    return generate_lorem_ipsum(n, html, min, max)


def _range(*args: int) -> range:
    items = range(*args)
    if len(items) > MAX_RANGE:
        raise SecurityError(f"range of {len(items):,} items refused (at most {MAX_RANGE:,})")
    return items


# -- the environment --------------------------------------------------------------------

_LOOP_GUARD = "_studio_loop"
_DICT_NAMES = frozenset(dir(dict))
"""Every name ``getattr()`` finds on a plain dict (its methods and object's)."""
_MARKED = frozenset({"unsafe_callable", "alters_data", "jinja_pass_arg", "__call__"})
"""Attributes that would make a macro object other than a plain safe callable."""
_CONCAT_GUARD = "_studio_concat"


class _Guards(NodeTransformer):
    """Rewrites a parsed template so loops read the clock and ``~`` is bounded."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _LOOP_GUARD, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        items = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(items, _CONCAT_GUARD, [], [], None, None, lineno=node.lineno)


class _BoundedTemplate(jinja2.Template):
    """A template whose :meth:`render` runs within a fresh budget."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        budget = _Budget(time.monotonic() + StudioSandbox.max_render_seconds)
        token = _BUDGET.set(budget)
        try:
            return super().render(*args, **kwargs)
        finally:
            _BUDGET.reset(token)


class StudioSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with bounded work (see the module docstring)."""

    max_render_seconds = 5.0
    """How long one render may last (a normal one takes milliseconds)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    template_class = _BoundedTemplate

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals.update(range=_range, lipsum=_lipsum)
        for name, size in _FILTER_SIZES.items():
            self.filters[name] = _filter_guard(name, size)(self.filters[name])
        self.filters[_LOOP_GUARD] = _guard_loop
        self.filters[_CONCAT_GUARD] = _guard_concat

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        # Jinja's documented hook between parsing and code generation (2.5+).
        _Guards().visit(source)
        code = super()._generate(source, name, filename, defer_init=defer_init)
        # The macros whose output may be kept (:mod:`.memo`), in the code they describe.
        return f"{code}\n{memo.INPUTS_NAME} = {memo.macro_inputs(source, self)!r}\n"

    def concat(self, chunks: Iterable[str]) -> str:
        parts = chunks if isinstance(chunks, list) else list(chunks)
        size = sum(map(len, parts))
        if size > MAX_OUTPUT:
            raise SecurityError(f"the output passed {MAX_OUTPUT:,} characters")
        return "".join(parts)

    def call_binop(
        self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
    ) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(times, int) and _sized(seq):
                    _built(len(seq) * times, "'*'")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
                if left.bit_length() * right > MAX_POWER_BITS:
                    raise SecurityError(f"{left} ** {right} refused (too large a number)")
        elif operator == "+" and isinstance(left, (str, list, tuple, bytes)):
            _built(len(left) + _sized(right), "'+'")
        elif operator == "%" and isinstance(left, str):
            _check_percent(left)
            _built(len(left), "'%'")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        # ``brand.colors.muted``: on a plain dict, a name that is no dict attribute
        # makes Jinja's getattr() raise and catch an AttributeError before it reads
        # the item. The same result without the exception (most lookups of a render).
        if type(obj) is dict and type(attribute) is str and attribute not in _DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call(
        __self, __context: jinja2.runtime.Context, __obj: Any, *args: Any, **kwargs: Any
    ) -> Any:
        budget = _BUDGET.get()
        if budget is not None:
            budget.tick()
        kind = type(__obj)
        if kind is Macro and not _MARKED.intersection(__obj.__dict__):
            # A template's macro: safely callable (no unsafe_callable or alters_data
            # mark, which only Python code could set) and not given a context, so
            # what Context.call() would do comes down to this.
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            render = memo.ACTIVE.get()
            key = None
            if render is not None:
                names = __obj._func.__globals__.get(memo.INPUTS_NAME, {}).get(__obj.name)
                if names is not None:
                    key = memo.key_of(__obj, names, args, kwargs, render)
                    if key is not None:
                        kept = render.memo.get(key)
                        if kept is not None:
                            render.memo.hits += 1
                            if budget is not None:
                                budget.charge(len(kept))
                            return kept
            try:
                output = __obj(*args, **kwargs)
            except StopIteration:
                return __self.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
            if key is not None and render is not None and isinstance(output, str):
                render.memo.misses += 1
                render.memo.keep(key, output, __obj._func.__code__)
            return output
        if kind is types.BuiltinMethodType and isinstance(__obj.__self__, str):
            _built(_str_method_size(__obj.__self__, __obj.__name__, args), "a string method")
        # What Jinja's sandbox does, inlined (this runs on every call of a render).
        if not __self.is_safe_callable(__obj):
            raise SecurityError(f"{__obj!r} is not safely callable")
        return __context.call(__obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped
