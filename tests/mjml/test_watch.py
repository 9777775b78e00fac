"""The preview's watcher reloads a template when a partial it includes is saved."""

from __future__ import annotations

from pathlib import Path

from studio.core.preview import Watcher
from studio.core.scaffold import init_workspace


def test_saving_a_partial_outside_the_watched_folders_moves_the_generation(
    tmp_path: Path,
) -> None:
    root = tmp_path / "ws"
    init_workspace(root)
    (root / "partials").mkdir()
    footer = root / "partials" / "footer.mjml"
    footer.write_text('<mj-include path="legal.html" type="html" />\n', encoding="utf-8")
    legal = root / "partials" / "legal.html"
    legal.write_text("<p>Legal</p>\n", encoding="utf-8")
    (root / "templates" / "news.mjml").write_text(
        "---\nsubject: 'x'\n---\n<mjml><mj-body>\n"
        '<mj-include path="../partials/footer.mjml" />\n</mj-body></mjml>\n',
        encoding="utf-8",
    )
    w = Watcher(root, interval=0.02).start()
    try:
        before = w.generation
        legal.write_text("<p>Legal, changed and longer</p>\n", encoding="utf-8")  # nested
        after = w.wait(before, timeout=10)
        assert after != before
        footer.write_text(footer.read_text() + "<!-- more -->\n", encoding="utf-8")
        assert w.wait(after, timeout=10) != after
    finally:
        w.stop()
