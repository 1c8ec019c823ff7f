#!/usr/bin/env python3
# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Write the addon for another Odoo series from its one source (written for 18.0).

    python3 series/build.py 19.0 [--dest build/19.0]

writes build/19.0/helpdesk_after_sales: every file of the checkout that belongs to
the module (tracked or new, not ignored; not tools/, series/ or dot-files), with the
rules below applied to what 19.0 changed, then series/19.0/ copied over it (the few
files that only 19.0 needs; one of the source's name replaces it: compat.py). Nothing else is hand-kept per
series. The rules work on any file of the addon, also on code they were not written
for: they rewrite the 18.0 idioms, not particular files.

Standard library only (tools/dev.py runs it before a virtualenv exists).
"""

import argparse
import ast
import io
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

MODULE = "helpdesk_after_sales"
ROOT = Path(__file__).resolve().parent.parent
SOURCE_SERIES = "18.0"
SERIES = ("19.0",)
# Top-level entries of the checkout that are not part of the module.
NOT_MODULE = {"tools", "series", "build", "dist"}


# ---------------------------------------------------------------- Python
# Attribute names read or written on records (``x.<name>``) that 19.0 renamed.
ATTRIBUTES_19 = {
    # res.groups: 18.0's users held the implied members too, as 19.0's all_user_ids.
    "users": "all_user_ids",
    "trans_implied_ids": "all_implied_ids",
    # res.users: 18.0's groups_id held the implied groups too (all_group_ids).
    "groups_id": "all_group_ids",
}
# String literals: a domain leaf's field (followed by ",") or a vals key (":").
LEAF_FIELDS_19 = {"groups_id": "all_group_ids", "users": "all_user_ids"}
VALS_KEYS_19 = {"groups_id": "group_ids", "users": "user_ids"}
# res.partner.mobile is gone: the phone is what is left.
PARTNER_NAMES = re.compile(r"^(partner|\w*partner_id|\w*partner)$")


def _string_value(token):
    try:
        value = ast.literal_eval(token.string)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def rewrite_tokens_19(source):
    """Token-level renames (never inside strings or comments except exact literals)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.NEWLINE,
                                                       tokenize.COMMENT, tokenize.INDENT,
                                                       tokenize.DEDENT)]
    edits = []
    for i, tok in enumerate(significant):
        prev = significant[i - 1] if i else None
        nxt = significant[i + 1] if i + 1 < len(significant) else None
        if tok.type == tokenize.NAME and prev is not None and prev.string == ".":
            if tok.string in ATTRIBUTES_19:
                edits.append((tok.start, tok.end, ATTRIBUTES_19[tok.string]))
            elif tok.string == "mobile" and i >= 2 and PARTNER_NAMES.match(significant[i - 2].string):
                edits.append((tok.start, tok.end, "phone"))
        elif tok.type == tokenize.STRING and nxt is not None:
            value = _string_value(tok)
            quote = tok.string[-1]
            if nxt.string == "," and value in LEAF_FIELDS_19 and prev is not None and prev.string in "([":
                edits.append((tok.start, tok.end, f"{quote}{LEAF_FIELDS_19[value]}{quote}"))
            elif nxt.string == ":" and value in VALS_KEYS_19:
                edits.append((tok.start, tok.end, f"{quote}{VALS_KEYS_19[value]}{quote}"))
    return _apply(source, edits)


def _apply(source, edits):
    """Apply (start, end, text) edits, positions as tokenize gives them (row 1-based)."""
    lines = source.splitlines(keepends=True)
    for (srow, scol), (erow, ecol), text in sorted(edits, reverse=True):
        if srow == erow:
            line = lines[srow - 1]
            lines[srow - 1] = line[:scol] + text + line[ecol:]
        else:
            first, last = lines[srow - 1], lines[erow - 1]
            lines[srow - 1:erow] = [first[:scol] + text + last[ecol:]]
    return "".join(lines)


def _line_edit(source, first, last, new_lines):
    lines = source.splitlines(keepends=True)
    lines[first - 1:last] = new_lines
    return "".join(lines)


def _ensure_models_import(source):
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "odoo" and any(
            alias.name == "models" and not alias.asname for alias in node.names
        ):
            return source
    last_import = max((n.end_lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))),
                      default=0)
    return _line_edit(source, last_import + 1, last_import, ["from odoo import models\n"])


