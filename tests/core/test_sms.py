"""SMS encoding and segment counts, on hand-checked strings."""

from __future__ import annotations

import pytest

from studio.core.sms import GSM7, UCS2, analyze


def test_pure_gsm7_at_160_and_161() -> None:
    one = analyze("a" * 160)
    assert (one.encoding, one.units, one.count) == (GSM7, 160, 1)
    two = analyze("a" * 161)
    assert (two.encoding, two.units, two.count) == (GSM7, 161, 2)
    assert [len(s) for s in two.segments] == [153, 8]


def test_306_and_307_gsm7() -> None:
    assert analyze("b" * 306).count == 2
    assert analyze("b" * 307).count == 3


@pytest.mark.parametrize("ext", ["€", "[", "^"])
def test_extension_characters_count_double_at_the_boundary(ext: str) -> None:
    fits = analyze("a" * 158 + ext)  # 158 + 2 = 160 septets
    assert (fits.encoding, fits.units, fits.count) == (GSM7, 160, 1)
    over = analyze("a" * 159 + ext)  # 161 septets
    assert (over.units, over.count) == (161, 2)
    assert not over.forcing


def test_escape_pair_never_split_across_parts() -> None:
    text = "a" * 152 + "€" + "b" * 10  # € would straddle 152|153
    info = analyze(text)
    assert info.segments[0] == "a" * 152
    assert info.segments[1].startswith("€")


def test_curly_apostrophe_forces_ucs2_at_70_and_71() -> None:
    text70 = "It’s " + "a" * 65
    assert len(text70) == 70
    info = analyze(text70)
    assert (info.encoding, info.units, info.count) == (UCS2, 70, 1)
    assert [f.char for f in info.forcing] == ["’"]
    assert info.forcing[0].codepoint == "U+2019" and info.forcing[0].index == 2
    info71 = analyze(text70 + "a")
    assert (info71.units, info71.count) == (71, 2)
    assert [len(s) for s in info71.segments] == [67, 4]


def test_emoji_counts_as_two_ucs2_units_and_is_not_split() -> None:
    info = analyze("Parcel on its way 📦")
    assert info.encoding == UCS2
    assert info.units == len("Parcel on its way ") + 2
    text = "a" * 66 + "📦" + "b" * 10  # 66 + 2 = 68 > 67: the pair moves whole
    parts = analyze(text).segments
    assert parts[0] == "a" * 66 and parts[1].startswith("📦")


def test_french_accents_in_basic_table_stay_gsm7() -> None:
    info = analyze("Votre colis arrivé à Créteil : où récupérer ? è é ù à")
    assert info.encoding == GSM7 and not info.forcing


@pytest.mark.parametrize("ch", ["ê", "â", "ç"])
def test_lowercase_circumflex_and_cedilla_force_ucs2(ch: str) -> None:
    info = analyze(f"Votre rendez-vous {ch}")
    assert info.encoding == UCS2
    assert [f.char for f in info.forcing] == [ch]


def test_uppercase_c_cedilla_is_gsm7() -> None:
    assert analyze("Ç").encoding == GSM7


def test_empty_text() -> None:
    info = analyze("")
    assert info.count == 0 and info.units == 0
