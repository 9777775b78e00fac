#!/usr/bin/env python3
"""Replay a designer's ten everyday tasks in the studio, in a real terminal (tmux).

Runs ``studio`` on a copy of the example workspace inside a detached tmux session of
the given size, types as a person would (``tmux send-keys``) and reads the screen
(``tmux capture-pane``) after each task, asserting that what the task should show
appears. Nothing waits on the clock for correctness: each check polls the pane until
the expected text shows or a deadline passes (then the pane is printed and the run
fails). Actions are reached through the command palette (ctrl+p), so the script does
not depend on which key a binding uses.

    scripts/tmux_tasks.py                  # 80x24 and 140x45
    scripts/tmux_tasks.py --size 140x45 --keep   # leave the session open to look at it

Exit status 0 when every task passed, 1 otherwise (the failing task and its pane are
printed). Needs tmux and a Studio installed in the running Python.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEADLINE = 40.0  # seconds a task may take to show its result (a loaded CI machine)
POLL = 0.1  # seconds between reads of the pane (the polling rate, not a synchronisation)


class TaskFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def workspace_copy(dest: Path) -> Path:
    """The example workspace (brand, components, templates, samples, settings), own sink port."""
    for sub in ("brand", "components", "templates", "samples"):
        shutil.copytree(REPO / sub, dest / sub)
    text = (REPO / "pyproject.toml").read_text()
    text = text.replace(
        '[tool.studio.sink]\nmaildir = ".studio/maildir"',
        f'[tool.studio.sink]\nmaildir = ".studio/maildir"\nport = {free_port()}',
    )
    (dest / "pyproject.toml").write_text(text)
    return dest


class Session:
    """One tmux session running the studio."""

    def __init__(
        self, name: str, size: tuple[int, int], workspace: Path, deadline: float = DEADLINE
    ) -> None:
        self.name = name
        self.deadline = deadline
        self.seen: deque[tuple[float, str]] = deque(maxlen=60)  # the screens seen last
        self.width, self.height = size
        command = (
            # COLUMNS/LINES (pytest's Textual plugin sets 80x24) would fix Textual's size
            f"cd {shlex.quote(str(workspace))} && exec env -u COLUMNS -u LINES TERM=xterm-256color"
            f" {shlex.quote(sys.executable)} -m studio"
        )
        size = ["-x", str(self.width), "-y", str(self.height)]
        # A tmux server of its own (``-L NAME``): sessions run side by side (parallel
        # tests) share no server, and neither the developer's tmux nor its environment.
        self.socket = name
        self.tmux("new-session", "-d", "-s", name, *size, command)
        # The window keeps this size whatever clients attach (tmux would otherwise
        # follow the smallest client or its default 80x24); checked, not assumed.
        self.tmux("set-option", "-t", name, "window-size", "manual")
        self.tmux("resize-window", "-t", name, *size)
        shown = self.tmux("display-message", "-p", "-t", name, "#{window_width}x#{window_height}")
        if shown.strip() != f"{self.width}x{self.height}":
            raise TaskFailed(f"the tmux window is {shown.strip()}, not {self.width}x{self.height}")

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        if done.returncode:
            raise TaskFailed(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def pane(self) -> str:
        screen = self.tmux("capture-pane", "-p", "-t", self.name)
        if not self.seen or self.seen[-1][1] != screen:
            self.seen.append((time.monotonic(), screen))
        return screen

    def history(self) -> str:
        """The screens seen last (title, first lines and footer of each): what led to a
        failure, as the pane at the deadline alone may not say."""
        out = []
        start = self.seen[0][0] if self.seen else 0.0
        for at, screen in self.seen:
            lines = [ln.rstrip() for ln in screen.splitlines()]
            shown = [ln for ln in lines if ln.strip()]
            out.append(f"--- {at - start:7.2f} s")
            out.extend(shown[:3] + (shown[-1:] if len(shown) > 3 else []))
        return "\n".join(out)

    def keys(self, *keys: str) -> None:
        """Named keys (``C-p``, ``Enter``, ``Escape``, ``F1``)."""
        self.seen.append((time.monotonic(), f"[keys: {' '.join(keys)}]"))
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        """Literal text, as typed."""
        self.seen.append((time.monotonic(), f"[type: {text}]"))
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def wait(
        self, pattern: str, what: str, *, gone: bool = False, deadline: float | None = None
    ) -> str:
        """Poll the pane until ``pattern`` (a regex) shows (or, ``gone``, no longer shows)."""
        deadline = time.monotonic() + (self.deadline if deadline is None else deadline)
        while True:
            screen = self.pane()
            if bool(re.search(pattern, screen)) != gone:
                return screen
            if time.monotonic() > deadline:
                raise TaskFailed(
                    f"{what}: {pattern!r} never {'left' if gone else 'showed'}\n{screen}"
                )
            time.sleep(POLL)

    def palette(self, query: str, expect: str) -> None:
        """Run a palette entry: ctrl+p, type, wait until the whole query is in the input
        and the highlighted (first) entry is the expected one (its title or help line
        matches ``expect``), Enter. Seeing ``expect`` anywhere in the list is not enough:
        the list of a query still being typed can show it below another entry."""
        self.keys("C-p")
        self.wait(r"🔎", "palette opened")
        self.type(query)
        deadline = time.monotonic() + self.deadline
        while not _first_entry_matches(screen := self.pane(), query, expect):
            if time.monotonic() > deadline:
                raise TaskFailed(
                    f"palette: {expect!r} is not the first entry for {query!r}\n{screen}"
                )
            time.sleep(POLL)
        self.keys("Enter")
        self.wait(r"🔎", "palette closed", gone=True)

    def back_home(self, what: str) -> None:
        """Wait until the studio's own screen is up again: its preview tabs show and no
        footer offers "esc Back". Something gone is not enough: a screen's title can
        scroll away, and its footer is redrawn empty for a frame when the focus moves;
        the next key, sent too soon after an Escape, would join it (alt+key)."""
        self.wait(r"\A(?![\s\S]*esc Back)(?=[\s\S]*Preview +Text +HTML)", what)

    def open(self, path: str) -> None:
        """Open a workspace file by name from the palette; wait until it is in the editor."""
        self.palette(path, r"open file")
        self.wait(r"Studio — " + re.escape(path), f"{path} is in the editor")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


def _first_entry_matches(screen: str, query: str, expect: str) -> bool:
    """The palette's input holds ``query`` and its first entry (title and help line,
    the two lines after the input's blank lines) matches ``expect``."""
    lines = screen.splitlines()
    for i, line in enumerate(lines):
        if "🔎" in line:
            if line.split("🔎", 1)[1].strip() != query:
                return False
            entry = [ln for ln in lines[i + 1 :] if ln.strip()][:2]
            return bool(re.search(expect, "\n".join(entry)))
    return False


