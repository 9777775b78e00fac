"""Typed values out of a TOML table, each error naming the file, the key and what was
expected (one line, for the CLI): what :mod:`.settings` parses ``studio.toml`` with."""

from __future__ import annotations

from collections.abc import Mapping
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Any

from ..errors import ConfigError


class Reader:
    """Pulls typed values out of a TOML table, naming file and key on errors."""

    def __init__(self, source: str, table: Mapping[str, Any], prefix: str):
        self.source = source
        self.table = table
        self.prefix = prefix
        self.used: set[str] = set()

    def key(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def fail(self, key: str, expected: str) -> ConfigError:
        value = self.table.get(key)
        return ConfigError(f"{self.source}: {self.key(key)} = {value!r}: expected {expected}")

    def get(self, key: str, kind: type | tuple[type, ...], expected: str, default: Any) -> Any:
        self.used.add(key)
        if key not in self.table:
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, expected)
        if not isinstance(value, kind):
            raise self.fail(key, expected)
        return value

    def text(self, key: str, default: str | None = None) -> Any:
        return self.get(key, str, "a string", default)

    def number(self, key: str, default: float) -> float:
        return float(self.get(key, (int, float), "a number", default))

    def integer(self, key: str, default: Any) -> Any:
        return self.get(key, int, "an integer", default)

    def boolean(self, key: str, default: bool) -> bool:
        return bool(self.get(key, bool, "true or false", default))

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, list, "a list of strings", [])
        if not all(isinstance(v, str) for v in value):
            raise self.fail(key, "a list of strings")
        return tuple(value)

    def sub(self, key: str) -> Reader:
        table = self.get(key, dict, "a table", {})
        return Reader(self.source, table, self.key(key))

    def check_unknown(self) -> None:
        unknown = sorted(set(self.table) - self.used)
        if unknown:
            raise ConfigError(
                f"{self.source}: unknown setting {self.key(unknown[0])!r}"
                " (see docs/settings.md for the keys Studio reads)"
            )


def at_least(r: Reader, key: str, default: int, least: int) -> int:
    value: int = r.integer(key, default)
    if value < least:
        raise r.fail(key, f"an integer of at least {least}")
    return value


def address(r: Reader, key: str) -> str | None:
    value = r.text(key)
    if value is None:
        return None
    if "\r" in value or "\n" in value:
        raise r.fail(key, "one line (no CR/LF)")
    _, addr = parseaddr(value)
    if "@" not in addr:
        raise r.fail(key, 'an address such as "Shop <orders@mail.shop.example>"')
    try:
        Address(addr_spec=addr)
    except (ValueError, IndexError):
        raise r.fail(key, "a valid e-mail address") from None
    return str(value)


def at_least_one(r: Reader, key: str, default: int) -> int:
    value = int(r.integer(key, default))
    if value < 1:
        raise r.fail(key, "an integer of at least 1")
    return value


def share(r: Reader, key: str, default: float) -> float:
    value = r.number(key, default)
    if not 0 < value <= 1:
        raise r.fail(key, "a share between 0 and 1, such as 0.9")
    return value
