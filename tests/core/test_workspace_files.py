"""Templates and samples as files (no Textual): create, duplicate, rename, delete, search."""

from __future__ import annotations

import json
from datetime import date

import pytest

from studio.core.workspace import Workspace
from studio.core.workspace_files import (
    delete_template,
    duplicate_template,
    editable_files,
    new_sample,
    new_template,
    rename_template,
    sample_data,
    search_workspace,
    template_files,
)
from studio.errors import ConfigError


def fresh(ws: Workspace) -> Workspace:
    return Workspace.open(ws.root)


@pytest.mark.parametrize("template", ["order_confirmation", "shipping_notification"])
def test_new_sample_renders_at_once(example_copy: Workspace, template: str) -> None:
    path = new_sample(example_copy, template, "draft")
    data = json.loads(path.read_text())
    ws = fresh(example_copy)
    msg = ws.render(template, sample="draft")
    assert msg.html
    if template == "order_confirmation":
        # looped over (inside a macro): a list of objects; summed/formatted: numbers
        line = data["order"]["lines"][0]
        assert isinstance(line, dict) and isinstance(line["quantity"], int | float)
        assert isinstance(line["unit_price"], int | float)
        assert data["order"]["currency"] == "EUR"


def test_every_example_template_gets_a_sample_that_renders(example_copy: Workspace) -> None:
    for name in example_copy.template_names():
        data = sample_data(example_copy, name)
        example_copy.render(name, variables=data)
        if example_copy.sms_template_path(name).is_file():
            example_copy.render_sms(name, variables=data)


def test_sample_from_an_unsaved_buffer(example_copy: Workspace) -> None:
    path = example_copy.template_path("password_reset")
    text = path.read_text().replace(
        "{% block content %}", "{% block content %}{% for g in gifts %}{{ g.label }}{% endfor %}", 1
    )
    data = sample_data(example_copy, "password_reset", source=text)
    assert data["gifts"] == [{"label": "Label"}]


def test_new_template_renders_and_has_a_sample(example_copy: Workspace) -> None:
    written = new_template(example_copy, "welcome_back", today=date(2026, 1, 2))
    rels = [example_copy.relpath(p) for p in written]
    assert rels == ["templates/welcome_back.mjml", "samples/welcome_back/example.json"]
    ws = fresh(example_copy)
    assert ws.template("welcome_back").meta.reviewed == date(2026, 1, 2)
    assert "Welcome back" in ws.render("welcome_back", sample="example").subject
    with pytest.raises(ConfigError, match="already exists"):
        new_template(ws, "welcome_back")


def test_new_template_without_a_layout_component(scratch: Workspace) -> None:
    (scratch.components_dir / "layout.mjml").unlink()
    new_template(scratch, "plain")
    assert fresh(scratch).render("plain", sample="example").html


@pytest.mark.parametrize("bad", ["", "Upper", "../escape", "a/b", "with space", "-x", "é"])
def test_names_are_validated(example_copy: Workspace, bad: str) -> None:
    with pytest.raises(ConfigError, match="expected"):
        new_template(example_copy, bad)
    with pytest.raises(ConfigError, match="expected"):
        new_sample(example_copy, "password_reset", bad)
    assert not (example_copy.root / "escape.mjml").exists()


def test_rename_moves_samples_and_sms(example_copy: Workspace) -> None:
    ws = example_copy
    before = set(ws.sample_names("account_verification"))
    moves = rename_template(ws, "account_verification", "verify_account")
    assert len(moves) == 3
    ws = fresh(ws)
    assert "account_verification" not in ws.template_names()
    assert set(ws.sample_names("verify_account")) == before
    assert ws.sms_template_path("verify_account").is_file()
    assert not ws.sms_template_path("account_verification").exists()
    ws.render("verify_account", sample=sorted(before)[0])
    with pytest.raises(ConfigError, match="already exists"):
        rename_template(ws, "verify_account", "password_reset")
    assert ws.template_path("verify_account").is_file()  # nothing moved


def test_duplicate_copies_everything_and_keeps_the_original(example_copy: Workspace) -> None:
    ws = example_copy
    original = template_files(ws, "shipping_notification").paths()
    written = duplicate_template(ws, "shipping_notification", "shipping_copy")
    assert len(written) == len(original)
    assert all(p.exists() for p in original)
    assert fresh(ws).sms_template_path("shipping_copy").is_file()


def test_delete_removes_template_sms_and_samples(example_copy: Workspace) -> None:
    ws = example_copy
    files = template_files(ws, "account_verification").paths()
    removed = delete_template(ws, "account_verification")
    assert removed == files and not any(p.exists() for p in files)
    assert not (ws.samples_dir / "account_verification").exists()
    with pytest.raises(ConfigError, match="no such template"):
        delete_template(ws, "account_verification")


def test_editable_files_and_search(example_copy: Workspace) -> None:
    files = editable_files(example_copy)
    assert "templates/order_confirmation.mjml" in files
    assert "brand/locales/fr.toml" in files and "components/footer.mjml" in files
    assert all(not f.startswith(".studio") for f in files)
    matches = search_workspace(example_copy, "ORDER_TOTALS")
    assert {m.file for m in matches} >= {
        "templates/order_confirmation.mjml",
        "components/order_items.mjml",
    }
    m = next(m for m in matches if m.file == "templates/order_confirmation.mjml")
    lines = (example_copy.root / m.file).read_text().splitlines()
    assert "order_totals" in lines[m.line - 1].lower()
    unsaved = {"components/footer.mjml": "nothing\nUNSAVED needle\n"}
    found = search_workspace(example_copy, "unsaved needle", buffers=unsaved)
    assert [(m.file, m.line) for m in found] == [("components/footer.mjml", 2)]
