"""``studio diff``: every message a change affects, rendered at both sides and compared.

1. The two sides (:mod:`.trees`): BASE (a revision; by default the merge-base with
   the default branch, else ``HEAD``) and HEAD (a revision, or the working tree,
   optionally with unsaved editor buffers over it).
2. The changed inputs: files whose text differs between the sides (a settings
   file only when its Studio table differs; for a locale file, the keys whose text
   changed).
3. For every template × sample (and SMS template × sample), what it depends on
   (:mod:`.graph`, at both sides); a message none of whose inputs changed is
   *unaffected* and not rendered.
4. The others are rendered at both sides through the workspace's own renderer
   (the base side sees its texts as buffers, sharing compiled code with the head
   side); identical output is *unchanged*, anything else *changed*, with what
   changed (:mod:`.compare`) and, optionally, screenshots (:mod:`.visual`).
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import StudioError
from ..findings import Finding, Location, Severity
from ..render.jinja import flatten_strings
from ..render.pipeline import RenderCaches, Renderer, renderer_for
from ..settings import parse_settings
from ..workspace import Workspace
from .compare import Changes, Side, compare
from .git import WORKTREE, Git
from .graph import Closure, closure, may_reach, named_closure
from .trees import Tree, at_revision, settings_rel, worktree

SCHEMA_VERSION = 1
BRAND_FILE = "brand/brand.toml"
LOCALES = "brand/locales/"

EMAIL, SMS = "email", "sms"


@dataclass(frozen=True, order=True)
class MessageId:
    template: str
    sample: str | None
    channel: str = EMAIL

    @property
    def label(self) -> str:
        name = self.template + (" (SMS)" if self.channel == SMS else "")
        return f"{name} / {self.sample}" if self.sample else name

    @property
    def slug(self) -> str:
        return f"{self.template}__{self.sample or 'default'}" + (
            "__sms" if self.channel == SMS else ""
        )

    @property
    def source(self) -> str:
        return f"templates/{self.template}" + (".sms.j2" if self.channel == SMS else ".mjml")


@dataclass
class ShotDiff:
    """Screenshots of one message at one width, both sides, and how much changed."""

    width: int
    base: Path
    head: Path
    changed: float
    diff: Path | None
    crop: Path | None


@dataclass
class MessageDiff:
    id: MessageId
    status: str  # changed, unchanged or unaffected
    because: list[str] = field(default_factory=list)
    base: Side | None = None
    head: Side | None = None
    changes: Changes | None = None
    shots: list[ShotDiff] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """added, removed or modified (changed messages); the status otherwise."""
        if self.status != "changed":
            return self.status
        if self.base is not None and self.base.missing:
            return "added"
        if self.head is not None and self.head.missing:
            return "removed"
        return "modified"

    def to_dict(self, root: Path | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "template": self.id.template,
            "sample": self.id.sample,
            "channel": self.id.channel,
        }
        if self.status == "unaffected":
            return out
        out["because"] = self.because
        if self.status == "changed":
            out["kind"] = self.kind
            if self.changes is not None:
                out.update(self.changes.to_dict())
            if self.shots:
                out["shots"] = [
                    {
                        "width": s.width,
                        "changed": round(s.changed, 6),
                        "base": _rel(s.base, root),
                        "head": _rel(s.head, root),
                        "diff": _rel(s.diff, root),
                        "crop": _rel(s.crop, root),
                    }
                    for s in self.shots
                ]
        return out


def _rel(path: Path | None, root: Path | None) -> str | None:
    if path is None:
        return None
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


@dataclass
class DiffReport:
    base: str
    base_commit: str
    head: str
    head_commit: str | None
    inputs: list[str]
    messages: list[MessageDiff]
    out: Path | None = None  # where screenshots were written

    def of(self, status: str) -> list[MessageDiff]:
        return [m for m in self.messages if m.status == status]

    @property
    def changed(self) -> list[MessageDiff]:
        return self.of("changed")

    @property
    def unchanged(self) -> list[MessageDiff]:
        return self.of("unchanged")

    @property
    def unaffected(self) -> list[MessageDiff]:
        return self.of("unaffected")

    @property
    def new_errors(self) -> int:
        return sum(len(m.changes.new_errors) for m in self.changed if m.changes is not None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "base": self.base,
            "base_commit": self.base_commit,
            "head": self.head,
            "head_commit": self.head_commit,
            "changed_inputs": self.inputs,
            "changed": [m.to_dict(self.out) for m in self.changed],
            "unchanged": [m.to_dict(self.out) for m in self.unchanged],
            "unaffected": [m.to_dict(self.out) for m in self.unaffected],
        }


# -- the sides ------------------------------------------------------------------------


@dataclass
class _Sides:
    workspace: Workspace
    base: Tree
    head: Tree
    changed: set[str]
    base_ws: Workspace
    head_ws: Workspace


def _settings_table(text: str | None, rel: str) -> Any:
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text  # not TOML: compared as text
    return data.get("tool", {}).get("studio") if rel.endswith("pyproject.toml") else data


def _workspace_at(
    workspace: Workspace, tree: Tree, rel: str | None, changed: set[str]
) -> Workspace:
    """The workspace with ``tree``'s settings (the same object when they did not change)."""
    if rel is None or rel not in changed:
        return workspace
    table = _settings_table(tree.read(rel), rel)
    if not isinstance(table, dict):
        return workspace
    prefix = "tool.studio" if rel.endswith("pyproject.toml") else ""
    settings = parse_settings(table, f"{tree.label}:{rel}", prefix)
    return Workspace(root=workspace.root, settings=settings, settings_file=workspace.settings_file)


