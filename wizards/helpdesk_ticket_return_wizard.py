# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicketReturnWizard(models.TransientModel):
    _name = "helpdesk.ticket.return.wizard"
    _inherit = "helpdesk.ticket.rma.wizard.mixin"
    _description = "Return delivered goods from a ticket"

    line_ids = fields.One2many(
        "helpdesk.ticket.return.wizard.line", "wizard_id", string="Delivered items"
    )
    reason = fields.Selection(default=lambda self: self._default_reason())
    refund = fields.Boolean(
        default=True,
        help="Refund the customer once the goods are received (the RMA's refund "
        "operation); otherwise the goods only come back.",
    )

    @api.model
    def _default_reason(self):
        ticket = self.env["helpdesk.ticket"].browse(self.env.context.get("active_id"))
        if self.env.context.get("active_model") == "helpdesk.ticket" and ticket.exists():
            if ticket.category_code == "A":
                return "quality"
            return "no_reason" if ticket.return_window_open else "quality"
        return "no_reason"

    @api.depends("ticket_id", "reason", "line_ids.quantity")
    def _compute_policy_blocker(self):
        for wizard in self:
            wizard.policy_blocker = (
                wizard.ticket_id._get_return_policy_blocker(
                    wizard.reason, wizard._get_policy_items()
                )
                if wizard.ticket_id
                else False
            )

    def action_confirm(self):
        self.ensure_one()
        rmas = self.ticket_id._create_after_sales_rmas(
            "return",
            self._prepare_rma_lines(),
            self.reason,
            note=self.note,
            justification=self.justification,
            refund=self.refund,
        )
        return self._action_view_rmas(rmas)


class HelpdeskTicketReturnWizardLine(models.TransientModel):
    _name = "helpdesk.ticket.return.wizard.line"
    _inherit = "helpdesk.ticket.rma.wizard.line.mixin"
    _description = "Delivered item to return"

    wizard_id = fields.Many2one(
        "helpdesk.ticket.return.wizard", required=True, ondelete="cascade"
    )
