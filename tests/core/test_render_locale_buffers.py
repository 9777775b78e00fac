"""An unsaved ``brand/locales/<language>.toml`` is seen by the render it is given to, only."""

from __future__ import annotations

import threading

import pytest

from studio.core.workspace import Workspace
from studio.errors import RenderError

FR = "brand/locales/fr.toml"
GREETING = 'greeting = "Bonjour {name},"'


def edited_fr(ws: Workspace) -> dict[str, str]:
    text = (ws.root / FR).read_text("utf-8")
    assert GREETING in text
    return {FR: text.replace(GREETING, 'greeting = "Salut {name} (non enregistré),"')}


def test_an_unsaved_locale_is_seen_by_its_render_only(example_copy: Workspace) -> None:
    ws = example_copy
    edited = ws.render("password_reset", sample="fr_fr", buffers=edited_fr(ws)).text
    assert "(non enregistré)" in edited
    saved = ws.render("password_reset", sample="fr_fr").text
    assert "(non enregistré)" not in saved and "Bonjour" in saved
    # the other languages of that render still come from the files
    english = ws.render("password_reset", sample="en_basic", buffers=edited_fr(ws)).text
    assert "Hello" in english


def test_an_unsaved_locale_stays_out_of_renders_on_other_threads(example_copy: Workspace) -> None:
    ws = example_copy
    buffers = edited_fr(ws)
    leaked: list[str] = []
    seen: list[bool] = []

    def preview() -> None:
        for _ in range(30):
            seen.append(
                "(non enregistré)"
                in ws.render("password_reset", sample="fr_fr", buffers=buffers).text
            )

    def send() -> None:
        for _ in range(30):
            text = ws.render("password_reset", sample="fr_fr").text
            if "(non enregistré)" in text:
                leaked.append(text)

    threads = [threading.Thread(target=preview), threading.Thread(target=send)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(seen) and len(seen) == 30
    assert leaked == []


def test_an_unsaved_locale_that_is_not_toml_fails_with_its_file_and_line(
    example_copy: Workspace,
) -> None:
    ws = example_copy
    text = (ws.root / FR).read_text("utf-8").replace(GREETING, 'greeting = "Bonjour {name},')
    line = next(
        i
        for i, x in enumerate(text.splitlines(), 1)
        if x.startswith('greeting = "Bonjour {name},') and not x.endswith('"')
    )
    with pytest.raises(RenderError) as err:
        ws.render("password_reset", sample="fr_fr", buffers={FR: text})
    assert err.value.file == FR and err.value.line == line
    assert "Bonjour" in ws.render("password_reset", sample="fr_fr").text  # the file is fine
