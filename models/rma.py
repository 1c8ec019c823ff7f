# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import float_compare

from ..compat import is_scrap_move

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
        "after_sales_under_warranty",
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

    after_sales_under_warranty = fields.Boolean(
        string="Mail-in in warranty",
        readonly=True,
        copy=False,
        help="The unit was in warranty when the customer sent it in for a mail-in "
        "repair: the days it spends with the company extend its warranty.",
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

    # ------------------------------------------------------------ mail-in repair
    def _is_after_sales_mail_in(self):
        self.ensure_one()
        operation = self.env.ref(
            "helpdesk_after_sales.rma_operation_mail_in_repair", raise_if_not_found=False
        )
        return bool(operation) and self.operation_id == operation

    def _get_mail_in_dates(self):
        """(received, returned) of the customer's unit: the done dates of the receipt
        and of the delivery that took the whole unit back, else False."""
        if not self:
            return False, False
        self.ensure_one()
        rma = self.sudo()
        receipt = rma.reception_move_id
        if receipt.state != "done":
            return False, False
        delivered = rma.delivery_move_ids.filtered(
            lambda m: m.state == "done" and not is_scrap_move(m)
        )
        back = delivered and (
            float_compare(
                rma.delivered_qty_done,
                rma.product_uom_qty,
                precision_rounding=rma.product_uom.rounding or 0.01,
            )
            >= 0
        )
        return receipt.date, back and max(delivered.mapped("date"))

    def _get_mail_in_unit_label(self):
        self.ensure_one()
        rma = self.sudo()
        if rma.lot_id:
            return f"{rma.product_id.display_name} ({rma.lot_id.name})"
        return rma.product_id.display_name

    def update_received_state_on_reception(self):
        res = super().update_received_state_on_reception()
        # The warehouse user validating the receipt may not read tickets.
        for rma in self.sudo().filtered(lambda r: r.ticket_id and r._is_after_sales_mail_in()):
            if rma.after_sales_under_warranty:
                body = self.env._(
                    "Unit %(unit)s received from the customer (mail-in repair %(rma)s): "
                    "its days with us extend its warranty.",
                    unit=rma._get_mail_in_unit_label(),
                    rma=rma.name,
                )
            else:
                body = self.env._(
                    "Unit %(unit)s received from the customer (mail-in repair %(rma)s).",
                    unit=rma._get_mail_in_unit_label(),
                    rma=rma.name,
                )
            rma.ticket_id.message_post(body=body, subtype_xmlid="mail.mt_note")
        return res

    def update_returned_state(self):
        waiting = self.filtered(lambda r: r.state == "waiting_return")
        res = super().update_returned_state()
        for rma in waiting.sudo().filtered(
            lambda r: r.state == "returned" and r.ticket_id and r._is_after_sales_mail_in()
        ):
            received, returned = rma._get_mail_in_dates()
            days = (
                fields.Date.context_today(rma, returned)
                - fields.Date.context_today(rma, received)
            ).days if received and returned else 0
            rma.ticket_id.message_post(
                body=self.env._(
                    "Unit %(unit)s shipped back to the customer (mail-in repair "
                    "%(rma)s), after %(days)s days with us.",
                    unit=rma._get_mail_in_unit_label(),
                    rma=rma.name,
                    days=days,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return res
