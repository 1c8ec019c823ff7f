# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Unit tests of series/build.py's rules (standard library: python3 -m unittest
series/test_build.py; `make test` runs them for every series)."""

import importlib.util
import subprocess
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("series_build", HERE / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


class TestPython19(unittest.TestCase):
    def test_sql_constraints_become_constraints(self):
        source = (
            "from odoo import fields, models\n\n\n"
            "class A(models.Model):\n"
            '    _name = "a"\n'
            "    _sql_constraints = [\n"
            '        ("name_uniq", "unique(name)", "Twice."),\n'
            '        ("code_uniq", "unique(code, company_id)", "Code twice."),\n'
            "    ]\n"
            "    name = fields.Char()\n"
        )
        out = build.python_19(source)
        self.assertNotIn("_sql_constraints", out)
        self.assertIn('    _name_uniq = models.Constraint(\n        "unique(name)",\n'
                      '        "Twice.",\n    )\n', out)
        self.assertIn('_code_uniq = models.Constraint(\n        "unique(code, company_id)"', out)
        self.assertIn("    name = fields.Char()\n", out)
        compile(out, "a.py", "exec")

    def test_constraint_adds_models_import(self):
        source = ("from odoo.models import Model\n\n\nclass A(Model):\n"
                  '    _sql_constraints = [("x", "check(a > 0)", "Positive.")]\n')
        out = build.python_19(source)
        self.assertIn("from odoo import models\n", out)
        self.assertIn('_x = models.Constraint(\n        "check(a > 0)"', out)

    def test_api_returns_removed(self):
        source = ("from odoo import api, models\n\n\nclass A(models.Model):\n"
                  '    @api.returns(\n        "mail.message", lambda value: value.id\n    )\n'
                  "    @api.model\n    def message_post(self, **kwargs):\n"
                  "        return super().message_post(**kwargs)\n")
        out = build.python_19(source)
        self.assertNotIn("api.returns", out)
        self.assertIn("    @api.model\n    def message_post", out)

    def test_insert_batch_size_moved(self):
        out = build.python_19("from odoo import models\n\nN = models.INSERT_BATCH_SIZE * 2\n")
        self.assertIn("from odoo.orm.models import INSERT_BATCH_SIZE\n", out)
        self.assertIn("N = INSERT_BATCH_SIZE * 2", out)
        out = build.python_19("from odoo.models import INSERT_BATCH_SIZE\n")
        self.assertEqual(out, "from odoo.orm.models import INSERT_BATCH_SIZE\n")

    def test_call_kw_moved(self):
        out = build.python_19("from odoo.api import call_kw\n\nx = odoo.api.call_kw(m, 'f', [], {})\n")
        self.assertEqual(out, "from odoo.service.model import call_kw\n\n"
                              "x = odoo.service.model.call_kw(m, 'f', [], {})\n")

    def test_groups_and_users(self):
        source = (
            'managers = env.ref("x.group").users.filtered(lambda u: u.groups_id)\n'
            'users = env["res.users"].search([("groups_id", "in", group.ids)])\n'
            'user.write({"groups_id": [Command.link(g.id)]})\n'
            'group.write({"users": [Command.link(u.id)]})\n'
            "implied = group.trans_implied_ids\n"
            'label = "users"  # the string alone is left alone: res.users, users\n'
        )
        out = build.python_19(source)
        self.assertIn('env.ref("x.group").all_user_ids.filtered(lambda u: u.all_group_ids)', out)
        self.assertIn('env["res.users"].search([("all_group_ids", "in", group.ids)])', out)
        self.assertIn('user.write({"group_ids": [Command.link(g.id)]})', out)
        self.assertIn('group.write({"user_ids": [Command.link(u.id)]})', out)
        self.assertIn("implied = group.all_implied_ids", out)
        self.assertIn('label = "users"  # the string alone is left alone: res.users, users', out)

    def test_partner_mobile(self):
        out = build.python_19("a = self.partner_id.phone or self.partner_id.mobile\n"
                              "b = partner.mobile\nc = device.mobile\n")
        self.assertEqual(out, "a = self.partner_id.phone\nb = partner.phone\nc = device.mobile\n")

    def test_untouched_code_is_unchanged(self):
        source = (HERE.parent / "models" / "helpdesk_ticket" / "closing.py").read_text()
        self.assertEqual(build.python_19(source), source)


class TestXml19(unittest.TestCase):
    CATEGORIES = {"module_category_x": ("X desk", "Who does what.", "40")}

    def test_groups_hang_off_a_privilege(self):
        xml = (
            "<odoo>\n"
            '    <record id="group_a" model="res.groups">\n'
            '        <field name="name">A</field>\n'
            '        <field name="category_id" ref="module_category_x" />\n'
            '        <field name="users" eval="[Command.link(ref(\'base.user_admin\'))]" />\n'
            "    </record>\n"
            '    <record id="group_b" model="res.groups">\n'
            '        <field name="category_id" ref="module_category_x" />\n'
            "    </record>\n"
            '    <record id="ticket" model="helpdesk.ticket">\n'
            '        <field name="category_id" ref="category_x" />\n'
            "    </record>\n"
            "</odoo>\n"
        )
        out = build.xml_19(xml, self.CATEGORIES)
        self.assertEqual(out.count('model="res.groups.privilege"'), 1)
        self.assertIn('<record id="res_groups_privilege_x" model="res.groups.privilege">\n'
                      '        <field name="name">X desk</field>\n'
                      '        <field name="description">Who does what.</field>\n'
                      '        <field name="sequence">40</field>\n'
                      '        <field name="category_id" ref="module_category_x" />\n'
                      "    </record>\n"
                      '    <record id="group_a" model="res.groups">', out)
        self.assertEqual(out.count('<field name="privilege_id" ref="res_groups_privilege_x" />'), 2)
        self.assertIn('<field name="user_ids" eval=', out)
        # Other models' category_id stays.
        self.assertIn('<field name="category_id" ref="category_x" />', out)

    def test_hidden_groups_have_no_privilege(self):
        xml = (
            "<odoo>\n"
            '    <record id="group_t" model="res.groups">\n'
            '        <field name="name">T</field>\n'
            '        <field name="category_id" ref="base.module_category_hidden" />\n'
            "    </record>\n"
            "</odoo>\n"
        )
        out = build.xml_19(xml, self.CATEGORIES)
        self.assertNotIn("privilege", out)
        self.assertNotIn("category_id", out)
        self.assertIn('        <field name="name">T</field>\n    </record>', out)

    def test_group_fields_and_domains(self):
        xml = ('<field name="groups_id" eval="[Command.link(ref(\'g\'))]" />\n'
               "<field name=\"domain\">[('groups_id', 'in', [ref('g')])]</field>\n")
        out = build.xml_19(xml, {})
        self.assertIn('<field name="group_ids" eval=', out)
        self.assertIn("[('all_group_ids', 'in', [ref('g')])]", out)


class TestTour19(unittest.TestCase):
    def test_selection_steps_open_the_menu(self):
        js = ("        {\n            trigger: \".o_field_widget[name=state] select\",\n"
              "            run: \"selectByLabel Waiting\",\n        },\n")
        out = build.tour_19(js)
        self.assertIn('trigger: ".o_field_widget[name=state] .o_select_menu_toggler"', out)
        self.assertIn('trigger: ".o_select_menu_item:contains(Waiting)"', out)
        self.assertEqual(out.count("run: \"click\""), 2)
        check = 'trigger: ".modal .o_field_widget[name=reason] select:has(option:checked:contains(Quality fault))",'
        self.assertEqual(build.tour_19(check), 'trigger: ".modal .o_field_widget[name=reason] '
                         '.o_select_menu_toggler:value(Quality fault)",')
        portal = 'trigger: "form#f select[name=team]",\n run: "selectByLabel A",'
        self.assertEqual(build.tour_19(portal), portal)


class TestManifest19(unittest.TestCase):
    def test_version_and_overlay_data(self):
        text = '{\n    "version": "18.0.1.2.0",\n    "data": [\n        "a.xml",\n    ],\n}\n'
        out = build.manifest_19(text, ["views/b.xml"])
        self.assertIn('"version": "19.0.1.2.0"', out)
        self.assertIn('        "a.xml",\n        # series/19.0', out)
        self.assertIn('        "views/b.xml",\n    ],', out)


class TestBuild(unittest.TestCase):
    def test_build_of_the_checkout(self):
        """The whole addon builds, every Python file still compiles, no 18.0 idiom
        the rules know is left, and the overlay is registered."""
        with tempfile.TemporaryDirectory() as tmp:
            target = build.build("19.0", tmp)
            manifest = (target / "__manifest__.py").read_text()
            self.assertIn('"version": "19.0.', manifest)
            for rel in (HERE / "19.0").rglob("*.xml"):
                self.assertIn(str(rel.relative_to(HERE / "19.0")), manifest)
            for path in target.rglob("*.py"):
                text = path.read_text()
                compile(text, str(path), "exec")
                self.assertNotIn("_sql_constraints", text, path)
                self.assertNotIn("@api.returns", text, path)
            for path in target.rglob("*.xml"):
                text = path.read_text()
                self.assertNotIn('name="groups_id"', text, path)
            self.assertIn("from . import helpdesk_ticket_series",
                          (target / "models" / "__init__.py").read_text())
            self.assertFalse((target / "tools").exists())
            self.assertFalse((target / "series").exists())
            # Nothing the checkout's git does not know (build/, .venv*) is copied.
            tracked = subprocess.run(["git", "ls-files"], cwd=HERE.parent, capture_output=True,
                                     text=True, check=True).stdout
            self.assertIn("__manifest__.py", tracked)


class TestCatalogs(unittest.TestCase):
    SOURCE = (
        'msgid ""\nmsgstr ""\n"Project-Id-Version: Odoo 18.0\\n"\n\n'
        "#. module: a\n#: model:ir.model.fields,field_description:a.field_x__name\n"
        'msgid "Name"\nmsgstr "名称"\n\n'
        "#. module: a\n#: model:ir.model.fields,field_description:a.field_x__note\n"
        'msgid ""\n"A long "\n"note"\nmsgstr "长说明"\n'
    )

    def test_the_series_terms_are_added(self):
        addendum = (
            'msgid ""\nmsgstr ""\n"Project-Id-Version: Odoo 19.0\\n"\n\n'
            "#. module: b\n#: model:ir.model.fields,field_description:b.field_y__name\n"
            'msgid "Name"\nmsgstr "名称"\n\n'
            "#. module: b\n#: model:ir.model.fields,field_description:b.field_y__stage\n"
            'msgid "Stage"\nmsgstr "阶段"\n'
        )
        out = build.merge_po(self.SOURCE, addendum)
        self.assertEqual(out.count('msgid "Name"'), 1)
        self.assertIn("#: model:ir.model.fields,field_description:a.field_x__name\n"
                      "#: model:ir.model.fields,field_description:b.field_y__name\n"
                      'msgid "Name"', out)
        self.assertIn('#: model:ir.model.fields,field_description:b.field_y__stage\n'
                      'msgid "Stage"\nmsgstr "阶段"\n', out)
        self.assertEqual(out.count("Project-Id-Version"), 1)
        self.assertIn("Odoo 18.0", out)
        self.assertEqual(build.merge_po(self.SOURCE, ""), self.SOURCE)

    def test_another_wording_is_an_entry_of_its_own(self):
        addendum = '#: model:b.x\nmsgid ""\n"A long "\n"note"\nmsgstr "备注"\n'
        out = build.merge_po(self.SOURCE, addendum)
        self.assertTrue(out.startswith(self.SOURCE.rstrip("\n")))
        self.assertTrue(out.endswith("\n\n" + addendum))


if __name__ == "__main__":
    unittest.main()
