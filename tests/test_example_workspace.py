"""The bundled example workspace: every template × sample renders as it should.

Asserts on what a reader sees (subject, visible text, links), never on exact HTML.
"""

from __future__ import annotations

import re

import pytest

from studio.core.workspace import Workspace
from tests.conftest import REPO

WS = Workspace.open(REPO)
PAIRS = [(t, s) for t in WS.template_names() for s in WS.sample_names(t)]
SITE = "https://www.mapleandmoss.example"

# (template, sample) -> (subject, a phrase of the body, a link path that must be there)
EXPECTED = {
    ("order_confirmation", "en_basic"): (
        "Order MM-100482 confirmed: thank you!",
        "MM-100482",
        "/account/orders/MM-100482",
    ),
    ("order_confirmation", "fr_fr"): (
        "Commande MM-100517 confirmée : merci !",
        "139,00\xa0€",
        "/fr/compte/commandes/MM-100517",
    ),
    ("order_confirmation", "edge_30_lines"): (
        "Order MM-2026-11-24-0000100999-GIFT confirmed: thank you!",
        "MM-2026-11-24",
        "/account",
    ),
    ("password_reset", "en_basic"): ("Reset your password", "password", "/account/reset-password"),
    ("password_reset", "fr_fr"): (
        "Réinitialisez votre mot de passe",
        "mot de passe",
        "/fr/compte/mot-de-passe",
    ),
    ("password_reset", "edge_no_request_details"): (
        "Reset your password",
        "password",
        "/account/reset-password",
    ),
    ("account_verification", "en_basic"): (
        "Your verification code: 482913",
        "482913",
        "/account/verify",
    ),
    ("account_verification", "fr_fr"): (
        "Votre code de vérification : 305 718",
        "305 718",
        "/fr/compte/verifier",
    ),
    ("account_verification", "edge_long_name"): (
        "Your verification code: 90817265",
        "90817265",
        "/account/verify",
    ),
    ("shipping_notification", "en_basic"): (
        "Your order MM-100482 is on its way",
        "Parcelway",
        "https://track.parcelway.example/parcels/PW774100932215GB",
    ),
    ("shipping_notification", "fr_fr"): (
        "Votre commande MM-100517 est en route",
        "CE883211904471FR",
        "https://suivi.colisexpress.example/colis/CE883211904471FR",
    ),
    ("shipping_notification", "edge_partial_minimal"): (
        "Your order MM-2026-11-24-0000100999-GIFT is on its way",
        "MM-2026-11-24",
        "https://tracking.northern-counties-delivery.example/consignments/",
    ),
    ("appointment_reminder", "en_basic"): (
        "Reminder: your interior styling consultation on 3 Dec 2026",
        "Bristol",
        "/appointments/APT-20931/confirm",
    ),
    ("appointment_reminder", "fr_fr"): (
        "Rappel : votre conseil en décoration d’intérieur le 5 déc. 2026",
        "Annuler",
        "/fr/rendez-vous/APT-21107/annuler",
    ),
    ("appointment_reminder", "edge_minimal"): (
        "Reminder: your made-to-measure curtain and blind home measuring visit,"
        " including fabric sampling for three rooms on 14 Dec 2026",
        "curtain",
        "/confirm",
    ),
}


def test_example_has_the_five_journeys_with_three_samples_each() -> None:
    assert set(WS.template_names()) >= {
        "order_confirmation",
        "password_reset",
        "account_verification",
        "shipping_notification",
        "appointment_reminder",
    }
    for t in WS.template_names():
        names = WS.sample_names(t)
        assert len(names) >= 2
        assert any(WS.sample(t, n).locale == "fr-FR" for n in names), t
        assert any(n.startswith("edge") for n in names), t
    assert set(EXPECTED) <= set(PAIRS)


@pytest.mark.parametrize(("template", "sample"), PAIRS)
def test_every_template_and_sample_renders(template: str, sample: str) -> None:
    msg = WS.render(template, sample=sample)
    assert msg.subject and msg.preheader
    assert "{{" not in msg.html and "{%" not in msg.html and "studio-notrack" not in msg.html
    assert msg.size < 102 * 1024
    # Every link of the HTML part is in the text part (reset and verification links above all).
    for href in set(re.findall(r'href="(https://[^"]+)"', msg.html)):
        assert href.replace("&amp;", "&") in msg.text, href
    if (template, sample) in EXPECTED:
        subject, phrase, link = EXPECTED[(template, sample)]
        assert msg.subject == subject
        assert phrase in msg.text
        assert link in msg.text and link in msg.html
    if WS.sample(template, sample).locale == "fr-FR":
        assert msg.locale == "fr-FR" and 'lang="fr-FR"' in msg.html


def test_own_links_are_tagged_and_carrier_links_are_not() -> None:
    msg = WS.render("shipping_notification", sample="en_basic")
    own = re.findall(r'href="(https://www\.mapleandmoss\.example[^"]*)"', msg.html)
    assert own and all("utm_campaign=shipping_notification" in h for h in own)
    carrier = re.findall(r'href="(https://track\.parcelway\.example[^"]*)"', msg.html)
    assert carrier and not any("utm_" in h for h in carrier)


def test_thirty_order_lines_all_show() -> None:
    sample = WS.sample("order_confirmation", "edge_30_lines")
    lines = sample.variables["order"]["lines"]
    assert len(lines) == 30
    msg = WS.render("order_confirmation", sample="edge_30_lines")
    for line in lines:
        assert line["name"][:20] in msg.text


def test_brand_token_change_reaches_every_template(example_copy: Workspace) -> None:
    before = {
        t: example_copy.render(t, sample="en_basic").html for t in example_copy.template_names()
    }
    brand = example_copy.brand_file
    text = brand.read_text()
    assert 'primary = "#2F5D50"' in text
    brand.write_text(text.replace('primary = "#2F5D50"', 'primary = "#AB0042"'))
    for t in example_copy.template_names():
        after = example_copy.render(t, sample="en_basic").html
        assert after != before[t], t
        assert "#AB0042" in after or "#ab0042" in after.lower(), t


def test_footer_component_change_reaches_every_template(example_copy: Workspace) -> None:
    footer = example_copy.components_dir / "footer.mjml"
    text = footer.read_text()
    marker = "FOOTER-CHANGED-7731"
    footer.write_text(text.replace('{{ t("footer.legal"', f'{marker} {{{{ t("footer.legal"', 1))
    for t in example_copy.template_names():
        assert marker in example_copy.render(t, sample="en_basic").text, t