def tasks(s: Session) -> list[tuple[str, Callable[[], None]]]:
    def open_() -> None:
        s.wait(r"Studio — templates/\w+\.mjml", "a template opens")
        s.open("templates/order_confirmation.mjml")

    def edit() -> None:
        # Search the workspace for a line; Enter opens its file at that line.
        s.palette("Search in workspace", r"Find text in every file")
        s.wait(r"Search in workspace", "the search opens")
        s.type("{{ order_totals(order, currency) }}")
        s.wait(r"templates/order_confirmation\.mjml:\d+", "the search finds the line")
        # Enter, then type at once: the keys typed before the studio is at the match's
        # line are held until it is, and typed there.
        s.keys("Enter", "End", "Enter")
        s.type("{# a note #}")
        s.wait(r"Search in workspace", "the search closes", gone=True)
        s.wait(r"\(unsaved\)|●", "the edit shows as unsaved")
        s.wait(r"\d+ +\{# a note #\} *▎", "the note is on a line of its own")

    def break_mjml() -> None:
        s.keys("Enter")
        s.type("<mj-text>{% if %}</mj-text>")
        s.wait(r"<mj-text>\{% if %\}</mj-text>", "the broken line is typed")
        s.wait(r"⚠", "a broken template shows its error")
        s.keys("Home", "S-End", "BSpace")  # select the broken line (the cursor is on it)
        s.wait(r"⚠", "the error goes once the template is fixed", gone=True)

    def french() -> None:
        s.open("samples/order_confirmation/fr_fr.json")
        s.wait(r"Bonjour|Merci|commande", "the preview is in French")

    def footer() -> None:
        s.open("components/footer.mjml")
        s.keys("C-Home")
        s.type("{# FOOTER EDIT #}")
        s.wait(r"unsaved|●", "the footer edit is unsaved")

    def findings() -> None:
        # A template with a finding: F5 lists it, the details name it and where it is
        # (why and how to fix follow, below the fold at 80x24); Enter goes to it.
        s.open("templates/password_reset.mjml")
        s.keys("F5")
        s.wait(r"link\.untracked — ", "the finding's id and title show")
        s.wait(r"\(enter: go", "where it is and how to go there show")

        # F5 again (the table takes the focus once it has rows), Enter on the finding
        # goes to its line; what is typed at once after it edits the file there.
        s.keys("F5", "Enter")
        s.type("{# seen #}")
        s.wait(r"● templates/password_reset\.mjml", "Enter took the cursor to the file")

    def dns() -> None:
        s.palette("Deliverability", r"DNS preflight of the sending domain")
        s.wait(r"DNS preflight of mail\.mapleandmoss\.example", "the DNS screen opens")
        s.wait(r"p=reject", "DMARC's policy shows")
        s.wait(r"pass", "what passed shows")
        s.keys("Escape")
        s.back_home("back from DNS")

    def send_and_inbox() -> None:
        s.open("templates/account_verification.mjml")
        s.palette("Send test message", r"Send this template")
        s.wait(r"to: address@example|Send account_verification", "the send dialog opens")
        s.type("olivia@inbox.example")
        s.keys("Enter")
        s.wait(r"Start sink and send", "a stopped sink is offered to be started")
        s.keys("y")
        s.wait(r"sent via sink", "the message is sent and the dialog closes")
        s.palette("Inbox", r"Messages caught by the embedded sink")
        s.wait(r"sink running", "the inbox opens with the sink running")
        s.wait(r"olivia@inbox\.example", "the message is listed")
        s.keys("Enter")
        s.wait(r"dkim=none: unsigned", "the message opens and dkim=none is explained")
        s.wait(r"Text part · text/plain", "the part is named")
        # One Escape at a time: two at once reach the app as alt+escape.
        s.keys("Escape")
        s.wait(r"dkim=none: unsigned", "back to the inbox list", gone=True)
        s.keys("Escape")
        s.back_home("back from the inbox")

    def sms() -> None:
        s.open("templates/account_verification.sms.j2")
        s.wait(r"SMS|segment", "the SMS analysis shows")

    def quit_unsaved() -> None:
        s.keys("C-q")
        s.wait(r"[Uu]nsaved", "quitting asks about the unsaved files")
        s.wait(r"footer\.mjml|order_confirmation", "the unsaved files are named")

    return [
        ("open", open_),
        ("edit", edit),
        ("break MJML", break_mjml),
        ("French sample", french),
        ("footer change", footer),
        ("findings", findings),
        ("DNS", dns),
        ("send and inbox", send_and_inbox),
        ("SMS", sms),
        ("quit with unsaved work", quit_unsaved),
    ]


