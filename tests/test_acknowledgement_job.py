# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from ..compat import cron_run_in_test
from .common import MODULE, AfterSalesCase


@tagged("post_install", "-at_install")
class TestAcknowledgementJob(AfterSalesCase):
    """The customers' acknowledgements are sent after the request that recorded the
    tickets, by the scheduled action the creation triggers (issues 18 and 20); the
    mails themselves are tested in test_portal_intake."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.job = cls.env.ref(f"{MODULE}.ir_cron_after_sales_acknowledgements")

    def _due(self):
        return self.env["helpdesk.ticket"].search([("acknowledgement_due", "=", True)])

    def test_scheduled_action_sends_what_was_queued(self):
        self._send_due_acknowledgements()  # the demo data's, if any
        tickets = self._create_ticket() | self._create_ticket(name="Second unit")
        self.assertEqual(self._due(), tickets)
        with cron_run_in_test(self):
            self.job.method_direct_trigger()
        self.assertFalse(self._due())
        self.assertTrue(all(tickets.mapped("acknowledgement_date")))

    def test_batches_and_the_limit_of_a_run(self):
        """A run sends at most ``limit`` in batches and reports what is left; the
        scheduler runs it again for the rest."""
        self._send_due_acknowledgements()
        tickets = self.env["helpdesk.ticket"].with_user(self.agent).create(
            [
                {
                    "name": f"Batch {index}",
                    "description": "<p>Noise.</p>",
                    "team_id": self.team.id,
                    "partner_id": self.customer.id,
                }
                for index in range(25)
            ]
        )
        Tickets = self.env["helpdesk.ticket"]
        self.assertEqual(Tickets._cron_send_acknowledgements(batch_size=10, limit=20), 20)
        self.assertEqual(self._due(), tickets[20:], "the oldest first")
        self.assertEqual(Tickets._cron_send_acknowledgements(batch_size=10, limit=20), 5)
        self.assertFalse(self._due())
        self.assertEqual(Tickets._cron_send_acknowledgements(), 0, "nothing twice")

    def test_a_ticket_without_customer_is_not_queued_and_one_losing_it_is_dropped(self):
        self._send_due_acknowledgements()
        anonymous = self._create_ticket(partner_id=False)
        self.assertFalse(anonymous.acknowledgement_due)
        lost = self._create_ticket()
        self.assertTrue(lost.acknowledgement_due)
        lost.with_user(self.agent).partner_id = False
        self.assertEqual(self._send_due_acknowledgements(), 1, "handled")
        self.assertFalse(lost.acknowledgement_due)
        self.assertFalse(lost.acknowledgement_date)

    def test_one_run_speaks_each_customers_language_from_each_teams_address(self):
        """The job renders a batch at once (one composer per sender): each customer
        still gets their own language, and each team's tickets its own address."""
        self._send_due_acknowledgements()
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env.company.email = "service@example.com"
        chinese = self.customer.copy({"name": "王先生", "lang": "zh_CN", "email": "wang@example.com"})
        english = self.customer.copy({"name": "Mr Smith", "lang": "en_US", "email": "smith@example.com"})
        alias_team = self.team.copy({"name": "After-sales (alias)"})
        alias_team.write(
            {
                "alias_name": "after-sales",
                "alias_domain_id": self.env["mail.alias.domain"].create({"name": "desk.example.com"}).id,
            }
        )
        tickets = (
            self._create_ticket(partner_id=chinese.id)
            | self._create_ticket(partner_id=english.id)
            | self._create_ticket(partner_id=chinese.id, team_id=alias_team.id)
        )
        self.assertEqual(self._send_due_acknowledgements(), 3)
        acks = [self._acknowledgements(ticket) for ticket in tickets]
        self.assertEqual([len(ack) for ack in acks], [1, 1, 1], "one each")
        self.assertIn("工单", acks[0].body)
        self.assertNotIn("工单", acks[1].body)
        self.assertIn("Your request has been received", acks[1].subject)
        self.assertIn("工单", acks[2].body)
        self.assertEqual(acks[0].partner_ids, chinese)
        self.assertEqual(acks[1].partner_ids, english)
        self.assertIn("service@example.com", acks[0].email_from)
        self.assertIn("service@example.com", acks[1].email_from)
        self.assertIn("after-sales@desk.example.com", acks[2].email_from)
        self.assertTrue(all(ack.author_id == self.env.company.partner_id for ack in acks))
