# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""On-site visits (issue 18) through OCA field service: the dispatcher plans a visit
from the ticket, the engineer records arrival, work, parts and the customer's
signature, and the signed visit report is part of the closing proof and of the
record sheet. The technician is tried as an attacker too."""

import base64
from datetime import timedelta

from odoo import fields
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import MODULE, AfterSalesCase

# A 1x1 PNG: the customer's signature as the signature pad sends it.
SIGNATURE = (
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
TECHNICIAN = f"{MODULE}.group_after_sales_technician"


def rpc(env, model, method, *args, **kwargs):
    return call_kw(env[model], method, list(args), kwargs)


@tagged("post_install", "-at_install")
class TestFieldService(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.write(
            {"street": "88 Jianguo Road", "city": "Beijing", "zip": "100022", "lang": "en_US"}
        )
        cls.printer = cls._create_serial_product(
            "Smart Printer (visit)", "SP-V1", 2000, warranty_months=12
        )
        cls.lot = cls.env["stock.lot"].create({"name": "SN-V-001", "product_id": cls.printer.id})
        cls.part = cls.env["product.product"].create(
            {"name": "Fuser unit FU-1", "type": "consu", "list_price": 120.0}
        )
        # Two engineers: technicians only (no helpdesk role), each a field service worker.
        cls.engineer = new_test_user(cls.env, login="as_visit_engineer", groups=TECHNICIAN)
        cls.other_engineer = new_test_user(
            cls.env, login="as_visit_engineer_2", groups=TECHNICIAN
        )
        cls.person = cls.env["fsm.person"].create({"partner_id": cls.engineer.partner_id.id})
        cls.other_person = cls.env["fsm.person"].create(
            {"partner_id": cls.other_engineer.partner_id.id}
        )

    # ------------------------------------------------------------ helpers
    def _in_warranty_ticket(self):
        with freeze_time(fields.Datetime.now() - timedelta(days=30)):
            self._sell_and_deliver(self.printer, self.lot)
        ticket = self._ticket_in_progress(
            category_id=self.category_a.id,
            product_id=self.printer.id,
            lot_id=self.lot.id,
            symptoms="Paper jams on every page after warming up.",
        )
        self.assertEqual(ticket.warranty_state, "in_warranty")
        return ticket

    def _plan(self, ticket, user=None, person=None, fee=None, start_in=1, hours=2):
        user = user or self.agent
        action = ticket.with_user(user).action_plan_visit()
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=start_in)
        with Form.from_action(self.env(user=user), action) as form:
            form.person_id = person or self.person
            form.scheduled_date_start = start
            form.scheduled_date_end = start + timedelta(hours=hours)
            if fee is not None:
                form.fee = fee
        form.record.action_plan()
        return ticket.fsm_order_ids.filtered("after_sales_visit").sorted("id")[-1:]

    def _sign(self, visit, user):
        action = visit.with_user(user).action_after_sales_sign()
        with Form(
            self.env["fsm.order.sign.wizard"].with_user(user).with_context(**action["context"])
        ) as form:
            form.signed_by = "Chen Customer"
            form.signature = SIGNATURE
        form.record.action_sign()

    def _complete(self, visit, user=None):
        user = user or self.engineer
        as_engineer = visit.with_user(user)
        as_engineer.action_after_sales_arrive()
        as_engineer.write(
            {
                "resolution": "<p>Replaced the fuser unit; printed 20 test pages.</p>",
                "after_sales_part_ids": [
                    fields.Command.create({"product_id": self.part.id, "quantity": 1.0})
                ],
            }
        )
        self._sign(visit, user)
        as_engineer.action_after_sales_done()

    # ------------------------------------------------------------ the flow
    def test_visit_planned_done_with_signature_is_closing_proof(self):
        ticket = self._in_warranty_ticket()
        self.assertTrue(ticket.with_user(self.agent).can_plan_visit)
        visit = self._plan(ticket)
        self.assertEqual(len(visit), 1)
        self.assertEqual(visit.ticket_id, ticket)
        self.assertEqual(visit.person_id, self.person)
        self.assertEqual(visit.after_sales_lot_id, self.lot)
        self.assertEqual(visit.after_sales_product_id, self.printer)
        self.assertIn("Paper jams", visit.after_sales_fault)
        self.assertTrue(visit.after_sales_under_warranty)
        self.assertFalse(visit.after_sales_fee, "in warranty the visit is free")
        self.assertEqual(visit.create_uid, self.agent, "planned by the agent, created through sudo")
        # The address is the customer's: a service location created from it.
        location = visit.location_id
        self.assertEqual(location.owner_id, self.customer)
        self.assertEqual((location.street, location.city), ("88 Jianguo Road", "Beijing"))
        self.assertEqual(self.customer.service_location_id, location)
        # The appointment went to the customer; the ticket keeps the trace.
        appointment = ticket.message_ids.filtered(
            lambda m: m.subject and "on-site service appointment" in m.subject
        )
        self.assertEqual(len(appointment), 1)
        self.assertIn(self.customer, appointment.partner_ids)
        self.assertIn("SN-V-001", appointment.body)
        self.assertIn("free of charge", appointment.body)
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: visit.name in (m.body or "") and "planned" in m.body)
        )
        # Not closable before the signed visit report.
        self._record_result(ticket)
        self.assertFalse(ticket.can_close)
        self.assertIn("Signed visit report", ticket.closing_missing)
        with self.assertRaisesRegex(UserError, "Signed visit report"):
            ticket.with_user(self.agent).action_close()
        # The engineer: arrival, work and parts, signature, done.
        self._complete(visit)
        self.assertTrue(visit.after_sales_arrival_date)
        self.assertEqual(visit.signed_by, "Chen Customer")
        self.assertTrue(visit.signature)
        self.assertEqual(visit.stage_id, self.env.ref("fieldservice.fsm_stage_completed"))
        self.assertTrue(visit.after_sales_report_done)
        self.assertEqual(visit.after_sales_part_ids.product_id, self.part)
        for step in ("arrived", "signed by Chen Customer", "done"):
            self.assertTrue(
                ticket.message_ids.filtered(lambda m, s=step: s in (m.body or "")),
                f"the ticket's chatter shows the visit step: {step}",
            )
        # The visit report is part of the closing proof and of the record sheet.
        self.assertTrue(ticket.after_sales_visit_report_done)
        self.assertIn(visit.name, ticket.closing_proof_names)
        proof = dict(ticket._get_closing_proof_records())
        self.assertEqual(proof[f"{MODULE}.action_report_fsm_visit"], visit)
        ticket.with_user(self.agent).action_close()
        self.assertTrue(ticket.closed)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.agent)
            ._render_qweb_html(f"{MODULE}.action_report_ticket_record", ticket.ids)[0]
            .decode()
        )
        for text in (visit.name, "Replaced the fuser unit", "Fuser unit FU-1", "Chen Customer"):
            self.assertIn(text, html)
        self.assertIn("data:image/png;base64", html, "the signature image is printed")
        visit_html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(f"{MODULE}.action_report_fsm_visit", visit.ids)[0]
            .decode()
        )
        self.assertIn("On-site visit report", visit_html)

    def test_out_of_warranty_visit_waits_for_the_fee_acceptance(self):
        ticket = self._ticket_in_progress(
            category_id=self.category_a.id,
            product_id=self.printer.id,
            lot_id=self.lot.id,
            symptoms="Noisy paper feed.",
        )
        self.assertNotEqual(ticket.warranty_state, "in_warranty")
        with self.assertRaisesRegex(UserError, "enter the visit fee"):
            self._plan(ticket, fee=0.0)
        visit = self._plan(ticket, fee=80.0)
        self.assertFalse(visit.after_sales_under_warranty)
        self.assertEqual(visit.after_sales_fee, 80.0)
        appointment = ticket.message_ids.filtered(
            lambda m: m.subject and "on-site service appointment" in m.subject
        )
        self.assertIn("accepted this fee", appointment.body)
        self.assertTrue(ticket.can_accept_visit_fee)
        # The same rule as paid repairs: nothing happens before the customer accepts.
        with self.assertRaisesRegex(UserError, "not accepted its fee"):
            visit.with_user(self.engineer).action_after_sales_arrive()
        ticket.with_user(self.agent).action_accept_visit_fee()
        self.assertEqual(visit.after_sales_fee_accepted_by_id, self.agent)
        self.assertFalse(ticket.can_accept_visit_fee)
        self._complete(visit)
        self.assertTrue(visit.after_sales_report_done)
        record = self.env["ir.actions.report"]._render_qweb_html(
            f"{MODULE}.action_report_fsm_visit", visit.ids
        )[0].decode()
        self.assertIn("Paid", record)

    def test_planning_is_checked_on_the_server(self):
        ticket = self._in_warranty_ticket()
        action = ticket.with_user(self.agent).action_plan_visit()
        wizard_model = self.env["helpdesk.ticket.visit.wizard"].with_user(self.agent)
        start = fields.Datetime.now() + timedelta(days=1)
        wizard = wizard_model.with_context(**action["context"]).create(
            {
                "person_id": self.person.id,
                "scheduled_date_start": start,
                "scheduled_date_end": start - timedelta(hours=1),
            }
        )
        with self.assertRaisesRegex(UserError, "end after it starts"):
            wizard.action_plan()
        wizard.write(
            {
                "scheduled_date_start": start - timedelta(days=3),
                "scheduled_date_end": start - timedelta(days=2),
            }
        )
        with self.assertRaisesRegex(UserError, "already over"):
            wizard.action_plan()
        self._plan(ticket)
        with self.assertRaisesRegex(UserError, "not done yet"):
            ticket.with_user(self.agent).action_plan_visit()
        # A ticket without a customer has no address to visit.
        lone = self._create_ticket(partner_id=False)
        with self.assertRaisesRegex(UserError, "Set the customer"):
            lone.with_user(self.agent).action_plan_visit()

    def test_completion_needs_arrival_work_and_signature(self):
        visit = self._plan(self._in_warranty_ticket())
        as_engineer = visit.with_user(self.engineer)
        with self.assertRaisesRegex(UserError, "the arrival"):
            as_engineer.action_after_sales_done()
        as_engineer.action_after_sales_arrive()
        with self.assertRaisesRegex(UserError, "already recorded"):
            as_engineer.action_after_sales_arrive()
        with self.assertRaisesRegex(UserError, "the work done, the customer's signature"):
            as_engineer.action_after_sales_done()
        # fieldservice's own Complete button goes through the same checks.
        with self.assertRaisesRegex(UserError, "cannot be completed yet"):
            visit.with_user(self.supervisor).action_complete()
        self.assertFalse(visit.is_closed)
        # So does helpdesk_mgmt_fieldservice's rule: the ticket stays open meanwhile.
        with self.assertRaises(ValidationError):
            visit.ticket_id.write({"stage_id": self.stage_done.id})

    # ------------------------------------------------------------ the technician
    def test_technician_sees_their_visits_and_tickets_only(self):
        ticket = self._in_warranty_ticket()
        visit = self._plan(ticket)
        other_ticket = self._create_ticket(name="Scanner stripes")
        env = self.env(user=self.engineer)
        self.assertEqual(env["fsm.order"].search([]), visit)
        self.assertEqual(env["helpdesk.ticket"].search([]), ticket)
        values = rpc(env, "helpdesk.ticket", "read", ticket.ids, ["name", "partner_id"])
        self.assertEqual(values[0]["name"], ticket.name)
        with self.assertRaises(AccessError):
            rpc(env, "helpdesk.ticket", "read", other_ticket.ids, ["name"])
        with self.assertRaises(AccessError):
            rpc(env, "helpdesk.ticket", "write", ticket.ids, {"name": "Mine now"})
        with self.assertRaises(AccessError):
            rpc(env, "helpdesk.ticket", "create", {"name": "New ticket"})
        # Nothing else of the desk.
        for model in ("helpdesk.ticket.compensation", "rma", "repair.order"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                rpc(env, model, "search_read", [], ["id"])
        # The other engineer sees none of it.
        other = self.env(user=self.other_engineer)
        self.assertFalse(other["fsm.order"].search([]))
        self.assertFalse(other["helpdesk.ticket"].search([]))
        with self.assertRaises(AccessError):
            rpc(other, "fsm.order", "read", visit.ids, ["name"])

    def test_technician_records_the_visit_in_their_form(self):
        """The technician's own form (My Visits) opens and saves with their rights
        only: the ticket, engineer and location show without access to them."""
        visit = self._plan(self._in_warranty_ticket())
        visit.with_user(self.engineer).action_after_sales_arrive()
        with Form(
            visit.with_user(self.engineer),
            view=f"{MODULE}.fsm_order_view_form_after_sales_visit",
        ) as form:
            self.assertEqual(form.after_sales_lot_id, self.lot)
            self.assertEqual(form.ticket_id, visit.ticket_id)
            form.resolution = "<p>Cleaned the paper path.</p>"
            with form.after_sales_part_ids.new() as part:
                part.product_id = self.part
                part.quantity = 2
        self.assertEqual(visit.after_sales_part_ids.quantity, 2)
        self.assertIn("Cleaned the paper path", visit.resolution)

    def test_technician_as_attacker(self):
        ticket = self._in_warranty_ticket()
        visit = self._plan(ticket)
        env = self.env(user=self.engineer)
        # Server-owned fields, and the order's other fields, only through the buttons.
        for vals in (
            {"after_sales_arrival_date": fields.Datetime.now()},
            {"signature": SIGNATURE, "signed_by": "Forged"},
            {"after_sales_fee": 0.0},
            {"person_id": self.other_person.id},
            {"ticket_id": self._create_ticket(name="Someone else's").id},
            {"stage_id": self.env.ref("fieldservice.fsm_stage_completed").id},
        ):
            with self.subTest(vals=list(vals)), self.assertRaises(AccessError):
                rpc(env, "fsm.order", "write", visit.ids, vals)
        # Completing through the stage, even with fieldservice's bypass key.
        with self.assertRaises(AccessError):
            call_kw(
                env["fsm.order"].with_context(bypass_order_completed_stage=True),
                "write",
                [visit.ids, {"stage_id": self.env.ref("fieldservice.fsm_stage_completed").id}],
                {},
            )
        # Someone else's visit: neither arrival, nor signature, nor completion.
        other = self.env(user=self.other_engineer)
        for method in ("action_after_sales_arrive", "action_after_sales_done"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                rpc(other, "fsm.order", method, visit.ids)
        with self.assertRaises(AccessError):
            rpc(
                other,
                "fsm.order.sign.wizard",
                "create",
                {"order_id": visit.id, "signed_by": "Forged", "signature": SIGNATURE},
            )
        # The fee acceptance is the desk's.
        with self.assertRaises(AccessError):
            rpc(env, "helpdesk.ticket", "action_accept_visit_fee", ticket.ids)
        # A done visit's report no longer changes.
        self._complete(visit)
        with self.assertRaisesRegex(UserError, "is closed"):
            rpc(env, "fsm.order", "write", visit.ids, {"resolution": "<p>Changed</p>"})
        with self.assertRaisesRegex(UserError, "is closed"):
            rpc(
                env,
                "helpdesk.after.sales.visit.part",
                "create",
                {"order_id": visit.id, "product_id": self.part.id, "quantity": 3},
            )

    def test_agent_cannot_write_server_owned_visit_fields(self):
        visit = self._plan(self._in_warranty_ticket())
        env = self.env(user=self.agent)
        for vals in (
            {"after_sales_fee_accepted_date": fields.Datetime.now()},
            {"after_sales_under_warranty": False},
            {"signature": SIGNATURE},
        ):
            with self.subTest(vals=list(vals)), self.assertRaisesRegex(
                AccessError, "after-sales desk sets"
            ):
                rpc(env, "fsm.order", "write", visit.ids, vals)
        with self.assertRaisesRegex(AccessError, "after-sales desk sets"):
            rpc(
                env,
                "fsm.order",
                "create",
                {
                    "location_id": visit.location_id.id,
                    "after_sales_visit": True,
                    "after_sales_under_warranty": True,
                },
            )
