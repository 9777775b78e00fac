"""Validation like mjml's: unknown tags, attributes, values and children, with offsets.

The rules are mjml's own component definitions (``allowedAttributes`` and
mjml-validator's dependencies), vendored in ``data/mjml_rules.json`` by
``scripts/refresh_mjml_rules.py`` (MIT licence: ``data/mjml.LICENSE``). One pass
over the tree of :mod:`studio.core.render.mjml_tree`; each problem comes back with
the offset of the element or attribute in the spliced MJML, which
:meth:`~studio.core.render.include.Expanded.locate` turns into file, line, column.

Checked as mjml 5 checks them: the ``mjml`` root is skipped; elements without a
component (``mj-all``, ``mj-class``, ...) take any attribute; ``mj-class`` and
``css-class`` are allowed everywhere; the content of ending tags (``mj-text``,
``mj-button``, ``mj-raw``, ...) is HTML and is not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .mjml_tree import Node, parse

RULES_FILE = Path(__file__).resolve().parent / "data" / "mjml_rules.json"

Checker = Callable[[str], bool]


@dataclass(frozen=True)
class Issue:
    """One validation problem: a catalogue id, a sentence, and where it is."""

    id: str
    message: str
    offset: int
    tag: str
    snippet: str  # the source text it is about (``<mj-txt``, ``padding=``), to find it


@dataclass(frozen=True)
class Rules:
    attributes: dict[str, dict[str, str]]  # component -> attribute -> type
    children: dict[str, tuple[str | re.Pattern[str], ...]]
    componentless: frozenset[str]
    global_attributes: frozenset[str]
    checkers: dict[str, Checker]


def _unit(spec: str) -> Checker:
    negative = spec.startswith("unitWithNegative")
    units = re.search(r"\(([^)]*)\)", spec)
    names = units.group(1).split(",") if units else []
    count = re.search(r"\{([^}]+)\}", spec)
    repeat = count.group(1) if count else "1"
    auto = "|auto" if "auto" in names else ""
    alternatives = "|".join(re.escape(u) for u in names if u != "auto")
    number = r"(?:-|\d|,|\.)+" if negative else r"(?:\d|,|\.)+"
    pattern = re.compile(rf"^(?:(?:{number}(?:{alternatives})|0{auto}) ?){{{repeat}}}$")
    return lambda value: pattern.match(value) is not None


def _checker(spec: str, colours: frozenset[str]) -> Checker:
    if spec.startswith("unit"):
        return _unit(spec)
    if spec.startswith("enum"):
        m = re.search(r"\(([^)]*)\)", spec)
        allowed = frozenset(m.group(1).split(",")) if m else frozenset()
        return lambda value: value in allowed
    if spec.startswith("color"):
        rgb = re.compile(
            r"rgba\(\d{1,3},\s?\d{1,3},\s?\d{1,3},\s?\d(\.\d{1,3})?\)|rgb\(\d{1,3},\s?\d{1,3},\s?\d{1,3}\)",
            re.I,
        )
        hexa = re.compile(r"^#(?:[0-9a-f]{3}){1,2}$", re.I)
        return lambda v: v in colours or hexa.match(v) is not None or rgb.search(v) is not None
    if spec.startswith("boolean"):
        return lambda value: value.lower() in ("true", "false")
    if spec.startswith("integer"):
        return lambda value: re.search(r"\d", value) is not None
    return lambda value: True  # string, and any type a later mjml adds


@cache
def rules() -> Rules:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    colours = frozenset(data["colors"])
    attributes: dict[str, dict[str, str]] = {}
    children: dict[str, tuple[str | re.Pattern[str], ...]] = {}
    checkers: dict[str, Checker] = {}
    for tag, comp in data["components"].items():
        if comp["attributes"] is not None:
            attributes[tag] = comp["attributes"]
            for spec in comp["attributes"].values():
                if spec not in checkers:
                    checkers[spec] = _checker(spec, colours)
        children[tag] = tuple(
            re.compile(c["regex"]) if isinstance(c, dict) else c for c in comp["children"] or ()
        )
    return Rules(
        attributes=attributes,
        children=children,
        componentless=frozenset(data["component_less"]),
        global_attributes=frozenset(data["global_attributes"]),
        checkers=checkers,
    )


def _allowed_child(allowed: tuple[str | re.Pattern[str], ...], tag: str) -> bool:
    return any(a == tag if isinstance(a, str) else a.search(tag) for a in allowed)


def validate(text: str) -> list[Issue]:
    """The validation problems of MJML ``text`` (syntax problems are the compiler's)."""
    root, _ = parse(text)
    r = rules()
    return list(_walk(root, r))


def _walk(node: Node, r: Rules) -> Iterator[Issue]:
    stack = list(reversed(node.children))
    while stack:
        el = stack.pop()
        stack.extend(reversed(el.children))
        tag = el.tag
        if tag == "mjml" or tag in r.componentless:
            continue
        allowed = r.attributes.get(tag)
        if allowed is None:
            yield Issue(
                "mjml.unknown-tag", f"<{tag}> is not an mjml element", el.offset, tag, f"<{tag}"
            )
            continue
        parent = el.parent
        if parent is not None and parent.tag in r.attributes and parent.tag != "mjml":
            if not _allowed_child(r.children.get(parent.tag, ()), tag):
                yield Issue(
                    "mjml.invalid-child",
                    f"<{tag}> cannot be used inside <{parent.tag}>",
                    el.offset,
                    tag,
                    f"<{tag}",
                )
        for attr in el.attrs:
            spec = allowed.get(attr.name)
            if spec is None:
                if attr.name not in r.global_attributes:
                    yield Issue(
                        "mjml.invalid-attribute",
                        f"attribute {attr.name!r} is not allowed on <{tag}>",
                        attr.offset,
                        tag,
                        f"{attr.name}=",
                    )
            elif tag == "mj-image" and attr.name == "width" and attr.value.strip().endswith("%"):
                yield Issue(
                    "mjml.image-percent-width",
                    f"mj-image width={attr.value!r}: mj-image takes px (mjml reads it as"
                    f" {attr.value.strip().rstrip('%')} px, MRML as the column's width)",
                    attr.offset,
                    tag,
                    f"{attr.name}=",
                )
            elif not r.checkers[spec](attr.value):
                yield Issue(
                    "mjml.invalid-value",
                    f"{tag} {attr.name}={attr.value!r}: expected {spec}",
                    attr.offset,
                    tag,
                    f"{attr.name}=",
                )