def run(size: tuple[int, int], keep: bool, deadline: float) -> bool:
    label = f"{size[0]}x{size[1]}"
    with tempfile.TemporaryDirectory(prefix="studio-tmux-") as tmp:
        ws = workspace_copy(Path(tmp) / "example")
        session = Session(f"studio-tasks-{label}-{Path(tmp).name[-6:]}", size, ws, deadline)
        try:
            for name, task in tasks(session):
                started = time.monotonic()
                session.seen.append((started, f"[task: {name}]"))
                task()
                print(f"{label}  ok    {name} ({time.monotonic() - started:.1f} s)", flush=True)
            return True
        except TaskFailed as exc:
            print(f"{label}  FAIL  {name}: {exc}", flush=True)
            print(f"the screens seen last:\n{session.history()}", flush=True)
            return False
        finally:
            if keep:
                print(f"tmux -L {session.socket} attach -t {session.name}")
            else:
                session.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--size", action="append", help="WIDTHxHEIGHT (repeatable; default 80x24 and 140x45)"
    )
    parser.add_argument("--keep", action="store_true", help="leave the tmux session running")
    parser.add_argument(
        "--deadline", type=float, default=DEADLINE, help="seconds each check may take"
    )
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed", file=sys.stderr)
        return 2
    sizes = [tuple(int(n) for n in s.split("x")) for s in (args.size or ["80x24", "140x45"])]
    results = [run((w, h), args.keep, args.deadline) for w, h in sizes]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
