# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicketCompensationApprovalWizard(models.TransientModel):
    _name = "helpdesk.ticket.compensation.approval.wizard"
    _description = "Approve or reject a compensation request"

    compensation_id = fields.Many2one(
        "helpdesk.ticket.compensation", required=True, ondelete="cascade", readonly=True
    )
    ticket_id = fields.Many2one(related="compensation_id.ticket_id")
    partner_id = fields.Many2one(related="compensation_id.partner_id")
    compensation_type = fields.Selection(related="compensation_id.compensation_type")
    amount = fields.Monetary(related="compensation_id.amount", currency_field="currency_id")
    currency_id = fields.Many2one(related="compensation_id.currency_id")
    reason = fields.Text(related="compensation_id.reason")
    requested_by_id = fields.Many2one(related="compensation_id.requested_by_id")
    approval_level = fields.Selection(related="compensation_id.approval_level")
    decision = fields.Selection(
        [("approve", "Approve"), ("reject", "Reject")], required=True, default="approve"
    )
    comment = fields.Text(help="Required to reject: the requester reads it.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "helpdesk.ticket.compensation":
            values.setdefault("compensation_id", self.env.context.get("active_id"))
        return values

    def action_confirm(self):
        self.ensure_one()
        compensation = self.compensation_id
        compensation._review(self.decision, self.comment)
        return {
            "type": "ir.actions.act_window",
            "res_model": compensation._name,
            "res_id": compensation.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
