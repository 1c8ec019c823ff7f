# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""三包 (returns, exchanges and repairs) on their boundary days: the quality-fault
remedies by the day after receipt, the goods excluded from no-reason returns, the
repeat of a fault that makes a repair a failed one, and the refund deadline."""
from datetime import datetime, timedelta

from odoo import Command
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import AfterSalesCase, new_user

# Received on Monday 2 March 2026: day 1 is 3 March.
DELIVERED_ON = "2026-03-02 10:00:00"
DAY = {n: f"2026-03-{2 + n:02d} 10:00:00" for n in (3, 7, 8, 15, 16)}


def rpc(env, model, method, *args, **kwargs):
    return call_kw(env[model], method, list(args), kwargs)


@tagged("post_install", "-at_install")
class TestSanbao(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kettle_category = cls.env["product.category"].create({"name": "Kettles (test)"})
        cls.purifier = cls._create_serial_product(
            "Air purifier AP-300", "AP-300", 1000.0, warranty_months=12
        )
        cls.purifier.categ_id = cls.kettle_category
        cls.lot = cls.env["stock.lot"].create(
            {"name": "AP300-1", "product_id": cls.purifier.id}
        )
        cls._put_in_stock(cls.purifier, 1.0, lot=cls.lot)
        with freeze_time(DELIVERED_ON):
            cls.order, cls.delivery = cls._sell_and_deliver_lines([(cls.purifier, 1, 900.0)])
        cls.salesman = new_user(
            cls.env, "as_sanbao_salesman", "internal",
            extra_groups=("sales_team.group_sale_salesman",),  # sales sets the exemption
        )
        cls.technician = new_user(cls.env, "as_sanbao_technician", "technician")

    def _ticket(self, category=None, **values):
        vals = {
            "name": "Purifier stops after a minute",
            "category_id": (category or self.category_a).id,
            "product_id": self.purifier.id,
            "lot_id": self.lot.id,
            "symptoms": "Stops after a minute",
        }
        vals.update(values)
        ticket = self._create_ticket(**vals)
        self.assertEqual(ticket.picking_id, self.delivery)
        return ticket

    def _wizard(self, ticket, user, kind="return"):
        action = getattr(ticket.with_user(user), f"action_open_{kind}_wizard")()
        return Form.from_action(self.env(user=user), action)

    def _confirm(self, form):
        action = form.save().action_confirm()
        return self.env["rma"].search(action.get("domain") or [("id", "=", action["res_id"])])

    # ------------------------------------------------------------ quality fault by day
    def test_quality_fault_remedies_on_the_boundary_days(self):
        expected = {
            3: ["return", "exchange", "repair"],
            7: ["return", "exchange", "repair"],
            8: ["exchange", "repair"],
            15: ["exchange", "repair"],
            16: ["repair"],
        }
        recommended = {3: "exchange", 7: "exchange", 8: "exchange", 15: "exchange",
                       16: "free_repair"}
        with freeze_time(DAY[3]):
            ticket = self._ticket()
        for day, remedies in expected.items():
            with self.subTest(day=day), freeze_time(DAY[day]):
                ticket.invalidate_recordset()
                self.assertEqual(ticket._get_allowed_remedies("quality"), remedies)
                self.assertEqual(ticket.recommended_resolution, recommended[day])
                self.assertIn(
                    "a quality fault gives today: " + ", ".join(remedies),
                    ticket.windows_explanation,
                )

    def test_agent_returns_a_quality_fault_on_day_7_not_on_day_8(self):
        with freeze_time(DAY[7]):
            ticket = self._ticket()
            form = self._wizard(ticket, self.agent)
            self.assertEqual(form.reason, "quality", "a class A ticket")
            self.assertFalse(form.policy_blocker)
            rma = self._confirm(form)
            self.assertFalse(rma.policy_exception)
            rma.sudo().action_cancel()
        with freeze_time(DAY[8]):
            ticket.invalidate_recordset()
            form = self._wizard(ticket, self.agent)
            self.assertIn("Day 8 after receipt", form.policy_blocker)
            self.assertIn("an exchange or a repair", form.policy_blocker)
            with self.assertRaisesRegex(UserError, "Only a supervisor"):
                self._confirm(form)
            # The server refuses it too, whatever the form shows.
            move = self.delivery.move_ids
            with self.assertRaisesRegex(UserError, "Only a supervisor"):
                ticket.with_user(self.agent)._create_after_sales_rmas(
                    "return",
                    [{"move": move, "lot": self.lot, "product": self.purifier,
                      "quantity": 1.0}],
                    "quality",
                )
            self.assertFalse(ticket.rma_ids.filtered(lambda r: r.state != "cancelled"))
            # The exchange is the customer's choice from day 8.
            self.assertFalse(self._wizard(ticket, self.agent, "exchange").policy_blocker)

    def test_supervisor_returns_on_day_8_as_an_exception_with_a_trace(self):
        with freeze_time(DAY[8]):
            ticket = self._ticket()
            form = self._wizard(ticket, self.supervisor)
            self.assertTrue(form.policy_blocker)
            with self.assertRaisesRegex(UserError, "Give the justification"):
                ticket.with_user(self.supervisor)._create_after_sales_rmas(
                    "return",
                    [{"move": self.delivery.move_ids, "lot": self.lot,
                      "product": self.purifier, "quantity": 1.0}],
                    "quality",
                    justification="  ",
                )
            form.justification = "The customer was abroad; the fault was reported on day 2."
            rma = self._confirm(form)
        self.assertIn("abroad", rma.policy_exception)
        body = ticket.message_ids[0].body
        self.assertIn("exception accepted by Supervisor Wang", body)
        self.assertIn("Day 8 after receipt", body)

    def test_agent_exchanges_a_quality_fault_on_day_15_not_on_day_16(self):
        with freeze_time(DAY[15]):
            ticket = self._ticket()
            form = self._wizard(ticket, self.agent, "exchange")
            self.assertFalse(form.policy_blocker)
            rma = self._confirm(form)
            self.assertFalse(rma.policy_exception)
            rma.sudo().action_cancel()
        with freeze_time(DAY[16]):
            ticket.invalidate_recordset()
            form = self._wizard(ticket, self.agent, "exchange")
            self.assertIn("repaired for free", form.policy_blocker)
            self.assertIn("(0 so far)", form.policy_blocker)
            with self.assertRaisesRegex(UserError, "Only a supervisor"):
                self._confirm(form)
            # The repair stays the customer's remedy.
            self.assertTrue(ticket.with_user(self.agent).can_create_repair)
            ticket.with_user(self.agent).action_create_repair()
            self.assertTrue(ticket.sudo().repair_ids.under_warranty)

    def test_windows_follow_the_company_settings(self):
        self.env.company.write({"after_sales_return_days": 3, "after_sales_exchange_days": 10})
        with freeze_time(DAY[3]):
            ticket = self._ticket()
        with freeze_time(DAY[7]):
            ticket.invalidate_recordset()
            self.assertEqual(ticket._get_allowed_remedies("quality"), ["exchange", "repair"])
        with freeze_time("2026-03-13 10:00:00"):  # day 11
            ticket.invalidate_recordset()
            self.assertEqual(ticket._get_allowed_remedies("quality"), ["repair"])

    # ------------------------------------------------------------ exempt goods
    def test_exempt_product_is_not_returned_without_reason(self):
        self.purifier.product_tmpl_id.after_sales_return_exemption = "custom"
        with freeze_time(DAY[3]):
            ticket = self._ticket(category=self.category_d)
            form = self._wizard(ticket, self.agent)
            self.assertEqual(form.reason, "no_reason")
            self.assertIn("excluded from no-reason returns (Custom-made)", form.policy_blocker)
            self.assertIn("excluded from no-reason returns", ticket.windows_explanation)
            with self.assertRaisesRegex(UserError, "Only a supervisor"):
                self._confirm(form)
            form = self._wizard(ticket, self.agent, "exchange")
            form.reason = "no_reason"
            self.assertIn("Custom-made", form.policy_blocker)
            # A quality fault is not affected by the exemption.
            form = self._wizard(ticket, self.agent)
            form.reason = "quality"
            self.assertFalse(form.policy_blocker)
            self.assertEqual(self._confirm(form).after_sales_reason, "quality")

    def test_exempt_category_and_the_product_overriding_it(self):
        self.kettle_category.after_sales_return_exemption = "perishable"
        with freeze_time(DAY[3]):
            ticket = self._ticket(category=self.category_d)
            self.assertIn("Perishable", ticket._get_return_policy_blocker("no_reason"))
            self.assertNotEqual(ticket.recommended_resolution, "return")
            self.purifier.product_tmpl_id.after_sales_return_exemption = "none"
            ticket.invalidate_recordset()
            self.assertIsNone(ticket._get_return_policy_blocker("no_reason"))
            self.assertEqual(ticket.recommended_resolution, "return")
            self.purifier.product_tmpl_id.after_sales_return_exemption = "digital"
            self.assertIn(
                "Digital goods, once opened", ticket._get_return_policy_blocker("no_reason")
            )

    def test_sale_line_confirmed_as_exempt_at_sale(self):
        lot = self.env["stock.lot"].create({"name": "AP300-2", "product_id": self.purifier.id})
        self._put_in_stock(self.purifier, 1.0, lot=lot)
        order = self.env["sale.order"].with_user(self.salesman).create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.purifier.id,
                                               "product_uom_qty": 1})],
            }
        )
        # Agreed with the customer while quoting, by the salesperson.
        order.order_line.with_user(self.salesman).after_sales_return_exempt = True
        order.sudo().action_confirm()
        with self.assertRaisesRegex(UserError, "agreed with the customer at sale"), \
                self.env.cr.savepoint():
            order.order_line.with_user(self.salesman).after_sales_return_exempt = False
        with self.assertRaisesRegex(UserError, "agreed with the customer at sale"), \
                self.env.cr.savepoint():
            order.with_user(self.salesman).write({"order_line": [Command.create(
                {"product_id": self.purifier.id, "product_uom_qty": 1,
                 "after_sales_return_exempt": True})]})
        self.env.invalidate_all()
        self.assertEqual(len(order.order_line), 1)
        with freeze_time(DAY[3]):
            delivery = order.picking_ids
            delivery.action_assign()
            self._validate_picking(delivery)
            ticket = self._create_ticket(
                category_id=self.category_d.id, product_id=self.purifier.id, lot_id=lot.id
            )
            # Sale lines are the sales team's (agents have no access to them).
            self.assertEqual(ticket.sudo().sale_line_id.order_id, order)
            self.assertTrue(ticket.sudo().sale_line_id.after_sales_return_exempt)
            form = self._wizard(ticket, self.agent)
            self.assertIn(f"agreed with the customer on order {order.name}",
                          form.policy_blocker)
            form.reason = "quality"
            self.assertFalse(form.policy_blocker)

    def test_agent_cannot_mark_goods_exempt(self):
        line = self.order.order_line
        for model, record, name, value in (
            ("sale.order.line", line, "after_sales_return_exempt", True),
            ("product.template", self.purifier.product_tmpl_id,
             "after_sales_return_exemption", "custom"),
            ("product.category", self.kettle_category, "after_sales_return_exemption",
             "custom"),
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                rpc(self.env(user=self.agent), model, "write", [record.id], {name: value})
        self.assertFalse(line.after_sales_return_exempt)
        self.assertFalse(self.purifier.product_tmpl_id.after_sales_return_exemption)
        self.assertFalse(self.kettle_category.after_sales_return_exemption)

    # ------------------------------------------------------------ repeat fault
    def _done_repair(self, when):
        with freeze_time(when):
            ticket = self._ticket()
            ticket.with_user(self.agent).action_create_repair()
            repair = ticket.sudo().repair_ids
            repair.with_user(self.technician).action_repair_start()
            repair.with_user(self.technician).action_repair_end()
        self.assertEqual(repair.state, "done")
        return repair

    def test_repeat_within_30_days_makes_the_repair_a_failed_one(self):
        self._done_repair("2026-04-01 10:00:00")
        with freeze_time("2026-05-02 09:00:00"):  # day 31 after the repair
            late = self._ticket()
            self.assertEqual(late.failed_repair_count, 0, "the repair held 30 days")
        with freeze_time("2026-05-01 09:00:00"):  # day 30
            repeat = self._ticket()
            self.assertEqual(repeat.failed_repair_count, 1)
            self.assertFalse(repeat.repeated_repair_failure, "two failed repairs needed")
            self.assertIn("(1 so far)", repeat._get_return_policy_blocker("quality"))
            late.invalidate_recordset()
            self.assertEqual(late.failed_repair_count, 1, "the repair failed all the same")
            self.env.company.after_sales_failed_repairs = 1
            repeat.invalidate_recordset()
            self.assertTrue(repeat.repeated_repair_failure)
            self.assertEqual(repeat._get_allowed_remedies("quality"),
                             ["return", "exchange", "repair"])
            self.env.company.after_sales_repeat_fault_days = 29
            repeat.invalidate_recordset()
            self.assertFalse(repeat.repeated_repair_failure)

    def test_repeat_fault_is_batched(self):
        self._done_repair("2026-04-01 10:00:00")
        with freeze_time("2026-04-20 09:00:00"):
            tickets = self._ticket() | self._ticket() | self._ticket()

            def queries(ids):
                self.env.invalidate_all()
                records = self.env["helpdesk.ticket"].browse(ids)
                before = self.env.cr.sql_log_count
                self.assertEqual(set(records.mapped("failed_repair_count")), {1})
                return self.env.cr.sql_log_count - before

            # Once first, so that what the environment keeps across invalidations
            # (19.0 caches its user's time zone) is not counted for one side only.
            queries(tickets[:1].ids)
            self.assertEqual(queries(tickets.ids), queries(tickets[:1].ids))

    # ------------------------------------------------------------ refund deadline
    def test_refund_deadline_and_its_alerts(self):
        alerts = self.env["helpdesk.ticket.alert"]
        with freeze_time(DAY[3]):
            ticket = self._ticket(category=self.category_d, user_id=self.agent.id)
            rma = self._confirm(self._wizard(ticket, self.agent))
            self.assertFalse(ticket.refund_deadline, "nothing received yet")
        with freeze_time("2026-03-06 10:00:00"):
            self._validate_picking(rma.sudo().reception_move_id.picking_id)
        self.assertEqual(rma.state, "received")
        self.assertEqual(ticket.refund_deadline, datetime(2026, 3, 13, 10, 0))
        self.assertEqual(ticket.refund_warning_date, datetime(2026, 3, 6, 10) + timedelta(
            days=7 * 0.8))

        def run(when):
            with freeze_time(when):
                alerts._cron_overdue_alerts()
            self.env.invalidate_all()
            return alerts.search([("ticket_id", "=", ticket.id), ("kind", "=", "refund")])

        self.assertFalse(run("2026-03-11 10:00:00"))
        self.assertEqual(run("2026-03-12 10:00:00").mapped("level"), ["warning"])
        self.assertTrue(ticket.activity_ids.filtered(
            lambda a: a.user_id == self.agent and a.summary == "Refund deadline approaching"
        ))
        self.assertIn("breached", run("2026-03-13 11:00:00").mapped("level"))
        self.assertTrue(any(
            "Refund deadline missed" in body for body in ticket.message_ids.mapped("body")
        ))
        # A draft credit note is not a refund yet; posting it is.
        with freeze_time("2026-03-13 12:00:00"):
            rma.action_refund()
            self.assertTrue(ticket.refund_deadline)
            rma.refund_id.action_post()
        self.assertFalse(ticket.refund_deadline)
        self.assertFalse(run("2026-03-13 13:00:00"), "met: the alerts no longer apply")

    def test_refund_deadline_follows_the_setting(self):
        self.env.company.after_sales_refund_days = 3
        with freeze_time(DAY[3]):
            ticket = self._ticket(category=self.category_d)
            rma = self._confirm(self._wizard(ticket, self.agent))
            self._validate_picking(rma.sudo().reception_move_id.picking_id)
        self.assertEqual(ticket.refund_deadline, datetime(2026, 3, 8, 10, 0))

    def test_agent_cannot_forge_the_refund_deadline(self):
        ticket = self._ticket()
        for name in ("refund_deadline", "refund_warning_date"):
            with self.subTest(field=name), \
                    self.assertRaisesRegex(AccessError, "after-sales desk sets"):
                rpc(self.env(user=self.agent), "helpdesk.ticket", "write", [ticket.id],
                    {name: "2030-01-01 00:00:00"})
            with self.subTest(field=name), self.assertRaises(AccessError):
                ticket.with_user(self.agent).write({name: False})
        self.assertFalse(ticket.refund_deadline)

    # ------------------------------------------------------------ settings
    def test_settings_and_their_constraints(self):
        company = self.env.company
        self.assertEqual(
            (company.after_sales_return_days, company.after_sales_exchange_days,
             company.after_sales_refund_days, company.after_sales_repeat_fault_days,
             company.after_sales_failed_repairs),
            (7, 15, 7, 30, 2),
        )
        settings = self.env["res.config.settings"].create({})
        settings.after_sales_refund_days = 5
        settings.after_sales_repeat_fault_days = 60
        settings.after_sales_failed_repairs = 3
        settings.execute()
        self.assertEqual(
            (company.after_sales_refund_days, company.after_sales_repeat_fault_days,
             company.after_sales_failed_repairs),
            (5, 60, 3),
        )
        for values, message in (
            ({"after_sales_return_days": 16}, "cannot be longer"),
            ({"after_sales_refund_days": -1}, "cannot be negative"),
            ({"after_sales_repeat_fault_days": -1}, "cannot be negative"),
            ({"after_sales_failed_repairs": 0}, "At least one failed repair"),
        ):
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message):
                with self.env.cr.savepoint():
                    company.write(values)
