"""The workspace tree: templates, components (with the templates using them), brand, samples."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ...core.workspace import Workspace


def users_of(ws: Workspace, components: list[str]) -> dict[str, list[str]]:
    """For each component (``components/<file>``), the templates whose source names it
    (directly). Each template is read once.

    Bytes, not text: a template that is not UTF-8 (or not readable) is simply not
    a user; the tree must never fail to build because of one file.
    """
    found: dict[str, list[str]] = {component: [] for component in components}
    needles = [(component, component.encode("utf-8")) for component in components]
    for name in ws.template_names():
        try:
            source = ws.template_path(name).read_bytes()
        except OSError:
            continue
        for component, needle in needles:
            if needle in source:
                found[component].append(name)
    return found


UNSAVED_MARK = "● "
MIN_WIDTH, MAX_WIDTH = 26, 36


class WorkspaceTree(Tree[Path]):
    """Files of the workspace; a node's data is the file's path (None for folders).

    Labels are ``Text``: a file name is shown as it is, never read as markup. An
    unsaved file's label starts with ``●`` (before the name, so it is seen however
    narrow the tree). The tree is as wide as its longest name (within bounds), so
    that e-mail and SMS templates of one name are told apart.
    """

    def __init__(self, workspace: Workspace, **kwargs: object) -> None:
        super().__init__(Text(workspace.root.name), **kwargs)  # type: ignore[arg-type]
        self.workspace = workspace
        self.show_root = False
        self.guide_depth = 2
        self.names: dict[Path, str] = {}  # a file's label without the unsaved marker
        self.unsaved: set[Path] = set()

    def on_mount(self) -> None:
        self.rebuild()

    def _leaf(self, parent: TreeNode[Path], name: str, path: Path) -> None:
        self.names[path] = name
        mark = UNSAVED_MARK if path in self.unsaved else ""
        parent.add_leaf(Text(mark + name), data=path)

    def mark_unsaved(self, unsaved: set[Path]) -> None:
        """Put the unsaved marker on exactly these files' labels."""
        if unsaved == self.unsaved:
            return
        changed = unsaved ^ self.unsaved
        self.unsaved = set(unsaved)
        for node in self._leaves(self.root):
            if node.data in changed:
                mark = UNSAVED_MARK if node.data in unsaved else ""
                node.set_label(Text(mark + self.names[node.data]))

    def reveal(self, path: Path) -> None:
        """Put the cursor on ``path``'s line, its folders opened, as an editor's file
        list follows the file in the editor (a file not listed leaves the cursor)."""
        node = next((n for n in self._leaves(self.root) if n.data == path), None)
        if node is None or node is self.cursor_node:
            return
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        _ = self.last_line  # the lines again, with the folders just opened: node.line
        self.move_cursor(node)

    def _leaves(self, node: TreeNode[Path]) -> list[TreeNode[Path]]:
        found = [node] if node.data is not None else []
        for child in node.children:
            found += self._leaves(child)
        return found

    def width_wanted(self) -> int:
        """Columns for the longest name at its depth, the marker and the border.

        Templates, components and samples count; brand files do not (a reverse-DNS
        zone file name is 40 characters, and the brand folder starts folded).
        """
        widest = 0
        brand = self.workspace.root / "brand"
        for node in self._leaves(self.root):
            if node.data is not None and node.data.is_relative_to(brand):
                continue
            name = self.names.get(node.data, "") if node.data is not None else ""
            name = name.split("  ←")[0]  # a component's users may be cut, not its name
            depth, parent = 0, node.parent
            while parent is not None and parent is not self.root:
                depth, parent = depth + 1, parent.parent
            widest = max(widest, len(name) + len(UNSAVED_MARK) + self.guide_depth * (depth + 1))
        return min(max(widest + 3, MIN_WIDTH), MAX_WIDTH)

    def rebuild(self) -> None:
        ws = self.workspace
        self.clear()
        self.names.clear()
        self.root.expand()
        templates = self.root.add(Text("templates"), expand=True)
        for name in ws.template_names():
            self._leaf(templates, name, ws.template_path(name))
        for name in ws.sms_template_names():
            self._leaf(templates, f"{name} (sms)", ws.sms_template_path(name))
        components = self.root.add(Text("components"), expand=True)
        paths = ws.component_paths()
        rels = [ws.relpath(path) for path in paths]
        users = users_of(ws, rels)
        for path, rel in zip(paths, rels, strict=True):
            used_by = users[rel]
            label = f"{path.name}" + (f"  ← {', '.join(used_by)}" if used_by else "")
            self._leaf(components, label, path)
        brand = self.root.add(Text("brand"), expand=False)
        brand_dir = ws.root / "brand"
        if brand_dir.is_dir():
            for path in sorted(p for p in brand_dir.rglob("*") if p.is_file()):
                if path.suffix in (".toml", ".zone"):
                    self._leaf(brand, str(path.relative_to(brand_dir)), path)
        samples = self.root.add(Text("samples"), expand=False)
        for name in ws.template_names():
            node = samples.add(Text(name))
            for sample in ws.sample_names(name):
                self._leaf(node, sample, ws.samples_dir / name / f"{sample}.json")
        self.styles.width = self.width_wanted()
