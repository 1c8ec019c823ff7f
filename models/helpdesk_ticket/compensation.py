# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class HelpdeskTicket(models.Model):
    """Compensation (补偿) requested from the ticket, and its figures in company currency."""

    _inherit = "helpdesk.ticket"

    # Requested through the desk's checked action.
    _server_owned_fields = (
        "compensation_ids",
    )

    compensation_ids = fields.One2many(
        "helpdesk.ticket.compensation", "ticket_id", string="Compensation"
    )
    compensation_count = fields.Integer(compute="_compute_compensation_summary")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company currency"
    )
    compensation_requested_amount = fields.Monetary(
        string="Compensation requested",
        currency_field="company_currency_id",
        compute="_compute_compensation_summary",
        help="Submitted, approved and given compensation, in company currency.",
    )
    compensation_approved_amount = fields.Monetary(
        string="Compensation approved",
        currency_field="company_currency_id",
        compute="_compute_compensation_summary",
        help="Approved and given compensation, in company currency.",
    )
    compensation_paid_amount = fields.Monetary(
        string="Compensation given",
        currency_field="company_currency_id",
        compute="_compute_compensation_summary",
        help="Compensation the customer received, in company currency.",
    )
    can_request_compensation = fields.Boolean(
        compute="_compute_can_request_compensation"
    )

    @api.depends("compensation_ids.state", "compensation_ids.amount_company")
    def _compute_compensation_summary(self):
        totals = {}
        ticket_ids = [ticket._origin.id for ticket in self if ticket._origin.id]
        if ticket_ids:
            groups = self.env["helpdesk.ticket.compensation"]._read_group(
                [("ticket_id", "in", ticket_ids)],
                ["ticket_id", "state"],
                ["amount_company:sum", "__count"],
            )
            for ticket, state, amount, count in groups:
                total = totals.setdefault(
                    ticket.id, {"count": 0, "requested": 0.0, "approved": 0.0, "paid": 0.0}
                )
                total["count"] += count
                if state in ("to_approve", "approved", "done"):
                    total["requested"] += amount
                if state in ("approved", "done"):
                    total["approved"] += amount
                if state == "done":
                    total["paid"] += amount
        for ticket in self:
            total = totals.get(ticket._origin.id, {})
            ticket.compensation_count = total.get("count", 0)
            ticket.compensation_requested_amount = total.get("requested", 0.0)
            ticket.compensation_approved_amount = total.get("approved", 0.0)
            ticket.compensation_paid_amount = total.get("paid", 0.0)

    @api.depends("partner_id", "stage_id.closed")
    def _compute_can_request_compensation(self):
        for ticket in self:
            ticket.can_request_compensation = ticket._get_compensation_blocker() is None

    def _get_compensation_blocker(self):
        """Why no compensation can be requested on this ticket now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it before requesting compensation.",
                ticket=self.display_name,
            )
        if not self.partner_id:
            return self.env._(
                "Ticket %(ticket)s has no customer: set the customer who is compensated.",
                ticket=self.display_name,
            )
        return None

    def _check_can_request_compensation(self):
        for ticket in self:
            blocker = ticket._get_compensation_blocker()
            if blocker:
                raise UserError(blocker)

    def action_request_compensation(self):
        self.ensure_one()
        self._check_can_request_compensation()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request compensation"),
            "res_model": "helpdesk.ticket.compensation",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_ticket_id": self.id},
        }

    def action_view_compensations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_after_sales.helpdesk_ticket_compensation_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action
