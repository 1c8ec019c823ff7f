# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import TransactionCase, tagged

from ..compat import GROUP_CATEGORY
from .common import MODULE, new_user


@tagged("post_install", "-at_install")
class TestSecurity(TransactionCase):
    def test_groups_imply_each_other(self):
        """Agent < Supervisor < Manager, on top of helpdesk_mgmt's groups."""
        agent = self.env.ref(f"{MODULE}.group_after_sales_agent")
        supervisor = self.env.ref(f"{MODULE}.group_after_sales_supervisor")
        manager = self.env.ref(f"{MODULE}.group_after_sales_manager")
        helpdesk_user = self.env.ref("helpdesk_mgmt.group_helpdesk_user")
        helpdesk_manager = self.env.ref("helpdesk_mgmt.group_helpdesk_manager")
        category = self.env.ref(f"{MODULE}.module_category_after_sales")
        self.assertEqual((agent | supervisor | manager).mapped(GROUP_CATEGORY), category)
        self.assertIn(helpdesk_user, agent.implied_ids)
        self.assertIn(agent, supervisor.implied_ids)
        self.assertIn(supervisor, manager.implied_ids)
        self.assertIn(helpdesk_manager, manager.implied_ids)
        self.assertNotIn(supervisor, agent.trans_implied_ids)
        self.assertNotIn(manager, supervisor.trans_implied_ids)

    def test_users_get_implied_groups(self):
        user = new_user(self.env, "as_sec_manager", "manager")
        for xmlid in (
            f"{MODULE}.group_after_sales_agent",
            f"{MODULE}.group_after_sales_supervisor",
            "helpdesk_mgmt.group_helpdesk_user",
            "helpdesk_mgmt.group_helpdesk_manager",
        ):
            self.assertTrue(user.has_group(xmlid), xmlid)
        agent = new_user(self.env, "as_sec_agent", "agent")
        self.assertTrue(agent.has_group("helpdesk_mgmt.group_helpdesk_user"))
        self.assertFalse(agent.has_group(f"{MODULE}.group_after_sales_supervisor"))
        self.assertFalse(agent.has_group("helpdesk_mgmt.group_helpdesk_manager"))

    def test_every_model_of_the_addon_has_access_rules(self):
        """Walk the registry: each model (wizards included) this addon defines is
        covered by at least one access rule, so a new model cannot slip through."""
        own_models = self.env["ir.model"].search([]).filtered(
            lambda m: MODULE in m.modules.split(", ")
            and not self.env[m.model]._abstract
            and self.env[m.model]._original_module == MODULE
        )
        access = self.env["ir.model.access"].search([("model_id", "in", own_models.ids)])
        missing = own_models - access.model_id
        self.assertFalse(
            missing, f"models without access rules: {', '.join(missing.mapped('model'))}"
        )
        # Each rule names a group: no model is left open to every user.
        self.assertFalse(access.filtered(lambda a: not a.group_id))
