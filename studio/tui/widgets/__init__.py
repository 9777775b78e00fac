"""Provides the studio's widgets: the workspace tree and the preview pane."""

from __future__ import annotations

from .preview import PreviewPane
from .tree import WorkspaceTree

__all__ = ["PreviewPane", "WorkspaceTree"]