def open_sides(
    workspace: Workspace,
    base: str | None = None,
    head: str | None = None,
    *,
    buffers: Mapping[str, str] | None = None,
) -> _Sides:
    git = Git(workspace.root)
    base_commit = git.resolve(base) if base else git.default_base()
    base_label = base or base_commit[:12]
    base_tree = at_revision(workspace, git, base_label, base_commit)
    if head is None or head == WORKTREE:
        head_tree = worktree(workspace, buffers)
    else:
        head_tree = at_revision(workspace, git, head, git.resolve(head))
    candidates = (
        set(base_tree.overlay) | set(head_tree.overlay) | (base_tree.files ^ head_tree.files)
    )
    changed = {p for p in candidates if base_tree.read(p) != head_tree.read(p)}
    rel = settings_rel(workspace)
    if rel in changed and _settings_table(base_tree.read(rel), rel) == _settings_table(
        head_tree.read(rel), rel
    ):
        changed.discard(rel)  # only the package's part of pyproject.toml changed
    return _Sides(
        workspace,
        base_tree,
        head_tree,
        changed,
        _workspace_at(workspace, base_tree, rel, changed),
        _workspace_at(workspace, head_tree, rel, changed),
    )


# -- what each message depends on -----------------------------------------------------


class _Impact:
    """Which changed inputs each message depends on."""

    def __init__(self, sides: _Sides):
        self.sides = sides
        self.root = sides.workspace.root
        changed = sides.changed
        rel = settings_rel(sides.workspace)
        self.everything = sorted(
            p for p in changed if p == rel or (p.startswith("brand/") and not p.startswith(LOCALES))
        )
        self.locales: dict[str, set[str]] = {}  # language -> changed keys
        self.tables: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        if any(p.startswith(LOCALES) for p in changed):
            for lang in {p.split("/")[-1][:-5] for p in self._locale_files()}:
                self.tables[lang] = (self._table(sides.base, lang), self._table(sides.head, lang))
        for p in changed:
            if p.startswith(LOCALES) and p.endswith(".toml") and p.count("/") == 2:
                lang = p.split("/")[-1][:-5]
                a, b = self.tables.get(lang) or ({}, {})
                self.locales[lang] = {k for k in set(a) | set(b) if a.get(k) != b.get(k)}
        self.fallback = sides.head_ws.settings.default_locale.split("-")[0].split("_")[0]
        self._closures: dict[tuple[str, str], Closure] = {}
        code = {p for p in changed if p.startswith(("templates/", "components/"))}
        keys = set().union(*self.locales.values()) if self.locales else set()
        # Only the templates that may reach a changed file or key are parsed.
        self.candidates: dict[str, set[str]] = {}
        for tree in (sides.base, sides.head):
            files = [p for p in tree.files if p.startswith(("templates/", "components/"))]
            self.candidates[tree.label] = (
                may_reach(files, tree.read, self.root, code, keys) if code or keys else set()
            )

    def _locale_files(self) -> set[str]:
        return {
            p
            for p in self.sides.base.files | self.sides.head.files
            if p.startswith(LOCALES) and p.endswith(".toml") and p.count("/") == 2
        }

    @staticmethod
    def _table(tree: Tree, lang: str) -> dict[str, str]:
        text = tree.read(f"{LOCALES}{lang}.toml")
        if text is None:
            return {}
        try:
            return flatten_strings(tomllib.loads(text))
        except tomllib.TOMLDecodeError:
            return {}

    def closure(self, tree: Tree, path: str) -> Closure:
        key = (tree.label, path)
        found = self._closures.get(key)
        if found is None:
            found = closure(path, tree.read, self.root, self.candidates[tree.label])
            self._closures[key] = found
        return found

    def _locale(self, tree: Tree, ws: Workspace, mid: MessageId) -> str:
        if mid.sample is not None:
            text = tree.read(f"samples/{mid.template}/{mid.sample}.json")
            try:
                data = json.loads(text) if text else {}
            except json.JSONDecodeError:
                data = {}
            if isinstance(data, dict) and isinstance(data.get("locale"), str):
                return str(data["locale"])
        return ws.settings.default_locale

    def _chain(self, tag: str) -> list[str]:
        full = tag.replace("-", "_")
        return list(dict.fromkeys((full, full.split("_")[0], self.fallback)))

    def because(self, mid: MessageId) -> list[str]:
        """The changed inputs ``mid`` depends on, at either side."""
        sides = self.sides
        found: set[str] = set(self.everything)
        sample_file = f"samples/{mid.template}/{mid.sample}.json" if mid.sample else None
        if sample_file is not None and sample_file in sides.changed:
            found.add(sample_file)
        reach = [
            self.closure(tree, mid.source)
            for tree in (sides.base, sides.head)
            if mid.source in self.candidates[tree.label]
        ]
        if not reach:
            return sorted(found)
        files = set().union(*(c.files for c in reach))
        found |= files & sides.changed
        if any(c.dynamic_refs for c in reach):
            found |= {p for p in sides.changed if p.startswith(("components/", "templates/"))}
        if self.locales:
            keys = set().union(*(c.keys for c in reach))
            dynamic = any(c.dynamic_keys for c in reach)
            for tree, ws in ((sides.base, sides.base_ws), (sides.head, sides.head_ws)):
                chain = self._chain(self._locale(tree, ws, mid))
                for lang, changed_keys in self.locales.items():
                    if lang not in chain:
                        continue
                    used = changed_keys if dynamic else changed_keys & keys
                    earlier = chain[: chain.index(lang)]
                    for key in used:
                        if not any(
                            key in self.tables.get(e, ({}, {}))[0]
                            or key in self.tables.get(e, ({}, {}))[1]
                            for e in earlier
                        ):
                            found.add(f"{LOCALES}{lang}.toml")
                            break
        return sorted(found)


