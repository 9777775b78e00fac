"""``init``: a new workspace (settings, brand, components, one template, a sample); a new template.

The files live in ``studio/scaffold/`` inside the package. Nothing that exists is
overwritten: init refuses when any file it would write is already there.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from ..errors import ConfigError


def scaffold_files() -> list[tuple[str, bytes]]:
    root = resources.files("studio") / "scaffold"
    found: list[tuple[str, bytes]] = []

    def walk(node: object, prefix: str) -> None:
        for child in node.iterdir():  # type: ignore[attr-defined]
            name = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, name + "/")
            else:
                found.append((name, child.read_bytes()))

    walk(root, "")
    return sorted(found)


def init_workspace(directory: Path) -> list[Path]:
    """Write a new workspace into ``directory``; return the files written."""
    files = scaffold_files()
    clashes = [directory / name for name, _ in files if (directory / name).exists()]
    if clashes:
        raise ConfigError(
            f"{clashes[0]}: already exists; init never overwrites (choose an empty directory)"
        )
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: exists and is not a directory")
    written = []
    try:
        for name, data in files:
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
        for sub in ("samples", "templates", "components"):
            (directory / sub).mkdir(exist_ok=True)
    except OSError as exc:
        where = exc.filename or directory
        raise ConfigError(f"{where}: cannot create: {exc.strerror or exc}") from None
    return written


def template_text(name: str, *, layout: bool, today: date) -> str:
    """A new template's text: front matter to fill in and a body that renders at once.

    Args:
        name: the template's name (named in the subject until the designer writes one).
        layout: extend ``components/layout.mjml`` (the workspace has one) rather than
            write a whole ``<mjml>`` document.
        today: the ``reviewed`` date.
    """
    title = name.replace("_", " ").replace("-", " ").capitalize()
    front = (
        "---\n"
        f'subject: "{title}"\n'
        'preheader: "One line that follows the subject in the inbox"\n'
        "trigger: person\n"
        'owner: ""\n'
        f"reviewed: {today.isoformat()}\n"
        "---\n"
    )
    content = (
        "<mj-section>\n"
        "  <mj-column>\n"
        "    <mj-text>Hello {{ customer.first_name }},</mj-text>\n"
        f"    <mj-text>{title}: write the message here.</mj-text>\n"
        "  </mj-column>\n"
        "</mj-section>\n"
    )
    if layout:
        return (
            front
            + '{% extends "components/layout.mjml" %}\n{% block content %}\n'
            + (content + "{% endblock %}\n")
        )
    return (
        front + '<mjml lang="{{ locale }}">\n  <mj-head><mj-title>{{ subject }}</mj-title>'
        "<mj-preview>{{ preheader }}</mj-preview></mj-head>\n  <mj-body>\n"
        + content
        + "  </mj-body>\n</mjml>\n"
    )
