# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, freeze_time, tagged

from .common import COMPENSATION_THRESHOLDS, MODULE, AfterSalesFixtures


@tagged("post_install", "-at_install", "after_sales_tour")
class TestAfterSalesTours(AfterSalesFixtures, HttpCase):
    """What agents, managers and customers see in the browser. Each test builds its
    own data; the tours act as the least-privileged user who does the job."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_desk("tour", "After-sales (tour)", led=False, use_sla=True)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Customer Qian", "email": "qian@example.com"}
        )

    def _deliver_purifier(self):
        """A serial-tracked purifier with a 12-month warranty, sold and delivered to
        the customer 5 days ago: a quality fault may still be returned (三包, up to
        day 7 after receipt), the warranty runs."""
        purifier = self._create_serial_product(
            "Air purifier AP-900", "AP-900", 1000.0, warranty_months=12
        )
        lot = self.env["stock.lot"].create({"name": "AP900-TOUR-1", "product_id": purifier.id})
        with freeze_time(fields.Datetime.now() - timedelta(days=5)):
            order, delivery = self._sell_and_deliver(purifier, lot, price_unit=900.0)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.move_line_ids.lot_id, lot)
        return purifier, lot, order, delivery

    # ------------------------------------------------------------ agent
    def test_dispatcher_plans_a_visit(self):
        """issue 18: the agent plans an on-site visit from the ticket's form."""
        purifier, lot, _order, _delivery = self._deliver_purifier()
        engineer = self.env["res.users"].create(
            {
                "name": "Engineer Zhao",
                "login": "as_tour_engineer",
                "groups_id": [(6, 0, [self.env.ref(f"{MODULE}.group_after_sales_technician").id])],
            }
        )
        person = self.env["fsm.person"].create({"partner_id": engineer.partner_id.id})
        self.customer.street = "12 Tour Street"
        ticket = self._create_ticket(
            name="Purifier smokes (visit)",
            category_id=self.env.ref(f"{MODULE}.helpdesk_ticket_category_a").id,
            product_id=purifier.id,
            lot_id=lot.id,
            symptoms="Smoke comes out of the back.",
        )
        self.assertEqual(ticket.warranty_state, "in_warranty")
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_after_sales_visit_tour",
            login=self.agent.login,
        )
        visit = ticket.fsm_order_ids
        self.assertEqual(len(visit), 1)
        self.assertTrue(visit.after_sales_visit)
        self.assertEqual(visit.person_id, person)
        self.assertEqual(visit.create_uid, self.agent)
        self.assertEqual(visit.after_sales_lot_id, lot)
        self.assertIn("check the fan", visit.after_sales_fault)
        self.assertTrue(visit.after_sales_under_warranty)
        self.assertEqual(visit.location_id.street, "12 Tour Street")

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

    def test_agent_records_a_quality_fault_checks_warranty_and_starts_a_return(self):
        purifier, lot, order, delivery = self._deliver_purifier()
        self.start_tour(
            "/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/new",
            "helpdesk_after_sales_return_tour",
            login=self.agent.login,
        )
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Purifier gives off smoke")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.create_uid, self.agent)
        self.assertEqual(ticket.service_priority, "p1")
        self.assertEqual(ticket.category_id, self.env.ref(f"{MODULE}.helpdesk_ticket_category_a"))
        self.assertEqual((ticket.product_id, ticket.lot_id), (purifier, lot))
        self.assertEqual(ticket.sale_order_id, order)
        self.assertEqual(ticket.picking_id, delivery)
        self.assertEqual(ticket.warranty_state, "in_warranty")
        self.assertTrue(ticket.return_window_open)
        rma = ticket.rma_ids
        self.assertEqual(len(rma), 1)
        self.assertEqual(rma.create_uid, self.agent)
        self.assertEqual((rma.product_id, rma.lot_id), (purifier, lot))
        self.assertEqual(rma.after_sales_reason, "quality")
        self.assertEqual(rma.operation_id, self.env.ref("rma.rma_operation_refund"))
        self.assertEqual(rma.state, "confirmed")
        self.assertFalse(rma.policy_exception, "within the policy: no exception")
        self.assertTrue(rma.sudo().reception_move_id, "the warehouse gets the receipt")

    # ------------------------------------------------------------ manager
    def test_manager_approves_a_pending_compensation_through_the_wizard(self):
        self.env.company.write(COMPENSATION_THRESHOLDS)
        ticket = self._create_ticket(
            name="Scratched casing on delivery (tour)",
            category_id=self.category_c.id,
            customer_words="The box was crushed and the casing is scratched.",
        )
        compensation = self._request_compensation(ticket, 500.0).with_user(self.agent)
        compensation.action_submit()
        self.assertEqual(compensation.state, "to_approve")
        self.assertEqual(compensation.approval_level, "manager")

        self.start_tour(
            f"/odoo/action-{MODULE}.helpdesk_ticket_compensation_to_review_action",
            "helpdesk_after_sales_compensation_approval_tour",
            login=self.manager.login,
        )
        compensation = compensation.sudo()
        compensation.invalidate_recordset()
        self.assertEqual(compensation.state, "approved")
        review = compensation.review_ids
        self.assertEqual(review.status, "approved")
        self.assertEqual(review.done_by, self.manager)
        self.assertEqual(review.comment, "Agreed: the customer keeps the product.")
        credit_note = self.env["account.move"].search(
            [("helpdesk_compensation_id", "=", compensation.id)]
        )
        self.assertEqual(len(credit_note), 1)
        self.assertEqual(credit_note, compensation.move_id)
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(credit_note.partner_id, self.customer)
        self.assertAlmostEqual(credit_note.amount_total, 500.0)

    # ------------------------------------------------------------ customer
    def test_customer_rates_dissatisfied_from_the_mail_link(self):
        ticket = self._closed_ticket(name="Scanner does not scan (tour)")
        self.assertTrue(ticket.closed)
        rating = ticket.sudo().rating_ids
        self.assertEqual(len(rating), 1, "closing sent the satisfaction request")
        self.assertFalse(rating.consumed)
        # The mail's "satisfied" smiley; the customer changes their mind on the page.
        self.start_tour(
            f"/rate/{rating.access_token}/5", "helpdesk_after_sales_rating_tour"
        )
        ticket.invalidate_recordset()
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.rating, 1.0)
        self.assertEqual(ticket.satisfaction, "dissatisfied")
        self.assertEqual(ticket.satisfaction_comment, "The scans are still blank.")
        self.assertFalse(ticket.closed, "a dissatisfied customer reopens the ticket")
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertEqual(ticket.reopen_count, 1)
