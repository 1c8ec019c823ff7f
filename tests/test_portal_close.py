# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, http
from odoo.tests import HttpCase, tagged

from .common import AfterSalesFixtures, new_user

CLOSE_FIELDS = (
    "stage_id",
    "closed_date",
    "customer_confirmation_by",
    "customer_confirmation_method",
    "customer_confirmation_date",
)


# pytest-odoo skips HttpCase classes (no HTTP server there): the suite runs them with
# odoo-bin in its tour pass, hence the tour tag.
@tagged("post_install", "-at_install", "after_sales_tour")
class TestPortalClose(AfterSalesFixtures, HttpCase):
    """helpdesk_mgmt's portal buttons (/ticket/close): a POST with the session's CSRF
    token, by the ticket's customer, only as solved, through the closing rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_desk("portal", "After-sales (portal)", led=False, show_in_portal=True)
        cls.company_partner = cls.env["res.partner"].create(
            {"name": "Qian Trading", "is_company": True}
        )
        cls.customer = new_user(cls.env, "as_portal_customer", "portal", "Customer Qian")
        cls.colleague = new_user(cls.env, "as_portal_colleague", "portal", "Colleague Qian")
        (cls.customer | cls.colleague).partner_id.parent_id = cls.company_partner
        cls.stranger = new_user(cls.env, "as_portal_stranger", "portal", "Stranger Sun")

    def _ticket(self, **values):
        vals = {
            "name": "Scanner feeds two sheets",
            "description": "<p>Double feed.</p>",
            "partner_id": self.customer.partner_id.id,
            "user_id": self.agent.id,
            "stage_id": self.stage_in_progress.id,
        }
        vals.update(values)
        return self._create_ticket(**vals)

    def _solved_ticket(self):
        return self._ticket(solution="Cleaned the separation pad.", result="Single feed again.")

    def _snapshot(self, ticket):
        ticket.invalidate_recordset()
        return {
            "fields": {name: ticket[name] for name in CLOSE_FIELDS},
            "messages": ticket.message_ids.ids,
        }

    def _close(self, ticket, login, stage=None, csrf=True, method="POST"):
        """The customer's close button, as ``login`` (None: not logged in)."""
        self.authenticate(login, login)
        data = {"ticket_id": ticket.id, "stage_id": (stage or self.stage_done).id}
        if method == "GET":
            query = "&".join(f"{key}={value}" for key, value in data.items())
            return self.url_open(f"/ticket/close?{query}", allow_redirects=False)
        if csrf is True:
            data["csrf_token"] = http.Request.csrf_token(self)
        elif csrf:
            data["csrf_token"] = csrf
        return self.url_open("/ticket/close", data=data, allow_redirects=False)

    def _attempt(self, ticket, statuses, login, **kwargs):
        """Try to close ``ticket``; assert the refusal and that nothing changed."""
        before = self._snapshot(ticket)
        response = self._close(ticket, login, **kwargs)
        self.assertIn(response.status_code, statuses, response.text[:500])
        self.assertEqual(self._snapshot(ticket), before, "a refused close changes nothing")
        return response

    # ------------------------------------------------------------ the customer
    def test_customer_confirms_the_recorded_result_from_the_portal(self):
        ticket = self._solved_ticket()
        page = self.url_open(f"/my/ticket/{ticket.id}")  # anonymous: redirected to login
        self.authenticate("as_portal_customer", "as_portal_customer")
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertIn('action="/ticket/close"', page.text, "the close buttons are offered")
        self.assertIn('method="POST"', page.text)
        self.assertIn('name="csrf_token"', page.text)
        self.assertIn(f'value="{self.stage_done.id}"', page.text)
        self.assertNotIn(f'value="{self.stage_cancelled.id}"', page.text, "no Cancel button")
        response = self._close(ticket, "as_portal_customer")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response.headers["Location"].endswith(f"/my/ticket/{ticket.id}"))
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertEqual(ticket.customer_confirmation_method, "portal")
        self.assertEqual(ticket.customer_confirmation_by, "Customer Qian")
        self.assertTrue(ticket.customer_confirmation_date)
        note = ticket.message_ids.filtered(
            lambda m: "closed the ticket from the portal" in (m.body or "")
        )
        self.assertEqual(note.author_id, self.customer.partner_id)

    def test_a_colleague_of_the_customer_company_closes_by_default(self):
        ticket = self._solved_ticket()
        self.assertEqual(self.env.company.after_sales_portal_close_scope, "commercial")
        response = self._close(ticket, "as_portal_colleague")
        self.assertEqual(response.status_code, 302)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertEqual(ticket.customer_confirmation_by, "Colleague Qian")

    def test_partner_only_setting_refuses_the_colleague(self):
        self.env.company.after_sales_portal_close_scope = "partner"
        ticket = self._solved_ticket()
        self.authenticate("as_portal_colleague", "as_portal_colleague")
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(page.status_code, 200, "the colleague still reads the ticket")
        self.assertNotIn('action="/ticket/close"', page.text, "but has no close button")
        self._attempt(ticket, (403,), "as_portal_colleague")
        # The customer still closes.
        self.assertEqual(self._close(ticket, "as_portal_customer").status_code, 302)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_done)

    # ------------------------------------------------------------ refusals
    def test_without_a_recorded_result_the_ticket_stays_open(self):
        ticket = self._ticket()
        self.authenticate("as_portal_customer", "as_portal_customer")
        page = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertNotIn(f'value="{self.stage_done.id}"', page.text, "no Done button yet")
        with self.assertLogs("odoo.http", level="WARNING"):
            self._attempt(ticket, range(400, 500), "as_portal_customer")
        self.assertEqual(ticket.stage_id, self.stage_in_progress)

    def test_a_get_is_refused(self):
        ticket = self._solved_ticket()
        self._attempt(ticket, (405,), "as_portal_customer", method="GET")
        self.assertEqual(ticket.stage_id, self.stage_in_progress)

    def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(self):
        ticket = self._solved_ticket()
        for csrf in (False, "0123456789abcdef0123456789abcdef01234567o9999999999"):
            with self.subTest(csrf=csrf), self.assertLogs("odoo.http", level="WARNING"):
                self._attempt(ticket, (400,), "as_portal_customer", csrf=csrf)
        self.assertEqual(ticket.stage_id, self.stage_in_progress)

    def test_another_customer_cannot_close_the_ticket(self):
        ticket = self._solved_ticket()
        self._attempt(ticket, (403, 404), "as_portal_stranger")
        self.assertEqual(ticket.stage_id, self.stage_in_progress)

    def test_an_internal_user_who_reads_the_ticket_is_not_the_customer(self):
        ticket = self._solved_ticket()
        self.assertTrue(ticket.with_user(self.agent).has_access("read"))
        self._attempt(ticket, (403,), "as_portal_agent")
        self.assertEqual(ticket.stage_id, self.stage_in_progress)

    def test_anonymous_visitor_is_sent_to_the_login(self):
        ticket = self._solved_ticket()
        response = self._attempt(ticket, (303,), None, csrf=False)
        self.assertIn("/web/login", response.headers["Location"])

    def test_cancelled_rejected_and_unknown_stages_are_refused(self):
        ticket = self._solved_ticket()
        other_team_done = self.env["helpdesk.ticket.stage"].create(
            {
                "name": "Solved (other team)",
                "closed": True,
                "close_from_portal": True,
                "after_sales_resolved": True,
                "team_ids": [Command.set(self.env["helpdesk.ticket.team"].create(
                    {"name": "Other desk"}
                ).ids)],
            }
        )
        self.assertTrue(self.stage_cancelled.close_from_portal, "helpdesk_mgmt offers it")
        stages = (self.stage_cancelled, self.stage_rejected, other_team_done, self.stage_in_progress)
        for stage in stages:
            with self.subTest(stage=stage.name), self.assertLogs("odoo.http", level="WARNING"):
                self._attempt(ticket, range(400, 500), "as_portal_customer", stage=stage)
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        missing = self.env["helpdesk.ticket.stage"].search([], order="id desc", limit=1).id + 1
        self.authenticate("as_portal_customer", "as_portal_customer")
        with self.assertLogs("odoo.http", level="WARNING"):
            response = self.url_open(
                "/ticket/close",
                data={
                    "ticket_id": ticket.id,
                    "stage_id": missing,
                    "csrf_token": http.Request.csrf_token(self),
                },
            )
        self.assertNotEqual(response.status_code, 200)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_in_progress)

    def test_a_closed_ticket_is_not_closed_again(self):
        ticket = self._solved_ticket()
        self.assertEqual(self._close(ticket, "as_portal_customer").status_code, 302)
        with self.assertLogs("odoo.http", level="WARNING"):
            self._attempt(ticket, range(400, 500), "as_portal_customer")

    def test_a_missing_ticket_is_not_found(self):
        ticket = self._solved_ticket()
        missing = self.env["helpdesk.ticket"].search([], order="id desc", limit=1).id + 1
        self.authenticate("as_portal_customer", "as_portal_customer")
        response = self.url_open(
            "/ticket/close",
            data={
                "ticket_id": missing,
                "stage_id": self.stage_done.id,
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 404)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
