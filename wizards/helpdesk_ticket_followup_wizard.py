# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class HelpdeskTicketFollowupWizard(models.TransientModel):
    _name = "helpdesk.ticket.followup.wizard"
    _description = "Record the outcome of a follow-up visit"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    outcome = fields.Selection(
        [("done", "No problem"), ("problem", "Problem found")],
        required=True,
        default="done",
        help="A problem reopens the ticket for a second handling led by the supervisor.",
    )
    note = fields.Text(
        string="What the customer said",
        help="What the customer said; required when a problem was found.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ticket = self.env["helpdesk.ticket"].browse(
            values.get("ticket_id") or self.env.context.get("active_id")
        )
        if ticket:
            values["ticket_id"] = ticket.id
        return values

    def _prepare_followup_values(self):
        self.ensure_one()
        return {"outcome": self.outcome, "note": self.note}

    def action_confirm(self):
        self.ensure_one()
        if not self.ticket_id.can_record_followup:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has no follow-up visit planned.",
                    ticket=self.ticket_id.display_name,
                )
            )
        self.ticket_id._record_followup(**self._prepare_followup_values())
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
