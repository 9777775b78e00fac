"""Template and message checks: the engine behind ``lint``.

Public API (used by the CLI, the TUI, the preview and :mod:`studio.core.check`):

* :func:`lint_message` — the message rules on one rendered message;
* :func:`lint_template` — a template with every sample (template, message and SMS rules);
* :func:`lint_workspace` — every template of a workspace (or the named ones);
* :func:`lint_file` — a lone ``.mjml``, ``.html`` or ``.eml`` file;
* :func:`message_from_eml` — a saved or captured ``.eml`` as a message to check.

The ids and their explanations are in :mod:`studio.core.catalogue`; ``studio check``
(lint plus the DNS preflight) is :mod:`studio.core.check`, above this package.

Severity overrides (``lint.severity`` in the settings; ``"off"`` drops an id) and
per-template suppressions (``suppress:`` in front matter, with a reason that the
report shows) are applied here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from email.message import EmailMessage
from functools import partial
from pathlib import Path

from ...errors import ConfigError, RenderError, StudioError
from ..findings import Finding, Severity
from ..mailparse import body_text, read_message
from ..render.pipeline import RenderedMessage, RenderedSms, render_mjml_file, renderer_for
from ..render.text import mjml_to_text
from ..shard import Shard
from ..templates import Template
from ..workspace import Workspace
from . import on_disk
from .context import (
    MessageContext,
    SampleRender,
    SmsContext,
    Sources,
    TemplateContext,
    WorkspaceContext,
    file_sources,
)
from .registry import RULES, rules_of
from .rules.message import ENVELOPE_RULES
from .rules.spam import SPAM_RULES, ScoreAhead, score_in_background, scored

__all__ = [
    "RULES",
    "apply_policy",
    "lint_file",
    "lint_message",
    "lint_rendered_sms",
    "lint_template",
    "lint_workspace",
    "message_from_eml",
]


def apply_policy(
    findings: Iterable[Finding], workspace: Workspace | None, template: Template | None = None
) -> list[Finding]:
    """Apply severity overrides and front-matter suppressions; drop ``off`` ids."""
    overrides = dict(workspace.settings.lint.severity) if workspace else {}
    suppress = template.meta.suppress if template else {}
    out = []
    for f in findings:
        level = overrides.get(f.id)
        if level == "off":
            continue
        if level is not None:
            f = f.with_severity(Severity.parse(level))
        if f.id in suppress and f.suppressed is None:
            f = replace(f, suppressed=suppress[f.id])
        out.append(f)
    return out


def _belonging(
    findings: Iterable[Finding], template: str | None, sample: str | None = None
) -> list[Finding]:
    """The findings, each marked with the template (and sample) it belongs to."""
    return [replace(f, template=template, sample=f.sample or sample) for f in findings]


def _dedupe(findings: Iterable[Finding], template: str) -> list[Finding]:
    """One finding per (id, location, message); one seen in several samples is the template's."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.id, f.location, f.message), []).append(f)
    out = []
    for group in groups.values():
        first = group[0]
        if len(group) > 1 and first.subject != template:
            first = replace(first, subject=template, sample=None)
        out.append(first)
    return out


