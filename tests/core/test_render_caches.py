"""What the Jinja stage keeps between renders gives what it gave without keeping (issue 18)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from studio.core.render import jinja
from studio.core.variables import control_character


def test_the_control_character_scan_finds_what_the_walk_finds() -> None:
    assert control_character({"a": "x\x01"}) == ("a", "\x01")
    assert control_character({"a": ["ok", "b\x0c"]}) == ("a[1]", "\x0c")
    assert control_character({"k\x02": 1}) == ("k\x02", "\x02")
    assert control_character({"a": {"b": ("c", "\x1f")}}) == ("a.b[1]", "\x1f")


def test_text_that_only_looks_like_an_escape_is_clean() -> None:
    assert control_character({"path": "C:\\bin\\f", "u": "\\u0001", "nl": "a\n\tb\r"}) is None
    assert control_character({"n": 1.5, "none": None, "list": [1, True]}) is None


def test_one_locale_object_per_tag() -> None:
    assert jinja.parse_locale("fr-FR") is jinja.parse_locale("fr-FR")


def test_kept_dates_tell_time_zones_apart() -> None:
    fr = jinja.parse_locale("en")
    utc = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
    paris = utc.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert utc == paris  # equal instants, different wall clocks
    first = jinja._when("datetime", utc, "short", fr)
    second = jinja._when("datetime", paris, "short", fr)
    assert first != second
    assert jinja._when("datetime", utc, "short", fr) == first


def test_kept_money_follows_the_locale() -> None:
    en, fr = jinja.parse_locale("en"), jinja.parse_locale("fr")
    assert jinja._money(Decimal("12.5"), "EUR", en) == "€12.50"
    assert jinja._money(Decimal("12.5"), "EUR", fr).startswith("12,50")