def rewrite_ast_19(source):
    """_sql_constraints -> models.Constraint; @api.returns removed; INSERT_BATCH_SIZE."""
    changed = True
    while changed:  # one edit at a time: line numbers move
        changed = False
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                            and isinstance(stmt.targets[0], ast.Name)
                            and stmt.targets[0].id == "_sql_constraints"):
                        indent = " " * stmt.col_offset
                        new = []
                        for item in stmt.value.elts:
                            name, definition, message = (
                                ast.get_source_segment(source, elt) for elt in item.elts)
                            new.append(f"{indent}_{ast.literal_eval(name)} = models.Constraint(\n"
                                       f"{indent}    {definition},\n{indent}    {message},\n"
                                       f"{indent})\n")
                        source = _line_edit(source, stmt.lineno, stmt.end_lineno, new)
                        source = _ensure_models_import(source)
                        changed = True
                        break
            if changed:
                break
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for deco in node.decorator_list:
                    func = deco.func if isinstance(deco, ast.Call) else deco
                    if (isinstance(func, ast.Attribute) and func.attr == "returns"
                            and isinstance(func.value, ast.Name) and func.value.id == "api"):
                        source = _line_edit(source, deco.lineno, deco.end_lineno, [])
                        changed = True
                        break
            if changed:
                break
    # call_kw moved from odoo.api to odoo.service.model.
    source = re.sub(r"^from odoo\.api import call_kw$", "from odoo.service.model import call_kw",
                    source, flags=re.M)
    source = re.sub(r"\bodoo\.api\.call_kw\(", "odoo.service.model.call_kw(", source)
    # INSERT_BATCH_SIZE moved to odoo.orm.models.
    source = re.sub(r"\bfrom odoo\.models import INSERT_BATCH_SIZE\b",
                    "from odoo.orm.models import INSERT_BATCH_SIZE", source)
    if re.search(r"\b(odoo\.)?models\.INSERT_BATCH_SIZE\b", source):
        source = re.sub(r"\b(odoo\.)?models\.INSERT_BATCH_SIZE\b", "INSERT_BATCH_SIZE", source)
        tree = ast.parse(source)
        last_import = max(n.end_lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))
        source = _line_edit(source, last_import + 1, last_import,
                            ["from odoo.orm.models import INSERT_BATCH_SIZE\n"])
    return source


def python_19(source):
    # ``partner.phone or partner.mobile``: the phone alone (the rest: mobile -> phone).
    source = re.sub(r"\b([\w.]*partner\w*)\.phone or \1\.mobile\b", r"\1.phone", source)
    return rewrite_tokens_19(rewrite_ast_19(source))


# ---------------------------------------------------------------- XML
RECORD = re.compile(r'<record\b[^>]*>.*?</record>', re.S)


def _attr(tag, name):
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return found and found[1]


def privilege_xmlid(category):
    name = category.split(".")[-1]
    return ("res_groups_privilege_" + name.removeprefix("module_category_")
            if name.startswith("module_category_") else name + "_privilege")


def xml_19(text, categories):
    """``categories``: {xml id: (name, description, sequence)} of the ir.module.category
    records of the addon, for the privileges 19.0's groups hang off."""
    # Domains on users and groups: 18.0's stored lists held the implied ones.
    text = re.sub(r"""(\(\s*)(['"])groups_id\2(\s*,)""", r"\1\2all_group_ids\2\3", text)
    text = re.sub(r"""(\(\s*)(['"])users\2(\s*,)""", r"\1\2all_user_ids\2\3", text)
    # Fields of records: users' groups, actions', views' and menus' groups, groups' users.
    text = re.sub(r'(<field\s+name=")groups_id"', r'\1group_ids"', text)
    text = re.sub(r'(<field\s+name=")users"', r'\1user_ids"', text)
    text = re.sub(r'(<field\s+name=")trans_implied_ids"', r'\1all_implied_ids"', text)
    # Groups hang off a res.groups.privilege (in a category), not off the category.
    made = set()

    def group(match):
        record = match[0]
        head = record[:record.index(">") + 1]
        if _attr(head, "model") != "res.groups":
            return record
        found = re.search(r'<field\s+name="category_id"\s+ref="([^"]+)"\s*/>', record)
        if not found:
            return record
        category = found[1]
        if category == "base.module_category_hidden":
            # 19.0 has no hidden privilege: a group without one is hidden.
            return re.sub(r'\n?[ \t]*<field\s+name="category_id"\s+ref="[^"]+"\s*/>', "",
                          record, count=1)
        privilege = privilege_xmlid(category)
        record = record.replace(found[0], f'<field name="privilege_id" ref="{privilege}" />')
        if privilege in made:
            return record
        made.add(privilege)
        name, description, sequence = categories.get(category.split(".")[-1], (None, None, None))
        indent = re.search(r"\n([ \t]*)$", text[:match.start()])
        indent = indent[1] if indent else "    "
        fields = [f'<field name="name">{name or category}</field>']
        if description:
            fields.append(f'<field name="description">{description}</field>')
        if sequence:
            fields.append(f'<field name="sequence">{sequence}</field>')
        fields.append(f'<field name="category_id" ref="{category}" />')
        body = "".join(f"\n{indent}    {f}" for f in fields)
        return (f'<record id="{privilege}" model="res.groups.privilege">{body}\n{indent}</record>\n'
                f"{indent}{record}")

    return RECORD.sub(group, text)


