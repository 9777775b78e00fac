"""Typed workspace settings, validated from ``studio.toml`` or ``[tool.studio]``.

Every key is documented here (and in docs/settings.md). Validation errors name
the file, the key and what was expected, so the CLI can print them on one line.
Credentials are never settings: a relay names the *environment variables* that
hold them.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError
from .settings_faults import parse_faults
from .settings_reader import Reader, address, at_least, at_least_one, share

if TYPE_CHECKING:
    from .sink.faults import FaultRule

TLS_MODES = ("starttls", "tls", "none")
MIN_MESSAGE_SIZE = 65536  # RFC 5321 4.5.3.1.7: servers take messages of at least 64K octets


def _encodable_host(host: str) -> bool:
    """True when ``host`` can be sent to a resolver: Python's IDNA codec raises
    UnicodeError for an empty label (``bad..example``) or one over 63 characters.
    An ASCII name is checked here as the codec checks it, without loading the codec
    (and ``stringprep``) when the settings are read."""
    name = host.rstrip(".")
    if name.isascii():
        *labels, last = name.split(".")
        return all(0 < len(label) < 64 for label in labels) and len(last) < 64
    try:
        name.encode("idna")
    except UnicodeError:
        return False
    return True


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals (127.0.0.0/8, ::1)."""
    name = host.strip().lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True  # RFC 6761 6.3: resolved to loopback, never sent to a nameserver
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class DnsSettings:
    zone_files: tuple[str, ...] = ()
    """Zone files (workspace-relative) to check instead of live DNS: ``zone_file`` or
    ``zone_files`` in the settings (reverse zones for the sending IPs' PTRs too)."""
    nameservers: tuple[str, ...] = ()
    """Nameservers as ``HOST`` or ``HOST:PORT``; empty means the system resolver."""
    timeout: float = 3.0
    """Seconds to wait for one DNS answer."""
    retries: int = 1
    """How many times to retry a query that timed out."""
    live: bool = False
    """With zone files: ask live DNS (``nameservers``, else the system's resolver) for
    the names they do not cover, instead of reporting them not checked."""
    baseline: str | None = None
    """A DNS baseline (workspace-relative JSON from ``studio dns --save-baseline``) the
    preflight compares today's answers with (``drift.*`` findings)."""


@dataclass(frozen=True)
class TrackingSettings:
    own_domains: tuple[str, ...] = ()
    """Links to these domains (and their subdomains) get UTM parameters."""
    utm_source: str = "transactional"
    utm_medium: str = "email"
    utm_campaign: str = "{template}"
    """``{template}`` is replaced by the template name."""
    sms_utm_medium: str = "sms"
    """``utm_medium`` of links in SMS templates."""
    enabled: bool = True


@dataclass(frozen=True)
class Relay:
    name: str
    host: str
    port: int = 587
    tls: str = "starttls"
    """``starttls`` (submission, port 587), ``tls`` (implicit TLS, port 465) or ``none``."""
    username_env: str | None = None
    """Name of the environment variable holding the user name (never the value)."""
    password_env: str | None = None
    """Name of the environment variable holding the password (never the value)."""
    allow_recipients: tuple[str, ...] = ()
    """Glob patterns (``*@example.test``); a relay sends to nobody else."""
    dkim_selector: str | None = None
    dkim_key_env: str | None = None
    """Environment variable holding a path to the DKIM private key, to sign before sending."""
    ca_file: str | None = None
    """A CA bundle to trust for this relay (e.g. a private test CA)."""
    allow_plaintext_auth: bool = False
    """Let ``tls = "none"`` send credentials in clear text; valid only for a loopback
    host (a local test relay), refused everywhere else."""
    timeout: float = 20.0
    """Seconds to wait for the connection and for each SMTP reply, above 0."""
    provider: str | None = None
    """The sending service behind the relay (a preset of ``studio/core/dns/data/relays.json``):
    ``studio dns`` checks the domain's SPF and DKIM for it. Unset: detected from the host."""

    @property
    def plaintext_auth_allowed(self) -> bool:
        """True when AUTH may go over plain TCP: opted in, and the host is loopback."""
        return self.allow_plaintext_auth and is_loopback(self.host)

    def allows(self, address: str) -> bool:
        addr = address.strip().lower()
        return any(fnmatch.fnmatchcase(addr, pat.lower()) for pat in self.allow_recipients)


@dataclass(frozen=True)
class LintSettings:
    severity: Mapping[str, str] = field(default_factory=dict)
    """Per-id severity overrides: ``{"link.untracked" = "error"}``; ``"off"`` disables."""
    stale_review_days: int = 365
    max_sms_segments: int = 2
    css_allow: tuple[str, ...] = ()
    """CSS properties the team uses knowingly (css.unsupported skips them)."""
    duplicate_similarity: float = 0.9
    """template.near-duplicate threshold: the share of words two messages have in common."""
    max_findings_per_rule: int = 25
    """Findings one check reports per message; the rest are one finding that counts them."""


