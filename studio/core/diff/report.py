"""A :class:`~.engine.DiffReport` as terminal text, Markdown, JSON or an HTML page.

Every value that comes from a file or a render (names, subjects, diffs, links) is
escaped for the format it goes into: Markdown tables and details are HTML-escaped
(a subject with ``|`` or ``<script>`` stays text), the page is all escaped, and the
terminal text is plain (the CLI prints it without markup).
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from ..safe_text import printable
from .compare import GMAIL_CLIP_BYTES
from .engine import SMS, DiffReport, MessageDiff

FORMATS = ("text", "markdown", "json")


def _kb(n: int) -> str:
    return f"{n / 1024:.1f} KB"


def summary_line(m: MessageDiff) -> str:
    """One line on a changed message: what changed, shortest first."""
    ch = m.changes
    parts: list[str] = []
    if m.kind in ("added", "removed"):
        parts.append(m.kind)
    if ch is not None:
        if ch.error:
            parts.append("render error" if ch.error[1] else "render error fixed")
        if ch.subject:
            parts.append("subject")
        if ch.preheader:
            parts.append("preheader")
        if ch.text_diff:
            added = sum(
                1
                for line in ch.text_diff.splitlines()
                if line.startswith("+") and not line.startswith("+++")
            )
            removed = sum(
                1
                for line in ch.text_diff.splitlines()
                if line.startswith("-") and not line.startswith("---")
            )
            parts.append(f"text +{added}/-{removed}")
        elif m.id.channel != SMS and m.kind == "modified":
            parts.append("HTML only")
        if ch.size:
            parts.append(f"HTML {_kb(ch.size[1])} ({ch.size[1] - ch.size[0]:+d} B)")
        if ch.clipping and ch.clipping[0] != ch.clipping[1]:
            parts.append("now clipped by Gmail" if ch.clipping[1] else "no longer clipped by Gmail")
        if ch.links_added or ch.links_removed:
            parts.append(f"links +{len(ch.links_added)}/-{len(ch.links_removed)}")
        if ch.images_added or ch.images_removed:
            parts.append(f"images +{len(ch.images_added)}/-{len(ch.images_removed)}")
        if ch.sms:
            enc, seg = ch.sms["encoding"], ch.sms["segments"]
            parts.append(
                f"SMS {enc['before']} → {enc['after']}, {seg['before']} → {seg['after']} parts"
            )
        if ch.findings_new:
            parts.append(f"{len(ch.findings_new)} new finding(s)")
        if ch.findings_gone:
            parts.append(f"{len(ch.findings_gone)} finding(s) gone")
    for s in m.shots:
        parts.append(f"{s.width}px {s.changed:.1%} pixels")
    return ", ".join(parts)


# -- terminal -------------------------------------------------------------------------


def format_text(report: DiffReport, *, color: bool = False, details: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    lines = [
        f"studio diff {report.base}..{report.head}: {len(report.inputs)} changed input(s), "
        f"{len(report.changed)} message(s) changed, {len(report.unchanged)} unchanged, "
        f"{len(report.unaffected)} unaffected"
    ]
    for m in report.changed:
        mark = {"added": "+", "removed": "-"}.get(m.kind, "~")
        code = {"added": "32", "removed": "31"}.get(m.kind, "33")
        new_errors = m.changes.new_errors if m.changes else []
        line = f"{paint(mark, code)} {printable(m.id.label, one_line=True)}: {summary_line(m)}"
        if new_errors:
            line += paint(f" [{len(new_errors)} new error(s)]", "1;31")
        lines.append(line)
        lines.append(f"    because: {printable(', '.join(m.because), one_line=True)}")
        if details and m.changes and m.changes.text_diff:
            lines += [
                "    " + printable(t, one_line=True) for t in m.changes.text_diff.splitlines()
            ]
    for m in report.unchanged:
        lines.append(
            f"{paint('=', '2')} {printable(m.id.label, one_line=True)}: same output"
            f" (inputs: {printable(', '.join(m.because), one_line=True)})"
        )
    return "\n".join(lines) + "\n"


# -- markdown -------------------------------------------------------------------------


def _md(text: object) -> str:
    """A value for a Markdown table cell: HTML-escaped, pipes and newlines neutral."""
    return html.escape(" ".join(str(text).split())).replace("|", "&#124;")


def _link(path: Path | None, report: DiffReport, base_url: str) -> str:
    if path is None or report.out is None:
        return ""
    rel = os.path.relpath(path, report.out).replace(os.sep, "/")
    return f"{base_url.rstrip('/')}/{rel}" if base_url else rel


def format_markdown(report: DiffReport, *, image_base: str = "") -> str:
    out = [
        f"## Studio diff: {len(report.changed)} message(s) changed",
        "",
        f"`{_md(report.base)}` → `{_md(report.head)}` · {len(report.inputs)} changed input(s) · "
        f"{len(report.unchanged)} re-rendered with identical output · "
        f"{len(report.unaffected)} unaffected (not rendered)",
        "",
    ]
    if report.changed:
        out += ["| message | channel | what changed | because |", "| --- | --- | --- | --- |"]
        for m in report.changed:
            flag = " ⛔" if m.changes and m.changes.new_errors else ""
            out.append(
                f"| {_md(m.id.label)}{flag} | {m.id.channel} | {_md(summary_line(m))} | "
                f"{_md(', '.join(m.because))} |"
            )
        out.append("")
    for m in report.changed:
        ch = m.changes
        out += [f"<details><summary>{_md(m.id.label)}</summary>", ""]
        if ch is not None:
            if ch.subject:
                out.append(f"- subject: {_md(ch.subject[0])} → **{_md(ch.subject[1])}**")
            if ch.preheader:
                out.append(f"- preheader: {_md(ch.preheader[0])} → **{_md(ch.preheader[1])}**")
            if ch.size:
                out.append(
                    f"- HTML size: {_kb(ch.size[0])} → {_kb(ch.size[1])} "
                    f"(Gmail clips past {_kb(GMAIL_CLIP_BYTES)})"
                )
            for label, items in (
                ("link added", ch.links_added),
                ("link removed", ch.links_removed),
                ("image added", ch.images_added),
                ("image removed", ch.images_removed),
            ):
                out += [f"- {label}: `{_md(i)}`" for i in items]
            if ch.sms:
                e, s = ch.sms["encoding"], ch.sms["segments"]
                out.append(
                    f"- SMS: {_md(e['before'])} → **{_md(e['after'])}**, "
                    f"{s['before']} → **{s['after']}** part(s)"
                )
            for f in ch.findings_new:
                where = f" ({_md(f.file)}:{f.line})" if f.file else ""
                out.append(f"- new {f.severity} `{_md(f.id)}`{where}: {_md(f.message)}")
            for f in ch.findings_gone:
                where = f" ({_md(f.file)}:{f.line})" if f.file else ""
                out.append(f"- gone: {f.severity} `{_md(f.id)}`{where}")
            if ch.error and ch.error[1]:
                out.append(f"- render error: {_md(ch.error[1])}")
            if ch.text_diff:
                fence = "~~~~" if "~~~" in ch.text_diff else "~~~"
                out += ["", f"{fence}diff", ch.text_diff, fence]
        for s in m.shots:
            out.append(
                f"- {s.width} px: {s.changed:.2%} of pixels changed · "
                f"![before]({_link(s.base, report, image_base)}) "
                f"![after]({_link(s.head, report, image_base)})"
                + (f" ![changed region]({_link(s.crop, report, image_base)})" if s.crop else "")
            )
        out += ["", "</details>", ""]
    if report.unchanged or report.unaffected:
        names = [m.id.label for m in report.unchanged] + [m.id.label for m in report.unaffected]
        out += [
            f"<details><summary>{len(names)} message(s) without change</summary>",
            "",
            ", ".join(_md(n) for n in names),
            "",
            "</details>",
            "",
        ]
    return "\n".join(out)


def format_json(report: DiffReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


# -- html page ------------------------------------------------------------------------


def format_html(report: DiffReport) -> str:
    """A self-contained page (no script, no remote asset) with side-by-side screenshots."""
    esc = html.escape

    def img(path: Path | None, alt: str) -> str:
        if path is None:
            return ""
        return f'<img src="{esc(_link(path, report, ""))}" alt="{esc(alt)}" loading="lazy">'

    def figure(path: Path | None, alt: str, caption: str) -> str:
        return f"<figure>{img(path, alt)}<figcaption>{esc(caption)}</figcaption></figure>"

    rows = []
    for m in report.changed:
        ch = m.changes
        body = [f"<h2>{esc(m.id.label)}</h2><p>{esc(summary_line(m))}</p>"]
        body.append(f"<p class=because>because: {esc(', '.join(m.because))}</p>")
        if ch is not None and ch.subject:
            body.append(f"<p>subject: {esc(ch.subject[0])} → <b>{esc(ch.subject[1])}</b></p>")
        for s in m.shots:
            body.append(
                f"<h3>{s.width} px — {s.changed:.2%} of pixels changed</h3><div class=pair>"
                + figure(s.base, "before", report.base)
                + figure(s.head, "after", report.head)
                + figure(s.diff, "changed pixels", "changed pixels")
                + "</div>"
            )
        if ch is not None and ch.text_diff:
            body.append(f"<pre>{esc(ch.text_diff)}</pre>")
        rows.append("<section>" + "".join(body) + "</section>")
    quiet = [m.id.label for m in report.unchanged + report.unaffected]
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Studio diff {esc(report.base)} → {esc(report.head)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem}.pair{display:flex;gap:1rem;"
        "align-items:flex-start}figure{margin:0}img{max-width:100%;border:1px solid #ccc}"
        "pre{background:#f6f6f6;padding:1rem;overflow:auto}.because{color:#555}</style>"
        "</head><body>"
        f"<h1>{len(report.changed)} message(s) changed</h1>"
        f"<p>{esc(report.base)} → {esc(report.head)}; changed inputs: "
        f"{esc(', '.join(report.inputs)) or 'none'}</p>"
        + "".join(rows)
        + f"<p>Without change: {esc(', '.join(quiet)) or 'none'}</p></body></html>\n"
    )
