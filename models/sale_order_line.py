# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    after_sales_return_exempt = fields.Boolean(
        string="No no-reason return",
        copy=False,
        help="Confirmed with the customer at sale: this line is not returned without a "
        "reason (e.g. goods made or opened for the customer). Set it before the order "
        "is confirmed. A quality fault is still returned, exchanged or repaired by the "
        "rules.",
    )

    def write(self, vals):
        if "after_sales_return_exempt" in vals and not self.env.su:
            changed = self.filtered(
                lambda line: line.after_sales_return_exempt
                != bool(vals["after_sales_return_exempt"])
                and line.order_id.state not in ("draft", "sent")
            )
            if changed:
                # Agreed at sale: afterwards it would take the customer's right away.
                raise UserError(
                    self.env._(
                        "The exclusion from no-reason returns is agreed with the customer "
                        "at sale: order %(order)s is already confirmed. Set the quotation "
                        "back to draft to change it.",
                        order=changed[0].order_id.name,
                    )
                )
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            orders = self.env["sale.order"].browse(
                {
                    vals["order_id"]
                    for vals in vals_list
                    if vals.get("after_sales_return_exempt") and vals.get("order_id")
                }
            )
            late = orders.filtered(lambda order: order.state not in ("draft", "sent"))
            if late:
                raise UserError(
                    self.env._(
                        "The exclusion from no-reason returns is agreed with the customer "
                        "at sale: order %(order)s is already confirmed. Set the quotation "
                        "back to draft to add such a line.",
                        order=late[0].name,
                    )
                )
        return super().create(vals_list)
