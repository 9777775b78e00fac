"""The studio's "open in browser": the live browser preview, following the editor.

The first ctrl+o starts ``studio preview``'s server (``core/preview``) inside the
studio, on loopback and a free port, and opens the system's browser on the
previewed template with the picked sample and locale. From then on every render of
the studio hands the server the editor's unsaved buffers, and the page reloads with
them: what the browser shows is what the terminal preview shows, saved or not. The
server stops with the studio.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..core.workspace import Workspace

if TYPE_CHECKING:  # the server (http.server, the include resolver) loads on first use
    from ..core.preview import PreviewServer


def _open_in_browser(url: str) -> bool:
    import webbrowser  # on first use: not needed by the studio's first frame

    try:
        return webbrowser.open(url)
    except webbrowser.Error:
        return False


class BrowserPreview:
    """The studio's browser preview server, started on first use.

    ``opener`` opens a URL in the system's browser and says whether it could; it
    runs in a worker thread (a browser may take a moment to start).
    """

    def __init__(
        self, workspace: Workspace, *, opener: Callable[[str], bool] = _open_in_browser
    ) -> None:
        self.workspace = workspace
        self.opener = opener
        self.server: PreviewServer | None = None

    @property
    def running(self) -> bool:
        return self.server is not None

    def start(self) -> PreviewServer:
        """The server, started now if it is not yet (loopback, a free port).

        Raises:
            ConfigError: it cannot listen.
        """
        if self.server is None:
            from ..core.preview import PreviewServer

            self.server = PreviewServer(self.workspace, host="127.0.0.1", port=0).start()
        return self.server

    def url(
        self,
        template: str,
        sample: str | None,
        locale: str | None,
        buffers: Mapping[str, str],
    ) -> str:
        """Start the server if needed, give it ``buffers``; the page of ``template``."""
        server = self.start()
        server.set_buffers(buffers)
        return server.page_url(template, sample=sample, locale=locale)

    def follow(self, buffers: Mapping[str, str]) -> None:
        """The editor's unsaved ``buffers`` changed: open pages reload with them."""
        if self.server is not None:
            self.server.set_buffers(buffers)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
