# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import AfterSalesCase, new_user


@tagged("post_install", "-at_install")
class TestOtherTeams(AfterSalesCase):
    """The tickets of teams that are not after-sales teams (internal IT, sales
    support) work as in the plain helpdesk, for helpdesk users with or without an
    after-sales group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.it_user = new_user(cls.env, "as_test_it", "helpdesk_user")
        cls.it_team = cls._create_team(
            "Internal IT (test)", cls.it_user | cls.agent, is_after_sales=False, use_sla=True
        )

    def _it_ticket(self, user=None, **values):
        vals = {
            "name": "VPN is down, urgent",
            "description": "<p>Cannot reach the VPN.</p>",
            "team_id": self.it_team.id,
        }
        vals.update(values)
        return self.env["helpdesk.ticket"].with_user(user or self.it_user).create(vals)

    def test_the_team_decides_what_is_after_sales(self):
        self.assertTrue(self._create_ticket().is_after_sales)
        ticket = self._it_ticket()
        self.assertFalse(ticket.is_after_sales)
        self.it_team.is_after_sales = True
        self.assertTrue(ticket.is_after_sales)

    def test_helpdesk_user_creates_and_closes_without_after_sales_rules(self):
        """No category needed to leave intake, no result nor confirmation to close,
        no priority suggestion (its keywords are the desk's), stars as given."""
        for user in (self.it_user, self.agent):
            ticket = self._it_ticket(user=user, priority="0")
            self.assertEqual(ticket.priority, "0")
            self.assertFalse(ticket.suggested_service_priority)
            ticket.with_user(user).stage_id = self.stage_in_progress
            ticket.with_user(user).stage_id = self.stage_done
            self.assertTrue(ticket.closed)
            self.assertFalse(ticket.first_response_date)
            ticket.with_user(user).priority = "3"
            self.assertEqual(ticket.priority, "3")
        self.assertFalse(ticket.activity_ids, "no P1 activity for the supervisor")
        self.assertFalse(ticket.ticket_sla_ids, "the after-sales deadlines do not apply")
        self.assertFalse(ticket.next_update_deadline)

    def test_after_sales_actions_are_refused_on_other_teams(self):
        ticket = self._it_ticket(user=self.agent, partner_id=self.customer.id)
        self.assertFalse(ticket.can_request_compensation)
        self.assertFalse(ticket.can_create_repair)
        self.assertFalse(ticket.can_close)
        for action in (
            ticket.action_request_compensation,
            ticket.action_create_repair,
            ticket.action_open_return_wizard,
            ticket.action_close,
        ):
            with self.assertRaisesRegex(UserError, "not an after-sales team"):
                action()

    def test_other_teams_raise_no_alert_and_stay_out_of_the_analysis(self):
        ticket = self._it_ticket()
        self.env["helpdesk.ticket.alert"]._cron_overdue_alerts()
        self.assertFalse(
            self.env["helpdesk.ticket.alert"].search([("ticket_id", "=", ticket.id)])
        )
        self.assertFalse(
            self.env["helpdesk.after.sales.report"].search([("ticket_id", "=", ticket.id)])
        )
        self.assertTrue(
            self.env["helpdesk.after.sales.report"].search(
                [("ticket_id", "=", self._create_ticket().id)]
            )
        )

    def test_helpdesk_user_takes_a_ticket_in_the_form(self):
        with Form(self.env["helpdesk.ticket"].with_user(self.it_user)) as form:
            form.team_id = self.it_team
            form.name = "Laptop screen broken, urgent"
            form.description = "<p>Cracked.</p>"
            form.priority = "2"
        ticket = form.record
        self.assertEqual(ticket.priority, "2")
        self.assertFalse(ticket.is_after_sales)