def lint_message(
    workspace: Workspace | None,
    msg: RenderedMessage,
    *,
    sources: Sources | None = None,
    spam: bool = False,
    envelope: bool = True,
    only: Collection[str] | None = None,
) -> list[Finding]:
    """Run the message rules on one rendered message (policy applied).

    Args:
        workspace: the workspace (settings, overrides); None for a lone file.
        msg: the rendered message.
        sources: the files to point findings at (default: the template and its
            components, or nothing for a lone file).
        spam: also score it with SpamAssassin (about a second).
        envelope: run the header and envelope rules (False for a bare HTML or
            MJML file, which is a body, not a message).
        only: run just these rule ids (default: every message rule).
    """
    tpl = msg.meta_source
    if sources is None:
        if workspace is not None and tpl is not None:
            sources = Sources.of_template(workspace, tpl)
        else:
            sources = Sources.of_file(msg.template or "message", msg.mjml)
    subject = msg.template or "message"
    if msg.sample:
        subject += f" ({msg.sample})"
    ctx = MessageContext(workspace, msg, sources, subject, spam=spam)
    wanted = [
        r
        for r in rules_of("message")
        if (envelope or r.id not in ENVELOPE_RULES) and (only is None or r.id in only)
    ]
    scoring = score_in_background(ctx) if any(r.id in SPAM_RULES for r in wanted) else None
    if scoring is not None:  # a message SpamAssassin scores: small, so overlap the two
        found: list[Finding] = []
        for r in wanted:
            if r.id in SPAM_RULES:
                scoring.join()  # SpamAssassin ran while the rules before this one did
            found += r.run(ctx)
    else:
        # Not scored now (too big, cached, no SpamAssassin): the spam rules, which
        # serialise the whole message, run first, before the parsed HTML exists, so
        # that a big message is not held in both at once. Findings keep the rules' order.
        first = sorted(wanted, key=lambda r: r.id not in SPAM_RULES)
        by_rule = {r.id: r.run(ctx) for r in first}
        found = [f for r in wanted for f in by_rule[r.id]]
    return apply_policy(_belonging(found, msg.template, msg.sample), workspace, tpl)


def lint_template(
    workspace: Workspace,
    name: str,
    *,
    spam: bool = True,
    spam_later: list[tuple[RenderedMessage, Sources]] | None = None,
) -> list[Finding]:
    """Every rule on a template and each of its samples (and its SMS template, if any).

    With ``spam_later``, the message to score with SpamAssassin is added to it
    instead of scored here (:func:`lint_workspace` scores them all in one process).
    """
    findings: list[Finding] = []
    if workspace.template_path(name).is_file():
        tpl = workspace.template(name)
        sources = Sources.of_template(workspace, tpl)
        samples: list[str | None] = [*workspace.sample_names(name)] or [None]
        renders = []
        scored = False
        for sample in samples:
            error: RenderError | None = None
            try:
                msg = workspace.render(name, sample=sample)
            except RenderError as err:
                error = err
                marked = _render_marked(workspace, name, sample, err)
                renders.append(SampleRender(sample or "(no sample)", marked, err))
                if marked is None:
                    continue
                msg = marked
            if error is None:
                renders.append(SampleRender(sample or "(no sample)", msg, None))
            score_now = spam and not scored and spam_later is None
            if spam and not scored and spam_later is not None:
                spam_later.append((msg, sources))
            findings += lint_message(workspace, msg, sources=sources, spam=score_now)
            scored = True
        ctx = TemplateContext(workspace, tpl, renders, sources)
        for r in rules_of("template"):
            findings += apply_policy(_belonging(r.run(ctx), name), workspace, tpl)
    if workspace.sms_template_path(name).is_file():
        findings += lint_sms(workspace, name)
    if (
        not workspace.template_path(name).is_file()
        and not workspace.sms_template_path(name).is_file()
    ):
        workspace.template(name)  # raises TemplateNotFound listing the templates
    return _dedupe(findings, name)


def _render_marked(
    workspace: Workspace, name: str, sample: str | None, err: RenderError
) -> RenderedMessage | None:
    """The sample rendered again with missing values marked, when one was missing.

    ``template.undefined-variable`` reports the gap (from the strict render); this
    second render lets every other rule check the rest of the message in the same
    run. None when the error was another one, or the marked render fails too.
    """
    if err.kind != "undefined":
        return None
    try:
        return renderer_for(workspace).lenient().render(name, sample=sample)
    except RenderError:
        return None


