"""Provides the studio's widgets: the workspace tree, the editor pane and the preview pane."""

from __future__ import annotations

from .editor import EditorPane
from .preview import PreviewPane
from .tree import WorkspaceTree

__all__ = ["EditorPane", "PreviewPane", "WorkspaceTree"]
