# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

RMA_REASONS = [
    ("no_reason", "No reason (7-day return)"),
    ("quality", "Quality fault"),
    ("wrong_item", "Wrong or incomplete item"),
    ("transport_damage", "Damaged in transport"),
    ("other", "Other"),
]


class Rma(models.Model):
    _name = "rma"
    _inherit = ["rma", "helpdesk.after.sales.server.owned.mixin"]

    # Decided by the ticket's return and exchange wizards, under the return policy.
    _server_owned_fields = (
        "ticket_id",
        "after_sales_reason",
        "replacement_product_id",
        "policy_exception",
    )

    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="After-sales ticket",
        index="btree_not_null",
        copy=False,
        tracking=True,
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial number",
        domain="[('product_id', '=', product_id)]",
        index="btree_not_null",
        copy=False,
        help="The serial number the customer sends back: the receipt expects it.",
    )
    after_sales_reason = fields.Selection(RMA_REASONS, string="Return reason")
    replacement_product_id = fields.Many2one(
        "product.product",
        string="Replacement product",
        help="What the customer receives instead, proposed when the replacement is "
        "delivered.",
    )
    policy_exception = fields.Text(
        string="Policy exception",
        readonly=True,
        copy=False,
        help="Why a supervisor accepted this return or exchange outside the policy.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            # Each step of a ticket's return or exchange shows on the ticket; the
            # warehouse or accounting user moving it may not read tickets.
            for rma in self.sudo().filtered("ticket_id"):
                rma.ticket_id.message_post(
                    body=self.env._(
                        "RMA %(rma)s (%(product)s): %(state)s.",
                        rma=rma.name,
                        product=rma.product_id.display_name,
                        state=dict(
                            rma._fields["state"]._description_selection(self.env)
                        ).get(rma.state),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return res

    def _get_rma_orig(self):
        # rma_sale reads the origin move as the user (the refund button's compute on
        # the RMA form): after-sales agents read RMAs without reading stock moves.
        return super(Rma, self.sudo())._get_rma_orig().with_env(self.env)

    def _create_receipt(self):
        res = super()._create_receipt()
        self._set_reception_lot()
        return res

    def _set_reception_lot(self):
        """The receipt of a serial's RMA expects that serial number."""
        for rma in self.sudo().filtered("lot_id"):
            move = rma.reception_move_id
            if not move or move.state in ("done", "cancel"):
                continue
            if move.move_line_ids:
                move.move_line_ids.write({"lot_id": rma.lot_id.id})
            else:
                self.env["stock.move.line"].sudo().create(
                    dict(
                        move._prepare_move_line_vals(quantity=rma.product_uom_qty),
                        lot_id=rma.lot_id.id,
                    )
                )

    def _get_after_sales_refund_due_from(self):
        """When the goods of this RMA, to be refunded, were received (the receipt
        move's done date), while the refund is not done yet; else False.

        Done: the credit note posted, or the RMA set refunded without one (not
        invoiceable)."""
        self.ensure_one()
        receipt = self.reception_move_id
        if (
            self.operation_id.action_create_refund
            not in ("manual_after_receipt", "automatic_after_receipt")
            or receipt.state != "done"
            or self.state == "cancelled"
        ):
            return False
        if self.refund_id.state == "posted" or (
            self.state == "refunded" and not self.refund_id
        ):
            return False
        return receipt.date
