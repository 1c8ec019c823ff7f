# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools import SQL

from .common import MODULE, AfterSalesCase

DELIVERED_ON = "2026-03-02 10:00:00"
# Day 3 after delivery: inside the 7-day return window.
DAY_3 = "2026-03-05 10:00:00"
# Day 10: the return window is closed, the 15-day exchange window still open.
DAY_10 = "2026-03-12 10:00:00"
# Day 20: both windows closed, still under warranty.
DAY_20 = "2026-03-22 10:00:00"


@tagged("post_install", "-at_install")
class TestReturnExchange(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.purifier = cls._create_serial_product(
            "Air purifier AP-100", "AP-100", 1000.0, warranty_months=12
        )
        cls.purifier_pro = cls._create_serial_product("Air purifier AP-200", "AP-200", 1300.0)
        cls.filter = cls.env["product.product"].create(
            {
                "name": "Filter F-1",
                "default_code": "F-1",
                "type": "consu",
                "is_storable": True,
                "list_price": 50.0,
            }
        )
        cls.lots = cls.env["stock.lot"].create(
            [
                {"name": f"AP100-{index}", "product_id": cls.purifier.id}
                for index in range(1, 4)
            ]
        )
        for lot in cls.lots:
            cls._put_in_stock(cls.purifier, 1.0, lot=lot)
        cls._put_in_stock(cls.filter, 20.0)
        with freeze_time(DELIVERED_ON):
            cls.order, cls.delivery = cls._sell_and_deliver_lines(
                [(cls.purifier, 2, 900.0), (cls.filter, 5, 40.0)]
            )
        cls.delivered_lots = cls.delivery.move_line_ids.lot_id
        cls.lot = cls.delivered_lots[0]
        cls.purifier_line = cls.order.order_line.filtered(lambda l: l.product_id == cls.purifier)
        cls.rma_refund = cls.env.ref("rma.rma_operation_refund")
        cls.rma_replace = cls.env.ref("rma.rma_operation_replace")

    def _ticket(self, **values):
        vals = {
            "name": "Purifier makes a loud noise",
            "category_id": self.category_d.id,
            "product_id": self.purifier.id,
            "lot_id": self.lot.id,
        }
        vals.update(values)
        # Creating the ticket checks the warranty: it finds the order and the delivery.
        ticket = self._create_ticket(**vals)
        self.assertEqual(ticket.sale_order_id, self.order)
        self.assertEqual(ticket.picking_id, self.delivery)
        return ticket

    def _wizard(self, ticket, user, kind="return"):
        method = f"action_open_{kind}_wizard"
        action = getattr(ticket.with_user(user), method)()
        return Form.from_action(self.env(user=user), action)

    def _lines(self, form):
        """The wizard's lines as the browser shows them, by (product id, lot id)."""
        return {
            (vals["product_id"], vals["lot_id"] or False): dict(vals, index=index)
            for index, vals in enumerate(form.line_ids._records)
        }

    def _confirm(self, form):
        wizard = form.save()
        action = wizard.action_confirm()
        return self.env["rma"].search(action.get("domain") or [("id", "=", action["res_id"])])

    # ------------------------------------------------------------ return
    def test_agent_returns_inside_the_window(self):
        with freeze_time(DAY_3):
            ticket = self._ticket()
            self.assertTrue(ticket.with_user(self.agent).can_return)
            form = self._wizard(ticket, self.agent)
            self.assertEqual(form.reason, "no_reason")
            self.assertTrue(form.refund)
            self.assertFalse(form.policy_blocker)
            lines = self._lines(form)
            self.assertEqual(len(lines), 3, "two serials and the filters")
            purifier = lines[self.purifier.id, self.lot.id]
            self.assertEqual(purifier["quantity"], 1.0, "the ticket's serial")
            self.assertEqual(purifier["price_unit"], 900.0)
            other_lot = self.delivered_lots - self.lot
            self.assertEqual(lines[self.purifier.id, other_lot.id]["quantity"], 0.0)
            self.assertEqual(lines[self.filter.id, False]["returnable_qty"], 5.0)
            self.assertEqual(lines[self.filter.id, False]["quantity"], 0.0)
            rma = self._confirm(form)
        self.assertEqual(len(rma), 1)
        self.assertEqual(rma.ticket_id, ticket)
        self.assertEqual(rma.lot_id, self.lot)
        self.assertEqual(rma.product_uom_qty, 1.0)
        self.assertEqual(rma.operation_id, self.rma_refund)
        self.assertEqual(rma.order_id, self.order)
        self.assertEqual(rma.sudo().move_id.picking_id, self.delivery)
        self.assertEqual(rma.state, "confirmed")
        receipt_move = rma.sudo().reception_move_id
        self.assertTrue(receipt_move, "the warehouse gets the receipt")
        self.assertEqual(receipt_move.move_line_ids.lot_id, self.lot)
        self.assertEqual(ticket.rma_ids, rma)
        self.assertEqual(ticket.rma_count, 1)
        self.assertIn("Return with refund started", ticket.message_ids[0].preview)

    def test_agent_without_stock_rights_opens_the_return_it_created(self):
        with freeze_time(DAY_3):
            ticket = self._ticket()
            rma = self._confirm(self._wizard(ticket, self.agent))
        self.assertFalse(self.agent.has_group("stock.group_stock_user"))
        # The wizard opens the RMA form: its refund button's compute (rma_sale)
        # reads the origin stock move.
        self.env.invalidate_all()
        form = Form(rma.with_user(self.agent))
        self.assertEqual(form.lot_id, self.lot)
        self.assertEqual(form.ticket_id, ticket)

    def test_a_return_claims_its_delivered_move(self):
        """issue 20: two sessions returning the same serial at once are serialized
        on the delivered move's row, which the return rewrites (a new row version,
        the same values) in its transaction; tools/concurrency.py proves the race
        itself with two HTTP workers."""
        with freeze_time(DAY_3):
            ticket = self._ticket()
            move = self.delivery.move_ids.filtered(lambda m: m.product_id == self.purifier)
            row_version = SQL("SELECT xmin::text, write_date FROM stock_move WHERE id = %s",
                              move.id)
            self.env.flush_all()
            [(before, write_date)] = self.env.execute_query(row_version)
            self._confirm(self._wizard(ticket, self.agent))
            self.env.flush_all()
            [(after, write_date_after)] = self.env.execute_query(row_version)
        self.assertNotEqual(after, before, "the return rewrote the delivered move's row")
        self.assertEqual(write_date_after, write_date, "with the same values")

    def test_receipt_and_refund_are_posted_on_the_ticket(self):
        with freeze_time(DAY_3):
            ticket = self._ticket()
            rma = self._confirm(self._wizard(ticket, self.agent))
        receipt = rma.sudo().reception_move_id.picking_id
        self._validate_picking(receipt)
        self.assertEqual(rma.state, "received")
        rma.action_refund()
        self.assertEqual(rma.state, "refunded")
        self.assertEqual(rma.refund_id.move_type, "out_refund")
        self.assertEqual(rma.refund_id.amount_untaxed, 900.0, "the price the customer paid")
        notes = ticket.message_ids.mapped("preview")
        self.assertTrue(any(f"RMA {rma.name}" in n and "Received" in n for n in notes))
        self.assertTrue(any(f"RMA {rma.name}" in n and "Refunded" in n for n in notes))

    def test_return_without_refund(self):
        with freeze_time(DAY_3):
            ticket = self._ticket()
            form = self._wizard(ticket, self.agent)
            form.refund = False
            rma = self._confirm(form)
        self.assertEqual(
            rma.operation_id, self.env.ref(f"{MODULE}.rma_operation_return_no_refund")
        )
        self.assertFalse(rma.operation_id.action_create_refund)

    def test_return_outside_the_window_needs_a_supervisor_and_a_justification(self):
        with freeze_time(DAY_20):
            ticket = self._ticket()
            form = self._wizard(ticket, self.agent)
            self.assertEqual(form.reason, "quality")
            # 三包: after day 15 a quality fault in warranty is repaired, not returned
            # (before two failed repairs)...
            self.assertIn("repaired for free", form.policy_blocker)
            self.assertIn("needs 2 failed warranty repairs", form.policy_blocker)
            # ...and a change of mind after the 7 days is not returned either.
            form.reason = "no_reason"
            self.assertIn("return window closed", form.policy_blocker)
            with self.assertRaisesRegex(UserError, "Only a supervisor"):
                self._confirm(form)
            self.assertFalse(ticket.rma_ids)

            form = self._wizard(ticket, self.supervisor)
            form.reason = "no_reason"
            self.assertTrue(form.policy_blocker)
            with self.assertRaisesRegex(UserError, "justification"):
                ticket.with_user(self.supervisor)._create_after_sales_rmas(
                    "return",
                    [{"move": self.delivery.move_ids[0], "lot": self.lot,
                      "product": self.purifier, "quantity": 1.0}],
                    "no_reason",
                    justification="  ",
                )
            form.justification = "Loyal customer; the fault was confirmed by the technician."
            rma = self._confirm(form)
        self.assertEqual(rma.ticket_id, ticket)
        self.assertIn("Loyal customer", rma.policy_exception)
        body = ticket.message_ids[0].body
        self.assertIn("exception accepted by Supervisor Wang", body)
        self.assertIn("Loyal customer", body)

    def test_never_more_than_delivered_minus_returned(self):
        filter_move = self.delivery.move_ids.filtered(lambda m: m.product_id == self.filter)
        with freeze_time(DAY_3):
            ticket = self._ticket(product_id=self.filter.id, lot_id=False)
            form = self._wizard(ticket, self.agent)
            line = self._lines(form)[self.filter.id, False]
            self.assertEqual(line["quantity"], 5.0, "the ticket's product, all of it")
            with form.line_ids.edit(line["index"]) as edit:
                edit.quantity = 3.0
            self._confirm(form)
            form = self._wizard(ticket, self.agent)
            line = self._lines(form)[self.filter.id, False]
            self.assertEqual(line["returnable_qty"], 2.0)
            with self.assertRaisesRegex(ValidationError, "at most 2"):
                with form.line_ids.edit(line["index"]) as edit:
                    edit.quantity = 3.0
                form.save()
            with self.assertRaisesRegex(UserError, "only 2.0"):
                ticket.with_user(self.agent)._create_after_sales_rmas(
                    "return",
                    [{"move": filter_move, "lot": self.env["stock.lot"],
                      "product": self.filter, "quantity": 3.0}],
                    "no_reason",
                )

    def test_a_serial_is_returned_once(self):
        purifier_move = self.delivery.move_ids.filtered(lambda m: m.product_id == self.purifier)
        with freeze_time(DAY_3):
            ticket = self._ticket()
            self._confirm(self._wizard(ticket, self.agent))
            form = self._wizard(ticket, self.agent)
            lots = [lot_id for _product, lot_id in self._lines(form)]
            self.assertNotIn(self.lot.id, lots, "already in a return")
            with self.assertRaisesRegex(UserError, "already returned"):
                ticket.with_user(self.agent)._create_after_sales_rmas(
                    "return",
                    [{"move": purifier_move, "lot": self.lot, "product": self.purifier,
                      "quantity": 1.0}],
                    "no_reason",
                )
            stranger = self.lots - self.delivered_lots
            with self.assertRaisesRegex(UserError, "was not delivered"):
                ticket.with_user(self.agent)._create_after_sales_rmas(
                    "return",
                    [{"move": purifier_move, "lot": stranger, "product": self.purifier,
                      "quantity": 1.0}],
                    "no_reason",
                )

    def test_serial_line_is_one_unit(self):
        with freeze_time(DAY_3):
            ticket = self._ticket()
            form = self._wizard(ticket, self.agent)
            index = self._lines(form)[self.purifier.id, self.lot.id]["index"]
            with self.assertRaisesRegex(ValidationError, "one unit"):
                with form.line_ids.edit(index) as edit:
                    edit.quantity = 2.0
                form.save()

    def test_cancelled_return_frees_the_quantity(self):
        with freeze_time(DAY_3):
            ticket = self._ticket()
            rma = self._confirm(self._wizard(ticket, self.agent))
            rma.sudo().action_cancel()
            form = self._wizard(ticket, self.agent)
            self.assertIn((self.purifier.id, self.lot.id), self._lines(form))

    def test_ticket_without_delivery_or_closed_cannot_return(self):
        ticket = self._create_ticket(category_id=self.category_b.id)
        self.assertFalse(ticket.can_return)
        self.assertFalse(ticket.can_exchange)
        with self.assertRaisesRegex(UserError, "sale order or delivery"):
            ticket.with_user(self.agent).action_open_return_wizard()
        with freeze_time(DAY_3):
            ticket = self._ticket()
            self._record_result(ticket)
            ticket.stage_id = self.stage_done
            self.assertFalse(ticket.can_return)
            with self.assertRaisesRegex(UserError, "is closed"):
                ticket.with_user(self.agent).action_open_exchange_wizard()

    # ------------------------------------------------------------ exchange
    def test_exchange_creates_a_replace_rma_for_the_same_product(self):
        with freeze_time(DAY_10):
            ticket = self._ticket()
            form = self._wizard(ticket, self.agent, "exchange")
            self.assertEqual(form.reason, "quality")
            self.assertFalse(form.policy_blocker, "quality fault within 15 days")
            self.assertEqual(form.price_difference, 0.0)
            rma = self._confirm(form)
        self.assertEqual(rma.operation_id, self.rma_replace)
        self.assertEqual(rma.replacement_product_id, self.purifier)
        self.assertEqual(rma.lot_id, self.lot)
        self.assertEqual(rma.state, "confirmed")
        self.assertTrue(rma.sudo().reception_move_id)
        self.assertIn("Exchange started", ticket.message_ids[0].preview)
        # Once the faulty unit is back, the warehouse ships the agreed replacement.
        receipt = rma.sudo().reception_move_id.picking_id
        self._validate_picking(receipt)
        action = rma.action_replace()
        with Form.from_action(self.env, action) as delivery:
            self.assertEqual(delivery.product_id, self.purifier)
        delivery.record.action_deliver()
        self.assertEqual(rma.state, "waiting_replacement")
        self.assertTrue(rma.delivery_move_ids.filtered(lambda m: m.product_id == self.purifier))

    def test_exchange_for_another_product_shows_the_price_difference(self):
        self.purifier_pro.list_price = 1300.0
        with freeze_time(DAY_3):
            ticket = self._ticket()
            form = self._wizard(ticket, self.agent, "exchange")
            index = self._lines(form)[self.purifier.id, self.lot.id]["index"]
            with form.line_ids.edit(index) as edit:
                edit.replacement_product_id = self.purifier_pro
                self.assertEqual(edit.price_difference, 400.0, "1,300 against 900 paid")
            self.assertEqual(form.price_difference, 400.0)
            rma = self._confirm(form)
        self.assertEqual(rma.replacement_product_id, self.purifier_pro)
        notes = ticket.message_ids.mapped("preview")
        self.assertTrue(any("Price difference" in n for n in notes))
        self.assertTrue(any("AP-200" in n for n in notes))

    def test_exchange_outside_the_windows_is_a_supervisor_exception(self):
        with freeze_time(DAY_20):
            ticket = self._ticket()
            form = self._wizard(ticket, self.agent, "exchange")
            self.assertIn("exchange window", form.policy_blocker)
            with self.assertRaisesRegex(UserError, "Only a supervisor"):
                self._confirm(form)
            form = self._wizard(ticket, self.supervisor, "exchange")
            form.justification = "Second failure of the same fan; goodwill exchange."
            rma = self._confirm(form)
        self.assertEqual(rma.operation_id, self.rma_replace)
        self.assertIn("goodwill", rma.policy_exception)

    def test_exchange_after_the_return_window_needs_a_quality_reason(self):
        with freeze_time(DAY_10):
            ticket = self._ticket()
            form = self._wizard(ticket, self.agent, "exchange")
            form.reason = "no_reason"
            self.assertIn("only a quality fault", form.policy_blocker)
            form.reason = "quality"
            self.assertFalse(form.policy_blocker)

    # ------------------------------------------------------------ 三包
    def test_two_failed_repairs_allow_a_return_whatever_the_windows(self):
        # Each repair is followed by the same fault within 30 days: two failed repairs.
        for day in ("2026-03-20", "2026-04-10"):
            with freeze_time(f"{day} 10:00:00"):
                earlier = self._ticket(category_id=self.category_a.id, symptoms="Fan noise")
                earlier.with_user(self.agent).action_create_repair()
                repair = earlier.sudo().repair_ids
                repair.action_repair_start()
                repair.action_repair_end()
            self.assertEqual(repair.state, "done")
        with freeze_time("2026-05-04 10:00:00"):
            ticket = self._ticket(category_id=self.category_a.id, symptoms="Fan noise again")
            self.assertFalse(ticket.return_window_open)
            self.assertTrue(ticket.repeated_repair_failure)
            form = self._wizard(ticket, self.agent)
            self.assertFalse(form.policy_blocker, "三包: return after two failed repairs")
            rma = self._confirm(form)
        self.assertEqual(rma.lot_id, self.lot)
        self.assertFalse(rma.policy_exception)

    # ------------------------------------------------------------ security
    def test_agent_needs_no_stock_or_sales_rights(self):
        for group in ("stock.group_stock_user", "sales_team.group_sale_salesman"):
            self.assertFalse(self.agent.has_group(group), group)
        self.assertTrue(self.agent.has_group("rma.rma_group_user_all"))
        with freeze_time(DAY_3):
            ticket = self._ticket()
            rma = self._confirm(self._wizard(ticket, self.agent))
        self.assertEqual(rma.with_user(self.agent).read(["state"])[0]["state"], "confirmed")
        other = self.env["res.company"].create({"name": "After-sales Shanghai"})
        rma.sudo().company_id = other
        self.assertFalse(self.env["rma"].with_user(self.agent).search([("id", "=", rma.id)]))
