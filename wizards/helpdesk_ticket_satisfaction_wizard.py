# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..models.helpdesk_ticket.satisfaction import SATISFACTION_LEVELS


class HelpdeskTicketSatisfactionWizard(models.TransientModel):
    _name = "helpdesk.ticket.satisfaction.wizard"
    _description = "Record the satisfaction a customer gave by phone"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    partner_id = fields.Many2one(
        "res.partner",
        string="Answered by",
        required=True,
        help="The customer (or the customer's contact) who answered.",
    )
    satisfaction = fields.Selection(SATISFACTION_LEVELS, required=True)
    comment = fields.Text(help="The customer's words, and any suggestion.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ticket = self.env["helpdesk.ticket"].browse(
            values.get("ticket_id") or self.env.context.get("active_id")
        )
        if ticket:
            values.update(ticket_id=ticket.id, partner_id=ticket.partner_id.id)
        return values

    def _prepare_satisfaction_values(self):
        self.ensure_one()
        return {
            "satisfaction": self.satisfaction,
            "comment": self.comment,
            "partner": self.partner_id,
        }

    def action_confirm(self):
        self.ensure_one()
        rating = self.ticket_id._record_phone_satisfaction(
            **self._prepare_satisfaction_values()
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Rating"),
            "res_model": "rating.rating",
            "res_id": rating.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
