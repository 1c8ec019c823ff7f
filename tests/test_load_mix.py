# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The agent's requests of ``make load`` (tools/locustfile.py, issue 20), as the web
client sends them: their queries are bounded and do not grow with the tickets."""
from odoo.tests import tagged

from .common import AfterSalesCase

# What the web client's list and form of tickets ask for, as tools/locustfile.py.
LIST_SPEC = {
    "number": {},
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "team_id": {"fields": {"display_name": {}}},
    "stage_id": {"fields": {"display_name": {}}},
    "priority": {},
    "create_date": {},
}
FORM_SPEC = dict(LIST_SPEC, description={}, category_id={"fields": {"display_name": {}}})
OPEN_TICKETS = [("stage_id.closed", "=", False)]


@tagged("post_install", "-at_install", "is_query_count")
class TestLoadMixQueries(AfterSalesCase):
    """Each request starts with an empty cache, as a new HTTP request does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Tickets = cls.env["helpdesk.ticket"].with_user(cls.agent)
        cls._add_tickets(5)

    @classmethod
    def _add_tickets(cls, count):
        cls.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Load ticket {index}",
                    "description": "<p>The unit makes a noise.</p>",
                    "team_id": cls.team.id,
                    "partner_id": cls.customer.id,
                    "user_id": cls.agent.id,
                }
                for index in range(count)
            ]
        )

    def _list(self):
        self.env.invalidate_all()
        # The team's, as the demo data has open tickets of other teams.
        return self.Tickets.web_search_read(
            OPEN_TICKETS + [("team_id", "=", self.team.id)], LIST_SPEC, limit=80,
            order="id desc",
        )

    def _queries(self, func):
        self.env.flush_all()  # what creating tickets left to compute: not the list's
        before = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_list_open_tickets(self):
        self._list()  # the registry's caches, as in a worker that already served
        with self.assertQueryCount(7):
            result = self._list()
        self.assertEqual(len(result["records"]), 5)
        few = self._queries(self._list)
        self._add_tickets(40)
        many = self._queries(self._list)
        self.assertEqual(many, few, "listing 45 tickets costs what listing 5 costs")
        self.assertEqual(self._list()["length"], 45)

    def test_open_and_update_ticket(self):
        ticket = self.Tickets.search([("team_id", "=", self.team.id)], limit=1)
        ticket.web_read(FORM_SPEC)
        self.env.invalidate_all()
        with self.assertQueryCount(4):
            values = ticket.web_read(FORM_SPEC)
        self.assertEqual(values[0]["team_id"]["id"], self.team.id)
        ticket.web_save({"description": "<p>Checked by phone, call 1.</p>"}, FORM_SPEC)
        self.env.invalidate_all()
        with self.assertQueryCount(7):
            ticket.web_save({"description": "<p>Checked by phone, call 2.</p>"}, FORM_SPEC)
        self.assertIn("call 2", ticket.description)

    def test_log_note(self):
        ticket = self.Tickets.search([("team_id", "=", self.team.id)], limit=1)
        ticket.message_post(
            body="Called the customer back.", message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.env.invalidate_all()
        with self.assertQueryCount(14):
            message = ticket.message_post(
                body="Called the customer back.", message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertTrue(message.subtype_id.internal)

    def test_create_ticket(self):
        """Recording a ticket queues the customer's acknowledgement: the mail is
        rendered and posted after the request, by the job the create triggers. The
        SLA lines read their stages and calendars once."""
        vals = {
            "name": "No power after update",
            "description": "<p>The unit does not start since the update.</p>",
            "partner_id": self.customer.id,
            "team_id": self.team.id,
        }
        self.Tickets.web_save(vals, {"number": {}})
        self.env.invalidate_all()
        with self.assertQueryCount(40):
            result = self.Tickets.web_save(vals, {"number": {}})
        ticket = self.Tickets.browse(result[0]["id"])
        self.assertTrue(ticket.acknowledgement_due)
        self.assertFalse(ticket.acknowledgement_date)
        self._send_due_acknowledgements()
        self.assertTrue(ticket.acknowledgement_date)
        self.assertIn(
            ticket.number, ticket.message_ids.filtered("subject").mapped("subject")[0]
        )