def lint_sms(workspace: Workspace, name: str) -> list[Finding]:
    tpl = workspace.sms_template(name)
    findings: list[Finding] = []
    samples: list[str | None] = [*workspace.sample_names(name)] or [None]
    for sample in samples:
        try:
            sms = workspace.render_sms(name, sample=sample)
        except RenderError as err:
            ctx = TemplateContext(
                workspace,
                tpl,
                [SampleRender(sample or "(no sample)", None, err)],
                Sources({tpl.relname: tpl.source}),
            )
            for r in rules_of("template"):
                if r.id in ("template.syntax", "template.undefined-variable"):
                    found = _belonging(r.run(ctx), name, sample)
                    findings += apply_policy(found, workspace, tpl)
            continue
        findings += lint_rendered_sms(workspace, sms, name=name, sample=sample)
    return findings


def lint_rendered_sms(
    workspace: Workspace,
    sms: RenderedSms,
    *,
    name: str | None = None,
    sample: str | None = None,
) -> list[Finding]:
    """The SMS rules on one rendered SMS (policy applied): what the studio's preview shows.

    ``name`` and ``sample`` default to the rendered SMS's own.
    """
    tpl = sms.meta_source or workspace.sms_template(sms.template)
    sctx = SmsContext(workspace, tpl, sms)
    name = name if name is not None else sms.template
    sample = sample if sample is not None else sms.sample
    found: list[Finding] = []
    for r in rules_of("sms"):
        found += apply_policy(_belonging(r.run(sctx), name, sample), workspace, tpl)
    return found


def lint_targets(
    workspace: Workspace, targets: Sequence[str] | None = None, shard: Shard | None = None
) -> list[str]:
    """The templates :func:`lint_workspace` checks, in its order (one progress step each)."""
    names = (
        list(targets)
        if targets
        else sorted(set(workspace.template_names()) | set(workspace.sms_template_names()))
    )
    if shard is not None:
        names = [n for n in names if shard.holds(n)]
    return names


def lint_workspace(
    workspace: Workspace,
    targets: Sequence[str] | None = None,
    *,
    spam: bool = True,
    on_progress: Callable[[str], None] | None = None,
    shard: Shard | None = None,
) -> list[Finding]:
    """Lint the named templates (default: all, e-mail and SMS) of a workspace.

    With ``shard``, only the templates of that shard, and of the findings that
    compare templates only those about a template of the shard: the reports of
    the N shards together are the unsharded report.
    """
    names = lint_targets(workspace, targets, shard)
    findings: list[Finding] = []
    spam_later: list[tuple[RenderedMessage, Sources]] = []
    ahead = ScoreAhead(workspace, templates=len(names))
    if spam and ahead.installed and not ahead.spamd:
        # The batch starts now, on the first sample of each template rendered up
        # front, and scores while the templates are linted (wall: the longer of the two).
        ahead.prefetch([m.email for m in _first_samples(workspace, names)])
    try:
        for name in names:
            if on_progress:
                on_progress(name)
            offered = len(spam_later)
            findings += lint_template(workspace, name, spam=spam, spam_later=spam_later)
            for msg, _ in spam_later[offered:]:
                ahead.add(msg.email)
        # One SpamAssassin start-up for the run (a batch, or one spamd fed as the
        # templates were linted), then the spam rules read its verdicts.
        ahead.finish()
    finally:
        ahead.close()
    for msg, sources in spam_later:
        findings += lint_message(workspace, msg, sources=sources, spam=True, only=SPAM_RULES)
    across = lint_across(workspace, names)
    if shard is not None:  # a pair across two shards is reported where its subject is
        across = [f for f in across if f.subject in names]
    return findings + across


def _first_samples(workspace: Workspace, names: Sequence[str]) -> list[RenderedMessage]:
    """The message :func:`lint_template` scores for each template, where it renders."""
    out = []
    for name in names:
        if not workspace.template_path(name).is_file():
            continue
        try:
            sample = next(iter(workspace.sample_names(name)), None)
            out.append(workspace.render(name, sample=sample))
        except StudioError:
            continue  # lint_template reports it (and scores what it could render)
    return out


