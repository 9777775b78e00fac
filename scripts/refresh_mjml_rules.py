"""Refresh the vendored mjml validation rules used by the ``mjml.*`` checks.

    python scripts/refresh_mjml_rules.py [--version 5]

Installs the `mjml` package from the npm registry into a temporary folder (`npm
install`), loads it with Node so that every component of mjml's preset is
registered, and writes `studio/core/render/data/mjml_rules.json`: each component's
allowed attributes and their types (`allowedAttributes`), whether it is an ending
tag, the children its parent rule allows (mjml-validator's dependencies), the
named colours of the colour type, the tags mjml accepts without a component and
the attributes every element takes. mjml's MIT licence notice is written beside it
(`mjml.LICENSE`).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "studio" / "core" / "render" / "data"

DUMP = """
require('mjml');
const core = require('mjml-core');
const { dependencies } = require('mjml-validator');
const colors = require('mjml-core/lib/types/helpers/colors.js');
const out = { components: {}, colors: colors.default || colors };
for (const [tag, C] of Object.entries(core.components)) {
  const deps = dependencies[tag];
  out.components[tag] = {
    attributes: C.allowedAttributes || {},
    ending: !!C.endingTag,
    children: deps ? deps.map(d => d instanceof RegExp ? { regex: d.source } : d) : null,
  };
}
for (const [tag, deps] of Object.entries(dependencies)) {
  if (!out.components[tag]) {
    out.components[tag] = { attributes: null, ending: false,
      children: deps.map(d => d instanceof RegExp ? { regex: d.source } : d) };
  }
}
out.version = require('mjml/package.json').version;
process.stdout.write(JSON.stringify(out));
"""


def _listed(source: str, name: str) -> list[str]:
    """The string items of ``const name = [...]`` in a module's source."""
    m = re.search(rf"{name}\s*=\s*\[([^\]]*)\]", source)
    if m is None:
        raise SystemExit(f"mjml-validator changed: no {name} list")
    return re.findall(r"'([^']+)'", m.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="5")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "install", "--silent", "--no-save", "--no-audit", "--no-fund",
             "--prefix", tmp, f"mjml@{args.version}"],
            check=True,
        )
        dump = subprocess.run(
            ["node", "-e", DUMP], cwd=tmp, check=True, capture_output=True, text=True
        ).stdout
        modules = Path(tmp) / "node_modules"
        rules = modules / "mjml-validator" / "lib" / "rules"
        component_less = _listed((rules / "validTag.js").read_text(), "componentLessTags")
        global_attributes = _listed((rules / "validAttributes.js").read_text(), "WHITELIST")
        licence = (modules / "mjml" / "LICENSE.md").read_text()
    data = json.loads(dump)
    out = {
        "source": f"mjml {data['version']} (npm), MIT licence: see mjml.LICENSE",
        "version": data["version"],
        "component_less": component_less,
        "global_attributes": global_attributes,
        "components": dict(sorted(data["components"].items())),
        "colors": data["colors"],
    }
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "mjml_rules.json").write_text(json.dumps(out, indent=1) + "\n")
    (DATA / "mjml.LICENSE").write_text(licence)
    print(f"wrote {DATA / 'mjml_rules.json'} (mjml {data['version']})")


if __name__ == "__main__":
    main()
