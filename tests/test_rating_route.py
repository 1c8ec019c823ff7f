# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, http
from odoo.tests import HttpCase, tagged

from .common import MODULE, AfterSalesTicketMixin, new_after_sales_users


# Runs in the odoo-bin pass of the suite (HttpCase), hence the tour tag.
@tagged("post_install", "-at_install", "after_sales_tour")
class TestRatingRoute(AfterSalesTicketMixin, HttpCase):
    """The customer rates from the satisfaction mail: /rate/<token>/<rate>, then
    the feedback page posts to /rate/<token>/submit_feedback."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent, cls.supervisor, _manager = new_after_sales_users(cls.env, "route")
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "After-sales (rating route)",
                "is_after_sales": True,
                "user_id": cls.supervisor.id,
                "user_ids": [Command.set((cls.agent | cls.supervisor).ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Zhao Customer", "email": "zhao@example.com"}
        )
        cls.category_b = cls.env.ref(f"{MODULE}.helpdesk_ticket_category_b")
        cls.stage_in_progress = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")

    def _closed_ticket(self):
        ticket = self._create_ticket(name="Scanner does not scan", user_id=self.agent.id)
        ticket.stage_id = self.stage_in_progress
        self._record_result(ticket)
        ticket.action_close()
        return ticket

    def _rate(self, ticket, rate, feedback):
        token = ticket.sudo().rating_ids.filtered(lambda r: not r.consumed).access_token
        self.assertTrue(token, "closing sent the satisfaction request")
        self.authenticate(None, None)  # the customer, not logged in
        page = self.url_open(f"/rate/{token}/{rate}")
        self.assertEqual(page.status_code, 200)
        response = self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"rate": rate, "feedback": feedback, "csrf_token": http.Request.csrf_token(self)},
        )
        self.assertEqual(response.status_code, 200)
        ticket.invalidate_recordset()

    def test_dissatisfied_rating_reopens_and_assigns_the_supervisor(self):
        ticket = self._closed_ticket()
        self._rate(ticket, 1, "Still blank pages.")
        self.assertEqual(ticket.satisfaction, "dissatisfied")
        self.assertEqual(ticket.satisfaction_comment, "Still blank pages.")
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertFalse(ticket.closed_date)
        self.assertEqual(ticket.user_id, self.supervisor)
        self.assertEqual(ticket.reopen_count, 1)
        self.assertTrue(
            ticket.activity_ids.filtered(lambda a: a.user_id == self.supervisor),
            "the supervisor has the second handling in their activities",
        )
        self.assertTrue(
            ticket.message_ids.filtered(
                lambda m: "Reopened" in (m.body or "") and "Still blank pages." in m.body
            )
        )

    def test_satisfied_rating_does_not_reopen(self):
        ticket = self._closed_ticket()
        self._rate(ticket, 5, "Perfect.")
        self.assertEqual(ticket.satisfaction, "satisfied")
        self.assertTrue(ticket.closed)
        self.assertEqual(ticket.user_id, self.agent)
        self.assertEqual(ticket.reopen_count, 0)
