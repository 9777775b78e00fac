"""Findings on a URL that came from the sample and reached the HTML through
``{% set %}`` and a macro point at the line that writes it (issue 25 item 9)."""

from __future__ import annotations

from studio.core.checks import lint_workspace
from studio.core.checks.context import Sources, value_paths
from studio.core.findings import Location
from studio.core.workspace import Workspace


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_verification_link_points_at_the_button_that_writes_it(example: Workspace) -> None:
    source = example.template_path("account_verification").read_text()
    expected = _line_of(source, 'button(t("verify.button"), verify_url)')
    found = [
        f
        for f in lint_workspace(example, ["account_verification"], spam=False)
        if f.id == "link.untracked"
    ]
    assert found and {f.location for f in found} == {
        Location("templates/account_verification.mjml", expected)
    }


def test_a_direct_sample_url_points_at_its_line(example: Workspace) -> None:
    source = example.template_path("password_reset").read_text()
    expected = _line_of(source, 'button(t("reset.button"), reset_url)')
    found = [
        f
        for f in lint_workspace(example, ["password_reset"], spam=False)
        if f.id == "link.untracked"
    ]
    assert {f.location.line for f in found if f.location} == {expected}


def test_locate_variable_follows_sets_and_skips_plain_text() -> None:
    text = (
        "verification.url in prose is not the variable\n"  # 1
        "{% set raw = verification.url|notrack %}\n"  # 2
        "{% set shown = raw %}\n"  # 3
        "<p>raw</p>\n"  # 4: plain text again
        "{{ button('Go', shown) }}\n"  # 5
        "{{ order.url }}\n"  # 6
        "{% set unused = coupon.url %}\n"  # 7
    )
    src = Sources.of_file("templates/t.mjml", text)
    assert src.locate_variable("verification.url") == Location("templates/t.mjml", 5)
    assert src.locate_variable("order.url") == Location("templates/t.mjml", 6)
    assert src.locate_variable("coupon.url") == Location("templates/t.mjml", 7)
    assert src.locate_variable("verification.url_text") is None  # another name


def test_value_paths_match_a_url_with_tracking_added() -> None:
    values = {"a": {"url": "https://x.example/p?t=1", "n": 3}, "b": "https://x.example/p?t=12"}
    assert value_paths(values, "https://x.example/p?t=1&utm_source=s") == ["a.url"]
    assert value_paths(values, "https://x.example/p?t=12") == ["b"]
    assert value_paths(values, "https://other.example/") == []
