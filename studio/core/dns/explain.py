"""The DNS check ids with their default severities and explanations (see the catalogue)."""

from __future__ import annotations

from ..findings import Severity

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

ENTRIES: list[tuple[str, Severity, str, str, str]] = [
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
        "A DNS query failed (SERVFAIL or outside the zone files)",
        "The check could not be made: it is reported, never silently passed.",
        "Fix the zone (DNSSEC, lame delegation) or add the missing zone file.",
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
]
