#!/usr/bin/env python3
# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Build README.rst and static/description/index.html from the readme/ fragments,
as OCA's readme generator does (the Apps page shows index.html).

``--check`` exits 1 when the committed files are not what the fragments give.
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [
    ("DESCRIPTION", None),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("CONTRIBUTORS", "Contributors"),
]


def md_to_rst(text):
    """The small subset of Markdown the fragments use."""
    out = []
    for line in text.splitlines():
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            out.append(rst_title(heading.group(2), "~"))
            continue
        image = re.match(r"^!\[([^\]]*)\]\(([^)]+)\)$", line)
        if image:
            out.append(f".. image:: {image.group(2)}\n   :alt: {image.group(1)}\n")
            continue
        line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`_", line)
        line = re.sub(r"(?<!`)`([^`]+)`(?!`|_)", r"``\1``", line)
        line = re.sub(r"\*\*([^*]+)\*\*", r"**\1**", line)
        out.append(line)
    return "\n".join(out).strip() + "\n"


def rst_title(title, char):
    width = sum(2 if ord(c) > 0x2E80 else 1 for c in title)
    return f"{title}\n{char * width}\n"


def build_rst():
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text())
    parts = [
        "=" * 30 + "\n" + manifest["name"] + "\n" + "=" * 30 + "\n",
        "..\n   !! This file is generated from readme/*.md by tools/gen_readme.py.\n"
        "   !! Edit the fragments, then run: python3 tools/gen_readme.py\n",
        f"|badge1| |badge2|\n\n"
        f".. |badge1| image:: https://img.shields.io/badge/licence-{manifest['license']}"
        f"-blue.png\n    :target: https://www.gnu.org/licenses/agpl\n    :alt: License: "
        f"{manifest['license']}\n"
        f".. |badge2| image:: https://img.shields.io/badge/version-{manifest['version']}"
        f"-brightgreen.png\n    :alt: {manifest['version']}\n",
    ]
    for fragment, title in SECTIONS:
        path = ROOT / "readme" / f"{fragment}.md"
        if not path.exists():
            continue
        if title:
            parts.append(rst_title(title, "="))
        parts.append(md_to_rst(path.read_text()))
    parts.append(rst_title("Maintainers", "="))
    parts.append(
        "This module is part of the after-sales service desk project, published "
        "under the AGPL-3 licence.\n"
    )
    return "\n".join(parts)


def build_html(rst):
    from docutils.core import publish_string

    html = publish_string(
        rst,
        writer_name="html4css1",
        settings_overrides={"embed_stylesheet": False, "output_encoding": "unicode",
                            "report_level": 2, "halt_level": 2},
    )
    html = html if isinstance(html, str) else html.decode()
    # Odoo 17+ warns about an XML declaration in module descriptions; the Apps page
    # resolves images from static/description/ itself.
    html = html.replace('src="static/description/', 'src="')
    return html.removeprefix('<?xml version="1.0"?>\n')


def main():
    rst = build_rst()
    html = build_html(rst)
    targets = {ROOT / "README.rst": rst, ROOT / "static/description/index.html": html}
    if "--check" in sys.argv:
        stale = [str(p.relative_to(ROOT)) for p, text in targets.items()
                 if not p.exists() or p.read_text() != text]
        if stale:
            sys.stdout.write("out of date (run python3 tools/gen_readme.py): "
                             + ", ".join(stale) + "\n")
            return 1
        return 0
    for path, text in targets.items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
