# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "helpdesk.after.sales.server.owned.mixin"]

    # Set by the approval of a compensation only: linking a credit note to a
    # compensation by hand would complete it when posted.
    _server_owned_fields = ("helpdesk_ticket_id", "helpdesk_compensation_id")

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
        self._check_compensation_credit_notes()
        posted = super()._post(soft=soft)
        # Posting the credit note of an approved compensation gives it to the customer.
        compensations = posted.sudo().helpdesk_compensation_id.filtered(
            lambda c: c.state == "approved" and c.move_id in posted
        )
        compensations._mark_done()
        return posted

    def _check_compensation_credit_notes(self):
        """A compensation's credit note gives what was approved, to whom it was
        approved for, once."""
        for move in self.sudo().filtered("helpdesk_compensation_id"):
            compensation = move.helpdesk_compensation_id
            if compensation.state != "approved" or compensation.move_id != move:
                raise UserError(
                    self.env._(
                        "Credit note %(move)s is not the credit note of an approved "
                        "compensation: compensation %(name)s is %(state)s. Cancel the "
                        "credit note.",
                        move=move.display_name,
                        name=compensation.name,
                        state=compensation._state_label(),
                    )
                )
            if (
                move.currency_id != compensation.currency_id
                or move.currency_id.compare_amounts(move.amount_total, compensation.amount)
                or move.commercial_partner_id
                != compensation.partner_id.commercial_partner_id
            ):
                raise UserError(
                    self.env._(
                        "Credit note %(move)s differs from the approved compensation "
                        "%(name)s (%(amount)s for %(partner)s): post it as approved, or "
                        "cancel the compensation and request it again.",
                        move=move.display_name,
                        name=compensation.name,
                        amount=compensation.currency_id.format(compensation.amount),
                        partner=compensation.partner_id.display_name,
                    )
                )
