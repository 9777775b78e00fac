"""The editor's buffer model, without Textual: dirty state, saves, reverts, diffs, disk changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from studio.core.buffers import Buffers, Change
from studio.core.files import SaveError


@pytest.fixture
def files(tmp_path: Path) -> tuple[Buffers, Path, Path]:
    (tmp_path / "templates").mkdir()
    (tmp_path / "samples").mkdir()
    a = tmp_path / "templates" / "a.mjml"
    b = tmp_path / "samples" / "b.json"
    a.write_text("<mjml>\nhello\n</mjml>\n")
    b.write_text('{"x": 1}\n')
    return Buffers(tmp_path), a, b


def test_unsaved_files_in_the_order_opened_and_what_a_render_sees(files) -> None:  # type: ignore[no-untyped-def]
    buffers, a, b = files
    buffers.open(b)
    buffers.open(a)
    assert buffers.unsaved() == []
    buffers.edit(a, "<mjml>\nbye\n</mjml>\n")
    buffers.edit(b, '{"x": 2}\n')
    assert buffers.unsaved() == [b, a]
    assert buffers.unsaved_texts() == {
        "samples/b.json": '{"x": 2}\n',
        "templates/a.mjml": "<mjml>\nbye\n</mjml>\n",
    }
    buffers.edit(b, '{"x": 1}\n')  # typed back to what is on disk: not unsaved
    assert buffers.unsaved() == [a]


def test_save_writes_and_an_invalid_sample_is_refused_and_kept(files) -> None:  # type: ignore[no-untyped-def]
    buffers, a, b = files
    buffers.open(a)
    buffers.open(b)
    buffers.edit(a, "new\n")
    buffers.save(a)
    assert a.read_text() == "new\n" and not buffers.dirty(a)
    buffers.edit(b, '{"x": \n')
    with pytest.raises(SaveError, match=r"samples/b.json:2"):
        buffers.save(b)
    assert b.read_text() == '{"x": 1}\n' and buffers.dirty(b)


def test_save_all_saves_what_it_can_and_names_the_rest(files) -> None:  # type: ignore[no-untyped-def]
    buffers, a, b = files
    buffers.open(a)
    buffers.open(b)
    buffers.edit(a, "new\n")
    buffers.edit(b, "not json")
    failed = buffers.save_all()
    assert [p for p, _ in failed] == [b]
    assert a.read_text() == "new\n" and buffers.unsaved() == [b]


def test_revert_takes_the_file_on_disk(files) -> None:  # type: ignore[no-untyped-def]
    buffers, a, _ = files
    buffers.open(a)
    buffers.edit(a, "mine\n")
    a.write_text("theirs\n")
    assert buffers.revert(a).text == "theirs\n" and not buffers.dirty(a)


def test_diff_is_unified_from_disk_to_the_buffer(files) -> None:  # type: ignore[no-untyped-def]
    buffers, a, _ = files
    buffers.open(a)
    assert buffers.diff(a) == ""
    buffers.edit(a, "<mjml>\nbye\n</mjml>\n")
    diff = buffers.diff(a).splitlines()
    assert diff[:2] == ["--- templates/a.mjml (on disk)", "+++ templates/a.mjml (unsaved)"]
    assert "-hello" in diff and "+bye" in diff


def test_poll_disk_reloads_clean_files_and_reports_conflicts_once(files) -> None:  # type: ignore[no-untyped-def]
    buffers, a, b = files
    buffers.open(a)
    buffers.open(b)
    buffers.edit(a, "mine\n")
    a.write_text("theirs a\n")
    b.write_text('{"x": 3}\n')
    for p in (a, b):
        os.utime(p, ns=(1, 1))
    changes = {c.path: c for c in buffers.poll_disk()}
    assert changes[a].change is Change.CONFLICT and changes[a].text == "theirs a\n"
    assert changes[b].change is Change.RELOADED and buffers[b].text == '{"x": 3}\n'
    assert buffers[a].text == "mine\n"  # the edit stays until the user chooses
    assert buffers.poll_disk() == []  # reported once


def test_poll_disk_keeps_the_edit_of_a_file_replaced_by_a_folder(files) -> None:  # type: ignore[no-untyped-def]
    buffers, a, _ = files
    buffers.open(a)
    buffers.edit(a, "mine\n")
    a.unlink()
    a.mkdir()
    changes = buffers.poll_disk()
    assert [c.change for c in changes] == [Change.UNREADABLE]
    assert buffers[a].text == "mine\n" and buffers.dirty(a)
    assert buffers.poll_disk() == []


def test_poll_disk_a_non_utf8_rewrite_of_an_edited_file_keeps_the_edit(files) -> None:  # type: ignore[no-untyped-def]
    buffers, a, _ = files
    buffers.open(a)
    buffers.edit(a, "mine\n")
    a.write_bytes(b"caf\xe9\n")
    os.utime(a, ns=(1, 1))
    assert [c.change for c in buffers.poll_disk()] == [Change.READ_ONLY]
    assert buffers[a].text == "mine\n"
