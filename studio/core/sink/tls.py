"""The sink's TLS: a self-signed certificate made on first start, or the one settings name.

Application mailers often insist on STARTTLS (or implicit TLS on 465); the sink offers
both with a certificate for ``localhost``, ``127.0.0.1`` and ``::1``. It is generated
once (an EC P-256 key, readable by its owner only) into the workspace's ``.studio/``
and reused while it is valid; a client trusts it by loading ``sink-cert.pem``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import time
from pathlib import Path

from ...errors import SinkError

CERT_NAME, KEY_NAME = "sink-cert.pem", "sink-key.pem"
VALID_DAYS = 825


def _still_valid(cert: Path) -> bool:
    """Whether the certificate made at the file's time is still valid for a day more.

    Read from the file's time rather than parsed: the sink then imports ``cryptography``
    (12 MB of a 30 MB process) only on the start that makes the certificate.
    """
    try:
        made = cert.stat().st_mtime
    except OSError:
        return False
    return time.time() - made < (VALID_DAYS - 1) * 86400


def ensure_certificate(directory: Path) -> tuple[Path, Path]:
    """``directory``'s sink certificate and key, generated when missing or expiring."""
    cert, key = directory / CERT_NAME, directory / KEY_NAME
    if cert.is_file() and key.is_file() and _still_valid(cert):
        return cert, key
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    try:
        directory.mkdir(parents=True, exist_ok=True)
        private = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "studio sink (localhost)")])
        now = dt.datetime.now(dt.timezone.utc)
        built = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.DNSName("localhost"),
                        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                        x509.IPAddress(ipaddress.ip_address("::1")),
                    ]
                ),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(private, hashes.SHA256())
        )
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(
                private.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        cert.write_bytes(built.public_bytes(serialization.Encoding.PEM))
    except OSError as exc:
        raise SinkError(
            f"{directory}: cannot write the sink's certificate: {exc.strerror}"
        ) from None
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server context for the sink (TLS 1.2 and up)."""
    # Not create_default_context: a server without client certificates needs no CA
    # store, and loading the system's costs the sink process several MB.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise SinkError(f"cannot load the sink's certificate {cert} / {key}: {exc}") from None
    return ctx
