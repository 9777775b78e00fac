"""The workspace tree: templates, components (with the templates using them), brand, samples."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Tree

from ...core.workspace import Workspace


def users_of(ws: Workspace, component: str) -> list[str]:
    """Templates whose source names ``components/<file>`` (directly).

    Bytes, not text: a template that is not UTF-8 (or not readable) is simply not
    a user; the tree must never fail to build because of one file.
    """
    needle = component.encode("utf-8")
    found = []
    for name in ws.template_names():
        try:
            if needle in ws.template_path(name).read_bytes():
                found.append(name)
        except OSError:
            continue
    return found


class WorkspaceTree(Tree[Path]):
    """Files of the workspace; a node's data is the file's path (None for folders).

    Labels are ``Text``: a file name is shown as it is, never read as markup.
    """

    def __init__(self, workspace: Workspace, **kwargs: object) -> None:
        super().__init__(Text(workspace.root.name), **kwargs)  # type: ignore[arg-type]
        self.workspace = workspace

    def on_mount(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        ws = self.workspace
        self.clear()
        self.root.expand()
        templates = self.root.add("templates", expand=True)
        for name in ws.template_names():
            templates.add_leaf(Text(name), data=ws.template_path(name))
        for name in ws.sms_template_names():
            templates.add_leaf(Text(f"{name} (sms)"), data=ws.sms_template_path(name))
        components = self.root.add("components", expand=True)
        for path in ws.component_paths():
            rel = ws.relpath(path)
            users = users_of(ws, rel)
            label = f"{path.name}" + (f"  ← {', '.join(users)}" if users else "")
            components.add_leaf(Text(label), data=path)
        brand = self.root.add("brand", expand=False)
        brand_dir = ws.root / "brand"
        if brand_dir.is_dir():
            for path in sorted(p for p in brand_dir.rglob("*") if p.is_file()):
                if path.suffix in (".toml", ".zone"):
                    brand.add_leaf(Text(str(path.relative_to(brand_dir))), data=path)
        samples = self.root.add("samples", expand=False)
        for name in ws.template_names():
            node = samples.add(Text(name))
            for sample in ws.sample_names(name):
                node.add_leaf(Text(sample), data=ws.samples_dir / name / f"{sample}.json")
