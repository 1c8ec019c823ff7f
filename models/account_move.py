# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    helpdesk_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="After-sales ticket",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    helpdesk_compensation_id = fields.Many2one(
        "helpdesk.ticket.compensation",
        string="After-sales compensation",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # Posting the credit note of an approved compensation gives it to the customer.
        compensations = posted.sudo().helpdesk_compensation_id.filtered(
            lambda c: c.state == "approved"
        )
        compensations._mark_done()
        return posted