# -- rendering ------------------------------------------------------------------------


def _renderer(workspace: Workspace, side_ws: Workspace, tree: Tree) -> Renderer:
    shared = renderer_for(workspace)
    if side_ws is workspace:
        return shared.variant(tree.overlay) if tree.overlay else shared
    caches = RenderCaches(side_ws)
    caches.code, caches.strings = shared.caches.code, shared.caches.strings
    return Renderer(side_ws, buffers=tree.overlay, caches=caches)


def _error_finding(err: StudioError, mid: MessageId) -> Finding:
    kind = getattr(err, "kind", "error")
    file = getattr(err, "file", None)
    line = getattr(err, "line", None)
    return Finding(
        id="template.undefined-variable" if kind in ("undefined", "error") else "template.syntax",
        severity=Severity.ERROR,
        subject=mid.template,
        message=str(err),
        location=Location(file, line or None) if file else None,
        template=mid.template,
        sample=mid.sample,
    )


def _render_side(
    renderer: Renderer, ws: Workspace, tree: Tree, mid: MessageId, lint: bool
) -> tuple[Side, list[Finding], Any]:
    """The side's render of ``mid``, its findings (when ``lint``) and the rendered object."""
    exists = mid.template in (tree.sms_templates if mid.channel == SMS else tree.templates) and (
        mid.sample is None or mid.sample in tree.samples(mid.template)
    )
    if not exists:
        return Side(missing=True), [], None
    try:
        if mid.channel == SMS:
            sms = renderer.render_sms(mid.template, sample=mid.sample)
            return Side.of_sms(sms), [], sms
        msg = renderer.render(mid.template, sample=mid.sample)
        return Side.of_message(msg), [], msg
    except StudioError as err:
        return Side(error=str(err)), [_error_finding(err, mid)], None


