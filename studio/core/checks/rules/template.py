"""Rules on a template across its samples: syntax, variables, review age, promo weight."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

import jinja2
from jinja2 import nodes

from ....errors import RenderError
from ...findings import Location
from ...render.pipeline import renderer_for
from ...variables import template_variables
from ..context import TemplateContext
from ..registry import Hit, rule

PROMO_COMPONENT = re.compile(r"cross[_-]?sell|upsell|referral|loyalty|promo|coupon", re.I)
PROMO_SHARE_LIMIT = 0.5
_MACRO_BODY = re.compile(
    r"({%-?\s*macro\s+\w+\s*\(.*?\)\s*-?%})(.*?)({%-?\s*endmacro\s*-?%})", re.S
)


def _location(err: RenderError, ctx: TemplateContext) -> Location:
    return Location(err.file or ctx.template.relname, err.line or None)


@rule("template.syntax", kind="template")
def syntax(ctx: TemplateContext) -> Iterator[Hit]:
    seen = set()
    for r in ctx.renders:
        err = r.error
        if not isinstance(err, RenderError) or err.kind not in (
            "syntax",
            "mjml",
            "missing",
            "sandbox",
        ):
            continue
        key = (err.file, err.line, err.kind)
        if key in seen:
            continue
        seen.add(key)
        yield Hit(
            ctx.template.name, str(err), _location(err, ctx), {"kind": err.kind, "sample": r.sample}
        )


@rule("template.undefined-variable", kind="template")
def undefined_variable(ctx: TemplateContext) -> Iterator[Hit]:
    known = set(ctx.workspace.sample_names(ctx.template.name))
    for r in ctx.renders:
        err = r.error
        if isinstance(err, RenderError) and err.kind in ("undefined", "error"):
            name = err.variable or "?"
            what = f"{name!r} is undefined" if err.kind == "undefined" else str(err)
            yield Hit(
                f"{ctx.template.name} ({r.sample})",
                f"{what} with sample {r.sample!r} of template {ctx.template.name!r}",
                _location(err, ctx),
                {"variable": name, "template": ctx.template.name, "sample": r.sample},
                sample=r.sample if r.sample in known else None,
            )


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, sub in value.items():
            path = f"{prefix}{key}"
            yield path
            yield from _paths(sub, path + ".")


@rule("template.unused-variable", kind="template")
def unused_variable(ctx: TemplateContext) -> Iterator[Hit]:
    tpl = ctx.template
    env = renderer_for(ctx.workspace).env
    used = template_variables(
        env, tpl.relname, extra_sources=(tpl.meta.subject, tpl.meta.preheader)
    )
    sms = ctx.workspace.sms_template_path(tpl.name)
    if sms.is_file():
        used |= template_variables(env, ctx.workspace.relpath(sms))

    def is_used(path: str) -> bool:
        return any(u == path or u.startswith(path + ".") or path.startswith(u + ".") for u in used)

    known = set(ctx.workspace.sample_names(tpl.name))
    for r in ctx.renders:
        if r.sample not in known:
            continue  # rendered without a sample: nothing to compare
        sample = ctx.workspace.sample(tpl.name, r.sample)
        unused = [p for p in _paths(sample.variables) if not is_used(p)]
        # Report the top of each unused branch only.
        top = [p for p in unused if not any(p.startswith(q + ".") for q in unused if q != p)]
        for path in top:
            yield Hit(
                f"{tpl.name} ({r.sample})",
                f"sample {r.sample!r} defines {path!r}, which the template never reads",
                Location(ctx.workspace.relpath(sample.path)),
                {"variable": path, "sample": r.sample},
                sample=r.sample,
            )


@rule("template.variable-type", kind="template")
def variable_type(ctx: TemplateContext) -> Iterator[Hit]:
    """A sample value of another kind than the template uses it as (the router's 422)."""
    from ...router.validate import MISTYPED, check_variables

    tpl = ctx.template
    env = renderer_for(ctx.workspace).env
    known = set(ctx.workspace.sample_names(tpl.name))
    for r in ctx.renders:
        if r.sample not in known:
            continue
        sample = ctx.workspace.sample(tpl.name, r.sample)
        for p in check_variables(env, tpl, sample.variables):
            if p.check == MISTYPED:
                yield Hit(
                    f"{tpl.name} ({r.sample})",
                    f"sample {r.sample!r}: {p.message}",
                    Location(ctx.workspace.relpath(sample.path)),
                    {"variable": p.variable, "expected": p.expected, "sample": r.sample},
                    sample=r.sample,
                )


@rule("template.stale-review", kind="template")
def stale_review(ctx: TemplateContext) -> Iterator[Hit]:
    meta = ctx.template.meta
    limit = ctx.settings.lint.stale_review_days
    line = meta.lines.get("reviewed")
    if meta.reviewed is None:
        yield Hit(
            ctx.template.name,
            "no review date (`reviewed:` in the front matter)",
            Location(ctx.template.relname, 1),
        )
        return
    age = (dt.date.today() - meta.reviewed).days
    if age > limit:
        yield Hit(
            ctx.template.name,
            f"last reviewed {meta.reviewed.isoformat()}, {age} days ago (limit {limit})",
            Location(ctx.template.relname, line),
            {"reviewed": meta.reviewed.isoformat(), "age_days": age},
        )


def _without_promos(ctx: TemplateContext) -> dict[str, str]:
    """Buffers of the promotional components with every macro emptied."""
    buffers = {}
    for name, text in ctx.sources.files.items():
        if name.startswith("components/") and PROMO_COMPONENT.search(name):
            buffers[name] = _MACRO_BODY.sub(lambda m: m.group(1) + m.group(3), text)
    return buffers


@rule("template.promo-heavy", kind="template")
def promo_heavy(ctx: TemplateContext) -> Iterator[Hit]:
    buffers = _without_promos(ctx)
    if not buffers:
        return
    # A renderer of its own that sees the emptied components; the workspace's
    # renderer, which other threads may be using, is left as it is.
    bare = renderer_for(ctx.workspace).variant(buffers)
    for r in ctx.renders:
        if r.msg is None:
            continue
        try:
            plain = bare.render_text(ctx.template.name, sample=r.msg.sample)
        except RenderError:
            continue
        total = len(r.msg.text.split())
        promo = total - len(plain.split())
        if total and promo / total > PROMO_SHARE_LIMIT:
            yield Hit(
                f"{ctx.template.name} ({r.sample})",
                f"commercial blocks are {promo / total:.0%} of the text"
                f" ({promo} of {total} words; limit {PROMO_SHARE_LIMIT:.0%})",
                Location(ctx.template.relname),
                {"share": round(promo / total, 2), "components": sorted(buffers)},
                sample=r.msg.sample,
            )


# What may stand outside a block in a child template: they define, they do not print.
_DEFINING = (nodes.Extends, nodes.Block, nodes.Import, nodes.FromImport, nodes.Macro, nodes.Assign)


def _prints(node: nodes.Node) -> bool:
    """Whether a top-level node would put something on the page."""
    if isinstance(node, _DEFINING):
        return False
    outputs = [node] if isinstance(node, nodes.Output) else node.find_all(nodes.Output)
    return any(
        not (isinstance(n, nodes.TemplateData) and not n.data.strip())
        for out in outputs
        for n in out.nodes
    )


@rule("template.ignored-content", kind="template")
def ignored_content(ctx: TemplateContext) -> Iterator[Hit]:
    tpl = ctx.template
    env = renderer_for(ctx.workspace).env
    try:
        tree = env.parse(tpl.body)
    except jinja2.TemplateSyntaxError:
        return  # template.syntax says it
    if not any(isinstance(n, nodes.Extends) for n in tree.body):
        return
    for node in tree.body:
        if _prints(node):
            yield Hit(
                tpl.name,
                "content outside {% block %} in a template that extends a layout is never shown",
                Location(tpl.relname, node.lineno),
                {"line": node.lineno},
            )
            return  # the first is enough to say where to look
