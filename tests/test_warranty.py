# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import MODULE, AfterSalesCase, new_user


@tagged("post_install", "-at_install")
class TestWarranty(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.printer = cls._create_serial_product(
            "Smart Printer (test)", "SP-T1", 2000, warranty_months=12
        )
        cls.lot = cls.env["stock.lot"].create({"name": "SN-W-001", "product_id": cls.printer.id})
        # The workshop moves repairs on: an Inventory user, not an after-sales role.
        cls.technician = new_user(cls.env, "as_test_technician", "technician")

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
        # The fault of the first repair (done 10-11) came back on 11-01, the second's
        # (done 11-11) comes back on 12-05: both within 30 days, two failed repairs.
        with freeze_time("2025-12-05 10:00:00"):
            ticket = self._fault_ticket()
        self.assertEqual(ticket.failed_repair_count, 2)
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
        self.assertFalse(repair.sale_order_id, "the purchase is not the repair's quotation")
        self.assertTrue(repair.repair_confirmed_date)
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
        with self.assertRaisesRegex(AccessError, "after-sales desk sets"):
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

    def test_agent_cannot_set_the_frozen_result_through_the_context(self):
        """The check's own context key is the client's to send: it opens nothing."""
        ticket = self._fault_ticket(purchase_date=date(2020, 1, 1))
        as_agent = ticket.with_user(self.agent).with_context(after_sales_warranty_check=True)
        for vals in (
            {"warranty_state": "in_warranty"},
            {"warranty_end_date": date(2030, 1, 1)},
            {"sale_order_id": False},
        ):
            with self.assertRaisesRegex(AccessError, "after-sales desk sets"):
                as_agent.write(vals)
        self.assertEqual(ticket.warranty_state, "out_of_warranty")

    def test_agent_rechecks_and_the_result_is_frozen_until_then(self):
        with freeze_time("2025-06-15 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
            ticket = self._fault_ticket()
        checked = ticket.warranty_checked_date
        with freeze_time("2026-07-01 10:00:00"):
            ticket.invalidate_recordset()
            self.assertEqual(ticket.warranty_state, "in_warranty", "frozen, not 'today'")
            ticket.with_user(self.agent).action_check_warranty()
            self.assertEqual(ticket.warranty_state, "out_of_warranty")
            self.assertGreater(ticket.warranty_checked_date, checked)

    # ------------------------------------------------------------ purchase details
    def test_changing_the_serial_in_the_form_checks_again(self):
        other_lot = self.env["stock.lot"].create({"name": "SN-W-002", "product_id": self.printer.id})
        with freeze_time("2026-01-10 10:00:00"):
            order, picking = self._sell_and_deliver(self.printer, other_lot)
        with freeze_time("2026-02-01 10:00:00"):
            ticket = self._fault_ticket()
            self.assertEqual(ticket.warranty_state, "unknown")
            with Form(ticket.with_user(self.agent)) as form:
                form.lot_id = other_lot
        self.assertEqual((ticket.sale_order_id, ticket.picking_id), (order, picking))
        self.assertEqual(ticket.sale_line_id, order.order_line)
        self.assertEqual(ticket.warranty_state, "in_warranty")

    def test_a_serial_without_sale_drops_the_dates_found_before(self):
        other_lot = self.env["stock.lot"].create({"name": "SN-W-003", "product_id": self.printer.id})
        with freeze_time("2026-01-10 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
        ticket = self._fault_ticket()
        self.assertEqual(ticket.purchase_date_source, "delivery")
        ticket.with_user(self.agent).lot_id = other_lot
        self.assertFalse(ticket.sale_order_id)
        self.assertFalse(ticket.purchase_date, "the old sale's date is not this unit's")
        self.assertFalse(ticket.delivery_date)
        self.assertFalse(ticket.purchase_date_source)
        self.assertEqual(ticket.warranty_state, "unknown")
        # The agent now enters the date with the customer's receipt.
        ticket.with_user(self.agent).write({"purchase_date": date(2026, 1, 20)})
        self.assertEqual(ticket.purchase_date_source, "manual")
        self.assertEqual(ticket.warranty_end_date, date(2027, 1, 20))

    def test_agent_corrects_the_day_the_customer_signed_for_the_goods(self):
        """Shipped on the 1st, signed for on the 4th: the windows start on the 5th."""
        with freeze_time("2026-03-01 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
            ticket = self._fault_ticket(category_id=self.category_d.id)
        ticket.with_user(self.agent).delivery_date = date(2026, 3, 4)
        self.assertEqual(ticket.purchase_date, date(2026, 3, 1), "the warranty runs from the sale")
        self.assertEqual(ticket.return_window_end, date(2026, 3, 11))
        self.assertEqual(ticket.exchange_window_end, date(2026, 3, 19))
        ticket.with_user(self.agent).action_check_warranty()
        self.assertEqual(ticket.delivery_date, date(2026, 3, 4), "the agent's date stands")
        with self.assertRaises(ValidationError):
            ticket.with_user(self.agent).delivery_date = date(2026, 2, 27)

    def test_a_date_entered_by_hand_asks_for_proof(self):
        ticket = self._fault_ticket(purchase_date=date(2026, 1, 5))
        self.assertEqual(ticket.purchase_date_source, "manual")
        self.assertTrue(ticket.purchase_proof_missing)
        receipt = (
            self.env["ir.attachment"]
            .with_user(self.agent)
            .create(
                {
                    "name": "receipt.png",
                    "datas": base64.b64encode(b"receipt"),
                    "res_model": "helpdesk.ticket",
                    "res_id": ticket.id,
                }
            )
        )
        ticket.with_user(self.agent).evidence_ids = [Command.link(receipt.id)]
        self.assertFalse(ticket.purchase_proof_missing)

    def test_a_delivery_date_alone_starts_the_warranty(self):
        ticket = self._fault_ticket()
        ticket.with_user(self.agent).delivery_date = date(2026, 2, 2)
        self.assertEqual(ticket.purchase_date_source, "manual")
        self.assertEqual(ticket.warranty_end_date, date(2027, 2, 2))

    def test_a_sale_of_another_company_is_not_found(self):
        other = self.env["res.company"].create({"name": "After-sales Shanghai (test)"})
        _order, picking = self._sell_and_deliver(self.printer, self.lot, company=other)
        self.assertEqual(picking.state, "done")
        ticket = self._fault_ticket()
        self.assertFalse(ticket.sale_order_id)
        self.assertEqual(ticket.warranty_state, "unknown")

    # ------------------------------------------------------------ recommendation
    def test_recommendation_by_class_and_warranty(self):
        with freeze_time("2026-03-01 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
            fault = self._fault_ticket()
            question = self._create_ticket(product_id=self.printer.id, lot_id=self.lot.id)
        with freeze_time("2026-03-03 10:00:00"):
            fault.invalidate_recordset()
            self.assertTrue(fault.return_window_open)
            self.assertEqual(fault.recommended_resolution, "exchange", "quality fault, day 2")
            self.assertEqual(question.recommended_resolution, "guidance")
        unknown = self._fault_ticket(lot_id=False, product_id=self.env["product.product"].create(
            {"name": "Kettle (test)", "type": "consu"}
        ).id)
        self.assertEqual(unknown.warranty_state, "unknown")
        self.assertFalse(unknown.recommended_resolution, "establish the purchase first")

    # ------------------------------------------------------------ days in repair
    def test_only_warranty_repairs_extend_the_warranty(self):
        with freeze_time("2025-01-10 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
        with freeze_time("2025-03-01 10:00:00"):
            ticket = self._fault_ticket()
            ticket.with_user(self.agent).action_create_repair()
            repair = ticket.sudo().repair_ids
            self.assertTrue(repair.under_warranty)
        with freeze_time("2025-03-08 10:00:00"):
            # Still with the workshop (waiting for parts): the 7 days count already.
            ticket.with_user(self.agent).action_check_warranty()
            self.assertEqual(ticket.warranty_end_date, date(2026, 1, 17))
            repair.with_user(self.technician).action_repair_start()
        with freeze_time("2025-03-11 10:00:00"):
            repair.with_user(self.technician).action_repair_end()
        with freeze_time("2026-02-01 10:00:00"):
            later = self._fault_ticket()
            self.assertEqual(later.warranty_end_date, date(2026, 1, 20), "10 days in repair")
            self.assertEqual(later.warranty_state, "out_of_warranty")
            later.with_user(self.agent).action_create_repair()
            paid = later.sudo().repair_ids
            self.assertFalse(paid.under_warranty)
            later.with_user(self.agent).action_accept_repair_quote()
            paid.with_user(self.technician).action_repair_start()
        with freeze_time("2026-02-21 10:00:00"):
            paid.with_user(self.technician).action_repair_end()
            later.with_user(self.agent).action_check_warranty()
        self.assertEqual(later.warranty_end_date, date(2026, 1, 20), "a paid repair adds nothing")

    # ------------------------------------------------------------ 三包 details
    def _repair_twice(self, category):
        """Two warranty repairs of the fault, the second reported 24 days after the
        first was done: the first failed."""
        for day in ("10-01", "10-25"):
            with freeze_time(f"2025-{day} 10:00:00"):
                earlier = self._fault_ticket(category_id=category.id)
                earlier.with_user(self.agent).action_create_repair()
                repair = earlier.sudo().repair_ids
                repair.with_user(self.technician).action_repair_start()
                repair.with_user(self.technician).action_repair_end()

    def test_repairs_of_different_faults_are_no_repeated_failure(self):
        screen = self.env["helpdesk.ticket.category"].create(
            {"name": "Screen fault (test)", "parent_id": self.category_a.id}
        )
        with freeze_time("2025-09-01 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
        with freeze_time("2025-10-01 10:00:00"):
            first = self._fault_ticket()
            first.with_user(self.agent).action_create_repair()
            first.sudo().repair_ids.action_repair_start()
            first.sudo().repair_ids.action_repair_end()
        with freeze_time("2025-11-01 10:00:00"):
            second = self._fault_ticket(category_id=screen.id)
            self.assertEqual(second.category_code, "A")
            second.with_user(self.agent).action_create_repair()
            second.sudo().repair_ids.action_repair_start()
            second.sudo().repair_ids.action_repair_end()
        with freeze_time("2026-01-05 10:00:00"):
            ticket = self._fault_ticket(category_id=screen.id)
            self.assertFalse(ticket.repeated_repair_failure, "one repair per fault")
            self.assertEqual(ticket.recommended_resolution, "free_repair")

    def test_two_failed_repairs_count_only_in_warranty(self):
        with freeze_time("2025-09-01 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
        self._repair_twice(self.category_a)
        with freeze_time("2025-11-10 10:00:00"):
            # The fault comes back 16 days after the second repair: it failed too.
            self._fault_ticket(category_id=self.category_a.id)
        with freeze_time("2026-01-05 10:00:00"):
            ticket = self._fault_ticket(category_id=self.category_d.id)
            self.assertTrue(ticket.repeated_repair_failure, "whatever the ticket's class")
            self.assertIn("2 warranty repairs did not fix", ticket.windows_explanation)
            self.assertEqual(ticket.recommended_resolution, "exchange")
        with freeze_time("2026-12-01 10:00:00"):
            ticket.with_user(self.agent).action_check_warranty()
            self.assertEqual(ticket.warranty_state, "out_of_warranty")
            self.assertFalse(ticket.repeated_repair_failure)

    # ------------------------------------------------------------ repair workflow
    def test_paid_repair_waits_for_the_customer(self):
        ticket = self._fault_ticket(purchase_date=date(2020, 1, 1))
        ticket.with_user(self.agent).action_create_repair()
        repair = ticket.sudo().repair_ids
        as_workshop = repair.with_user(self.technician)
        with self.assertRaisesRegex(UserError, "customer accepts"):
            as_workshop.action_repair_start()
        self.assertEqual(repair.state, "draft")
        self.assertTrue(ticket.can_accept_repair_quote)
        self.assertFalse(ticket.can_create_repair, "one repair at a time")
        self.assertIn("quote awaiting the customer", ticket.repair_summary)
        ticket.with_user(self.agent).action_accept_repair_quote()
        self.assertEqual(repair.state, "confirmed")
        self.assertEqual(repair.after_sales_quote_accepted_by_id, self.agent)
        self.assertIn("accepted repair quotation", ticket.message_ids[0].body)
        self.assertFalse(ticket.can_accept_repair_quote)
        with self.assertRaisesRegex(UserError, "no repair quotation"):
            ticket.with_user(self.agent).action_accept_repair_quote()
        as_workshop.action_repair_start()
        self.assertEqual(repair.state, "under_repair")

    def test_a_confirmed_repair_quotation_is_the_customers_acceptance(self):
        ticket = self._fault_ticket(purchase_date=date(2020, 1, 1))
        ticket.with_user(self.agent).action_create_repair()
        # The workshop quotes the repair through Sales: its rights, not the agent's.
        workshop = new_user(
            self.env,
            "as_test_workshop_sales",
            "technician",
            extra_groups=("sales_team.group_sale_salesman",),
        )
        repair = ticket.sudo().repair_ids.with_user(workshop)
        repair.action_create_sale_order()
        quotation = repair.sale_order_id
        self.assertEqual((quotation.state, quotation.partner_id), ("draft", self.customer))
        with self.assertRaisesRegex(UserError, "customer accepts"):
            repair.action_repair_start()
        quotation.action_confirm()  # the customer signed the quotation
        repair.action_repair_start()
        self.assertEqual(repair.state, "under_repair")

    def test_create_repair_only_for_faults_and_once_at_a_time(self):
        with freeze_time("2026-01-10 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
            question = self._create_ticket(product_id=self.printer.id, lot_id=self.lot.id)
            self.assertFalse(question.can_create_repair)
            with self.assertRaisesRegex(UserError, "class A"):
                question.with_user(self.agent).action_create_repair()
            ticket = self._fault_ticket()
            self.assertTrue(ticket.can_create_repair)
            self.assertTrue(ticket.with_user(self.agent).action_create_repair())
            with self.assertRaisesRegex(UserError, "not finished"):
                ticket.with_user(self.agent).action_create_repair()

    def test_repair_progress_shows_on_the_ticket_for_agents(self):
        with freeze_time("2026-01-10 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
            ticket = self._fault_ticket()
            ticket.with_user(self.agent).action_create_repair()
        repair = ticket.sudo().repair_ids
        with self.assertRaises(AccessError):
            repair.with_user(self.agent).read(["state"])
        repair.with_user(self.technician).action_repair_start()
        as_agent = ticket.with_user(self.agent)
        self.assertIn("Under Repair", as_agent.message_ids[0].body)
        self.assertIn(repair.name, as_agent.repair_summary)
        self.assertIn("free (warranty)", as_agent.repair_summary)
        self.assertEqual(as_agent.repair_count, 1)

    def test_smart_buttons_open_for_those_who_may_read_the_records(self):
        # An agent who is also a salesman and a stock user opens the records themselves.
        salesman = new_user(
            self.env,
            "as_test_salesman",
            "agent",
            extra_groups=("sales_team.group_sale_salesman_all_leads", "stock.group_stock_user"),
        )
        with freeze_time("2026-01-10 10:00:00"):
            order, picking = self._sell_and_deliver(self.printer, self.lot)
            ticket = self._fault_ticket()
            ticket.with_user(self.agent).action_create_repair()
        form_arch = {}
        for user in (self.agent, salesman):
            views = self.env["helpdesk.ticket"].with_user(user).get_views([(False, "form")])
            form_arch[user] = views["views"]["form"]["arch"]
        for button in ("action_view_sale_order", "action_view_delivery", "action_view_repairs"):
            self.assertNotIn(button, form_arch[self.agent])
            self.assertIn(button, form_arch[salesman])
        # The agent still reads the purchase on the ticket.
        with Form(ticket.with_user(self.agent)) as form:
            self.assertEqual(form.sale_order_id, order)
            self.assertEqual(form.picking_id, picking)
        as_salesman = ticket.with_user(salesman)
        for action, record in (
            (as_salesman.action_view_sale_order(), order),
            (as_salesman.action_view_delivery(), picking),
        ):
            self.assertEqual(
                self.env[action["res_model"]].with_user(salesman).browse(action["res_id"]),
                record,
            )
            record.with_user(salesman).check_access("read")
        repairs = as_salesman.action_view_repairs()
        self.assertEqual(
            self.env["repair.order"].with_user(salesman).search(repairs["domain"]),
            ticket.sudo().repair_ids,
        )

    def test_a_new_check_replacing_an_override_is_logged(self):
        ticket = self._fault_ticket(purchase_date=date(2020, 1, 1))
        ticket.with_user(self.supervisor)._override_warranty(
            "in_warranty", date(2027, 1, 1), "Extended warranty card"
        )
        with self.assertRaisesRegex(UserError, "ends"):
            ticket.with_user(self.supervisor)._override_warranty("in_warranty", False, "x")
        ticket.with_user(self.agent).action_check_warranty()
        self.assertEqual(ticket.warranty_state, "out_of_warranty")
        self.assertFalse(ticket.warranty_override_reason)
        self.assertIn("replaced the supervisor", ticket.message_ids[0].body)

    def test_archived_ticket_warranty_is_not_checked_again(self):
        ticket = self._fault_ticket(purchase_date=date(2020, 1, 1))
        ticket.sudo().archive_date = date(2026, 1, 1)
        with self.assertRaisesRegex(UserError, "archived"):
            ticket.with_user(self.agent).action_check_warranty()

    # ------------------------------------------------------------ settings
    def test_company_settings_hold_the_defaults(self):
        company = self.env.company
        self.assertEqual(
            (company.after_sales_return_days, company.after_sales_exchange_days), (7, 15)
        )
        with Form(self.env["res.config.settings"]) as settings:
            settings.after_sales_warranty = 18
            settings.after_sales_return_days = 10
        settings.record.execute()
        self.assertEqual((company.after_sales_warranty, company.after_sales_return_days), (18, 10))
        with self.assertRaises(ValidationError):
            company.after_sales_exchange_days = -1

    def test_agent_prints_the_record_sheet_with_its_repairs(self):
        with freeze_time("2026-01-10 10:00:00"):
            self._sell_and_deliver(self.printer, self.lot)
            ticket = self._fault_ticket()
            ticket.with_user(self.agent).action_create_repair()
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.agent)
            ._render_qweb_html(f"{MODULE}.action_report_ticket_record", ticket.ids)
        )
        self.assertIn(ticket.sudo().repair_ids.name, html.decode())
