"""SMS templates of the example workspace and SMS rendering."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from studio.cli import cli
from studio.core.sms import GSM7, UCS2
from studio.core.workspace import Workspace
from tests.conftest import REPO

WS = Workspace.open(REPO)
PAIRS = [(t, s) for t in WS.sms_template_names() for s in WS.sample_names(t)]


def test_three_sms_templates() -> None:
    assert set(WS.sms_template_names()) >= {
        "account_verification",
        "shipping_notification",
        "appointment_reminder",
    }


@pytest.mark.parametrize(("template", "sample"), PAIRS)
def test_every_sms_renders_within_its_segment_budget(template: str, sample: str) -> None:
    sms = WS.render_sms(template, sample=sample)
    assert sms.text and "{{" not in sms.text and "\n\n" not in sms.text
    limit = WS.sms_template(template).meta.max_sms_segments
    assert limit is not None and sms.info.count <= limit
    if not sample.startswith("edge"):
        assert sms.info.encoding == GSM7, sms.info.forcing


def test_sms_content_and_reply_keywords() -> None:
    code = WS.render_sms("account_verification", sample="en_basic")
    assert "482913" in code.text
    appt_en = WS.render_sms("appointment_reminder", sample="en_basic")
    assert "Reply Y" in appt_en.text and "N to cancel" in appt_en.text
    appt_fr = WS.render_sms("appointment_reminder", sample="fr_fr")
    assert "Répondez O" in appt_fr.text and "d'intérieur" in appt_fr.text  # sms_safe
    ship = WS.render_sms("shipping_notification", sample="en_basic")
    assert "https://track.parcelway.example/parcels/PW774100932215GB" in ship.text
    assert "utm_" not in ship.text  # the carrier's site is not ours


def test_sms_links_to_own_domain_are_tagged_with_sms_medium(scratch: Workspace) -> None:
    scratch.sms_template_path("t").write_text(
        "---\ntrigger: system\n---\nSee https://www.shop.example/o/1. "
        "Or {{ 'https://www.shop.example/x' | notrack }}\n"
    )
    sms = scratch.render_sms("t")
    assert (
        "https://www.shop.example/o/1?utm_source=transactional&utm_medium=sms&utm_campaign=t."
        in sms.text
    )
    assert sms.text.endswith("Or https://www.shop.example/x")


def test_sms_is_not_html_escaped_and_curly_quote_forces_ucs2(scratch: Workspace) -> None:
    scratch.sms_template_path("q").write_text("---\ntrigger: system\n---\n{{ name }} & co’s\n")
    sms = scratch.render_sms("q", variables={"name": "<Ann>"})
    assert sms.text == "<Ann> & co’s"
    assert sms.info.encoding == UCS2 and sms.info.forcing[0].codepoint == "U+2019"


def test_render_format_sms_cli() -> None:
    result = CliRunner().invoke(
        cli,
        ["--workspace", str(REPO), "render", "appointment_reminder", "-s", "fr_fr", "-f", "sms"],
    )
    assert result.exit_code == 0
    assert "encoding: GSM-7" in result.output and "segments: 1" in result.output
    missing = CliRunner().invoke(
        cli, ["--workspace", str(REPO), "render", "order_confirmation", "-f", "sms"]
    )
    assert missing.exit_code != 0
