"""The workspace tree: templates, components (with the templates using them), brand, samples."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Tree

from ...core.workspace import Workspace


def users_of(ws: Workspace, component: str) -> list[str]:
    """Templates whose source names ``components/<file>`` (directly)."""
    found = []
    for name in ws.template_names():
        try:
            if component in ws.template_path(name).read_text(encoding="utf-8"):
                found.append(name)
        except OSError:
            continue
    return found


class WorkspaceTree(Tree[Path]):
    """Files of the workspace; a node's data is the file's path (None for folders)."""

    def __init__(self, workspace: Workspace, **kwargs: object) -> None:
        super().__init__(workspace.root.name, **kwargs)  # type: ignore[arg-type]
        self.workspace = workspace

    def on_mount(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        ws = self.workspace
        self.clear()
        self.root.expand()
        templates = self.root.add("templates", expand=True)
        for name in ws.template_names():
            templates.add_leaf(name, data=ws.template_path(name))
        for name in ws.sms_template_names():
            templates.add_leaf(f"{name} (sms)", data=ws.sms_template_path(name))
        components = self.root.add("components", expand=True)
        for path in ws.component_paths():
            rel = ws.relpath(path)
            users = users_of(ws, rel)
            label = f"{path.name}" + (f"  ← {', '.join(users)}" if users else "")
            components.add_leaf(label, data=path)
        brand = self.root.add("brand", expand=False)
        brand_dir = ws.root / "brand"
        if brand_dir.is_dir():
            for path in sorted(p for p in brand_dir.rglob("*") if p.is_file()):
                if path.suffix in (".toml", ".zone"):
                    brand.add_leaf(str(path.relative_to(brand_dir)), data=path)
        samples = self.root.add("samples", expand=False)
        for name in ws.template_names():
            node = samples.add(name)
            for sample in ws.sample_names(name):
                node.add_leaf(sample, data=ws.samples_dir / name / f"{sample}.json")
