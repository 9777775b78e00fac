"""Rules across templates: near-duplicate messages in one journey."""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher
from itertools import combinations

from ....errors import StudioError
from ...findings import Location
from ...workspace import Workspace
from ..context import WorkspaceContext
from ..registry import Hit, rule

_WORD = re.compile(r"\w+", re.UNICODE)


def _reference_sample(workspace: Workspace, name: str) -> str | None:
    """The sample a message is compared with: the first in the default locale."""
    samples = workspace.samples(name)
    default = workspace.settings.default_locale
    for s in samples:
        if s.locale is None or s.locale.split("-")[0] == default.split("-")[0]:
            return s.name
    return samples[0].name if samples else None


def message_words(workspace: Workspace, name: str, channel: str) -> list[str] | None:
    """The words a reader sees (subject, then body text), or None when it does not render."""
    sample = _reference_sample(workspace, name)
    try:
        if channel == "sms":
            text = workspace.render_sms(name, sample=sample).text
        else:
            msg = workspace.render(name, sample=sample)
            text = f"{msg.subject}\n{msg.text}"
    except StudioError:
        return None  # template.syntax / undefined-variable report it
    return _WORD.findall(text.lower())


def similarity(a: list[str], b: list[str]) -> float:
    """The share of words two texts have in common, in order (0 to 1)."""
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _groups(ctx: WorkspaceContext, channel: str) -> dict[tuple[str, str], list[str]]:
    ws = ctx.workspace
    names = ws.sms_template_names() if channel == "sms" else ws.template_names()
    groups: dict[tuple[str, str], list[str]] = {}
    for name in sorted(names):
        try:
            tpl = ws.sms_template(name) if channel == "sms" else ws.template(name)
        except StudioError:
            continue
        journey, trigger = tpl.meta.journey, tpl.meta.trigger
        if journey and trigger:
            groups.setdefault((str(journey).lower(), str(trigger).lower()), []).append(name)
    return groups


@rule("template.near-duplicate", kind="workspace")
def near_duplicate(ctx: WorkspaceContext) -> Iterator[Hit]:
    ws = ctx.workspace
    limit = ctx.settings.lint.duplicate_similarity
    wanted = set(ctx.names)
    for channel in ("email", "sms"):
        for (journey, trigger), names in _groups(ctx, channel).items():
            if len(names) < 2:
                continue
            words = {n: message_words(ws, n, channel) for n in names}
            for a, b in combinations(names, 2):
                if a not in wanted and b not in wanted:
                    continue
                wa, wb = words[a], words[b]
                if wa is None or wb is None:
                    continue
                share = similarity(wa, wb)
                if share < limit:
                    continue
                path = ws.sms_template_path(b) if channel == "sms" else ws.template_path(b)
                yield Hit(
                    b,
                    f"{channel} {b!r} reads {share:.0%} like {a!r}"
                    f" (same journey {journey!r} and trigger {trigger!r};"
                    f" limit {limit:.0%})",
                    Location(ws.relpath(path)),
                    {"other": a, "channel": channel, "similarity": round(share, 3)},
                )
