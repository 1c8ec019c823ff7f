# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields
from odoo.tests import freeze_time, tagged

from .common import AfterSalesCase

# Monday 5 January 2026, 09:00 UTC. A P3 ticket must respond within 1 working day
# (Tuesday 09:00) on this desk: 80 % of those 8 working hours is used on Monday at
# 16:24.
MONDAY_9AM = "2026-01-05 09:00:00"


@tagged("post_install", "-at_install")
class TestOverdueAlerts(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The seed counts 24 elapsed hours; this desk answers P3 within 1 working day
        # (the rule switched to working time, as CONFIGURE.md describes).
        cls.env.ref("helpdesk_after_sales.helpdesk_sla_p3_response").write(
            {"calendar_id": False, "days": 1, "hours": 0}
        )
    def _run_cron(self, when):
        with freeze_time(when):
            self.env["helpdesk.ticket.alert"]._cron_overdue_alerts()
        self.env.invalidate_all()

    def _alerts(self, ticket, kind="response"):
        return self.env["helpdesk.ticket.alert"].search(
            [("ticket_id", "=", ticket.id), ("kind", "=", kind)]
        )

    def _activities(self, ticket, user, kind="Response"):
        return ticket.activity_ids.filtered(
            lambda a: a.user_id == user and kind in a.summary
        )

    def test_warning_breach_and_escalation_are_raised_once(self):
        with freeze_time(MONDAY_9AM):
            ticket = self._create_ticket(user_id=self.agent.id)
        self._run_cron("2026-01-05 16:00:00")
        self.assertFalse(self._alerts(ticket), "75 % of the time used: nothing yet")

        self._run_cron("2026-01-05 16:30:00")
        self.assertEqual(self._alerts(ticket).mapped("level"), ["warning"])
        warning = self._activities(ticket, self.agent)
        self.assertEqual(len(warning), 1, "the assignee is warned")
        self.assertIn("approaching", warning.summary)

        self._run_cron("2026-01-05 16:45:00")
        self.assertEqual(len(self._activities(ticket, self.agent)), 1, "raised once")

        self._run_cron("2026-01-06 09:30:00")
        self.assertEqual(ticket.response_sla_state, "breached")
        self.assertEqual(sorted(self._alerts(ticket).mapped("level")), ["breached", "warning"])
        self.assertEqual(len(self._activities(ticket, self.supervisor)), 1)
        self.assertIn("missed", ticket.message_ids[0].body)
        notes_before = len(ticket.message_ids)

        self._run_cron("2026-01-06 10:00:00")
        self.assertEqual(len(ticket.message_ids), notes_before, "a second run adds nothing")

        self._run_cron("2026-01-06 14:00:00")  # 4 h after the breach
        self.assertIn("escalated", self._alerts(ticket).mapped("level"))
        self.assertEqual(len(self._activities(ticket, self.manager)), 1)
        self.assertIn("escalated", ticket.message_ids[0].body)
        mail = self.env["mail.mail"].search([("recipient_ids", "=", self.manager.partner_id.id)])
        self.assertEqual(len(mail), 1, "the manager is mailed once")
        self.assertIn("deadlines missed", mail.subject)
        self.assertIn(ticket.number, mail.body_html)
        activities = len(ticket.activity_ids)
        self._run_cron("2026-01-06 15:00:00")
        self.assertEqual(len(ticket.activity_ids), activities)

    def test_p1_breach_is_escalated_at_once(self):
        with freeze_time(MONDAY_9AM):
            ticket = self._create_ticket(service_priority="p1")
        self._run_cron("2026-01-05 11:05:00")  # 2 h response missed
        self.assertEqual(
            sorted(self._alerts(ticket).mapped("level")), ["breached", "escalated"]
        )
        self.assertTrue(self._activities(ticket, self.manager))

    def test_a_met_deadline_stops_alerts(self):
        with freeze_time(MONDAY_9AM):
            ticket = self._create_ticket(user_id=self.agent.id)
        self._run_cron("2026-01-05 16:30:00")
        self.assertTrue(self._alerts(ticket))
        with freeze_time("2026-01-05 16:45:00"):
            ticket.stage_id = self.stage_in_progress
        self._run_cron("2026-01-06 12:00:00")
        self.assertFalse(self._alerts(ticket), "met: the response alerts no longer apply")
        self.assertTrue(self._alerts(ticket, "update"), "the customer still waits for news")
        self.assertFalse(self._activities(ticket, self.supervisor))

    def test_customer_update_overdue_warns_the_assignee(self):
        with freeze_time(MONDAY_9AM):
            ticket = self._create_ticket(user_id=self.agent.id, service_priority="p1")
        with freeze_time("2026-01-05 09:30:00"):
            ticket.stage_id = self.stage_in_progress
        self._run_cron("2026-01-05 10:40:00")  # 80 % of the 2 h update interval
        self.assertEqual(self._alerts(ticket, "update").mapped("level"), ["warning"])
        with freeze_time("2026-01-05 10:45:00"):
            ticket.with_user(self.agent).message_post(
                body="Technician arriving at 11:30.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self._run_cron("2026-01-05 10:50:00")
        self.assertFalse(self._alerts(ticket, "update"), "the update moved the deadline")

    def _make_tickets(self, count):
        with freeze_time(MONDAY_9AM):
            return self.env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Ticket {i}",
                        "description": "<p>x</p>",
                        "team_id": self.team.id,
                        "user_id": self.agent.id,
                        "category_id": self.category_b.id,
                    }
                    for i in range(count)
                ]
            )

    def _queries_to_raise(self, tickets):
        """Queries spent raising the alerts of ``tickets`` as one batch."""
        model = self.env["helpdesk.ticket.alert"]
        candidates = [
            c for c in model._select_alert_candidates(fields.Datetime.now()) if c[0] in tickets.ids
        ]
        self.assertTrue(candidates)
        self.assertEqual({c[0] for c in candidates}, set(tickets.ids))
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        model._raise_alerts(candidates)
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_batch_query_count_does_not_grow_with_the_batch(self):
        warm_up, small, large = (self._make_tickets(n) for n in (1, 10, 200))
        # Tuesday 10:00: response breached, the customer update (24 h) too.
        with freeze_time("2026-01-06 10:00:00"):
            self._queries_to_raise(warm_up)
            queries_small = self._queries_to_raise(small)
            with self.assertQueryCount(40):
                queries_large = self._queries_to_raise(large)
        # 190 more tickets may cost a few more multi-row INSERTs (the ORM writes rows
        # in batches), never a query per ticket: a quarter of a query each at most.
        per_ticket = (queries_large - queries_small) / (len(large) - len(small))
        self.assertLess(
            per_ticket,
            0.25,
            f"{queries_small} queries for {len(small)} tickets, {queries_large} for {len(large)}",
        )
        alerts = self.env["helpdesk.ticket.alert"].search([("ticket_id", "in", large.ids)])
        self.assertEqual(alerts.ticket_id, large)
