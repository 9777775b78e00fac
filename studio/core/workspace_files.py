"""Templates and samples as files: create, duplicate, rename, delete; list and search.

A template is more than one file: ``templates/<name>.mjml``, its SMS sibling
``templates/<name>.sms.j2`` when there is one, and its samples in
``samples/<name>/``. These operations keep them together (a rename moves all of
them), never overwrite anything (a name already taken is an error naming the file),
and validate names first, so a name cannot escape its folder. The studio's dialogs
are thin over these; they are tested without Textual.

Also here: every file of the workspace a designer edits (for quick open) and a
plain-text search across them (for "search in workspace").
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import ConfigError
from .templates import parse_template
from .workspace import Workspace

TEMPLATE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,63}")
SAMPLE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
FIRST_SAMPLE = "example"

EDITABLE_DIRS = ("templates", "components", "samples", "brand")
"""The folders quick open and workspace search look in."""
EDITABLE_SUFFIXES = frozenset({".mjml", ".j2", ".json", ".toml", ".txt", ".md", ".css"})
MAX_SEARCH_FILE = 2 * 1024 * 1024  # bytes: larger files are skipped by the search


def check_template_name(name: str) -> str:
    """``name`` if it can name a template file, else a ConfigError saying what is expected."""
    if not TEMPLATE_NAME.fullmatch(name):
        raise ConfigError(
            f"template name {name!r}: expected a lowercase letter, then lowercase letters,"
            " digits, _ or - (at most 64)"
        )
    return name


def check_sample_name(name: str) -> str:
    """``name`` if it can name a sample file, else a ConfigError saying what is expected."""
    if not SAMPLE_NAME.fullmatch(name):
        raise ConfigError(
            f"sample name {name!r}: expected lowercase letters, digits, _ or -"
            " (at most 64, not starting with - or _)"
        )
    return name


@dataclass(frozen=True)
class TemplateFiles:
    """The files that make up one template on disk (those that exist)."""

    name: str
    template: Path
    sms: Path | None
    samples: Path | None

    def paths(self) -> list[Path]:
        """Every file: the template, its SMS sibling, each sample."""
        out = [self.template]
        if self.sms is not None:
            out.append(self.sms)
        if self.samples is not None:
            out += sorted(p for p in self.samples.rglob("*") if p.is_file())
        return out


def template_files(ws: Workspace, name: str) -> TemplateFiles:
    """The files of template ``name``; a ConfigError if it does not exist."""
    check_template_name(name)
    path = ws.template_path(name)
    if not path.is_file():
        raise ConfigError(f"{ws.relpath(path)}: no such template")
    sms = ws.sms_template_path(name)
    samples = ws.samples_dir / name
    return TemplateFiles(
        name, path, sms if sms.is_file() else None, samples if samples.is_dir() else None
    )


def _free(ws: Workspace, name: str) -> None:
    """A ConfigError if any file of template ``name`` exists already."""
    for path in (ws.template_path(name), ws.sms_template_path(name), ws.samples_dir / name):
        if path.exists() or path.is_symlink():
            raise ConfigError(f"{ws.relpath(path)}: already exists; choose another name")


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet (never follows or replaces what is there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise ConfigError(f"{path}: already exists; choose another name") from None


def new_template(ws: Workspace, name: str, *, today: date | None = None) -> list[Path]:
    """Create template ``name`` (front matter, a body that renders) and a first sample.

    Returns the files written: the template, then its sample.
    """
    check_template_name(name)
    _free(ws, name)
    layout = (ws.components_dir / "layout.mjml").is_file()
    path = ws.template_path(name)
    from .scaffold import template_text  # loaded when a template is made

    _write_new(path, template_text(name, layout=layout, today=today or date.today()))
    return [path, new_sample(ws, name, FIRST_SAMPLE)]


def sample_data(ws: Workspace, template: str, *, source: str | None = None) -> dict[str, object]:
    """Placeholders of the right shape for every variable ``template`` reads.

    Args:
        source: the template's text when it is an unsaved buffer (else read from disk).
    """
    path = ws.template_path(template)
    text = source if source is not None else path.read_text("utf-8")
    tpl = parse_template(text, name=template, path=path, relname=ws.relpath(path))
    # The renderer and the sample shaper are loaded when a sample is made, not at start.
    from .render.pipeline import renderer_for
    from .sample_shape import placeholder_sample

    env = renderer_for(ws).env
    extra = (tpl.meta.subject or "", tpl.meta.preheader or "")
    if source is None:
        return placeholder_sample(env, tpl.relname, extra_sources=extra)
    # An unsaved body: analyse it under its own name in a child environment.
    from jinja2 import ChoiceLoader, DictLoader

    assert env.loader is not None
    child = env.overlay(loader=ChoiceLoader([DictLoader({tpl.relname: tpl.body}), env.loader]))
    return placeholder_sample(child, tpl.relname, extra_sources=extra)


def new_sample(ws: Workspace, template: str, name: str, *, source: str | None = None) -> Path:
    """Write ``samples/<template>/<name>.json`` with placeholders of the right shape.

    The sample renders at once: lists where the template loops, objects where it
    reads attributes, numbers where it computes or formats amounts, ISO dates where
    it formats dates (:mod:`studio.core.sample_shape`).
    """
    check_template_name(template)
    check_sample_name(name)
    data = sample_data(ws, template, source=source)
    path = ws.samples_dir / template / f"{name}.json"
    if path.exists() or path.is_symlink():
        raise ConfigError(f"{ws.relpath(path)}: already exists; choose another name")
    _write_new(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def duplicate_template(ws: Workspace, name: str, new: str) -> list[Path]:
    """Copy template ``name`` with its SMS sibling and samples to ``new``; the files written."""
    check_template_name(new)
    files = template_files(ws, name)
    _free(ws, new)
    written = []
    target = ws.template_path(new)
    _write_new(target, files.template.read_text("utf-8"))
    written.append(target)
    if files.sms is not None:
        sms = ws.sms_template_path(new)
        _write_new(sms, files.sms.read_text("utf-8"))
        written.append(sms)
    if files.samples is not None:
        shutil.copytree(files.samples, ws.samples_dir / new, symlinks=True)
        written += sorted(p for p in (ws.samples_dir / new).rglob("*") if p.is_file())
    return written


def rename_template(ws: Workspace, name: str, new: str) -> list[tuple[Path, Path]]:
    """Rename template ``name`` to ``new``: its SMS sibling and samples follow.

    Returns the (old, new) path of each file or folder moved.
    """
    check_template_name(new)
    files = template_files(ws, name)
    if new == name:
        return []
    _free(ws, new)
    moves = [(files.template, ws.template_path(new))]
    if files.sms is not None:
        moves.append((files.sms, ws.sms_template_path(new)))
    if files.samples is not None:
        moves.append((files.samples, ws.samples_dir / new))
    for old, target in moves:
        os.rename(old, target)  # same folder: atomic; _free checked the target
    return moves


def delete_template(ws: Workspace, name: str) -> list[Path]:
    """Delete template ``name``, its SMS sibling and its samples; the files removed."""
    files = template_files(ws, name)
    removed = files.paths()
    files.template.unlink()
    if files.sms is not None:
        files.sms.unlink()
    if files.samples is not None:
        shutil.rmtree(files.samples)
    return removed


def editable_files(ws: Workspace) -> list[str]:
    """Every file a designer edits, workspace-relative, sorted (quick open lists these)."""
    found: list[str] = []
    for top in EDITABLE_DIRS:
        folder = ws.root / top
        if not folder.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in filenames:
                path = Path(dirpath) / f
                if path.suffix in EDITABLE_SUFFIXES and not f.startswith("."):
                    found.append(path.relative_to(ws.root).as_posix())
    return sorted(found)


@dataclass(frozen=True)
class Match:
    """One line of a workspace search."""

    file: str
    """Workspace-relative path."""
    line: int
    """1-based line number."""
    column: int
    """0-based column of the match."""
    text: str
    """The line (untrusted file text: show it as literal text)."""


def search_workspace(
    ws: Workspace,
    query: str,
    *,
    buffers: dict[str, str] | None = None,
    limit: int = 500,
) -> list[Match]:
    """Lines of the editable files that contain ``query`` (case-insensitive), in file order.

    Args:
        buffers: unsaved text by workspace-relative path, searched instead of the file.
        limit: at most this many matches.
    """
    if not query:
        return []
    needle = query.casefold()
    out: list[Match] = []
    for rel in editable_files(ws):
        text = (buffers or {}).get(rel)
        if text is None:
            path = ws.root / rel
            try:
                if path.stat().st_size > MAX_SEARCH_FILE:
                    continue
                text = path.read_text("utf-8", errors="replace")
            except OSError:
                continue
        for n, line in enumerate(text.splitlines(), 1):
            col = line.casefold().find(needle)
            if col >= 0:
                out.append(Match(rel, n, col, line))
                if len(out) >= limit:
                    return out
    return out