def module_categories(files):
    """{xml id: (name, description, sequence)} of the addon's ir.module.category records."""
    categories = {}
    for path in files:
        if path.suffix != ".xml":
            continue
        for record in RECORD.findall(path.read_text()):
            head = record[:record.index(">") + 1]
            if _attr(head, "model") != "ir.module.category":
                continue
            values = {}
            for key in ("name", "description", "sequence"):
                found = re.search(rf'<field\s+name="{key}"\s*>(.*?)</field>', record, re.S)
                values[key] = found and found[1]
            categories[_attr(head, "id")] = (values["name"], values["description"],
                                             values["sequence"])
    return categories


# ---------------------------------------------------------------- JavaScript (tours)
def tour_19(text):
    """19.0's form-view selection fields are a SelectMenu, not a <select>: a tour step
    picking a label in one (trigger ``.o_field_widget[name=x] select`` or
    ``div[name=x] select``, run ``selectByLabel Label``) becomes two steps: open the
    menu, click the item. (Portal forms keep their <select>: form#... triggers stay.)"""
    step = re.compile(
        r"""\{(\s*)trigger:\s*(["'])(?:\.o_field_widget|div)\[name=["']?(\w+)["']?\] select\2,"""
        r"""\s*run:\s*(["'])selectByLabel ([^"']+)\4,?\s*\}""")

    def two_steps(m):
        ws, name, label = m[1], m[3], m[5]
        end = ws.replace("    ", "", 1) if ws.startswith("\n") else ws
        return (f'{{{ws}trigger: ".o_field_widget[name={name}] .o_select_menu_toggler",'
                f'{ws}run: "click",{end}}},\n{end.lstrip(chr(10))}{{{ws}'
                f'trigger: ".o_select_menu_item:contains({label})",{ws}run: "click",{end}}}')

    text = step.sub(two_steps, text)
    # A check of the chosen value: the menu's toggler shows its label.
    return re.sub(r"select:has\(option:checked:contains\(([^)]*)\)\)",
                  r".o_select_menu_toggler:value(\1)", text)


# ---------------------------------------------------------------- catalogs
def _po_entries(text):
    """The entries of a PO catalog: (msgid, msgstr, block), msgid and msgstr decoded
    enough to compare (the quoted pieces joined), block the entry's lines."""
    entries = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        fields, key = {}, None
        for line in block.splitlines():
            found = re.match(r"(msgctxt|msgid|msgstr)\s+(\".*\")\s*$", line)
            if found:
                key = found[1]
                fields[key] = found[2][1:-1]
            elif key and line.startswith('"'):
                fields[key] += line.strip()[1:-1]
            elif not line.startswith("#"):
                key = None
        entries.append(((fields.get("msgctxt"), fields.get("msgid")), fields.get("msgstr"),
                        block))
    return entries


def merge_po(source, addendum):
    """``source`` (a PO or POT catalog's text) with the entries of ``addendum`` (one of
    the series' own, its header left out): a new term is added; a term the source
    has with the same translation gets the addendum's occurrences (``#:`` lines, the
    records it translates); with another translation (Location: a stock location in
    one module, a service address in another) it is an entry of its own, which
    Odoo reads as such (it imports each occurrence's record)."""
    entries = _po_entries(source)
    index = {key: i for i, (key, _msgstr, _block) in enumerate(entries)}
    blocks = [block for _key, _msgstr, block in entries]
    for key, msgstr, block in _po_entries(addendum):
        if key[1] in ("", None):
            continue  # the header
        if key not in index or msgstr != entries[index[key]][1]:
            index.setdefault(key, len(blocks))
            blocks.append(block)
            entries.append((key, msgstr, block))
            continue
        i = index[key]
        lines = blocks[i].splitlines()
        have = set(lines)
        new = [line for line in block.splitlines() if line.startswith("#:") and line not in have]
        last = max((n for n, line in enumerate(lines) if line.startswith("#")), default=-1)
        blocks[i] = "\n".join(lines[:last + 1] + new + lines[last + 1:])
    return "\n\n".join(blocks) + "\n"


