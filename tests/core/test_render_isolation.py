"""Unsaved buffers are an argument of a render, never state another thread can see.

The studio previews unsaved editor text while the send dialog, on another thread,
renders the saved files. What gets sent must not depend on thread timing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from studio.core.render.pipeline import renderer_for
from studio.core.workspace import Workspace
from studio.errors import ConfigError

MARK = "UNSAVED-FOOTER-EDIT"
FOOTER = "components/footer.mjml"
MACRO = '{%- macro footer(variant="full", reason=None) -%}'
ROUNDS = 120


def edited_footer(ws: Workspace) -> str:
    """The footer component with a visible line added: an unsaved edit in the studio."""
    text = (ws.root / FOOTER).read_text("utf-8")
    assert MACRO in text
    line = f"<mj-section><mj-column><mj-text>{MARK}</mj-text></mj-column></mj-section>"
    return text.replace(MACRO, MACRO + line)


def run_in_step(*jobs: Callable[[], None], rounds: int) -> None:
    """Run each job ``rounds`` times on its own thread, all released together each round.

    A failing job breaks the barrier so that the others stop instead of waiting.
    """
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def loop(job: Callable[[], None]) -> None:
        try:
            for _ in range(rounds):
                barrier.wait()
                job()
        except threading.BrokenBarrierError:
            pass
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=loop, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_send_never_sees_the_preview_buffers(example_copy: Workspace) -> None:
    """The race of issue 13: a preview with an unsaved component edit beside Send."""
    ws = example_copy
    template = ws.template_path("password_reset")
    # What the studio's preview passes: the open files' text, here an edited
    # footer beside the (unchanged) template being previewed.
    buffers = {FOOTER: edited_footer(ws), ws.relpath(template): template.read_text("utf-8")}
    sent: list[bool] = []
    previewed: list[bool] = []

    def preview() -> None:
        msg = ws.render("password_reset", sample="en_basic", buffers=buffers)
        previewed.append(MARK in msg.text)

    def send() -> None:
        sent.append(MARK in ws.render("password_reset", sample="en_basic").text)

    run_in_step(preview, send, rounds=ROUNDS)
    assert len(sent) == len(previewed) == ROUNDS
    assert sent.count(True) == 0, f"{sent.count(True)} of {ROUNDS} sends had the unsaved edit"
    assert previewed.count(False) == 0, f"{previewed.count(False)} previews lost their buffers"


def test_previews_with_different_buffers_stay_apart(example_copy: Workspace) -> None:
    """Two callers with different buffers on two threads each see only their own."""
    ws = example_copy
    base = edited_footer(ws)
    mine, theirs = base.replace(MARK, MARK + "-A"), base.replace(MARK, MARK + "-B")
    seen: dict[str, list[str]] = {"A": [], "B": []}

    def render_with(tag: str, text: str) -> Callable[[], None]:
        def job() -> None:
            msg = ws.render("password_reset", sample="en_basic", buffers={FOOTER: text})
            seen[tag] += [t for t in "AB" if f"{MARK}-{t}" in msg.text]

        return job

    run_in_step(render_with("A", mine), render_with("B", theirs), rounds=40)
    assert seen == {"A": ["A"] * 40, "B": ["B"] * 40}


def test_a_variant_leaves_the_workspace_renderer_as_it_was(example_copy: Workspace) -> None:
    ws = example_copy
    shared = renderer_for(ws)
    edit = {FOOTER: edited_footer(ws)}
    variant = shared.variant(edit)
    assert variant is not shared
    assert MARK in variant.render("password_reset", sample="en_basic").text
    assert dict(shared.buffers) == {} and dict(renderer_for(ws).buffers) == {}
    assert MARK not in shared.render("password_reset", sample="en_basic").text
    # The same buffers give a renderer that sees the same thing; none gives the shared one.
    assert MARK in renderer_for(ws, dict(edit)).render("password_reset", sample="en_basic").text
    assert renderer_for(ws, {}) is shared


def test_buffers_are_copied_when_the_renderer_is_made(example_copy: Workspace) -> None:
    ws = example_copy
    buffers = {FOOTER: edited_footer(ws)}
    variant = renderer_for(ws, buffers)
    buffers[FOOTER] = (ws.root / FOOTER).read_text("utf-8")  # the caller moves on
    assert MARK in variant.render("password_reset", sample="en_basic").text
    with pytest.raises(TypeError):
        variant.buffers[FOOTER] = "x"  # type: ignore[index]


def test_an_unsaved_brand_is_seen_by_its_render_only(example_copy: Workspace) -> None:
    ws = example_copy
    brand = ws.brand_file.read_text("utf-8")
    assert 'primary = "#2F5D50"' in brand
    edited = {"brand/brand.toml": brand.replace('primary = "#2F5D50"', 'primary = "#FF0066"')}
    assert "#FF0066" in ws.render("password_reset", sample="en_basic", buffers=edited).html
    saved = ws.render("password_reset", sample="en_basic").html
    assert "#FF0066" not in saved and "#2F5D50" in saved


def test_an_unsaved_sample_is_seen_by_its_render_only(example_copy: Workspace) -> None:
    ws = example_copy
    path = ws.samples_dir / "password_reset" / "en_basic.json"
    rel = ws.relpath(path)
    edited = {rel: path.read_text("utf-8").replace('"Olivia"', '"Zanzibar"')}
    assert "Zanzibar" in ws.render("password_reset", sample="en_basic", buffers=edited).text
    assert "Zanzibar" not in ws.render("password_reset", sample="en_basic").text
    with pytest.raises(ConfigError) as info:
        ws.render("password_reset", sample="en_basic", buffers={rel: "{ not json"})
    assert rel in str(info.value)


def test_an_unsaved_sms_template_is_seen_by_its_render_only(example_copy: Workspace) -> None:
    ws = example_copy
    path = ws.sms_template_path("account_verification")
    edited = {ws.relpath(path): path.read_text("utf-8") + "UNSAVED-SMS\n"}
    sms = ws.render_sms("account_verification", sample="en_basic", buffers=edited)
    assert "UNSAVED-SMS" in sms.text
    assert "UNSAVED-SMS" not in ws.render_sms("account_verification", sample="en_basic").text


def test_compiled_code_is_shared_where_the_text_is_the_same(example_copy: Workspace) -> None:
    ws = example_copy
    shared = renderer_for(ws)
    shared.render("password_reset", sample="en_basic")
    edit = {FOOTER: edited_footer(ws)}
    shared.variant(edit).render("password_reset", sample="en_basic")
    # The saved footer's code and the edited one's are both kept.
    assert any(len(versions) == 2 for versions in shared.caches.code.values())
    before = dict(shared.caches.code)
    # A new renderer (other buffers: a sample, unchanged) compiles nothing again ...
    sample = ws.samples_dir / "password_reset" / "en_basic.json"
    other = shared.variant({**edit, ws.relpath(sample): sample.read_text("utf-8")})
    assert MARK in other.render("password_reset", sample="en_basic").text
    assert MARK not in shared.render("password_reset", sample="en_basic").text
    assert shared.caches.code.keys() == before.keys()
    assert all(shared.caches.code[k] is v for k, v in before.items())