def _findings(
    ws: Workspace, tree: Tree, rendered: Any, impact: _Impact, mid: MessageId
) -> list[Finding]:
    from ..checks import lint_message, lint_rendered_sms
    from ..checks.context import Sources

    if rendered is None:
        return []
    if mid.channel == SMS:
        return lint_rendered_sms(ws, rendered)
    known = [p for p in tree.files if p.startswith(("templates/", "components/"))]
    files: dict[str, str] = {}
    for p in named_closure(mid.source, tree.read, impact.root, known):
        text = tree.read(p)
        if text is not None:
            files[p] = text
    return lint_message(ws, rendered, sources=Sources(files))


def messages_of(tree: Tree) -> list[MessageId]:
    out = []
    for t in tree.templates:
        samples: list[str | None] = [*tree.samples(t)] or [None]
        out += [MessageId(t, s, EMAIL) for s in samples]
    for t in tree.sms_templates:
        samples = [*tree.samples(t)] or [None]
        out += [MessageId(t, s, SMS) for s in samples]
    return out


def run_diff(
    workspace: Workspace,
    base: str | None = None,
    head: str | None = None,
    *,
    buffers: Mapping[str, str] | None = None,
    findings: bool = True,
    shots: Path | None = None,
    on_progress: Callable[[MessageId], None] | None = None,
) -> DiffReport:
    """Compare every message of ``workspace`` between ``base`` and ``head``.

    ``head`` None is the working tree (with ``buffers`` over it, if given). With
    ``shots``, screenshots of each changed e-mail at both sides go there.
    """
    sides = open_sides(workspace, base, head, buffers=buffers)
    impact = _Impact(sides)
    ids = sorted(set(messages_of(sides.base)) | set(messages_of(sides.head)))
    results: list[MessageDiff] = []
    renderers: dict[str, Renderer] = {}
    for mid in ids:
        because = impact.because(mid)
        if not because:
            results.append(MessageDiff(mid, "unaffected"))
            continue
        if on_progress:
            on_progress(mid)
        if not renderers:
            renderers["base"] = _renderer(workspace, sides.base_ws, sides.base)
            renderers["head"] = _renderer(workspace, sides.head_ws, sides.head)
        b, b_err, b_obj = _render_side(renderers["base"], sides.base_ws, sides.base, mid, findings)
        h, h_err, h_obj = _render_side(renderers["head"], sides.head_ws, sides.head, mid, findings)
        if b.same_output(h):
            results.append(MessageDiff(mid, "unchanged", because, b, h))
            continue
        bf = b_err + (_findings(sides.base_ws, sides.base, b_obj, impact, mid) if findings else [])
        hf = h_err + (_findings(sides.head_ws, sides.head, h_obj, impact, mid) if findings else [])
        name = f"{mid.slug}.txt"
        results.append(MessageDiff(mid, "changed", because, b, h, compare(b, h, name, bf, hf)))
    report = DiffReport(
        base=sides.base.label,
        base_commit=sides.base.commit or "",
        head=sides.head.label,
        head_commit=sides.head.commit,
        inputs=sorted(sides.changed),
        messages=results,
        out=shots,
    )
    if shots is not None:
        from .visual import shoot_changes

        shoot_changes(report, shots)
    return report
