# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    after_sales_resolved = fields.Boolean(
        string="Resolved",
        help="Reaching this closed stage means the customer's problem is solved: the "
        "ticket needs its solution, result, handler and the customer's confirmation; "
        "the customer receives the stage's email with the written proof, then the "
        "rating request, and a follow-up visit is planned.",
    )

    @api.constrains("after_sales_resolved", "closed")
    def _check_after_sales_resolved_closed(self):
        for stage in self:
            if stage.after_sales_resolved and not stage.closed:
                raise ValidationError(
                    self.env._(
                        "Stage %(stage)s can only be a resolved stage if it closes the "
                        "ticket.",
                        stage=stage.name,
                    )
                )