@dataclass(frozen=True)
class SinkSettings:
    host: str = "127.0.0.1"
    port: int = 1025
    maildir: str = ".studio/maildir"
    max_message_size: int = 25 * 1024 * 1024
    max_recipients: int = 100
    """Recipients accepted per message; more get ``452 4.5.3`` (RFC 5321's minimum is 100)."""
    keep_messages: int | None = None
    keep_days: float | None = None
    faults: tuple[FaultRule, ...] = ()
    """``[[sink.faults]]``: refusals, delays and bounces on demand (none by default)."""
    starttls: bool = True
    """Offer STARTTLS (a self-signed certificate is made in ``.studio/`` on first start)."""
    tls_port: int | None = None
    """A second port speaking implicit TLS, such as 1465 (none by default)."""
    tls_cert: str | None = None
    tls_key: str | None = None
    """A certificate and key (workspace-relative PEM files) instead of the self-signed one."""


ROUTER_PORT = 8026
"""``studio serve``'s default port: 8025 is ``studio preview``'s, and both may run at once."""


@dataclass(frozen=True)
class RouterSettings:
    """``[router]``: the local trigger API (``studio serve``)."""

    host: str = "127.0.0.1"
    port: int = ROUTER_PORT
    api_key_env: str = "STUDIO_ROUTER_KEY"
    """The environment variable holding the API key applications send (never the key)."""
    keys: Mapping[str, str] = field(default_factory=dict)
    """Application name → environment variable of that application's own key."""
    relay: str | None = None
    """Deliver e-mail through this relay (its allow-list applies) instead of the sink."""
    max_body: int = 1024 * 1024
    """Largest request body in bytes (413 beyond)."""
    rate_limit: float = 200.0
    """Requests per second per application (or per client address), 429 beyond."""
    rate_burst: int = 400
    """Requests an application may send at once before the rate applies."""
    sms_outbox: str = ".studio/sms"
    """Folder of SMS the router stores (one JSON file each), beside the Maildir."""
    events: str = ".studio/router/triggers.jsonl"
    """The trigger log: one JSON line per trigger (stats and the inventory read it)."""
    sms_segment_cost: float = 0.0
    """Price of one SMS segment, for the outbox's cost column (0: not shown)."""
    sms_currency: str = "EUR"
    mailjet_templates: Mapping[str, str] = field(default_factory=dict)
    """Mailjet ``TemplateID`` → Studio template name."""
    brevo_templates: Mapping[str, str] = field(default_factory=dict)
    """Brevo ``templateId`` → Studio template name."""


@dataclass(frozen=True)
class Settings:
    transactional_domain: str | None = None
    marketing_domain: str | None = None
    from_address: str | None = None
    reply_to: str | None = None
    default_locale: str = "en"
    dkim_selectors: tuple[str, ...] = ()
    marketing_dkim_selectors: tuple[str, ...] = ()
    sending_ips: tuple[str, ...] = ()
    dns: DnsSettings = field(default_factory=DnsSettings)
    tracking: TrackingSettings = field(default_factory=TrackingSettings)
    relays: Mapping[str, Relay] = field(default_factory=dict)
    lint: LintSettings = field(default_factory=LintSettings)
    sink: SinkSettings = field(default_factory=SinkSettings)
    router: RouterSettings = field(default_factory=RouterSettings)

    def relay(self, name: str) -> Relay:
        try:
            return self.relays[name]
        except KeyError:
            known = ", ".join(sorted(self.relays)) or "none configured"
            raise ConfigError(f"unknown relay {name!r} (known: {known})") from None


def _nameserver_ok(value: str) -> bool:
    """``HOST``, ``HOST:PORT``, ``[V6]:PORT`` or ``V6``, with any port from 1 to 65535."""
    text = value.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("53" if not rest else "")
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, "53"
    return bool(host) and port.isdigit() and 0 < int(port) < 65536


