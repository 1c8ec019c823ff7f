# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicketSlaExtensionWizard(models.TransientModel):
    _name = "helpdesk.ticket.sla.extension.wizard"
    _description = "Extend a ticket's resolution deadline"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    days = fields.Integer(string="Extension (working days)", required=True, default=1)
    max_days = fields.Integer(compute="_compute_max_days")
    resolution_cap = fields.Datetime(
        string="Resolved at the latest by",
        compute="_compute_max_days",
        help="A complex case is resolved within the company's limit of working days "
        "from receipt, extensions included.",
    )
    reason = fields.Text(
        required=True,
        help="What makes the case complex and what was agreed with the customer.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "helpdesk.ticket":
            values.setdefault("ticket_id", self.env.context.get("active_id"))
        return values

    @api.depends("ticket_id")
    def _compute_max_days(self):
        for wizard in self:
            ticket = wizard.ticket_id
            wizard.max_days = ticket._get_extension_days_left() if ticket else 0
            wizard.resolution_cap = ticket._get_resolution_cap() if ticket else False

    def action_confirm(self):
        self.ensure_one()
        self.ticket_id._grant_sla_extension(self.days, self.reason)
        return {"type": "ir.actions.act_window_close"}
