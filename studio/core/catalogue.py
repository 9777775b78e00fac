"""Every check id Studio reports, with its default severity and its explanation.

Ids are public and stable (DESIGN.md): they are never reused for another meaning.
This module is the one place they are defined, all of them (template, message, SMS
and DNS), statically: the table is built and frozen when the module is imported and
nothing adds to it later. ``studio explain`` reads it, the checks reference
(docs/checks.md) is generated from it, the rule registry refuses an id missing here,
and tests check that every rule and every DNS check reports only ids listed here.

It imports nothing of Studio (a test checks it), so that the checks engine and the
DNS preflight can both read it without loading each other. :class:`Severity` lives
here for that reason; :mod:`studio.core.findings` re-exports it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from types import MappingProxyType


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``ERROR > WARNING > INFO``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Read ``"error"``, ``"warning"`` or ``"info"`` (any case)."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {value!r}: expected error, warning or info"
            ) from None


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741


@dataclass(frozen=True)
class Explanation:
    id: str
    severity: Severity
    title: str
    why: str
    fix: str


_Row = tuple[str, Severity, str, str, str]

_LINT: tuple[_Row, ...] = (
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
        "template.variable-type",
        E,
        "A variable has another kind of value than the template uses it as",
        "A template that loops over `order.lines` cannot render a string there, and one "
        "that formats `total | money` cannot format a word: the application's payload "
        "breaks the message. The router (`studio serve`) answers 422 naming each one.",
        "Send the value the template expects (a list, an object, a number, an ISO 8601 "
        "date, a 3-letter currency code), or change the template to read what is sent.",
    ),
    (
        "template.ignored-content",
        W,
        "Content outside the blocks of a template that extends a layout",
        "A template that `{% extends %}` a layout shows only what its `{% block %}` tags "
        "hold: anything else in it is silently dropped (or, before the `extends`, printed "
        "ahead of the layout).",
        "Move the content into one of the layout's blocks, or delete it.",
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
    # -- MJML, validated as mjml validates it --------------------------------------
    (
        "mjml.unknown-tag",
        E,
        "An element is not an mjml element",
        "A misspelt or unknown tag (`<mj-txt>`, a stray `<p>` outside `mj-text`) is "
        "dropped by the compiler: what it holds never reaches the reader, with no error.",
        "Fix the tag name (see the mjml documentation for the elements), or move raw HTML "
        "into an `mj-text` or `mj-raw`.",
    ),
    (
        "mjml.invalid-attribute",
        W,
        "An attribute is not allowed on this element",
        "mjml ignores attributes an element does not define: the styling the author meant "
        "(often a typo, or an attribute of another element) is silently lost.",
        "Use an attribute the element accepts (the mjml documentation lists them per "
        "element), or `css-class` for your own styles.",
    ),
    (
        "mjml.invalid-value",
        W,
        "An attribute value has the wrong type",
        "A value mjml cannot read (a unit it does not take, a colour it does not know, "
        "too many values, a word outside the allowed set) is read differently by mjml and "
        "by MRML, or ignored: the layout differs from one compiler and client to another.",
        "Write the value as the element expects: the finding gives the type, e.g. "
        "`unit(px,%){1,4}` for up to four px or % values, `color`, or `enum(...)`.",
    ),
    (
        "mjml.invalid-child",
        W,
        "An element is placed in a parent that does not accept it",
        "An element in the wrong parent (an `mj-column` straight in `mj-body`, an "
        "`mj-text` in `mj-section`) breaks the table layout mjml writes: clients show it "
        "differently, or the compilers disagree.",
        "Wrap it in the element that should hold it (`mj-section` > `mj-column` > "
        "content), as the finding says.",
    ),
    (
        "mjml.image-percent-width",
        W,
        "An mj-image width is a percentage",
        "`mj-image` takes its width in px only: mjml reads `width=\"100%\"` as 100 px "
        "while MRML stretches the image to the column, so the two compilers (and what "
        "you preview and what another tool builds) draw different pictures.",
        "Give the width in px (the image's display width, e.g. `width=\"300px\"`), or "
        "leave it out to fill the column.",
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
        "Add `preheader:` to the template's front matter; in hand-written HTML, put the "
        "preview text in a hidden element (`display:none; max-height:0; opacity:0; "
        "mso-hide:all`) before the first visible text.",
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
        "`spamassassin` package to run it. It takes a second or more a message "
        "(loading the rules, then the body tests): `--no-spam` skips it while editing, "
        "and `STUDIO_SPAMD_KEEP=600` keeps it loaded between runs (docs/settings.md).",
    ),
    (
        "message.spam-not-scored",
        I,
        "The message is too big for SpamAssassin, so its spam score was not checked",
        "SpamAssassin (like `spamc`, above 500 KB) does not score very big messages: "
        "they take it minutes, and receivers' filters skip or reject them too.",
        "Make the message smaller (Gmail clips HTML above 102 KB anyway); check the "
        "size findings for what makes it big.",
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
    (
        "message.header-too-long",
        W,
        "A header field is longer than Studio reads",
        "Studio reads up to 2,000 characters of a header field and 32 KB of header "
        "fields per message (parsing longer ones took minutes). A field that long is "
        "a broken or hostile message: servers cut or refuse it, and the checks saw it cut.",
        "Find what builds the header (a subject or recipient list from user data) and "
        "bound it; a transactional message needs none of that length.",
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
        "link.unsafe-scheme",
        E,
        "A link uses a javascript:, data: or vbscript: URL",
        "Such a link, usually a variable's value that reached an href, runs code or "
        "shows attacker-chosen content when clicked where a client allows it, and "
        "filters treat it as phishing; no transactional message needs one.",
        "Link to an https page. When the URL comes from the application's data, have "
        "the application send only http(s) URLs, or guard it in the template with "
        "`{% if url.startswith('https://') %}`.",
    ),
    (
        "link.empty",
        E,
        "A link has no target",
        "An empty href (or `#`) is a dead end: the customer taps and nothing happens.",
        "Give the link its target URL.",
    ),
    (
        "link.no-accessible-name",
        W,
        "A link has no accessible name",
        "A link with neither text nor an image with alt text (a linked image with "
        "`alt=\"\"`) is announced by screen readers as its bare URL, or not at all.",
        "Give the link a readable label, or the linked image an alt text saying where it goes.",
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
)

_DNS: tuple[_Row, ...] = (
    (
        "spf.missing",
        E,
        "No SPF record",
        "Without SPF, receivers cannot tell which servers may send for the domain; DMARC "
        "then rests on DKIM alone and many receivers junk or refuse the mail.",
        'Publish one TXT record "v=spf1 ... -all" at the sending domain listing your '
        "sending servers (ip4:, ip6:, include: of your provider).",
    ),
    (
        "spf.multiple",
        E,
        "More than one SPF record",
        "Two v=spf1 records make SPF a permanent error (RFC 7208 4.5): every message fails.",
        "Merge them into one record.",
    ),
    (
        "spf.syntax",
        E,
        "SPF syntax error",
        "A syntax error is a permanent error: SPF fails for every message.",
        "Fix the term named in the finding (mechanism spelling, CIDR, IP, macro).",
    ),
    (
        "spf.lookup-limit",
        E,
        "SPF needs more than 10 DNS lookups",
        "Receivers stop after 10 DNS-querying terms (include, a, mx, ptr, exists, "
        "redirect), counted through every include, and return a permanent error "
        "(RFC 7208 4.6.4); an mx or ptr with more than 10 names does the same.",
        "Flatten includes you do not need, replace a/mx with ip4:/ip6: ranges, or send "
        "from a provider with a leaner include; the tree shows what each branch costs.",
    ),
    (
        "spf.void-lookups",
        E,
        "More than 2 SPF lookups return nothing",
        "Lookups that answer NXDOMAIN or no records count as void; past 2 the result is "
        "a permanent error (RFC 7208 4.6.4).",
        "Remove includes and a/mx terms that point to names without records.",
    ),
    (
        "spf.include-missing",
        E,
        "An include or redirect target has no SPF record",
        "include: of a domain without SPF is a permanent error for the whole record.",
        "Fix the target's name, or remove the include.",
    ),
    (
        "spf.loop",
        E,
        "SPF includes loop",
        "A record that includes itself (directly or through others) cannot be evaluated.",
        "Remove the include that points back up the tree.",
    ),
    (
        "spf.all-permissive",
        E,
        "SPF ends with +all or ?all",
        "+all authorises every server on the Internet; ?all says nothing. Either way "
        "anyone can send as the domain.",
        "End the record with -all (or ~all while testing).",
    ),
    (
        "spf.no-all",
        W,
        "SPF has neither all nor redirect",
        "Without a final all, unlisted servers get 'neutral': spoofed mail is not refused.",
        "End the record with -all.",
    ),
    (
        "spf.ptr",
        W,
        "SPF uses the deprecated ptr mechanism",
        "ptr is slow, unreliable and deprecated (RFC 7208 5.5); some receivers ignore it.",
        "Replace it with ip4:/ip6: ranges or a/mx terms.",
    ),
    (
        "spf.ip-not-authorized",
        E,
        "A dedicated sending IP is not authorised by SPF",
        "Mail from this IP fails SPF at receivers: with DMARC alignment on SPF it is "
        "junked or refused.",
        "Add the IP (ip4:/ip6:) or the include of the service that owns it.",
    ),
    (
        "spf.relay-not-authorized",
        E,
        "A configured relay is not authorised by SPF",
        "The relay's provider sends from servers your SPF record does not list: its mail "
        "fails SPF, and DMARC too unless its DKIM signature aligns.",
        "Add the provider's include (studio/core/dns/data/relays.json lists each one) to "
        "the SPF record, or fix the relay's provider setting.",
    ),
    (
        "spf.too-long",
        W,
        "The SPF record is too long",
        "A TXT string over 255 characters is invalid, and a record over about 450 octets "
        "risks a response that needs TCP, which some receivers do not retry.",
        "Split strings at 255 characters and shorten the record (fewer terms, ranges).",
    ),
    (
        "dkim.missing",
        E,
        "No DKIM key for a selector",
        "Receivers cannot verify signatures made with this selector: DKIM fails, and "
        "DMARC with it.",
        "Publish the public key at <selector>._domainkey.<domain> (or the CNAME your "
        "provider gives).",
    ),
    (
        "dkim.syntax",
        E,
        "DKIM key record syntax error",
        "A malformed record (tags, base64, key type) makes every signature unverifiable.",
        "Republish the record exactly as generated: v=DKIM1; k=rsa; p=<base64 key>.",
    ),
    (
        "dkim.revoked",
        E,
        "The DKIM key is revoked (empty p=)",
        "An empty p= tells receivers the key is withdrawn: signatures with it fail.",
        "Sign with a current selector, or publish the key again.",
    ),
    (
        "dkim.key-too-short",
        E,
        "The RSA DKIM key is too short",
        "Keys under 1024 bits are refused by receivers (RFC 8301); under 2048 bits they "
        "are considered weak.",
        "Generate a 2048-bit key under a new selector, publish it, then switch signing.",
    ),
    (
        "dkim.testing",
        W,
        "The DKIM key is in testing mode (t=y)",
        "Receivers may treat signatures as if unsigned while t=y is set.",
        "Remove t=y once signing works.",
    ),
    (
        "dkim.sha1",
        W,
        "The DKIM key allows only SHA-1",
        "SHA-1 signatures are no longer accepted (RFC 8301).",
        "Remove h=sha1 (or list sha256) and sign with rsa-sha256.",
    ),
    (
        "dkim.relay-selector-missing",
        E,
        "A configured relay signs with a DKIM selector that is not published",
        "The provider signs every message with its selector; without the key in DNS the "
        "signature fails, and DMARC with it.",
        "Publish the record the provider's domain settings show (usually a CNAME), or add "
        "the selector it uses to dkim_selectors.",
    ),
    (
        "dkim.relay-cname-mismatch",
        W,
        "A relay's DKIM selector is not delegated to its provider",
        "Providers that rotate keys publish them in their own zone behind a CNAME: a key "
        "copied into a TXT record, or a CNAME pointing elsewhere, stops verifying at the "
        "next rotation (or never did).",
        "Replace the record with the CNAME the provider gives for this selector.",
    ),
    (
        "dkim.key-type",
        I,
        "The DKIM key type",
        "For information: rsa keys work everywhere; ed25519 (RFC 8463) is not verified by "
        "every receiver, so publish an rsa key beside it.",
        "Nothing to fix.",
    ),
    (
        "dmarc.missing",
        E,
        "No DMARC record",
        "Without DMARC, receivers apply no policy to mail failing SPF and DKIM, and big "
        "mailbox providers require DMARC from bulk senders.",
        'Publish _dmarc.<domain> TXT "v=DMARC1; p=quarantine; rua=mailto:..." (at the '
        "organisational domain to cover its subdomains).",
    ),
    (
        "dmarc.multiple",
        E,
        "More than one DMARC record",
        "Several DMARC records make receivers ignore DMARC for the domain.",
        "Keep one record.",
    ),
    (
        "dmarc.syntax",
        E,
        "DMARC syntax error",
        "An invalid record is ignored: the domain has no DMARC policy in practice.",
        "Fix the tag named in the finding (v=DMARC1 first, p= none|quarantine|reject).",
    ),
    (
        "dmarc.policy-none",
        W,
        "The DMARC policy is p=none",
        "p=none only monitors: spoofed mail is still delivered.",
        "Move to p=quarantine, then p=reject, once reports show your mail aligns.",
    ),
    (
        "dmarc.pct",
        W,
        "DMARC applies to less than 100 % of mail",
        "pct under 100 leaves part of the failing mail outside the policy.",
        "Raise pct to 100 (or remove it) once the rollout is done.",
    ),
    (
        "dmarc.no-rua",
        W,
        "DMARC has no aggregate report address",
        "Without rua= you get no reports, so you cannot see who sends as your domain or "
        "whether your own mail aligns.",
        "Add rua=mailto:dmarc-reports@<your domain>.",
    ),
    (
        "dmarc.rua-unauthorized",
        W,
        "An external DMARC report destination is not authorised",
        "Reports to another organisation's domain are sent only if that domain publishes "
        "<your domain>._report._dmarc.<their domain> (RFC 7489 7.1).",
        "Ask the destination (or your report provider) to publish the authorisation "
        "record, or report to your own domain.",
    ),
    (
        "dmarc.subdomain-policy",
        W,
        "The transactional subdomain is covered by a weaker sp=",
        "The subdomain has no DMARC record of its own, so the organisational domain's sp= "
        "applies, and it is weaker than p=.",
        "Publish _dmarc.<transactional domain> with the policy you want, or raise sp=.",
    ),
    (
        "mx.missing",
        W,
        "The domain has no MX",
        "Bounces and replies to the transactional domain have nowhere to go, and some "
        "receivers check that the sending domain can receive mail.",
        "Publish an MX for the domain (or a null MX, RFC 7505, if it never receives).",
    ),
    (
        "mx.null",
        I,
        "The domain has a null MX",
        "For information: the domain declares it receives no mail (RFC 7505); bounces to "
        "it are refused.",
        "Nothing to fix if intended; use a Return-Path on a domain that receives bounces.",
    ),
    (
        "mta-sts.missing",
        I,
        "No MTA-STS record",
        "MTA-STS lets senders require TLS when delivering to you (RFC 8461).",
        'Publish _mta-sts.<domain> TXT "v=STSv1; id=<id>" and the policy file.',
    ),
    (
        "mta-sts.syntax",
        E,
        "MTA-STS record syntax error",
        "A malformed record is ignored by senders.",
        'Publish "v=STSv1; id=<1-32 letters or digits>".',
    ),
    (
        "tlsrpt.missing",
        I,
        "No TLS-RPT record",
        "TLS-RPT (RFC 8460) sends you reports of TLS failures delivering to your domain.",
        'Publish _smtp._tls.<domain> TXT "v=TLSRPTv1; rua=mailto:...".',
    ),
    (
        "tlsrpt.syntax",
        E,
        "TLS-RPT record syntax error",
        "A malformed record gets you no reports.",
        'Publish "v=TLSRPTv1; rua=mailto:address" (or an https: URI).',
    ),
    (
        "bimi.syntax",
        E,
        "BIMI record syntax error",
        "A malformed BIMI record shows no logo.",
        'Publish default._bimi.<domain> TXT "v=BIMI1; l=https://.../logo.svg; a=https://.../vmc.pem".',
    ),
    (
        "bimi.dmarc-too-weak",
        W,
        "BIMI needs a DMARC policy of quarantine or reject",
        "Mailbox providers show the BIMI logo only for domains with an enforced DMARC "
        "policy (quarantine or reject, pct=100).",
        "Move DMARC to p=quarantine or p=reject.",
    ),
    (
        "ptr.missing",
        E,
        "A dedicated sending IP has no reverse DNS",
        "Receivers distrust (or refuse) mail from IPs without PTR records.",
        "Ask the owner of the IP range (your provider) to set a PTR to a name of yours.",
    ),
    (
        "ptr.mismatch",
        E,
        "A sending IP's reverse DNS is not forward-confirmed",
        "The PTR name must resolve back to the same IP (forward-confirmed reverse DNS); "
        "otherwise receivers treat it as missing.",
        "Make the PTR name's A/AAAA record include the IP.",
    ),
    (
        "domain.shared-with-marketing",
        W,
        "Transactional and marketing mail share a domain or keys",
        "Marketing complaints and spam traps then hurt the reputation of receipts and "
        "password resets, which must always arrive.",
        "Send transactional mail from its own subdomain with its own DKIM selectors.",
    ),
    (
        "dns.timeout",
        E,
        "A DNS query timed out",
        "The check could not be made: it is reported, never silently passed.",
        "Check the nameserver (or --nameserver/--timeout) and run again.",
    ),
    (
        "dns.servfail",
        E,
        "A DNS query failed (SERVFAIL, REFUSED)",
        "The check could not be made: it is reported, never silently passed.",
        "Fix the zone (DNSSEC, lame delegation), or ask another nameserver.",
    ),
    (
        "dns.cname-loop",
        E,
        "A CNAME chain loops or never ends",
        "Resolvers give up on a CNAME chain that loops (a -> b -> a) or is longer than "
        "they follow, so the record behind it (often a provider's DKIM key) is never "
        "found, on every attempt: receivers treat it as a failure that does not heal.",
        "Point the CNAME at the record the provider gives you, and check that the "
        "target is not itself a CNAME back to your name.",
    ),
    (
        "dns.not-checked",
        I,
        "A name is outside the zone files and no resolver was given",
        "Checking zone files offline answers only the names they hold: a relay's SPF "
        "include or the reverse zone of a sending IP lives elsewhere. It is reported "
        "as not checked, neither passed nor failed.",
        "Add the missing zone file, or let the names the zone files do not cover go to "
        "a resolver: --nameserver HOST[:PORT], --live, or live = true under [dns].",
    ),
    (
        "drift.scope-changed",
        I,
        "The baseline checked other selectors, IPs or marketing domain",
        "Drift is compared only for what both runs checked; a selector, sending IP or "
        "marketing domain that is in the baseline but no longer in the settings is not "
        "compared.",
        "Save a new baseline once the settings are as intended.",
    ),
    (
        "drift.spf-gone",
        E,
        "The SPF record is gone",
        "Without SPF, receivers cannot tell which servers may send for the domain; "
        "DMARC then rests on DKIM alone.",
        "Publish the SPF record again (the baseline holds the one that was there).",
    ),
    (
        "drift.spf-all-weakened",
        E,
        "SPF's all became weaker",
        "An SPF record that ended -all and now ends ~all, ?all or +all (or without "
        "all) lets more unauthorised servers through.",
        "Restore the stricter all. If the change is intended, accept it: save a new "
        "baseline (studio dns --save-baseline FILE) in a pull request.",
    ),
    (
        "drift.spf-ip-dropped",
        E,
        "SPF no longer authorises a sending IP",
        "Mail from that IP now fails SPF: with a strict DMARC policy it is rejected or "
        "quarantined unless DKIM aligns.",
        "Put the IP (or the include that covers it) back in the SPF record.",
    ),
    (
        "drift.spf-ip-added",
        I,
        "SPF now authorises a sending IP it did not",
        "A sending IP that failed SPF in the baseline passes now.",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.spf-lookups-near-limit",
        E,
        "SPF now needs 9 or more of its 10 DNS lookups",
        "At 9 or 10 lookups one more include (often added by another team or a relay's "
        "own change) makes SPF a permanent error for every message.",
        "Remove includes that are no longer used, or replace them by the ip4/ip6 "
        "ranges they authorise.",
    ),
    (
        "drift.spf-lookups-changed",
        I,
        "SPF needs another number of DNS lookups",
        "The include tree changed its cost, still under 9 of 10.",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.spf-voids-up",
        E,
        "More SPF lookups return nothing",
        "A name the SPF record depends on no longer exists; past 2 such void lookups "
        "SPF is a permanent error.",
        "Remove or fix the include or a/mx term whose name is gone.",
    ),
    (
        "drift.spf-include-added",
        I,
        "SPF has a new include",
        "A new include authorises another provider's servers and costs DNS lookups.",
        "Check that the include is wanted. If the change is intended, accept it: save "
        "a new baseline (studio dns --save-baseline FILE) in a pull request.",
    ),
    (
        "drift.spf-include-removed",
        I,
        "An SPF include is gone",
        "The servers that include authorised no longer pass SPF.",
        "Check that no relay still sends through it. If the change is intended, accept "
        "it: save a new baseline (studio dns --save-baseline FILE) in a pull request.",
    ),
    (
        "drift.dkim-selector-gone",
        E,
        "A DKIM selector's key is gone",
        "A key removed (or revoked) before the relay switched selectors makes every "
        "message it signs fail DKIM.",
        "Publish the key again until the relay signs with the new selector.",
    ),
    (
        "drift.dkim-key-shorter",
        E,
        "A DKIM key is shorter than in the baseline",
        "A key rotated to fewer bits (2048 to 1024) is easier to forge, and some "
        "receivers refuse keys under 1024 bits.",
        "Rotate to a 2048-bit RSA (or an ed25519 beside it) key.",
    ),
    (
        "drift.dkim-key-rotated",
        I,
        "A DKIM key was rotated",
        "The selector's key changed to one of equal or greater strength.",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.dkim-selector-added",
        I,
        "A DKIM selector has a key it did not have",
        "A selector absent from the baseline (or without a key then) has one now.",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.dmarc-gone",
        E,
        "The DMARC record is gone",
        "Without DMARC, receivers apply no policy to mail that fails authentication "
        "and send no reports.",
        "Publish the DMARC record again (the baseline holds the one that was there).",
    ),
    (
        "drift.dmarc-weakened",
        E,
        "The DMARC policy was weakened",
        "A policy relaxed from reject to none (often during an incident, then "
        "forgotten), a lower pct or relaxed alignment lets spoofed mail through.",
        "Restore the policy, pct and alignment of the baseline. If the change is "
        "intended, accept it: save a new baseline (studio dns --save-baseline FILE) in "
        "a pull request.",
    ),
    (
        "drift.dmarc-strengthened",
        I,
        "The DMARC policy was strengthened",
        "A stronger policy, higher pct or strict alignment than in the baseline.",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.dmarc-reports-changed",
        I,
        "DMARC report addresses changed",
        "A rua or ruf address was added or removed: reports now go elsewhere.",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.dmarc-report-unauthorised",
        E,
        "A DMARC report address stopped authorising the domain",
        "The external destination no longer publishes its _report._dmarc record, so "
        "receivers stop sending it reports.",
        "Ask the report provider to publish the authorisation again, or change rua.",
    ),
    (
        "drift.mx-gone",
        E,
        "The MX records are gone (or a null MX)",
        "Bounces and replies to the sending domain can no longer be delivered.",
        "Publish the MX records again.",
    ),
    (
        "drift.mx-changed",
        I,
        "The MX records changed",
        "Bounces and replies go to other servers.",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.mta-sts-gone",
        E,
        "The MTA-STS record is gone",
        "Senders stop enforcing TLS towards the domain once their cached policy expires.",
        "Publish the _mta-sts TXT record again.",
    ),
    (
        "drift.mta-sts-changed",
        I,
        "The MTA-STS record changed",
        "The policy id changed, so the policy file (mode, max_age) changed too; Studio "
        "does not fetch that file, so a mode downgrade shows only as this change.",
        "Check https://mta-sts.<domain>/.well-known/mta-sts.txt still says mode: "
        "enforce. If the change is intended, accept it: save a new baseline (studio "
        "dns --save-baseline FILE) in a pull request.",
    ),
    (
        "drift.tlsrpt-gone",
        E,
        "The TLS-RPT record is gone",
        "TLS failures delivering to the domain are no longer reported.",
        "Publish the _smtp._tls TXT record again.",
    ),
    (
        "drift.tlsrpt-changed",
        I,
        "The TLS-RPT record changed",
        "TLS reports go to another address.",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.bimi-gone",
        E,
        "The BIMI record is gone",
        "Mailbox providers stop showing the brand logo.",
        "Publish default._bimi again.",
    ),
    (
        "drift.bimi-changed",
        I,
        "The BIMI record changed",
        "Another logo or certificate is published.",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.ptr-mismatch",
        E,
        "A sending IP's PTR no longer matches",
        "A PTR that was forward-confirmed is now missing or points to a name that does "
        "not resolve back: receivers distrust the IP.",
        "Ask the owner of the IP range to restore the PTR, or fix the name's A/AAAA record.",
    ),
    (
        "drift.ptr-changed",
        I,
        "A sending IP's PTR changed",
        "The reverse DNS of a sending IP names another host (still forward-confirmed, "
        "or fixed since the baseline).",
        "If the change is intended, accept it: save a new baseline (studio dns "
        "--save-baseline FILE) in a pull request.",
    ),
    (
        "drift.domain-shared",
        E,
        "Transactional mail now shares a domain, selector or key with marketing",
        "Marketing complaints and spam traps then hurt the reputation of receipts and "
        "password resets.",
        "Give transactional mail its own selectors and keys again.",
    ),
)


def _table(*groups: tuple[_Row, ...]) -> dict[str, Explanation]:
    table: dict[str, Explanation] = {}
    for group in groups:
        for row in group:
            if row[0] in table:
                raise ValueError(f"check id {row[0]!r} defined twice")
            table[row[0]] = Explanation(*row)
    return table


CATALOGUE: MappingProxyType[str, Explanation] = MappingProxyType(_table(_LINT, _DNS))
"""Every id and its explanation (read-only)."""

LINT_IDS: frozenset[str] = frozenset(row[0] for row in _LINT)
"""The template, message and SMS ids (reported by the checks engine)."""

DNS_IDS: frozenset[str] = frozenset(row[0] for row in _DNS)
"""The ids the DNS preflight reports."""


def all_ids() -> list[str]:
    """Every id, sorted."""
    return sorted(CATALOGUE)


def explain(check_id: str) -> Explanation:
    """The explanation of a check id (KeyError when unknown)."""
    return CATALOGUE[check_id]
