"""Every check id Studio reports, with its default severity and its explanation.

Ids are public and stable (DESIGN.md): they are never reused for another meaning.
This table is the one place they are defined: ``studio explain`` reads it, the
checks reference (docs/checks.md) is generated from it, and a test checks that
every rule and every DNS check reports only ids listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


@dataclass(frozen=True)
class Explanation:
    id: str
    severity: Severity
    title: str
    why: str
    fix: str


_ENTRIES: list[tuple[str, Severity, str, str, str]] = [
    # -- templates -------------------------------------------------------------
    (
        "template.syntax",
        E,
        "The template does not compile",
        "A Jinja or MJML error means the message cannot be sent at all: the application "
        "that triggers it will fail or send nothing.",
        "Open the file at the line given and fix the tag, the expression or the MJML "
        "element; `studio render NAME --sample S` shows the same error.",
    ),
    (
        "template.undefined-variable",
        E,
        "A variable is used but missing from a sample",
        "Templates run with strict undefined variables: a value the application does not "
        "send breaks the render, or, guarded badly, shows an empty gap to the customer.",
        "Add the variable to the sample (and to the application's payload), or make it "
        "optional in the template with `{% if x is defined %}` or `x | default(...)`.",
    ),
    (
        "template.unused-variable",
        I,
        "A sample defines a variable the template never uses",
        "Unused data in samples hides what the template really needs and drifts from "
        "what the application sends.",
        "Remove it from the sample, or use it in the template if it was forgotten.",
    ),
    (
        "template.stale-review",
        W,
        "The template has not been reviewed for over a year",
        "Transactional messages outlive their authors: old logos, dead links, outdated "
        "legal lines and tone. Good practice is a review at least yearly.",
        "Review the copy, links and legal lines with the owner, then update `reviewed:` "
        "in the front matter (the age limit is `lint.stale_review_days`).",
    ),
    (
        "template.near-duplicate",
        I,
        "Two messages of the same journey and trigger read almost the same",
        "Near-identical messages in one journey are usually a copy that drifted or a "
        "message sent twice under two names: readers get the same mail twice, and a fix "
        "made to one (a legal line, a link) is missed in the other.",
        "Merge the two templates into one (with a variable for what differs), or make "
        "each one say what is specific to its step. The threshold is "
        "`lint.duplicate_similarity`.",
    ),
    (
        "template.promo-heavy",
        W,
        "Commercial blocks outweigh the transactional content",
        "A receipt or a password reset that reads like a newsletter is more likely to be "
        "filtered as promotional, and the customer misses what they came for.",
        "Shorten or remove cross-sell, referral and loyalty blocks so that they stay "
        "secondary (below half of the text).",
    ),
    # -- messages ----------------------------------------------------------------
    (
        "message.size-clipped",
        E,
        "The HTML is over Gmail's 102 KB clipping limit",
        "Gmail hides everything past 102 KB of HTML behind 'View entire message': the "
        "footer, the legal line and often tracking pixels disappear.",
        "Trim repeated blocks (long order tables: show the first lines and link to the "
        "order), remove unused CSS and comments.",
    ),
    (
        "message.no-text-part",
        W,
        "The message has no plain-text part",
        "Spam filters score HTML-only mail higher, and some readers and watches show "
        "only the text part.",
        "Send `multipart/alternative` with a text part (Studio builds one from the MJML).",
    ),
    (
        "message.headers",
        E,
        "A required header is missing",
        "Messages without Message-ID, Date, From, MIME-Version or Subject are rejected "
        "or heavily penalised by receivers.",
        "Build the message with Studio (`ws.render(...).email`) or add the header.",
    ),
    (
        "message.from-domain",
        W,
        "From is not on the transactional domain",
        "Transactional mail should come from its dedicated domain, whose SPF, DKIM and "
        "DMARC are set up for it; mixing domains mixes reputations.",
        "Set `from` in the settings to an address on `transactional_domain`.",
    ),
    (
        "message.no-preheader",
        W,
        "No preheader",
        "Without a preheader, inboxes show the first text they find (often 'View in "
        "browser' or alt text) next to the subject.",
        "Add `preheader:` to the template's front matter.",
    ),
    (
        "message.image-heavy",
        W,
        "Too little text for the images",
        "Mostly-image messages look like spam to filters and are blank when images are blocked.",
        "Put the information in text; keep images for the logo and product pictures.",
    ),
    (
        "message.text-parity",
        E,
        "A link of the HTML part is missing from the text part",
        "A reader of the text part (or a client that shows it) cannot reset the password "
        "or verify the account if the link is not there.",
        "Make sure every link is in the text part; Studio's text part keeps links, so "
        "check custom text or links hidden from the MJML.",
    ),
    (
        "message.spam-score",
        W,
        "SpamAssassin scores the message as spammy",
        "SpamAssassin's rules are used by many receivers; a high score means the junk folder.",
        "Read the rules that fired (in the finding's details) and fix their causes. "
        "When SpamAssassin is not installed this is reported as info: install the "
        "`spamassassin` package to run it.",
    ),
    (
        "message.dkim-fail",
        E,
        "A captured signed message fails DKIM verification",
        "Receivers treat a broken DKIM signature like none: DMARC then depends on SPF "
        "alone, and with `p=reject` the message is refused.",
        "Check the selector's public key in DNS against the signing key, and that nothing "
        "rewrites the message after signing.",
    ),
    # -- images and links ----------------------------------------------------------
    (
        "image.missing-alt",
        W,
        "An image has no alt attribute",
        "Many clients block images by default; screen readers read the alt. Without it "
        "the message is a row of empty boxes.",
        'Add `alt="what it shows"` (or `alt=""` for a decorative image) in the template '
        "or component; MJML's output adds an empty alt, so this is checked in the source.",
    ),
    (
        "image.insecure",
        W,
        "An image is loaded over http",
        "Clients warn about or block mixed content, and proxies refuse plain http.",
        "Serve images over https.",
    ),
    (
        "link.insecure",
        W,
        "A link uses http",
        "Plain http links are flagged by filters and browsers, and can be tampered with.",
        "Use https links.",
    ),
    (
        "link.empty",
        E,
        "A link has no target or no visible text",
        "An empty href or a link without text is a dead end (and an accessibility fault).",
        "Give the link a target and a readable label (or an image with alt text).",
    ),
    (
        "link.mismatch",
        E,
        "The link text shows another URL than its target",
        "Text that shows one URL and links to another is the signature of phishing; "
        "filters penalise it heavily.",
        "Show the real destination, or use descriptive text instead of a URL.",
    ),
    (
        "link.shortener",
        W,
        "A link goes through a public URL shortener",
        "Shortener domains are shared with spammers and often blocklisted.",
        "Link to your own domain (with tracking parameters if needed).",
    ),
    (
        "link.untracked",
        I,
        "A link to your own domain has no UTM tags",
        "Without UTM tags you cannot tell which transactional message brought a visit.",
        "Studio tags own-domain links automatically (`tracking` settings); a link opted "
        "out with `| notrack` should carry a `suppress:` reason in the front matter.",
    ),
    (
        "link.unrendered",
        E,
        "Template syntax is left in a URL",
        "A link containing `{{`, `{%`, `[[` or `*|` was not rendered: it is broken for "
        "every customer.",
        "Render the variable (check its name in the sample) or remove the placeholder.",
    ),
    (
        "html.lang-missing",
        W,
        "The HTML has no lang attribute",
        "Screen readers pick the wrong voice and pronunciation without it.",
        'Set `<mjml lang="{{ locale }}">` in the layout.',
    ),
    (
        "html.title-missing",
        I,
        "The HTML has no title",
        "The title shows in browser views and some clients, and helps accessibility.",
        "Set `<mj-title>{{ subject }}</mj-title>` in the layout.",
    ),
    (
        "css.unsupported",
        W,
        "A CSS property is poorly supported by major clients",
        "Gmail, Outlook, Apple Mail and Yahoo ignore some CSS; a layout relying on it "
        "breaks for a large share of readers (data: caniemail.com).",
        "Use a supported alternative or make sure the design degrades well; see the "
        "caniemail link in the finding.",
    ),
    # -- SMS ---------------------------------------------------------------------
    (
        "sms.ucs2",
        W,
        "A character forces the SMS into UCS-2",
        "One character outside the GSM 03.38 alphabet (a curly apostrophe, an emoji) "
        "cuts an SMS part from 160 to 70 characters: the message costs more parts.",
        "Replace the named characters (`| sms_safe` turns typographic quotes and dashes "
        "in data into plain ones), or accept UCS-2 on purpose and suppress with a reason.",
    ),
    (
        "sms.segments",
        W,
        "The SMS needs more parts than allowed",
        "Each part is billed, and long concatenated SMS arrive split on some phones.",
        "Shorten the text or raise `max_sms_segments` in the front matter "
        "(default `lint.max_sms_segments`).",
    ),
]

CATALOGUE: dict[str, Explanation] = {row[0]: Explanation(*row) for row in _ENTRIES}

LINT_IDS: frozenset[str] = frozenset(CATALOGUE)
"""The template, message and SMS ids (defined here; the DNS ids are registered later)."""


def register(entries: list[tuple[str, Severity, str, str, str]]) -> None:
    """Add ids defined elsewhere (the DNS checks) to the catalogue."""
    for row in entries:
        if row[0] in CATALOGUE and CATALOGUE[row[0]] != Explanation(*row):
            raise ValueError(f"check id {row[0]!r} defined twice")
        CATALOGUE[row[0]] = Explanation(*row)


def all_ids() -> list[str]:
    """Every id, DNS ones included."""
    from .. import dns  # noqa: F401 - importing registers the DNS ids

    return sorted(CATALOGUE)
