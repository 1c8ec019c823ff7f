# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import MODULE, new_after_sales_users


# Runs in the odoo-bin pass of the suite (HttpCase), hence the tour tag.
@tagged("post_install", "-at_install", "after_sales_tour")
class TestPortalClose(HttpCase):
    """helpdesk_mgmt's portal buttons (/ticket/close) go through the closing rules and
    only close the customer's own tickets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent, _supervisor, _manager = new_after_sales_users(cls.env, "portal")
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "After-sales (portal)",
                "is_after_sales": True,
                "show_in_portal": True,
                "user_ids": [Command.set(cls.agent.ids)],
            }
        )
        cls.customer = new_test_user(
            cls.env, login="as_portal_customer", name="Customer Qian", groups="base.group_portal"
        )
        cls.stranger = new_test_user(
            cls.env, login="as_portal_stranger", name="Stranger Sun", groups="base.group_portal"
        )
        cls.done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.in_progress = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")

    def _ticket(self, **values):
        vals = {
            "name": "Scanner feeds two sheets",
            "description": "<p>Double feed.</p>",
            "team_id": self.team.id,
            "partner_id": self.customer.partner_id.id,
            "user_id": self.agent.id,
            "category_id": self.env.ref(f"{MODULE}.helpdesk_ticket_category_b").id,
            "stage_id": self.in_progress.id,
        }
        vals.update(values)
        return self.env["helpdesk.ticket"].with_user(self.agent).create(vals)

    def _close(self, ticket, login):
        self.authenticate(login, login)
        return self.url_open(f"/ticket/close?ticket_id={ticket.id}&stage_id={self.done.id}")

    def test_customer_confirms_the_recorded_result_from_the_portal(self):
        ticket = self._ticket(solution="Cleaned the separation pad.", result="Single feed again.")
        page = self.url_open(f"/my/ticket/{ticket.id}")  # anonymous: redirected to login
        self.authenticate("as_portal_customer", "as_portal_customer")
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertIn('action="/ticket/close"', page.text, "the close buttons are offered")
        response = self._close(ticket, "as_portal_customer")
        self.assertEqual(response.status_code, 200)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.done)
        self.assertEqual(ticket.customer_confirmation_method, "portal")
        self.assertEqual(ticket.customer_confirmation_by, "Customer Qian")
        self.assertTrue(ticket.customer_confirmation_date)
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "closed the ticket from the portal" in m.body)
        )

    def test_without_a_recorded_result_the_ticket_stays_open(self):
        ticket = self._ticket()
        self.authenticate("as_portal_customer", "as_portal_customer")
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertNotIn(f'value="{self.done.id}"', page.text, "no Done button yet")
        with self.assertLogs("odoo.http", level="WARNING"):
            response = self._close(ticket, "as_portal_customer")
        self.assertNotEqual(response.status_code, 200)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.in_progress)

    def test_another_customer_cannot_close_the_ticket(self):
        ticket = self._ticket(solution="Cleaned the separation pad.", result="Single feed again.")
        response = self._close(ticket, "as_portal_stranger")
        self.assertEqual(response.status_code, 403)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.in_progress)
