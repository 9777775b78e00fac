"""The plain-text part written from MJML: links kept, images as alt, structure as lines."""

from __future__ import annotations

from studio.core.render.text import mjml_to_text


def doc(body: str, head: str = "") -> str:
    return (
        f"<mjml><mj-head>{head}</mj-head><mj-body><mj-section><mj-column>"
        f"{body}</mj-column></mj-section></mj-body></mjml>"
    )


def test_head_styles_comments_and_hidden_are_left_out() -> None:
    text = mjml_to_text(
        doc(
            '<mj-text>Visible<span style="display: none">HIDDEN</span></mj-text>'
            "<!--[if mso]><p>OUTLOOK</p><![endif]-->"
            "<mj-raw><style>.x{color:red}</style></mj-raw>",
            head="<mj-title>TITLE</mj-title><mj-preview>PREVIEW</mj-preview>"
            "<mj-style>.a{color:blue}</mj-style>",
        )
    )
    assert text.strip() == "Visible"


def test_links_buttons_and_images() -> None:
    text = mjml_to_text(
        doc(
            '<mj-button href="https://a.example/reset?t=1&amp;u=2">Reset password</mj-button>'
            '<mj-text>See <a href="https://a.example/faq">our FAQ</a> or '
            '<a href="https://a.example/x">https://a.example/x</a>.</mj-text>'
            '<mj-image src="https://cdn.example/logo.png" alt="Maple &amp; Moss" '
            'href="https://a.example/" />'
            '<mj-image src="https://cdn.example/spacer.png" alt="" />'
            '<mj-text><a href="mailto:care@a.example">care@a.example</a></mj-text>'
        )
    )
    assert "Reset password <https://a.example/reset?t=1&u=2>" in text
    assert "See our FAQ <https://a.example/faq> or https://a.example/x." in text
    assert "https://a.example/x <" not in text  # a URL label is not repeated
    assert "Maple & Moss <https://a.example/>" in text
    assert "spacer" not in text
    assert "care@a.example" in text and "mailto:" not in text


def test_tables_lists_and_paragraphs() -> None:
    text = mjml_to_text(
        doc(
            "<mj-table><tr><th>Item</th><th>Qty</th></tr>"
            "<tr><td>Mug</td><td>2</td></tr></mj-table>"
            "<mj-text><p>First</p><p>Second</p><ul><li>one</li><li>two</li></ul>"
            "Line<br/>break</mj-text>"
        )
    )
    assert "Item  Qty\nMug  2" in text
    assert "First\n\nSecond" in text
    assert "- one\n- two" in text
    assert "Line\nbreak" in text


def test_long_paragraphs_wrap_but_urls_stay_whole() -> None:
    url = "https://www.example.test/" + "x" * 120
    text = mjml_to_text(doc(f"<mj-text>{'word ' * 40}<a href=\"{url}\">go</a></mj-text>"))
    assert all(len(line) <= 76 or url in line for line in text.splitlines())
    assert f"<{url}>" in text


def test_social_and_navbar_links_as_mjml_builds_them() -> None:
    text = mjml_to_text(
        doc(
            '<mj-navbar base-url="https://a.example"><mj-navbar-link href="/shop">Shop'
            "</mj-navbar-link></mj-navbar>"
            '<mj-social><mj-social-element name="facebook" href="https://a.example/">'
            "Share</mj-social-element></mj-social>"
        )
    )
    assert "Shop <https://a.example/shop>" in text
    assert "Share <https://www.facebook.com/sharer/sharer.php?u=https://a.example/>" in text
