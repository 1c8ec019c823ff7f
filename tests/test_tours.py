# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

MODULE = "helpdesk_after_sales"


@tagged("post_install", "-at_install", "after_sales_tour")
class TestAfterSalesTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_test_user(
            cls.env,
            login="as_tour_agent",
            name="Tour Agent",
            groups=f"{MODULE}.group_after_sales_agent",
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "After-sales (tour)",
                "use_sla": True,
                "user_ids": [Command.set(cls.agent.ids)],
            }
        )

    def test_agent_records_an_urgent_ticket(self):
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/new",
            "helpdesk_after_sales_intake_tour",
            login=self.agent.login,
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Production stop on line 3")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.service_priority, "p1")
        self.assertEqual(ticket.priority, "3")
        self.assertEqual(ticket.create_uid, self.agent)
        self.assertEqual(ticket.response_sla_state, "running")
