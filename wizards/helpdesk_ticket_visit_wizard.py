# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class HelpdeskTicketVisitWizard(models.TransientModel):
    """Plan an on-site visit (上门服务) from an after-sales ticket: engineer, appointment
    window, the customer's address, the unit and the fault; the customer receives the
    appointment."""

    _name = "helpdesk.ticket.visit.wizard"
    _description = "Plan an on-site visit"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    person_id = fields.Many2one(
        "fsm.person",
        string="Engineer",
        required=True,
        help="The field service worker who visits the customer.",
    )
    scheduled_date_start = fields.Datetime(string="Appointment from", required=True)
    scheduled_date_end = fields.Datetime(string="Appointment until", required=True)
    fault = fields.Text(help="What the engineer is to look at, as the ticket records it.")
    under_warranty = fields.Boolean(
        string="Free visit (warranty)",
        compute="_compute_under_warranty",
        help="The warranty check of the ticket decides: in warranty the visit is free, "
        "otherwise it carries the quoted fee, which the customer accepts first.",
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_under_warranty"
    )
    fee = fields.Monetary(string="Visit fee", currency_field="currency_id")
    partner_id = fields.Many2one(related="ticket_id.partner_id", string="Customer")
    lot_id = fields.Many2one(related="ticket_id.lot_id", string="Unit (serial)")

    @api.depends("ticket_id")
    def _compute_under_warranty(self):
        for wizard in self:
            ticket = wizard.ticket_id
            wizard.under_warranty = ticket.warranty_state == "in_warranty"
            wizard.currency_id = (ticket.company_id or self.env.company).currency_id

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ticket = self.env["helpdesk.ticket"].browse(
            values.get("ticket_id") or self.env.context.get("active_id")
        )
        if ticket:
            values["ticket_id"] = ticket.id
            if "fault" in fields_list and not values.get("fault"):
                values["fault"] = ticket.symptoms or ticket.name
        # A two-hour window tomorrow at the next full hour, to adjust with the customer.
        start = fields.Datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(
            days=1, hours=1
        )
        if "scheduled_date_start" in fields_list and not values.get("scheduled_date_start"):
            values["scheduled_date_start"] = start
        if "scheduled_date_end" in fields_list and not values.get("scheduled_date_end"):
            values["scheduled_date_end"] = start + timedelta(hours=2)
        return values

    def _get_plan_blocker(self):
        """Why this visit cannot be planned as entered, or None."""
        self.ensure_one()
        blocker = self.ticket_id._get_visit_blocker()
        if blocker:
            return blocker
        if not self.person_id.active:
            return self.env._("Choose an active engineer.")
        if self.scheduled_date_end <= self.scheduled_date_start:
            return self.env._("The appointment window must end after it starts.")
        if self.scheduled_date_end <= fields.Datetime.now():
            return self.env._("The appointment window is already over: choose a later one.")
        if not self.under_warranty and self.fee <= 0:
            return self.env._(
                "The unit is not in warranty: enter the visit fee quoted to the customer."
            )
        if self.fee < 0:
            return self.env._("The visit fee cannot be negative.")
        return None

    def _prepare_visit_values(self, location):
        self.ensure_one()
        ticket = self.ticket_id
        fault = (self.fault or "").strip()
        return {
            "ticket_id": ticket.id,
            "location_id": location.id,
            "person_id": self.person_id.id,
            "scheduled_date_start": self.scheduled_date_start,
            "scheduled_date_end": self.scheduled_date_end,
            "description": fault,
            "company_id": (ticket.company_id or self.env.company).id,
            "after_sales_visit": True,
            "after_sales_product_id": ticket.product_id.id,
            "after_sales_lot_id": ticket.lot_id.id,
            "after_sales_fault": fault,
            "after_sales_under_warranty": self.under_warranty,
            "after_sales_fee": 0.0 if self.under_warranty else self.fee,
        }

    def action_plan(self):
        self.ensure_one()
        ticket = self.ticket_id
        ticket.check_access("write")
        blocker = self._get_plan_blocker()
        if blocker:
            raise UserError(blocker)
        location = ticket._get_visit_location()
        # The order belongs to field service: created for the dispatcher once the
        # checks above hold; the chatter keeps who planned it.
        visit = self.env["fsm.order"].sudo().create(self._prepare_visit_values(location))
        engineer_partner = visit.person_id.partner_id
        visit.message_subscribe(partner_ids=engineer_partner.ids)
        body = self.env._(
            "Visit %(visit)s planned by %(user)s: %(engineer)s, %(start)s - %(end)s, %(charge)s.",
            visit=visit.name,
            user=self.env.user.name,
            engineer=visit.person_id.name,
            start=ticket._format_for_customer(visit.scheduled_date_start),
            end=ticket._format_for_customer(visit.scheduled_date_end),
            charge=self.env._("free (warranty)")
            if visit.after_sales_under_warranty
            else self.env._("paid, fee awaiting the customer's acceptance"),
        )
        visit._post_after_sales_trace(body)
        ticket._send_visit_appointment(visit)
        # Back to the ticket's form, which reloads with its visit.
        return {"type": "ir.actions.act_window_close"}
