# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime

from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import MODULE, AfterSalesCase, new_user

SOLD_ON = "2026-01-10 10:00:00"
# The customer reports the fault and sends the unit in.
REPORTED_ON = "2026-06-01 09:00:00"
RECEIVED_ON = "2026-06-03 10:00:00"
RETURNED_ON = "2026-06-13 10:00:00"


def rpc(env, model, method, *args, **kwargs):
    return call_kw(env[model], method, list(args), kwargs)


@tagged("post_install", "-at_install")
class TestMailIn(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.printer = cls._create_serial_product(
            "Smart Printer (mail-in)", "SP-M1", 2000, warranty_months=12
        )
        cls.lot = cls.env["stock.lot"].create({"name": "SN-M-001", "product_id": cls.printer.id})
        # The warehouse receives and ships the units; the workshop repairs them.
        cls.technician = new_user(cls.env, "as_mail_in_technician", "technician")
        cls.portal = new_user(cls.env, "as_mail_in_portal", "portal")
        cls.operation = cls.env.ref(f"{MODULE}.rma_operation_mail_in_repair")
        with freeze_time(SOLD_ON):
            cls.order, cls.delivery = cls._sell_and_deliver(cls.printer, cls.lot)

    def _receive(self, ticket):
        """The warehouse validates the receipt of the unit."""
        picking = ticket.sudo().mail_in_rma_id.reception_move_id.picking_id
        self._validate_picking(picking.with_user(self.technician))
        return picking

    def _ship_back(self, ticket):
        """The warehouse validates the delivery of the unit back to the customer."""
        picking = ticket.sudo().mail_in_rma_id.delivery_move_ids.picking_id
        self._validate_picking(picking.with_user(self.technician))
        return picking

    def _mail_in_received(self):
        with freeze_time(REPORTED_ON):
            ticket = self._fault_ticket()
            ticket.with_user(self.agent).action_mail_in_repair()
        with freeze_time(RECEIVED_ON):
            self._receive(ticket)
        return ticket

    # ------------------------------------------------------------ the flow
    def test_unit_received_repaired_and_returned(self):
        with freeze_time(REPORTED_ON):
            ticket = self._fault_ticket()
            self.assertEqual(ticket.warranty_end_date, date(2027, 1, 10))
            self.assertTrue(ticket.with_user(self.agent).can_mail_in)
            self.assertFalse(ticket.with_user(self.agent).can_return_unit)
            ticket.with_user(self.agent).action_mail_in_repair()
        rma = ticket.mail_in_rma_id
        self.assertEqual(rma.ticket_id, ticket)
        self.assertEqual(rma.operation_id, self.operation)
        self.assertEqual(rma.lot_id, self.lot)
        self.assertEqual(rma.order_id, self.order)
        self.assertEqual(rma.sudo().move_id.picking_id, self.delivery)
        self.assertTrue(rma.after_sales_under_warranty)
        self.assertEqual(rma.state, "confirmed")
        receipt_move = rma.sudo().reception_move_id
        self.assertEqual(receipt_move.move_line_ids.lot_id, self.lot, "that unit is expected")
        self.assertIn("Mail-in repair", ticket.message_ids[0].preview)
        self.assertFalse(ticket.unit_received_date)
        self.assertFalse(ticket.with_user(self.agent).can_mail_in, "one open mail-in")
        with self.assertRaisesRegex(UserError, "already in mail-in repair"):
            ticket.with_user(self.agent).action_mail_in_repair()
        with self.assertRaisesRegex(UserError, "not been received yet"):
            ticket.with_user(self.agent).action_return_mail_in_unit()

        with freeze_time(RECEIVED_ON):
            self._receive(ticket)
        self.assertEqual(rma.state, "received")
        self.assertEqual(ticket.unit_received_date, datetime(2026, 6, 3, 10, 0))
        self.assertFalse(ticket.unit_returned_date)
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "received from the customer" in m.preview)
        )
        self.assertIn(
            ticket,
            self.env["helpdesk.ticket"].with_user(self.agent).search(
                [("unit_received_date", "!=", False), ("unit_returned_date", "=", False)]
            ),
            "the unit with us",
        )

        # The workshop repairs the unit; it goes back only once repaired.
        with freeze_time("2026-06-04 10:00:00"):
            ticket.with_user(self.agent).action_create_repair()
        repair = ticket.sudo().repair_ids
        self.assertFalse(ticket.with_user(self.agent).can_return_unit)
        with self.assertRaisesRegex(UserError, "not finished"):
            ticket.with_user(self.agent).action_return_mail_in_unit()
        repair.action_repair_start()
        with freeze_time("2026-06-10 10:00:00"):
            repair.action_repair_end()

        with freeze_time("2026-06-12 10:00:00"):
            self.assertTrue(ticket.with_user(self.agent).can_return_unit)
            ticket.with_user(self.agent).action_return_mail_in_unit()
        self.assertEqual(rma.state, "waiting_return")
        delivery_move = rma.sudo().delivery_move_ids
        self.assertEqual(delivery_move.location_dest_id.usage, "customer")
        self.assertIn("Return of", ticket.message_ids[0].preview)
        with self.assertRaisesRegex(UserError, "already being shipped back"):
            ticket.with_user(self.agent).action_return_mail_in_unit()
        with freeze_time(RETURNED_ON):
            self._ship_back(ticket)
        self.assertEqual(rma.state, "returned")
        self.assertEqual(delivery_move.move_line_ids.lot_id, self.lot, "the same unit")
        self.assertEqual(ticket.unit_returned_date, datetime(2026, 6, 13, 10, 0))
        self.assertTrue(
            ticket.message_ids.filtered(
                lambda m: "shipped back to the customer" in m.preview and "10 days" in m.preview
            )
        )
        # 10 days with us (06-03 to 06-13), the repair (06-04 to 06-10) inside them:
        # counted once.
        with freeze_time("2026-06-20 10:00:00"):
            ticket.with_user(self.agent).action_check_warranty()
        self.assertEqual(ticket.warranty_end_date, date(2027, 1, 20))
        # The unit is the customer's again: a new mail-in may start.
        self.assertTrue(ticket.with_user(self.agent).can_mail_in)

    def test_days_with_us_extend_the_warranty_until_today(self):
        ticket = self._mail_in_received()
        with freeze_time("2026-06-08 10:00:00"):
            self.assertEqual(ticket._days_in_repair(date(2026, 1, 10)), 5)
            ticket.with_user(self.agent).action_check_warranty()
        self.assertEqual(ticket.warranty_end_date, date(2027, 1, 15))

    def test_overlap_with_repair_orders_counted_once(self):
        ticket = self._mail_in_received()
        # A repair from 06-01 (before the receipt) to 06-05, then the mail-in until
        # 06-13: 06-01..06-13 = 12 days, not 4 + 10.
        with freeze_time(REPORTED_ON):
            repair = self.env["repair.order"].create(
                {
                    "product_id": self.printer.id,
                    "lot_id": self.lot.id,
                    "partner_id": self.customer.id,
                    "under_warranty": True,
                }
            )
            repair._action_repair_confirm()
        repair.action_repair_start()
        with freeze_time("2026-06-05 10:00:00"):
            repair.action_repair_end()
        with freeze_time("2026-06-12 10:00:00"):
            ticket.with_user(self.agent).action_return_mail_in_unit()
        with freeze_time(RETURNED_ON):
            self._ship_back(ticket)
        with freeze_time("2026-07-01 10:00:00"):
            self.assertEqual(ticket._days_in_repair(date(2026, 1, 10)), 12)
            # A new ticket on the same unit sees the same extension.
            later = self._fault_ticket(name="Paper jam again")
        self.assertEqual(later.warranty_end_date, date(2027, 1, 22))

    def test_out_of_warranty_mail_in_does_not_extend(self):
        with freeze_time(REPORTED_ON):
            ticket = self._fault_ticket(purchase_date=date(2020, 1, 1))
        # The serial's delivery wins over the typed date: force the old purchase.
        ticket.sudo().with_context(after_sales_warranty_check=True).write(
            {"warranty_state": "out_of_warranty"}
        )
        with freeze_time(REPORTED_ON):
            ticket.with_user(self.agent).action_mail_in_repair()
        self.assertFalse(ticket.mail_in_rma_id.after_sales_under_warranty)
        with freeze_time(RECEIVED_ON):
            self._receive(ticket)
        with freeze_time("2026-06-08 10:00:00"):
            self.assertEqual(ticket._days_in_repair(date(2026, 1, 10)), 0)

    # ------------------------------------------------------------ preconditions
    def test_mail_in_needs_the_unit(self):
        ticket = self._create_ticket(
            category_id=self.category_a.id, product_id=self.printer.id, symptoms="x"
        )
        self.assertFalse(ticket.with_user(self.agent).can_mail_in)
        with self.assertRaisesRegex(UserError, "serial number"):
            ticket.with_user(self.agent).action_mail_in_repair()
        no_product = self._create_ticket(category_id=self.category_a.id, symptoms="x")
        with self.assertRaisesRegex(UserError, "Set the product"):
            no_product.with_user(self.agent).action_mail_in_repair()
        self.assertFalse(self.env["rma"].search([("operation_id", "=", self.operation.id)]))

    def test_one_open_mail_in_per_unit_across_tickets(self):
        ticket = self._mail_in_received()
        other = self._fault_ticket(name="Second report of the same unit")
        with self.assertRaisesRegex(UserError, ticket.mail_in_rma_id.name):
            other.with_user(self.agent).action_mail_in_repair()

    def test_unit_with_us_is_not_returned_nor_exchanged(self):
        ticket = self._mail_in_received()
        # While with us, the unit is no return candidate; back home, it is again.
        self.assertFalse(
            [c for c in ticket._get_rma_candidates() if c["lot"] == self.lot]
        )
        with freeze_time("2026-06-12 10:00:00"):
            ticket.with_user(self.agent).action_return_mail_in_unit()
        with freeze_time(RETURNED_ON):
            self._ship_back(ticket)
        self.assertTrue([c for c in ticket._get_rma_candidates() if c["lot"] == self.lot])

    # ------------------------------------------------------------ attackers
    def test_closed_ticket_refuses_mail_in_over_rpc(self):
        ticket = self._closed_ticket(
            category_id=self.category_a.id,
            product_id=self.printer.id,
            lot_id=self.lot.id,
            symptoms="Paper jam",
        )
        env = self.env(user=self.agent)
        with self.assertRaisesRegex(UserError, "closed"):
            rpc(env, "helpdesk.ticket", "action_mail_in_repair", [ticket.id])
        self.assertFalse(ticket.mail_in_rma_id)

    def test_agent_and_portal_cannot_forge_the_dates(self):
        ticket = self._mail_in_received()
        forged = {
            "unit_received_date": "2020-01-01 00:00:00",
            "unit_returned_date": "2026-06-03 10:00:00",
        }
        for user in (self.agent, self.supervisor):
            for field, value in forged.items():
                with self.assertRaisesRegex(AccessError, "after-sales desk sets"):
                    rpc(
                        self.env(user=user, context={"after_sales_warranty_check": True}),
                        "helpdesk.ticket",
                        "write",
                        [ticket.id],
                        {field: value},
                    )
            with self.assertRaisesRegex(AccessError, "after-sales desk sets"):
                rpc(
                    self.env(user=user),
                    "rma",
                    "write",
                    [ticket.mail_in_rma_id.id],
                    {"after_sales_under_warranty": False},
                )
        ticket.sudo().partner_id = self.portal.partner_id
        with self.assertRaises(AccessError):
            rpc(self.env(user=self.portal), "helpdesk.ticket", "write", [ticket.id], forged)
        with self.assertRaises(AccessError):
            rpc(
                self.env(user=self.portal),
                "helpdesk.ticket",
                "action_return_mail_in_unit",
                [ticket.id],
            )
        self.assertEqual(ticket.unit_received_date, datetime(2026, 6, 3, 10, 0))
        self.assertFalse(ticket.unit_returned_date)
        self.assertEqual(ticket.mail_in_rma_id.state, "received")

    # ------------------------------------------------------------ customer, sheet
    def test_portal_status_and_record_sheet_show_the_dates(self):
        ticket = self._mail_in_received()
        status = ticket._get_portal_status()
        self.assertEqual(status["mail_in"]["name"], ticket.mail_in_rma_id.name)
        self.assertIn("We received your unit on", status["mail_in"]["lines"][0])
        self.assertNotIn(
            ticket.mail_in_rma_id.name, [rma["name"] for rma in status["rmas"]]
        )
        with freeze_time("2026-06-12 10:00:00"):
            ticket.with_user(self.agent).action_return_mail_in_unit()
        self.assertIn("On its way back", ticket._get_portal_status()["mail_in"]["lines"][1])
        with freeze_time(RETURNED_ON):
            self._ship_back(ticket)
        self.assertIn("We shipped it back", ticket._get_portal_status()["mail_in"]["lines"][1])
        html, _fmt = self.env["ir.actions.report"].with_user(self.agent)._render_qweb_html(
            f"{MODULE}.action_report_ticket_record", ticket.ids
        )
        self.assertIn(b"Mail-in repair", html)
        self.assertIn(b"Unit returned on", html)

    def test_ticket_closes_only_once_the_unit_is_back(self):
        ticket = self._mail_in_received()
        self._record_result(ticket)
        self.assertFalse(ticket.with_user(self.agent).can_close)
        with self.assertRaisesRegex(UserError, "mail-in repair .* is open"):
            ticket.with_user(self.agent).action_close()
        # Nor around the button: the stage written over the external API.
        with self.assertRaisesRegex(ValidationError, "mail-in repair .* is open"):
            rpc(self.env(user=self.agent), "helpdesk.ticket", "write", ticket.ids,
                {"stage_id": self.stage_done.id})
        # The customer is told why, from the portal.
        blocker = ticket._get_portal_close_blocker(self.stage_done, ticket.partner_id)
        self.assertIn("unit is still with us", blocker)
        self.assertFalse(ticket.closed)

        with freeze_time("2026-06-12 10:00:00"):
            ticket.with_user(self.agent).action_return_mail_in_unit()
        self.assertFalse(ticket.with_user(self.agent).can_close, "not shipped yet")
        with freeze_time(RETURNED_ON):
            self._ship_back(ticket)
        self.assertTrue(ticket.with_user(self.agent).can_close)
        ticket.with_user(self.agent).action_close()
        self.assertEqual(ticket.stage_id, self.stage_done)
