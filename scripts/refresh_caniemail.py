"""Refresh the vendored caniemail data used by the css.unsupported check.

    python scripts/refresh_caniemail.py [--version 1.0.5]

Downloads the `caniemail` package from the npm registry (`npm pack`), and writes
`studio/core/checks/data/caniemail.json` — reduced to the CSS features and the
support of the four client families Studio reports on — and its MIT licence notice.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "studio" / "core" / "checks" / "data"
FAMILIES = ("gmail", "outlook", "apple-mail", "yahoo")


def reduce(full: dict) -> dict:  # type: ignore[type-arg]
    features = []
    for f in full["data"]:
        if f["category"] != "css":
            continue
        features.append(
            {
                "slug": f["slug"],
                "title": f["title"],
                "url": f["url"],
                "stats": {k: v for k, v in f["stats"].items() if k in FAMILIES},
            }
        )
    return {
        "source": "caniemail (npm), MIT licence: see caniemail.LICENSE",
        "api_version": full["api_version"],
        "last_update_date": full["last_update_date"],
        "nicenames": {k: full["nicenames"]["family"][k] for k in FAMILIES},
        "features": features,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="1.0.5")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"caniemail@{args.version}", "--silent"], cwd=tmp, check=True
        )
        archive = next(Path(tmp).glob("caniemail-*.tgz"))
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        full = json.loads((Path(tmp) / "package" / "data" / "caniemail.json").read_text())
        licence = (Path(tmp) / "package" / "LICENSE").read_text()
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "caniemail.json").write_text(json.dumps(reduce(full), indent=1) + "\n")
    (DATA / "caniemail.LICENSE").write_text(licence)
    print(f"wrote {DATA / 'caniemail.json'} (caniemail {args.version})")


if __name__ == "__main__":
    main()