def _check_sink(s: Reader, sink: SinkSettings) -> None:
    """Ranges the types cannot say: a port the OS can bind, sizes and retention above 0."""
    if not 0 < sink.port < 65536:
        raise s.fail("port", "a port number from 1 to 65535")
    if not sink.host.strip():
        raise s.fail("host", "a host name or address to bind, such as 127.0.0.1")
    if sink.max_message_size < MIN_MESSAGE_SIZE:
        raise s.fail(
            "max_message_size", f"a size in bytes of at least {MIN_MESSAGE_SIZE}, such as 26214400"
        )
    if sink.keep_messages is not None and sink.keep_messages < 1:
        raise s.fail("keep_messages", "a number of messages from 1 up")
    if sink.tls_port is not None and not 0 < sink.tls_port < 65536:
        raise s.fail("tls_port", "a port number from 1 to 65535")
    if sink.tls_port is not None and sink.tls_port == sink.port:
        raise s.fail("tls_port", "a port other than the sink's port")
    if (sink.tls_cert is None) != (sink.tls_key is None):
        missing = "tls_key" if sink.tls_key is None else "tls_cert"
        raise s.fail(missing, "a PEM file, given with the other of tls_cert and tls_key")
    if sink.keep_days is not None and sink.keep_days <= 0:
        raise s.fail("keep_days", "a positive number of days")


def parse_settings(table: Mapping[str, Any], source: str, prefix: str = "") -> Settings:
    """Validate a ``[tool.studio]`` (or ``studio.toml``) table into :class:`Settings`."""
    r = Reader(source, table, prefix)
    transactional = r.text("transactional_domain")
    marketing = r.text("marketing_domain")
    if transactional and marketing and transactional.lower() == marketing.lower():
        raise r.fail("marketing_domain", "a domain distinct from transactional_domain")

    d = r.sub("dns")
    zone_files = d.strings("zone_files")
    single = d.text("zone_file")
    dns = DnsSettings(
        zone_files=((single,) if single else ()) + zone_files,
        nameservers=d.strings("nameservers"),
        timeout=d.number("timeout", 3.0),
        retries=d.integer("retries", 1),
        live=d.boolean("live", False),
        baseline=d.text("baseline"),
    )
    if dns.timeout <= 0:
        raise d.fail("timeout", "a positive number of seconds")
    if dns.retries < 0:
        raise d.fail("retries", "an integer from 0 up")
    for ns in dns.nameservers:
        if not _nameserver_ok(ns):
            raise d.fail("nameservers", "HOST or HOST:PORT entries with a port from 1 to 65535")
    d.check_unknown()

    t = r.sub("tracking")
    tracking = TrackingSettings(
        own_domains=tuple(x.lower() for x in t.strings("own_domains")),
        utm_source=t.text("utm_source", "transactional"),
        utm_medium=t.text("utm_medium", "email"),
        utm_campaign=t.text("utm_campaign", "{template}"),
        sms_utm_medium=t.text("sms_utm_medium", "sms"),
        enabled=t.boolean("enabled", True),
    )
    t.check_unknown()

    relays: dict[str, Relay] = {}
    rs = r.sub("relays")
    for name in list(rs.table):
        x = rs.sub(name)
        host = x.text("host")
        if not host or not _encodable_host(host):
            raise x.fail("host", "a host name (labels of 1 to 63 characters) or an address")
        tls = x.text("tls", "starttls")
        if tls not in TLS_MODES:
            raise x.fail("tls", "one of " + ", ".join(TLS_MODES))
        port = x.integer("port", 465 if tls == "tls" else 587)
        if not 0 < port < 65536:
            raise x.fail("port", "a port number from 1 to 65535")
        timeout = x.number("timeout", 20.0)
        if not (math.isfinite(timeout) and timeout > 0):
            raise x.fail("timeout", "a positive number of seconds, such as 20")
        provider = x.text("provider")
        if provider is not None:
            from .dns.relays import presets  # lazily: settings load without dnspython

            if provider.strip().lower() not in presets():
                raise x.fail("provider", "one of " + ", ".join(sorted(presets())))
            provider = provider.strip().lower()
        for key in ("username", "password"):
            if key in x.table:
                raise ConfigError(
                    f"{source}: {x.key(key)}: secrets are never read from settings;"
                    f" name an environment variable with {key}_env"
                )
        relays[name] = Relay(
            name=name,
            host=host,
            port=port,
            tls=tls,
            username_env=x.text("username_env"),
            password_env=x.text("password_env"),
            allow_recipients=x.strings("allow_recipients"),
            dkim_selector=x.text("dkim_selector"),
            dkim_key_env=x.text("dkim_key_env"),
            ca_file=x.text("ca_file"),
            allow_plaintext_auth=x.boolean("allow_plaintext_auth", False),
            timeout=timeout,
            provider=provider,
        )
        if relays[name].allow_plaintext_auth and not is_loopback(host):
            raise x.fail(
                "allow_plaintext_auth", "false for a relay that is not on loopback (127.0.0.1)"
            )
        x.check_unknown()

    lint_r = r.sub("lint")
    overrides = lint_r.get("severity", dict, "a table of id = severity", {})
    for check_id, sev in overrides.items():
        if sev not in ("error", "warning", "info", "off"):
            raise ConfigError(
                f"{source}: {lint_r.key('severity')}.{check_id} = {sev!r}:"
                " expected error, warning, info or off"
            )
    lint = LintSettings(
        severity=dict(overrides),
        stale_review_days=lint_r.integer("stale_review_days", 365),
        max_sms_segments=lint_r.integer("max_sms_segments", 2),
        css_allow=tuple(p.lower() for p in lint_r.strings("css_allow")),
        duplicate_similarity=share(lint_r, "duplicate_similarity", 0.9),
        max_findings_per_rule=at_least_one(lint_r, "max_findings_per_rule", 25),
    )
    if lint.stale_review_days < 1:
        raise lint_r.fail("stale_review_days", "a number of days from 1 up")
    if lint.max_sms_segments < 1:
        raise lint_r.fail("max_sms_segments", "a number of segments from 1 up")
    lint_r.check_unknown()

    s = r.sub("sink")
    sink = SinkSettings(
        host=s.text("host", "127.0.0.1"),
        port=s.integer("port", 1025),
        maildir=s.text("maildir", ".studio/maildir"),
        max_message_size=s.integer("max_message_size", 25 * 1024 * 1024),
        max_recipients=at_least(s, "max_recipients", 100, 1),
        keep_messages=s.integer("keep_messages", None),
        keep_days=s.get("keep_days", (int, float), "a number of days", None),
        faults=parse_faults(s),
        starttls=s.boolean("starttls", True),
        tls_port=s.integer("tls_port", None),
        tls_cert=s.text("tls_cert"),
        tls_key=s.text("tls_key"),
    )
    _check_sink(s, sink)
    s.check_unknown()

    router = _router(r.sub("router"), relays)

    settings = Settings(
        transactional_domain=transactional.lower() if transactional else None,
        marketing_domain=marketing.lower() if marketing else None,
        from_address=address(r, "from"),
        reply_to=address(r, "reply_to"),
        default_locale=r.text("default_locale", "en"),
        dkim_selectors=r.strings("dkim_selectors"),
        marketing_dkim_selectors=r.strings("marketing_dkim_selectors"),
        sending_ips=r.strings("sending_ips"),
        dns=dns,
        tracking=tracking,
        relays=relays,
        lint=lint,
        sink=sink,
        router=router,
    )
    r.check_unknown()
    return settings


