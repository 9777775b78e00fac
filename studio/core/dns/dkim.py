"""DKIM key records (RFC 6376, 8301, 8463): ``<selector>._domainkey.<domain>`` TXT.

The record is parsed as a tag list; the key is decoded and loaded to read the RSA
modulus size from the key itself (not guessed from the text length).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from .resolver import Answer, Resolver


@dataclass(frozen=True)
class DkimKey:
    selector: str
    name: str
    text: str
    tags: dict[str, str]
    key_type: str  # rsa or ed25519
    bits: int | None
    errors: tuple[str, ...]

    @property
    def revoked(self) -> bool:
        return self.tags.get("p", None) == ""

    @property
    def testing(self) -> bool:
        return "y" in [f.strip() for f in self.tags.get("t", "").split(":")]

    @property
    def hashes(self) -> list[str]:
        return [h.strip().lower() for h in self.tags.get("h", "").split(":") if h.strip()]


def key_name(selector: str, domain: str) -> str:
    return f"{selector}._domainkey.{domain}"


async def query_dkim(selector: str, domain: str, *, resolver: Resolver) -> Answer:
    return await resolver.resolve(key_name(selector, domain), "TXT")


def parse_tags(text: str) -> tuple[dict[str, str], list[str]]:
    tags: dict[str, str] = {}
    errors: list[str] = []
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not name or not name.replace("_", "").isalnum():
            errors.append(f"malformed tag {part.strip()!r}")
            continue
        if name in tags:
            errors.append(f"tag {name}= appears twice")
        tags[name] = "".join(value.split())
    return tags, errors


def parse_dkim(selector: str, name: str, text: str) -> DkimKey:
    tags, errors = parse_tags(text)
    if "v" in tags and (tags["v"] != "DKIM1" or not text.lstrip().startswith("v=")):
        errors.append("v= must be DKIM1 and come first")
    key_type = tags.get("k", "rsa").lower()
    bits = None
    if "p" not in tags:
        errors.append("no p= (public key) tag")
    elif tags["p"]:
        try:
            raw = base64.b64decode(tags["p"], validate=True)
        except (binascii.Error, ValueError):
            errors.append("p= is not valid base64")
            raw = b""
        if raw and key_type == "rsa":
            try:
                key = load_der_public_key(raw)
            except (ValueError, TypeError):
                errors.append("p= is not an RSA public key")
            else:
                if isinstance(key, rsa.RSAPublicKey):
                    bits = key.key_size
                else:
                    errors.append("p= holds a non-RSA key but k=rsa")
        elif raw and key_type == "ed25519":
            if len(raw) != 32:
                errors.append(f"an ed25519 key is 32 bytes, p= holds {len(raw)}")
            bits = 256
        elif key_type not in ("rsa", "ed25519"):
            errors.append(f"unknown key type k={key_type}")
    for h in [h.strip().lower() for h in tags.get("h", "").split(":") if h.strip()]:
        if h not in ("sha1", "sha256"):
            errors.append(f"unknown hash h={h}")
    return DkimKey(selector, name, text, tags, key_type, bits, tuple(errors))
