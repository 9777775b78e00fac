"""The studio's widgets: the workspace tree, the editor pane, the preview pane and its pixels."""

from __future__ import annotations

from .editor import EditorPane
from .pixel import PixelView
from .preview import PreviewPane
from .tree import WorkspaceTree

__all__ = ["EditorPane", "PixelView", "PreviewPane", "WorkspaceTree"]
