# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class HelpdeskAfterSalesVisitPart(models.Model):
    """A part the engineer used on an on-site visit (上门服务用料)."""

    _name = "helpdesk.after.sales.visit.part"
    _inherit = ["helpdesk.after.sales.server.owned.mixin"]
    _description = "After-sales visit: part used"
    _order = "order_id, id"
    _check_company_auto = True
    # The visit's company, never set by hand.
    _server_owned_fields = ("company_id",)

    order_id = fields.Many2one(
        "fsm.order", string="Visit", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    product_id = fields.Many2one(
        "product.product",
        string="Part",
        required=True,
        check_company=True,
        domain="[('type', '=', 'consu')]",
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit of measure")
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure", required=True)
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot/serial",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )

    @api.constrains("quantity")
    def _check_quantity(self):
        for part in self:
            if part.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "The quantity of %(part)s used must be positive.",
                        part=part.product_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        parts = super().create(vals_list)
        parts.order_id._check_after_sales_editable()
        return parts

    def write(self, vals):
        self.order_id._check_after_sales_editable()
        res = super().write(vals)
        self.order_id._check_after_sales_editable()
        return res

    def unlink(self):
        self.order_id._check_after_sales_editable()
        return super().unlink()
