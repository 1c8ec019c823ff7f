# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common import AfterSalesFixtures, new_user

# The after-sales data of the addon that belongs to one company's tickets.
COMPANY_MODELS = (
    "helpdesk.ticket.compensation",
    "helpdesk.ticket.alert",
    "helpdesk.after.sales.improvement",
    "helpdesk.after.sales.report",
)
# What the portal shows a customer of their own ticket's after-sales record.
PORTAL_FIELDS = (
    "number",
    "service_priority",
    "stage_id",
    "satisfaction",
    "reopen_count",
    "customer_confirmation_method",
)


@tagged("post_install", "-at_install")
class TestRecordRules(AfterSalesFixtures, TransactionCase):
    """Each company sees only its own after-sales data; a portal customer sees only
    their own tickets and none of the desk's internal records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "After-sales B Ltd"})
        cls.agent = new_user(
            cls.env, "as_rules_agent_a", "agent",
            company_id=cls.company_a.id, company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.agent_b = new_user(
            cls.env, "as_rules_agent_b", "agent",
            company_id=cls.company_b.id, company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.agent_ab = new_user(
            cls.env, "as_rules_agent_ab", "agent",
            company_id=cls.company_b.id,
            company_ids=[Command.set((cls.company_a | cls.company_b).ids)],
        )
        cls.portal_user = new_user(cls.env, "as_rules_portal", "portal", "Customer Feng")
        cls.stranger = new_user(cls.env, "as_rules_stranger", "portal", "Stranger Jiang")
        cls.customer = cls.portal_user.partner_id
        cls._setup_references()
        cls.team = cls._create_team(
            "After-sales A (rules)", cls.agent | cls.agent_ab, company_id=cls.company_a.id
        )
        cls.ticket_a = cls._create_ticket(name="Kettle leaks", company_id=cls.company_a.id)
        cls.ticket_other = cls._create_ticket(
            name="Toaster burns", partner_id=cls.stranger.partner_id.id
        )
        cls.records_a = {
            "helpdesk.ticket.compensation": cls.env["helpdesk.ticket.compensation"]
            .with_user(cls.agent)
            .create(
                {
                    "ticket_id": cls.ticket_a.id,
                    "compensation_type": "voucher",
                    "amount": 30.0,
                    "reason": "Leaking kettle replaced late.",
                }
            ),
            "helpdesk.ticket.alert": cls.env["helpdesk.ticket.alert"].create(
                {
                    "ticket_id": cls.ticket_a.id,
                    "kind": "response",
                    "level": "warning",
                    "deadline": datetime(2026, 1, 5, 10, 0),
                }
            ),
            "helpdesk.after.sales.improvement": cls.env[
                "helpdesk.after.sales.improvement"
            ].create(
                {
                    "name": "Test kettles for leaks before shipping",
                    "owner_id": cls.agent.id,
                    "deadline": date(2026, 2, 1),
                    "company_id": cls.company_a.id,
                    "ticket_ids": [Command.set(cls.ticket_a.ids)],
                }
            ),
        }
        cls.env.flush_all()
        cls.records_a["helpdesk.after.sales.report"] = cls.env[
            "helpdesk.after.sales.report"
        ].search([("ticket_id", "=", cls.ticket_a.id)])
        for model, record in cls.records_a.items():
            assert len(record) == 1 and record.company_id == cls.company_a, model

    # ------------------------------------------------------------ multi-company
    def test_company_b_sees_nothing_of_company_a(self):
        for model, record in self.records_a.items():
            with self.subTest(model=model):
                as_b = self.env[model].with_user(self.agent_b)
                self.assertFalse(as_b.search([("id", "=", record.id)]))
                with self.assertRaises(AccessError):
                    as_b.browse(record.id).read(["company_id"])
        self.assertFalse(
            self.env["helpdesk.ticket"].with_user(self.agent_b).search(
                [("id", "=", self.ticket_a.id)]
            )
        )

    def test_company_a_sees_its_own(self):
        for model, record in self.records_a.items():
            with self.subTest(model=model):
                as_a = self.env[model].with_user(self.agent)
                self.assertEqual(as_a.search([("id", "=", record.id)]), record)
                self.assertEqual(as_a.browse(record.id).read(["company_id"])[0]["id"], record.id)

    def test_a_user_of_both_companies_sees_what_the_chosen_companies_allow(self):
        for model, record in self.records_a.items():
            with self.subTest(model=model):
                as_ab = self.env[model].with_user(self.agent_ab)
                only_b = as_ab.with_context(allowed_company_ids=self.company_b.ids)
                self.assertFalse(only_b.search([("id", "=", record.id)]))
                both = as_ab.with_context(
                    allowed_company_ids=(self.company_b | self.company_a).ids
                )
                self.assertEqual(both.search([("id", "=", record.id)]), record)

    # ------------------------------------------------------------ portal
    def test_portal_customer_reads_their_own_ticket_after_sales_data(self):
        ticket = self.ticket_a.with_user(self.portal_user)
        values = ticket.read(list(PORTAL_FIELDS))[0]
        self.assertEqual(values["number"], self.ticket_a.number)
        self.assertEqual(
            self.env["helpdesk.ticket"].with_user(self.portal_user).search([]), self.ticket_a
        )

    def test_portal_customer_reads_nothing_of_another_customer(self):
        other = self.ticket_other.with_user(self.portal_user)
        with self.assertRaises(AccessError):
            other.read(list(PORTAL_FIELDS))
        # The other customer, the allowed direction, reads their ticket only.
        as_stranger = self.env["helpdesk.ticket"].with_user(self.stranger)
        self.assertEqual(as_stranger.search([]), self.ticket_other)
        with self.assertRaises(AccessError):
            self.ticket_a.with_user(self.stranger).read(["number"])

    def test_portal_customer_reads_none_of_the_desk_records(self):
        """Compensations, alerts, improvement actions and the analysis are the desk's,
        even for the customer's own ticket."""
        for model, record in self.records_a.items():
            with self.subTest(model=model):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(self.portal_user).search([])
                with self.assertRaises(AccessError):
                    record.with_user(self.portal_user).read(["company_id"])
