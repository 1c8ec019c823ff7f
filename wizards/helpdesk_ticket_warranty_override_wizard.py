# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicketWarrantyOverrideWizard(models.TransientModel):
    _name = "helpdesk.ticket.warranty.override.wizard"
    _description = "Override a ticket's warranty result"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    warranty_state = fields.Selection(
        # The ticket's labels, translated (a copied list would stay English).
        selection=lambda self: self.env["ir.model.fields"].get_field_selection(
            "helpdesk.ticket", "warranty_state"
        ),
        required=True,
    )
    warranty_end_date = fields.Date(string="Warranty ends on")
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ticket = self.env["helpdesk.ticket"].browse(
            values.get("ticket_id") or self.env.context.get("active_id")
        )
        if ticket:
            values.update(
                ticket_id=ticket.id,
                warranty_state=ticket.warranty_state or "unknown",
                warranty_end_date=ticket.warranty_end_date,
            )
        return values

    def action_confirm(self):
        self.ensure_one()
        self.ticket_id._override_warranty(
            self.warranty_state, self.warranty_end_date, self.reason
        )
        return {"type": "ir.actions.act_window_close"}
