# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, fields
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
        cls.supervisor = new_test_user(
            cls.env,
            login="as_tour_supervisor",
            name="Tour Supervisor",
            groups=f"{MODULE}.group_after_sales_supervisor",
        )
        cls.manager = new_test_user(
            cls.env,
            login="as_tour_manager",
            name="Tour Manager",
            groups=f"{MODULE}.group_after_sales_manager",
        )
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "After-sales (tour)",
                "use_sla": True,
                "user_id": cls.supervisor.id,
                "user_ids": [Command.set((cls.agent | cls.supervisor).ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Tour Customer Wu", "email": "wu@example.com"}
        )
        cls.stage_in_progress = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")

    def _ticket(self, **values):
        vals = {
            "name": "Printer jams",
            "description": "<p>Jams on every page.</p>",
            "team_id": self.team.id,
            "partner_id": self.customer.id,
            "user_id": self.agent.id,
            "category_id": self.env.ref(f"{MODULE}.helpdesk_ticket_category_b").id,
        }
        vals.update(values)
        return self.env["helpdesk.ticket"].with_user(self.agent).create(vals)

    def _sell_and_deliver(self, product, serial):
        """A confirmed sale order of one unit, delivered with its serial today."""
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        lot = self.env["stock.lot"].create({"name": serial, "product_id": product.id})
        self.env["stock.quant"]._update_available_quantity(
            product, warehouse.lot_stock_id, 1.0, lot_id=lot
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "warehouse_id": warehouse.id,
                "order_line": [Command.create({"product_id": product.id, "price_unit": 1999})],
            }
        )
        order.action_confirm()
        order.picking_ids.move_ids.picked = True
        order.picking_ids.with_context(skip_sms=True, skip_backorder=True).button_validate()
        return order, lot

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

    def test_agent_checks_the_warranty_and_starts_a_return(self):
        printer = self.env["product.product"].create(
            {
                "name": "Label printer LP-9 (tour)",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "warranty": 12,
                "warranty_type": "month",
            }
        )
        order, lot = self._sell_and_deliver(printer, "TOUR-SN-001")
        ticket = self._ticket(
            name="Printer jams at the cutter",
            category_id=self.env.ref(f"{MODULE}.helpdesk_ticket_category_a").id,
            product_id=printer.id,
            symptoms="Jams at the cutter",
            service_priority="p1",
        )
        self.assertFalse(ticket.lot_id, "the customer reads the serial out in the tour")
        self.start_tour(
            f"/odoo/action-helpdesk_mgmt.helpdesk_ticket_action/{ticket.id}",
            "helpdesk_after_sales_return_tour",
            login=self.agent.login,
        )
        self.assertEqual(ticket.lot_id, lot)
        self.assertEqual(ticket.warranty_state, "in_warranty")
        self.assertEqual(ticket.sale_order_id, order)
        self.assertEqual(ticket.rma_ids.lot_id, lot)
        self.assertEqual(ticket.rma_ids.state, "confirmed")
        self.assertEqual(ticket.rma_ids.operation_id, self.env.ref("rma.rma_operation_refund"))

    def test_manager_approves_a_compensation(self):
        ticket = self._ticket(
            name="Casing scratched on delivery",
            category_id=self.env.ref(f"{MODULE}.helpdesk_ticket_category_c").id,
            customer_words="The casing is scratched.",
        )
        compensation = (
            self.env["helpdesk.ticket.compensation"]
            .with_user(self.agent)
            .create(
                {
                    "ticket_id": ticket.id,
                    "compensation_type": "credit_note",
                    "amount": 500.0,
                    "reason": "Casing scratched by the courier",
                }
            )
        )
        compensation.action_submit()
        self.assertEqual(compensation.approval_level, "manager")
        self.start_tour(
            "/odoo/action-helpdesk_after_sales.helpdesk_ticket_compensation_action",
            "helpdesk_after_sales_compensation_tour",
            login=self.manager.login,
        )
        compensation = compensation.sudo()  # the agent has no accounting rights
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(compensation.move_id.state, "draft")
        self.assertAlmostEqual(compensation.move_id.amount_total, 500.0)
        self.assertTrue(
            compensation.review_ids.filtered(
                lambda r: r.done_by == self.manager and r.status == "approved"
            )
        )

    def test_customer_rates_from_the_mail_link(self):
        ticket = self._ticket()
        ticket.stage_id = self.stage_in_progress
        ticket.write(
            {
                "solution": "Cleaned the cutter.",
                "result": "Prints without jams.",
                "customer_confirmation_by": self.customer.name,
                "customer_confirmation_method": "phone",
                "customer_confirmation_date": fields.Datetime.now(),
            }
        )
        ticket.with_user(self.agent).action_close()
        token = ticket.sudo().rating_ids.filtered(lambda r: not r.consumed).access_token
        self.assertTrue(token, "closing sent the satisfaction request")
        self.start_tour(f"/rate/{token}/5", "helpdesk_after_sales_rating_tour", login=None)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.satisfaction, "dissatisfied")
        self.assertEqual(ticket.satisfaction_comment, "The printer still jams every morning.")
        self.assertEqual(ticket.reopen_count, 1)
        self.assertEqual(ticket.user_id, self.supervisor, "the supervisor handles it again")
