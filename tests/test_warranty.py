# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from .common import MODULE, AfterSalesCase


@tagged("post_install", "-at_install")
class TestWarranty(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.printer = cls.env["product.product"].create(
            {
                "name": "Smart Printer (test)",
                "default_code": "SP-T1",
                "type": "consu",
                "is_storable": True,
                "tracking": "serial",
                "list_price": 2000,
                "warranty": 12,
                "warranty_type": "month",
            }
        )
        cls.lot = cls.env["stock.lot"].create({"name": "SN-W-001", "product_id": cls.printer.id})
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )

    @classmethod
    def _sell_and_deliver(cls, product, lot=None, partner=None):
        """A confirmed sale delivered today (frozen) to the customer."""
        partner = partner or cls.customer
        cls.env["stock.quant"]._update_available_quantity(
            product, cls.warehouse.lot_stock_id, 1, lot_id=lot
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.picked = True
        picking.with_context(skip_sms=True, skip_backorder=True).button_validate()
        return order, picking

    def _fault_ticket(self, **values):
        vals = {
            "category_id": self.category_a.id,
            "product_id": self.printer.id,
            "lot_id": self.lot.id,
            "symptoms": "Paper jam",
        }
        vals.update(values)
        return self._create_ticket(**vals)

    # ------------------------------------------------------------ purchase
    def test_check_finds_the_sale_and_delivery_of_the_serial(self):
        with freeze_time("2026-01-10 10:00:00"):
            order, picking = self._sell_and_deliver(self.printer, self.lot)
        with freeze_time("2026-06-01 10:00:00"):
            ticket = self._fault_ticket()
        self.assertEqual(ticket.sale_order_id, order)
        self.assertEqual(ticket.picking_id, picking)
        self.assertEqual(ticket.purchase_date, date(2026, 1, 10))
        self.assertEqual(ticket.delivery_date, date(2026, 1, 10))
        self.assertEqual(ticket.purchase_date_source, "delivery")
        self.assertEqual(ticket.warranty_state, "in_warranty")
        self.assertEqual(ticket.warranty_end_date, date(2027, 1, 10))
        self.assertEqual((ticket.warranty_length, ticket.warranty_length_unit), (12, "month"))
        self.assertEqual(ticket.recommended_resolution, "free_repair")

    def test_check_without_serial_uses_the_customers_sale_line(self):
        router = self.env["product.product"].create(
            {"name": "Router (test)", "type": "consu", "is_storable": True, "warranty": 2, "warranty_type": "year"}
        )
        with freeze_time("2026-02-01 10:00:00"):
            order, _picking = self._sell_and_deliver(router)
        with freeze_time("2026-03-01 10:00:00"):
            ticket = self._create_ticket(category_id=self.category_d.id, product_id=router.id)
        self.assertEqual(ticket.sale_order_id, order)
        self.assertEqual(ticket.warranty_end_date, date(2028, 2, 1))

    def test_another_customers_serial_is_not_their_purchase(self):
        stranger = self.env["res.partner"].create({"name": "Stranger"})
        with freeze_time("2026-01-10 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot, partner=stranger)
        ticket = self._fault_ticket()
        self.assertFalse(ticket.sale_order_id)
        self.assertEqual(ticket.warranty_state, "unknown")

    def test_unknown_until_the_agent_enters_a_purchase_date(self):
        with freeze_time("2026-06-01 10:00:00"):
            ticket = self._fault_ticket()
            self.assertEqual(ticket.warranty_state, "unknown")
            self.assertFalse(ticket.warranty_end_date)
            ticket.with_user(self.agent).write(
                {"purchase_date": date(2025, 5, 1), "delivery_date": date(2025, 5, 3)}
            )
        self.assertEqual(ticket.purchase_date_source, "manual")
        self.assertEqual(ticket.warranty_state, "out_of_warranty")
        self.assertEqual(ticket.warranty_end_date, date(2026, 5, 1))
        self.assertEqual(ticket.recommended_resolution, "paid_repair")

    # ------------------------------------------------------------ boundaries
    def test_last_day_of_warranty(self):
        with freeze_time("2025-06-15 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
        with freeze_time("2026-06-15 10:00:00"):
            ticket = self._fault_ticket()
            self.assertEqual(ticket.warranty_state, "in_warranty", "the last day still counts")
        with freeze_time("2026-06-16 10:00:00"):
            ticket.action_check_warranty()
            self.assertEqual(ticket.warranty_state, "out_of_warranty")

    def test_return_and_exchange_windows(self):
        with freeze_time("2026-03-01 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
            ticket = self._fault_ticket(category_id=self.category_d.id)
        self.assertEqual(ticket.return_window_end, date(2026, 3, 8))
        self.assertEqual(ticket.exchange_window_end, date(2026, 3, 16))
        with freeze_time("2026-03-08 23:00:00"):
            ticket.invalidate_recordset(["return_window_open", "exchange_window_open"])
            self.assertTrue(ticket.return_window_open, "7th day after receipt: still open")
            self.assertEqual(ticket.recommended_resolution, "return")
        with freeze_time("2026-03-09 09:00:00"):
            ticket.invalidate_recordset()
            self.assertFalse(ticket.return_window_open)
            self.assertTrue(ticket.exchange_window_open)
            self.assertIn("return window closed 1 days ago", ticket.windows_explanation)
            self.assertEqual(ticket.recommended_resolution, "exchange")
        with freeze_time("2026-03-16 12:00:00"):
            ticket.invalidate_recordset()
            self.assertTrue(ticket.exchange_window_open)
        with freeze_time("2026-03-17 12:00:00"):
            ticket.invalidate_recordset()
            self.assertFalse(ticket.exchange_window_open)
            self.assertEqual(ticket.recommended_resolution, "free_repair")

    def test_windows_follow_the_company_settings(self):
        self.env.company.write({"after_sales_return_days": 10, "after_sales_exchange_days": 30})
        ticket = self._fault_ticket()
        ticket.delivery_date = date(2026, 3, 1)
        self.assertEqual(ticket.return_window_end, date(2026, 3, 11))
        self.assertEqual(ticket.exchange_window_end, date(2026, 3, 31))

    # ------------------------------------------------------------ fallbacks
    def test_warranty_length_falls_back_to_category_then_company(self):
        category = self.env["product.category"].create(
            {"name": "Printers (test)", "after_sales_warranty": 6, "after_sales_warranty_type": "month"}
        )
        bare = self.env["product.product"].create(
            {"name": "No-warranty printer", "type": "consu", "categ_id": category.id}
        )
        ticket = self._create_ticket(product_id=bare.id, purchase_date=date(2026, 1, 1))
        self.assertEqual(ticket.warranty_end_date, date(2026, 7, 1))
        category.after_sales_warranty = 0
        self.env.company.write({"after_sales_warranty": 2, "after_sales_warranty_type": "year"})
        ticket.action_check_warranty()
        self.assertEqual(ticket.warranty_end_date, date(2028, 1, 1))
        self.assertEqual(ticket.warranty_length_unit, "year")

    # ------------------------------------------------------------ 三包
    def test_two_failed_repairs_open_exchange_whatever_the_windows(self):
        with freeze_time("2025-09-01 10:00:00"):
            _order, picking = self._sell_and_deliver(self.printer, self.lot)
        self.assertEqual(picking.date_done.date(), date(2025, 9, 1))
        for month in (10, 11):
            with freeze_time(f"2025-{month}-01 10:00:00"):
                earlier = self._fault_ticket()
                self.assertEqual(earlier.warranty_state, "in_warranty")
                earlier.with_user(self.agent).action_create_repair()
                repair = earlier.sudo().repair_ids  # the workshop repairs it
                repair.action_repair_start()
            with freeze_time(f"2025-{month}-11 10:00:00"):
                repair.action_repair_end()
            self.assertEqual(repair.state, "done")
            self.assertTrue(repair.under_warranty)
            self.assertEqual(repair.helpdesk_ticket_id.category_code, "A")
        with freeze_time("2026-01-05 10:00:00"):
            ticket = self._fault_ticket()
        self.assertTrue(ticket.repeated_repair_failure)
        self.assertFalse(ticket.exchange_window_open)
        self.assertEqual(ticket.recommended_resolution, "exchange")
        # 20 days in repair extend the warranty.
        self.assertEqual(ticket.warranty_end_date, date(2026, 9, 21))

    # ------------------------------------------------------------ repair
    def test_repair_is_free_in_warranty(self):
        with freeze_time("2026-01-10 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
            ticket = self._fault_ticket()
            ticket.with_user(self.agent).action_create_repair()
        repair = ticket.sudo().repair_ids
        self.assertEqual(len(repair), 1)
        self.assertTrue(repair.under_warranty)
        self.assertEqual(repair.state, "confirmed")
        self.assertEqual((repair.lot_id, repair.partner_id), (self.lot, self.customer))
        self.assertEqual(ticket.repair_count, 1)
        self.assertIn(repair.name, ticket.message_ids[0].body)

    def test_repair_out_of_warranty_is_a_quotation(self):
        ticket = self._fault_ticket(purchase_date=date(2020, 1, 1))
        self.assertEqual(ticket.warranty_state, "out_of_warranty")
        ticket.with_user(self.agent).action_create_repair()
        self.assertFalse(ticket.sudo().repair_ids.under_warranty)
        self.assertEqual(ticket.sudo().repair_ids.state, "draft", "executed once the customer accepts")
        self.assertIn("quotation", ticket.message_ids[0].body)

    def test_repair_needs_the_serial(self):
        ticket = self._create_ticket(
            category_id=self.category_a.id, product_id=self.printer.id, symptoms="x"
        )
        with self.assertRaisesRegex(UserError, "serial"):
            ticket.with_user(self.agent).action_create_repair()

    # ------------------------------------------------------------ frozen result
    def test_agents_cannot_edit_the_warranty_result(self):
        ticket = self._fault_ticket(purchase_date=date(2020, 1, 1))
        with self.assertRaisesRegex(UserError, "supervisor"):
            ticket.with_user(self.agent).write({"warranty_state": "in_warranty"})
        with self.assertRaisesRegex(UserError, "supervisor"):
            ticket.with_user(self.agent)._override_warranty("in_warranty", date(2027, 1, 1), "x")
        self.assertEqual(ticket.warranty_state, "out_of_warranty")

    def test_supervisor_overrides_with_a_reason(self):
        ticket = self._fault_ticket(purchase_date=date(2020, 1, 1))
        action = self.env["ir.actions.actions"]._for_xml_id(
            f"{MODULE}.helpdesk_ticket_warranty_override_wizard_action"
        )
        action["context"] = {"active_id": ticket.id}
        with Form.from_action(self.env(user=self.supervisor), action) as form:
            self.assertEqual(form.warranty_state, "out_of_warranty")
            form.warranty_state = "in_warranty"
            form.warranty_end_date = date(2027, 1, 1)
            form.reason = "Extended warranty card shown by the customer"
        form.record.action_confirm()
        self.assertEqual(ticket.warranty_state, "in_warranty")
        self.assertEqual(ticket.warranty_override_reason, "Extended warranty card shown by the customer")
        self.assertIn("Extended warranty card", ticket.message_ids[0].body)
        with self.assertRaisesRegex(UserError, "reason"):
            ticket.with_user(self.supervisor)._override_warranty("unknown", False, " ")