def _name_table(x: Reader, key: str, what: str) -> dict[str, str]:
    table = x.get(key, dict, f"a table of {what}", {})
    for k, v in table.items():
        if not (isinstance(v, str) and v.strip()):
            raise ConfigError(f"{x.source}: {x.key(key)}.{k} = {v!r}: expected {what}")
    return {str(k): v for k, v in table.items()}


def _router(x: Reader, relays: Mapping[str, Relay]) -> RouterSettings:
    if "api_key" in x.table:
        raise ConfigError(
            f"{x.source}: {x.key('api_key')}: secrets are never read from settings;"
            " name an environment variable with api_key_env"
        )
    router = RouterSettings(
        host=x.text("host", "127.0.0.1"),
        port=x.integer("port", ROUTER_PORT),
        api_key_env=x.text("api_key_env", "STUDIO_ROUTER_KEY"),
        keys=_name_table(x, "keys", "application = environment variable name"),
        relay=x.text("relay"),
        max_body=x.integer("max_body", 1024 * 1024),
        rate_limit=x.number("rate_limit", 200.0),
        rate_burst=x.integer("rate_burst", 400),
        sms_outbox=x.text("sms_outbox", ".studio/sms"),
        events=x.text("events", ".studio/router/triggers.jsonl"),
        sms_segment_cost=x.number("sms_segment_cost", 0.0),
        sms_currency=x.text("sms_currency", "EUR"),
        mailjet_templates=_name_table(x, "mailjet_templates", "TemplateID = template name"),
        brevo_templates=_name_table(x, "brevo_templates", "templateId = template name"),
    )
    if not 0 < router.port < 65536:
        raise x.fail("port", "a port number from 1 to 65535")
    if router.relay is not None and router.relay not in relays:
        raise x.fail("relay", "the name of a relay of [relays] (" + ", ".join(relays) + ")")
    if router.max_body < 1024:
        raise x.fail("max_body", "a size in bytes of at least 1024, such as 1048576")
    if not (math.isfinite(router.rate_limit) and router.rate_limit > 0):
        raise x.fail("rate_limit", "a positive number of requests per second")
    if router.rate_burst < 1:
        raise x.fail("rate_burst", "a number of requests from 1 up")
    if not (math.isfinite(router.sms_segment_cost) and router.sms_segment_cost >= 0):
        raise x.fail("sms_segment_cost", "a price of 0 or more")
    x.check_unknown()
    return router
