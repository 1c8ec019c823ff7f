# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import fields, http
from odoo.tests import HttpCase, tagged

from .common import MODULE, AfterSalesFixtures


# pytest-odoo skips HttpCase classes (no HTTP server there): the suite runs them with
# odoo-bin in its tour pass, hence the tour tag.
@tagged("post_install", "-at_install", "after_sales_tour")
class TestRatingRoute(AfterSalesFixtures, HttpCase):
    """The customer rates from the satisfaction mail: /rate/<token>/<rate>, then
    the feedback page posts to /rate/<token>/submit_feedback."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_desk("route", "After-sales (rating route)")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Zhao Customer", "email": "zhao@example.com"}
        )

    def _closed_ticket(self):
        return super()._closed_ticket(name="Scanner does not scan")

    def _pending_token(self, ticket):
        token = ticket.sudo().rating_ids.filtered(lambda r: not r.consumed).access_token
        self.assertTrue(token, "closing sent the satisfaction request")
        return token

    def _submit(self, token, rate, feedback):
        """The feedback form of the rating page (or of the thank-you page)."""
        self.authenticate(None, None)  # the customer, not logged in
        return self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"rate": rate, "feedback": feedback, "csrf_token": http.Request.csrf_token(self)},
        )

    def _rate(self, ticket, rate, feedback):
        token = self._pending_token(ticket)
        self.authenticate(None, None)
        page = self.url_open(f"/rate/{token}/{rate}")
        self.assertEqual(page.status_code, 200)
        response = self._submit(token, rate, feedback)
        self.assertEqual(response.status_code, 200)
        ticket.invalidate_recordset()
        return token

    def _state(self, ticket):
        self.env.cr.precommit.run()  # the tracking messages of earlier writes
        ticket.invalidate_recordset()
        ratings = ticket.sudo().rating_ids
        return {
            "stage": ticket.stage_id,
            "user": ticket.user_id,
            "reopen_count": ticket.reopen_count,
            "satisfaction": ticket.satisfaction,
            "comment": ticket.satisfaction_comment,
            "ratings": [(r.id, r.rating, r.feedback, r.consumed) for r in ratings],
            "messages": ticket.message_ids.ids,
            "activities": ticket.activity_ids.ids,
        }

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

    def test_an_old_link_does_not_reopen_the_ticket_again(self):
        """Issue 13: reopened by a bad rating, handled again and closed, the ticket
        is not reopened again by the same old link."""
        ticket = self._closed_ticket()
        old_token = self._rate(ticket, 1, "Still blank pages.")
        self.assertEqual(ticket.reopen_count, 1)
        self._record_result(ticket, user=self.supervisor)
        ticket.with_user(self.supervisor).action_close()
        self.assertTrue(ticket.closed)
        new_token = self._pending_token(ticket)
        self.assertNotEqual(new_token, old_token, "the new closing sends a new request")
        before = self._state(ticket)
        for url, data in (
            (f"/rate/{old_token}/1", None),
            (f"/rate/{old_token}/submit_feedback", {"rate": 1, "feedback": "Again!"}),
        ):
            with self.subTest(url=url):
                self.authenticate(None, None)
                if data:
                    data["csrf_token"] = http.Request.csrf_token(self)
                response = self.url_open(url, data=data)
                self.assertEqual(response.status_code, 410)
                self.assertIn("already been answered", response.text)
                self.assertEqual(self._state(ticket), before, "a spent link changes nothing")
        # The new request still works, and reopens once.
        self._rate(ticket, 1, "Jams now.")
        self.assertEqual(ticket.reopen_count, 2)
        self.assertFalse(ticket.closed)

    def test_the_thank_you_page_may_change_the_answer_once_without_reopening_twice(self):
        ticket = self._closed_ticket()
        token = self._rate(ticket, 5, "Fine.")
        self.assertTrue(ticket.closed)
        # Second thoughts on the thank-you page: the same link, same request window.
        self.assertEqual(self._submit(token, 1, "Actually it jams.").status_code, 200)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.satisfaction, "dissatisfied")
        self.assertEqual(ticket.reopen_count, 1)
        self.assertFalse(ticket.closed)
        # Corrected again while the second handling runs: recorded, no second reopening.
        self.assertEqual(self._submit(token, 1, "It jams every page.").status_code, 200)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.satisfaction_comment, "It jams every page.")
        self.assertEqual(ticket.reopen_count, 1)
        self.assertEqual(len(ticket.sudo().rating_ids), 1)

    def test_a_link_is_spent_once_its_reopened_ticket_is_closed_again(self):
        """Even when the new closing sends no new request (no rating template)."""
        ticket = self._closed_ticket()
        token = self._rate(ticket, 1, "Still blank pages.")
        self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").rating_mail_template_id = False
        self._record_result(ticket, user=self.supervisor)
        ticket.with_user(self.supervisor).action_close()
        self.assertEqual(len(ticket.sudo().rating_ids), 1, "no new request")
        before = self._state(ticket)
        response = self._submit(token, 1, "Again!")
        self.assertEqual(response.status_code, 410)
        self.assertEqual(self._state(ticket), before)

    def test_a_link_is_spent_once_the_ticket_was_reopened_otherwise(self):
        ticket = self._closed_ticket()
        token = self._rate(ticket, 5, "Fine.")
        ticket.with_user(self.agent)._record_followup("problem", note="Jams again.")
        self.assertEqual(ticket.reopen_count, 1)
        before = self._state(ticket)
        self.assertEqual(self._submit(token, 1, "Jams.").status_code, 410)
        self.assertEqual(self._state(ticket), before)

    def test_hostile_feedback_is_shown_as_text(self):
        ticket = self._closed_ticket()
        feedback = '<script>alert("x")</script><img src=x onerror="alert(1)">'
        self._rate(ticket, 1, feedback)
        self.assertEqual(ticket.satisfaction_comment, feedback, "kept as the customer typed it")
        self.assertEqual(ticket.reopen_count, 1)
        bodies = [str(m.body or "") for m in ticket.message_ids] + [
            str(a.note or "") for a in ticket.activity_ids
        ]
        quoting = [body for body in bodies if "alert" in body]
        self.assertGreaterEqual(len(quoting), 3, "rating, reopening note and activity")
        for body in quoting:
            self.assertNotIn("<script", body)
            self.assertNotIn("<img src=x", body)
            self.assertIn("&lt;script&gt;", body)
            self.assertIn("&lt;img src=x", body)
        # The customer's own messages (portal, mail): text escaped, markup sanitized.
        for body in (
            feedback,
            Markup('<p>Photo: <img src="y" onerror="alert(2)"><script>alert(3)</script></p>'),
        ):
            ticket.sudo().message_post(
                body=body,
                author_id=self.customer.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        today = fields.Date.context_today(ticket)
        wizard = self.env["helpdesk.after.sales.analysis.wizard"].create(
            {"date_from": today, "date_to": today}
        )
        report = self.env["ir.actions.report"]
        for xmlid, ids in (
            (f"{MODULE}.action_report_ticket_record", ticket.ids),
            (f"{MODULE}.action_report_after_sales_analysis", wizard.ids),
        ):
            with self.subTest(report=xmlid):
                html = report._render_qweb_html(xmlid, ids)[0].decode()
                self.assertIn("&lt;script&gt;", html)
                self.assertNotIn("<script>alert", html)
                self.assertNotIn("<img src=x", html)
                self.assertNotIn("alert(2)", html)
                self.assertNotIn("alert(3)", html)
        sheet = report._render_qweb_html(f"{MODULE}.action_report_ticket_record", ticket.ids)
        self.assertIn("Photo:", sheet[0].decode(), "the customer's messages are on the sheet")