# ---------------------------------------------------------------- manifest
def manifest_19(text, overlay_data):
    text = re.sub(r'("version":\s*")18\.0\.', r"\g<1>19.0.", text)
    if overlay_data:
        # The overlay's data files load after the addon's own.
        entries = "".join(f'        "{p}",\n' for p in overlay_data)
        text = re.sub(r'("data":\s*\[\n(?:.*\n)*?)(    \],)',
                      lambda m: m[1] + "        # " + "series/19.0 (tools: series/build.py)\n"
                      + entries + m[2], text, count=1)
    return text


# ---------------------------------------------------------------- the build
def module_files(root=ROOT):
    """The checkout's files that make the module: tracked and new, not ignored."""
    proc = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                          cwd=root, capture_output=True, check=True)
    for rel in sorted(filter(None, proc.stdout.decode().split("\0"))):
        top = rel.split("/", 1)[0]
        if top.startswith(".") and top not in (".pylintrc-mandatory",) or top in NOT_MODULE:
            continue
        if (root / rel).is_file():
            yield Path(rel)


def transform(rel, text, series, categories, overlay_data=()):
    """The 19.0 text of the module file ``rel`` (a relative Path)."""
    if series == SOURCE_SERIES:
        return text
    if rel.name == "__manifest__.py":
        return manifest_19(text, overlay_data)
    if rel.suffix == ".py":
        return python_19(text)
    if rel.suffix == ".xml":
        return xml_19(text, categories)
    if rel.suffix == ".js" and "tests" in rel.parts:
        return tour_19(text)
    if rel.name == ".pylintrc-mandatory":
        return re.sub(r"valid-odoo-versions=\S+", f"valid-odoo-versions={series}",
                      text).replace("for 18.0", f"for {series}")
    return text


def build(series, dest, root=ROOT):
    """Write the module for ``series`` into dest/MODULE; returns that directory.

    Only files whose content changed are written and stale ones removed, so a build
    run while another command of the same series serves the build changes nothing
    under its feet when the source did not change."""
    target = Path(dest) / MODULE
    overlay = root / "series" / series
    files = list(module_files(root))
    overlay_files = sorted(p.relative_to(overlay) for p in overlay.rglob("*")
                           if p.is_file() and p.name != "README.md" and "__pycache__" not in p.parts)
    overlay_data = [str(p) for p in overlay_files if p.suffix in (".xml", ".csv")]
    categories = module_categories(root / rel for rel in files)
    wanted = {}
    for rel in files:
        src = root / rel
        if rel.suffix in (".py", ".xml", ".js") or rel.name == ".pylintrc-mandatory":
            wanted[rel] = transform(rel, src.read_text(), series, categories,
                                    overlay_data).encode()
        else:
            wanted[rel] = src.read_bytes()
    for rel in overlay_files:
        # A file of the source's name replaces it (compat.py), others are added; a
        # catalog (.po, .pot) of the source's name adds its terms to it.
        replaces = rel in wanted
        if replaces and rel.suffix in (".po", ".pot"):
            wanted[rel] = merge_po(wanted[rel].decode(), (overlay / rel).read_text()).encode()
            continue
        wanted[rel] = (overlay / rel).read_bytes()
        init = rel.parent / "__init__.py"
        if rel.suffix == ".py" and not replaces and rel.name != "__init__.py" and init in wanted:
            # An overlay module is imported by its package, after the addon's own.
            wanted[init] += f"from . import {rel.stem}  # series/{series}\n".encode()
    for path in sorted(target.rglob("*"), reverse=True) if target.exists() else ():
        rel = path.relative_to(target)
        if "__pycache__" in rel.parts:
            continue
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for rel, data in wanted.items():
        out = target / rel
        if out.is_file() and out.read_bytes() == data:
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return target


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("series", choices=SERIES)
    parser.add_argument("--dest", help="default: build/<series>")
    args = parser.parse_args()
    target = build(args.series, args.dest or ROOT / "build" / args.series)
    print(target)


if __name__ == "__main__":
    sys.exit(main())
