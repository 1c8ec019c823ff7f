# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from lxml import etree

from odoo.api import call_kw
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, TransactionCase, tagged

from .common import new_after_sales_users, new_user

POLICY_VIEW = "helpdesk_after_sales.res_company_view_form_after_sales_policy"


@tagged("post_install", "-at_install")
class TestPolicyForm(TransactionCase):
    """After-sales managers set the after-sales policy without Administration rights,
    and nothing else of the company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent, cls.supervisor, cls.manager = new_after_sales_users(cls.env, "policy")
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})

    def test_manager_edits_the_policy_in_its_form(self):
        action = self.env["res.company"].with_user(self.manager).action_open_after_sales_policy()
        self.assertEqual(action["res_id"], self.company.id)
        view = self.env.ref(POLICY_VIEW)
        with Form(self.company.with_user(self.manager), view=view) as policy:
            policy.after_sales_return_days = 10
            policy.after_sales_escalation_hours = 6
        self.assertEqual(self.company.after_sales_return_days, 10)
        self.assertEqual(self.company.after_sales_escalation_hours, 6)

    def test_the_constraints_still_hold_for_the_manager(self):
        with self.assertRaises(ValidationError):
            self.company.with_user(self.manager).write({"after_sales_followup_days": 9})

    def test_the_form_shows_every_policy_field(self):
        arch = etree.fromstring(
            self.env["res.company"].get_view(self.env.ref(POLICY_VIEW).id, "form")["arch"]
        )
        shown = {node.get("name") for node in arch.iter("field")}
        missing = self.env["res.company"]._get_after_sales_policy_fields() - shown
        self.assertFalse(missing, "Policy fields missing from the policy form")

    def test_agents_and_supervisors_cannot_change_the_policy(self):
        for user in (self.agent, self.supervisor):
            with self.assertRaises(AccessError):
                self.company.with_user(user).write({"after_sales_return_days": 30})
            with self.assertRaises(AccessError):
                self.env["res.company"].with_user(user).action_open_after_sales_policy()
        self.assertEqual(self.company.after_sales_return_days, 7)

    def test_the_manager_writes_nothing_else_of_the_company(self):
        company = self.company.with_user(self.manager)
        for vals in (
            {"name": "Hijacked"},
            {"after_sales_return_days": 30, "email": "evil@example.com"},
        ):
            with self.assertRaises(AccessError):
                call_kw(company.env["res.company"], "write", [company.ids, vals], {})
        self.assertEqual(self.company.after_sales_return_days, 7)
        self.assertNotEqual(self.company.name, "Hijacked")

    def test_only_the_managers_own_companies(self):
        self.assertNotIn(self.other_company, self.manager.company_ids)
        other = self.other_company.with_user(self.manager)
        with self.assertRaises(AccessError):
            other.write({"after_sales_return_days": 30})
        self.assertEqual(self.other_company.after_sales_return_days, 7)

    def test_a_plain_user_changes_nothing(self):
        user = new_user(self.env, "policy_internal", "internal")
        with self.assertRaises(AccessError):
            self.company.with_user(user).write({"after_sales_return_days": 30})
