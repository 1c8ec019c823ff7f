#!/usr/bin/env python3
# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Merge a freshly exported .pot into .po files (like msgmerge, without gettext).

Usage: i18n_merge.py MODULE.pot LANG.po [LANG.po ...]
Keeps every existing translation whose msgid is still exported, adds new terms
untranslated, drops terms the addon no longer has, and lists what is untranslated.
"""

import sys

import polib


def merge(pot_path, po_path):
    pot = polib.pofile(pot_path, wrapwidth=78)
    try:
        old = {entry.msgid: entry for entry in polib.pofile(po_path)}
    except OSError:
        old = {}
    lang = po_path.rsplit("/", 1)[-1][:-3]
    po = polib.POFile(wrapwidth=78)
    po.metadata = dict(pot.metadata)
    po.metadata["Language"] = lang
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.header = pot.header
    missing = []
    for entry in pot:
        previous = old.get(entry.msgid)
        entry.msgstr = previous.msgstr if previous else ""
        if not entry.msgstr:
            missing.append(entry.msgid)
        po.append(entry)
    po.save(po_path)
    return missing


def main(pot_path, *po_paths):
    status = 0
    for po_path in po_paths:
        missing = merge(pot_path, po_path)
        sys.stdout.write(f"{po_path}: {len(missing)} untranslated\n")
        for msgid in missing:
            sys.stdout.write(f"  - {msgid[:100]!r}\n")
        status = status or bool(missing)
    return status


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
