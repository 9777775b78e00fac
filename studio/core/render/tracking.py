"""UTM tagging of links to the brand's own domains.

Tagging happens on the MJML after Jinja and before compiling, so the HTML part
and the plain-text part carry the same URLs. A link opts out with the ``notrack``
filter (``{{ url | notrack }}``), which leaves a marker that is removed here.
Existing ``utm_*`` parameters are kept; only missing ones are added.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

NOTRACK_MARK = "studio-notrack=1"
_HREF = re.compile(r"""(\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
# The same pattern for markup that spells every ``href`` in lower case (nearly all):
# case-sensitive and starting with the literal, the regex engine jumps from one
# ``href`` to the next instead of trying every position (a third of the time). The
# lookbehind is the ``\b``: no word character just before the ``h``.
_HREF_LOWER = re.compile(r"""(href(?<!\whref)\s*=\s*)(["'])(.*?)\2""", re.DOTALL)


@dataclass(frozen=True)
class UtmPolicy:
    own_domains: tuple[str, ...]
    params: tuple[tuple[str, str], ...]

    def applies_to(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.own_domains)


def _strip_mark(url: str) -> tuple[str, bool]:
    if NOTRACK_MARK not in url:
        return url, False
    for sep in ("?" + NOTRACK_MARK + "&", "&" + NOTRACK_MARK):
        if sep in url:
            return url.replace(sep, "?" if sep.startswith("?") else "", 1), True
    return url.replace("?" + NOTRACK_MARK, "", 1), True


@lru_cache(maxsize=4096)
def tag_url(url: str, policy: UtmPolicy | None) -> str:
    """Add missing UTM parameters to an own-domain http(s) URL; drop opt-out marks."""
    url, opted_out = _strip_mark(url)
    if opted_out or policy is None or "{{" in url or "{%" in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    if not policy.applies_to(parts.hostname):
        return url
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    added = [(k, v) for k, v in policy.params if k not in present]
    if not added:
        return url
    return urlunsplit(parts._replace(path=parts.path or "/", query=urlencode(query + added)))


def tag_links(markup: str, policy: UtmPolicy | None) -> str:
    """Rewrite every ``href`` in MJML/HTML markup through :func:`tag_url`."""
    if policy is None and NOTRACK_MARK not in markup:
        return markup

    def repl(m: re.Match[str]) -> str:
        raw = html.unescape(m.group(3))
        tagged = tag_url(raw, policy)
        if tagged == raw:
            return m.group(0)
        return f"{m.group(1)}{m.group(2)}{html.escape(tagged, quote=True)}{m.group(2)}"

    # Only [hH][rR][eE][fF] match "href" case-insensitively (no other Unicode case
    # variant), and lower() turns each of them into "href": equal counts mean that
    # every one is already lower case.
    lower_only = markup.count("href") == markup.lower().count("href")
    return (_HREF_LOWER if lower_only else _HREF).sub(repl, markup)


_TEXT_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


def tag_text_urls(text: str, policy: UtmPolicy | None) -> str:
    """Tag the URLs of a plain text (an SMS) the same way as ``href``s."""
    if policy is None and NOTRACK_MARK not in text:
        return text
    return _TEXT_URL.sub(lambda m: tag_url(m.group(0), policy), text)
