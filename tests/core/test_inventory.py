"""The journey inventory and variable discovery from template syntax."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from click.testing import CliRunner

from studio.cli import cli
from studio.core.checks import lint_workspace
from studio.core.inventory import build_inventory, format_inventory
from studio.core.render.pipeline import renderer_for
from studio.core.variables import used_variables
from studio.core.workspace import Workspace
from tests.conftest import REPO

ROW_KEYS = {
    "name",
    "journey",
    "channels",
    "trigger",
    "timing",
    "application",
    "owner",
    "reviewed",
    "review_age_days",
    "variables",
    "samples",
    "locales",
    "findings",
    "missing_metadata",
    "files",
    "last_triggered",
    "triggered_by",
}


def test_variables_follow_components_aliases_and_skip_locals(scratch: Workspace) -> None:
    (scratch.components_dir / "box.mjml").write_text(
        "{% macro box(x) %}<mj-text>{{ x }} {{ shop.name }}</mj-text>{% endmacro %}"
    )
    scratch.template_path("v").write_text(
        "---\nsubject: 'Hi {{ customer.first_name }}'\n---\n"
        '{% extends "components/layout.mjml" %}\n'
        '{% from "components/box.mjml" import box with context %}\n'
        "{% set o = order %}\n"
        "{% block content %}{% set local = 3 %}"
        "{% for line in o.lines %}{{ line.name }}{% endfor %}"
        "{{ box(o.delivery.city) }}{{ local }}{{ brand.name }}{{ t('x') }}"
        "{% endblock %}"
    )
    found = used_variables(renderer_for(scratch).env, "templates/v.mjml")
    assert found == {"order.lines", "order.delivery.city", "shop.name"}


def test_inventory_of_the_example_in_every_format() -> None:
    ws = Workspace.open(REPO)
    rows = build_inventory(ws, today=dt.date(2026, 11, 24))
    names = [r.name for r in rows]
    assert set(ws.template_names()) <= set(names)
    order = next(r for r in rows if r.name == "order_confirmation")
    assert order.trigger == "person" and "email" in order.channels
    assert "order.lines" in order.variables and "customer.first_name" in order.variables
    assert set(order.locales) >= {"en-GB", "fr-FR"} and len(order.samples) >= 3
    assert order.missing_metadata == ()

    doc = json.loads(format_inventory(rows, "json"))
    assert doc["version"] == 1
    assert all(set(m) == ROW_KEYS for m in doc["messages"])

    table = list(csv.DictReader(io.StringIO(format_inventory(rows, "csv"))))
    assert [r["Message"] for r in table] == names
    assert all(r["Journey"] and r["Owner"] for r in table)

    md = format_inventory(rows, "markdown").splitlines()
    assert md[0].startswith("| Journey | Message |") and len(md) == len(rows) + 2
    assert "order_confirmation" in format_inventory(rows, "text")


def test_missing_metadata_is_reported(scratch: Workspace) -> None:
    scratch.template_path("bare").write_text(
        "---\nsubject: x\n---\n<mjml><mj-body></mj-body></mjml>\n"
    )
    row = next(r for r in build_inventory(scratch) if r.name == "bare")
    assert set(row.missing_metadata) == {
        "journey",
        "trigger",
        "owner",
        "reviewed",
        "timing",
        "application",
    }
    assert row.samples == ()


def test_inventory_cli_json(scratch: Workspace) -> None:
    result = CliRunner().invoke(cli, ["--workspace", str(scratch.root), "inventory", "-f", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["messages"][0]["name"] == "password_reset"


def test_inventory_cli_counts_open_findings(example_copy: Workspace) -> None:
    # A template copied in the same journey: both carry a near-duplicate finding.
    root = example_copy.root
    (root / "templates" / "password_reset_2.mjml").write_text(
        (root / "templates" / "password_reset.mjml").read_text()
    )
    args = ["--workspace", str(root), "inventory", "-f", "json"]
    rows = {m["name"]: m for m in json.loads(CliRunner().invoke(cli, args).output)["messages"]}
    assert rows["password_reset_2"]["findings"] >= 1
    direct = lint_workspace(Workspace.open(root), ["order_confirmation"], spam=False)
    assert rows["order_confirmation"]["findings"] == len([f for f in direct if not f.suppressed])
    skipped = CliRunner().invoke(cli, [*args[:-2], "-f", "json", "--no-findings"])
    assert all(m["findings"] is None for m in json.loads(skipped.output)["messages"])


def test_a_variable_handed_whole_to_a_macro_covers_its_fields(scratch: Workspace) -> None:
    (scratch.components_dir / "totals.mjml").write_text(
        "{% macro totals(o) %}<mj-text>{{ o.subtotal }} {{ o.tax }}</mj-text>{% endmacro %}"
    )
    scratch.template_path("v").write_text(
        "---\nsubject: x\n---\n"
        '{% from "components/totals.mjml" import totals with context %}'
        "<mjml><mj-body>{{ order.number }}{{ totals(order) }}"
        "{{ totals(o=basket.summary) }}{% if gift is defined %}{{ gift.note }}{% endif %}"
        "</mj-body></mjml>"
    )
    found = used_variables(renderer_for(scratch).env, "templates/v.mjml")
    assert found == {"order", "order.number", "basket.summary", "gift.note"}