def lint_across(workspace: Workspace, names: Sequence[str]) -> list[Finding]:
    """The rules that compare templates with each other (reporting on ``names``)."""
    ctx = WorkspaceContext(workspace, list(names))
    findings: list[Finding] = []
    for r in rules_of("workspace"):
        for f in r.run(ctx):
            tpl = _template_or_none(workspace, f.subject)
            findings += apply_policy(_belonging([f], f.subject), workspace, tpl)
    return findings


def _template_or_none(workspace: Workspace, name: str) -> Template | None:
    for path, load in (
        (workspace.template_path(name), workspace.template),
        (workspace.sms_template_path(name), workspace.sms_template),
    ):
        if path.is_file():
            return load(name)
    return None


def message_from_eml(raw: bytes | str) -> RenderedMessage:
    """A saved or captured message, read back as a message the rules can check.

    ``raw`` may be the message's text when it is ASCII (see :func:`read_message`).
    """
    return _from_parsed(read_message(raw))  # header fields bounded: a hostile .eml stays fast


def _from_parsed(parsed: EmailMessage, *, take_html: bool = False) -> RenderedMessage:
    """``parsed`` as a message to check; with ``take_html`` its HTML body is read into
    the message's ``html`` and emptied in ``parsed`` (one copy of a big body, not two)."""
    html = body_text(parsed, "html", take=take_html) or ""
    text = body_text(parsed, "plain") or ""

    def same(msg: RenderedMessage, *, parsed: EmailMessage) -> EmailMessage:
        return parsed

    return RenderedMessage(
        template=None,
        sample=None,
        locale="",
        subject=str(parsed.get("Subject", "")),
        preheader="",
        mjml=html,
        html=html,
        text=text,
        build_email=partial(same, parsed=parsed),
    )


def lint_file(
    path: Path, workspace: Workspace | None = None, *, spam: bool = True
) -> list[Finding]:
    """Lint a lone ``.mjml`` (compiled as is), ``.html`` or ``.eml`` file."""
    name = workspace.relpath(path) if workspace else str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    suffix = path.suffix.lower()
    if suffix not in (".mjml", ".html", ".htm", ".eml"):
        raise ConfigError(f"{path}: expected a template name or a .mjml, .html or .eml file")
    # The file is read and decoded once; the bytes go as soon as they are not needed
    # (a big message is otherwise held three or four times over).
    text = raw.decode("utf-8", "replace")
    if suffix == ".mjml":
        del raw
        msg = render_mjml_file(path)
        sources = file_sources(name, text, path)
    elif suffix in (".html", ".htm"):
        del raw
        msg = _html_message(text)
        sources = Sources.of_file(name, text)  # the same string as msg.html
    else:
        # A big ASCII message's findings are located in the file on disk: its text
        # goes once parsed (held beside the HTML and its links, it was one copy more).
        big = raw.isascii() and len(raw) > on_disk.BIG
        if raw.isascii():  # the text is the message: the parser reads it
            del raw
            parsed = read_message(text)
        else:
            parsed = read_message(raw)
            del raw
        sources = Sources.of_file_on_disk(name, path) if big else Sources.of_file(name, text)
        del text
        if spam:
            scored(parsed)  # the spam rules' size and bytes, read while the message is whole
        # The rules read the HTML body from msg.html: the parsed copy goes (past the
        # spam rules' size, nothing reads it), so a big message is held twice, not three times.
        msg = _from_parsed(parsed, take_html=True)
        del parsed
    findings = lint_message(
        workspace,
        msg,
        sources=sources,
        spam=spam,
        envelope=suffix == ".eml",
    )
    return [
        replace(f, subject=name if f.subject == "message" else f.subject)
        for f in findings
        if f.id != "message.from-domain" or workspace is not None
    ]


def _html_message(html: str) -> RenderedMessage:
    from ..message import build_message

    text = mjml_to_text(html)

    def build(msg: RenderedMessage) -> EmailMessage:
        return build_message(subject=msg.subject, html=msg.html, text=msg.text, from_address=None)

    return RenderedMessage(
        template=None,
        sample=None,
        locale="",
        subject="",
        preheader="",
        mjml=html,
        html=html,
        text=text,
        build_email=build,
    )
