"""Every render's output, to compare the pipeline before and after a change.

    python scripts/render_outputs.py OUT.json             # write the outputs
    python scripts/render_outputs.py --check BEFORE.json  # compare, exit 1 on a change

Renders every example template × sample of the repository's workspace and every
corpus MJML file (``../shared/corpus/mjml``, when it is there) and keeps, for each,
the subject, preheader, post-Jinja MJML, HTML, text part and the MIME message as
``as_bytes()`` and ``as_string()`` give it (and as ``send`` writes it, CRLF) and each
part's headers and decoded content as the message API reads them, with the random parts
(multipart boundary, Message-ID, Date) replaced by fixed tokens. ``--check`` names
every render and field that differs from a file written earlier, e.g. by the commit
before an optimisation of the pipeline.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.core.render.pipeline import RenderedMessage, render_mjml_file  # noqa: E402
from studio.core.send import wire_bytes  # noqa: E402
from studio.core.workspace import Workspace  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "mjml"
_BOUNDARY = re.compile(rb'boundary="([^"]+)"')
_RANDOM_HEADERS = re.compile(rb"^(Message-ID|Date):[^\r\n]*(\r?\n[ \t][^\r\n]*)*", re.M | re.I)


def normalised_mime(raw: bytes) -> str:
    """``raw`` with its boundaries, Message-ID and Date replaced by fixed tokens."""
    for boundary in set(_BOUNDARY.findall(raw)):
        raw = raw.replace(boundary, b"BOUNDARY")
    raw = _RANDOM_HEADERS.sub(lambda m: m.group(1) + b": RANDOM", raw)
    return raw.decode("ascii")


def record(msg: RenderedMessage) -> dict[str, str]:
    return {
        "subject": msg.subject,
        "preheader": msg.preheader,
        "mjml": msg.mjml,
        "html": msg.html,
        "text": msg.text,
        "mime": normalised_mime(msg.email.as_bytes()),
        "mime_crlf": normalised_mime(wire_bytes(msg.email)),
        "mime_str": normalised_mime(msg.email.as_string().encode("ascii")),
        "parts": normalised_mime(json.dumps(parts(msg.email)).encode("ascii")),
    }


def parts(email: EmailMessage) -> list[object]:
    """Each part's headers as the message API reads them, and its decoded content."""
    out: list[object] = []
    boundary = email.get_boundary() or "BOUNDARY"
    for part in email.walk():
        out.append(
            [
                [
                    k,
                    "RANDOM"
                    if k.lower() in ("date", "message-id")
                    else str(v).replace(boundary, "BOUNDARY"),
                ]
                for k, v in part.items()
            ]
        )
        if not part.is_multipart():
            out.append(part.get_content())
    return out


def outputs(corpus: Path = CORPUS) -> dict[str, dict[str, str]]:
    """Every render of the example workspace and of the corpus, by a stable key."""
    out: dict[str, dict[str, str]] = {}
    ws = Workspace.open(ROOT)
    for t in ws.template_names():
        if ws.template(t).meta.channel == "sms":
            continue
        for s in ws.sample_names(t):
            out[f"example:{t}:{s}"] = record(ws.render(t, sample=s))
    if corpus.is_dir():
        for path in sorted(corpus.glob("*.mjml")):
            out[f"corpus:{path.stem}"] = record(render_mjml_file(path))
    return out


def differences(before: dict[str, dict[str, str]], after: dict[str, dict[str, str]]) -> list[str]:
    """One line per render missing from either side or field that differs."""
    lines = [f"{key}: only before" for key in before.keys() - after.keys()]
    lines += [f"{key}: only after" for key in after.keys() - before.keys()]
    for key in sorted(before.keys() & after.keys()):
        for field, old in before[key].items():
            new = after[key].get(field)
            if new != old:
                at = next(
                    (i for i, (a, b) in enumerate(zip(old, new or "", strict=False)) if a != b),
                    min(len(old), len(new or "")),
                )
                lines.append(
                    f"{key}: {field} differs at {at}: {old[at : at + 40]!r} -> "
                    f"{(new or '')[at : at + 40]!r}"
                )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, help="write the outputs here")
    parser.add_argument("--check", type=Path, help="compare with outputs written earlier")
    args = parser.parse_args()
    if (args.file is None) == (args.check is None):
        parser.error("give either FILE or --check FILE")
    now = outputs()
    if args.file is not None:
        args.file.write_text(json.dumps(now, indent=0, sort_keys=True), encoding="utf-8")
        print(f"{args.file}: {len(now)} renders")
        return 0
    before = json.loads(args.check.read_text(encoding="utf-8"))
    diffs = differences(before, now)
    for line in diffs:
        print(line)
    print(f"{len(now)} renders, {len(diffs)} differences from {args.check}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
