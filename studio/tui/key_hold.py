"""Keys played one at a time, and held while the studio is on its way somewhere.

Each key from the terminal is played once the one before it is done: a key is done
when a widget stops it, or when it has bubbled up to the app, whose bindings run
last. Textual alone forwards each key to the focused widget as it comes, so in a
burst (keys typed faster than the studio handles them, or held and played back) a
binding key (``F5``, ``End``, arrows) ran after the keys typed behind it: those
went to the widget focused before, or were inserted before the cursor moved.

Two moments lose keys in a plain Textual app, and the studio holds them instead:

- at start, what is typed before the first file is open in the editor (the terminal
  keeps it; Textual would give it to a screen with nothing focused);
- after Enter on a search match or a finding (a :class:`HoldsKeysOnEnter` widget):
  the keys typed right after it would reach the search box or the findings table,
  about to close or to lose the focus, instead of the line the studio goes to.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.message_pump import MessagePump
from textual.widgets import Input, TextArea

from .base import HoldsKeysOnEnter, StudioBase


class ReplayedKey(events.Key):
    """A held key played back: ``done`` is told once a widget stops it."""

    def __init__(self, key: events.Key, done: Callable[[ReplayedKey], None]) -> None:
        super().__init__(key.key, key.character)
        # No sender: Textual stops a key whose parent is its sender one step before the
        # app; this one must bubble up to the app, whose bindings run last.
        self._sender = None
        self._done = done
        self.target: MessagePump | None = None

    def stop(self, stop: bool = True) -> ReplayedKey:
        super().stop(stop)
        if stop:
            self._done(self)
        return self


ReplayedKey.handler_name = "on_key"  # handled as any key (Textual names it by the class)


class KeyHold(StudioBase):
    """Keys one at a time, held when the studio is on its way: part of ``StudioApp``."""

    def init_key_hold(self) -> None:
        self.key_queue: list[events.Key] = []  # from the terminal, not played yet
        self._playing: ReplayedKey | None = None  # played, not done yet
        self._holding = True  # until the first file is open (``release_keys``)

    @property
    def keys_waiting(self) -> int:
        return len(self.key_queue) + (self._playing is not None)

    def release_keys(self) -> None:
        """The studio is where the held keys belong: play them."""
        self._holding = False
        self._play_next()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if isinstance(event, ReplayedKey):
                await self._play(event)
            else:  # from the terminal
                self.key_queue.append(event)
                self._unstick()
                self._play_next()
            return
        if isinstance(event, ReplayedKey) and event is self._playing:
            # Bubbled up to the app: its bindings run now, in this dispatch; the next
            # key plays after them.
            self.call_later(self._key_done, event)
        await super().on_event(event)

    async def _play(self, key: ReplayedKey) -> None:
        if key.key == "enter" and isinstance(self.focused, HoldsKeysOnEnter):
            self._holding = True  # the widget releases the keys after it
        await super().on_event(key)
        key.target = self.focused or self.screen
        if not key.is_forwarded:  # a priority binding had it
            self._key_done(key)

    def _key_done(self, key: ReplayedKey) -> None:
        if key is self._playing:
            self._playing = None
            self.call_later(self._play_next)

    def _play_next(self) -> None:
        """Play the keys waiting: text typed into a text box all at once (a box handles
        its text as it comes, in order), any other key alone, the rest waiting until
        it is done (a key per repaint would make a burst of typing crawl)."""
        while not self._holding and self._playing is None and self.key_queue:
            key = ReplayedKey(self.key_queue.pop(0), self._key_done)
            if not self._types_text(key):
                self._playing = key
            self.post_message(key)

    def _types_text(self, key: events.Key) -> bool:
        """Is ``key`` text the focused widget inserts itself (no binding of it runs)?"""
        focused = self.focused
        if isinstance(focused, TextArea):
            return key.is_printable and not focused.read_only
        return key.is_printable and isinstance(focused, Input)

    def _unstick(self) -> None:
        """A key played to a widget removed (or a screen left) before it had it is
        never done: go on with the next."""
        key = self._playing
        target = key.target if key is not None else None
        if key is None or target is None:
            return
        if not target.is_attached or getattr(target, "screen", None) not in self.screen_stack:
            self._key_done(key)
