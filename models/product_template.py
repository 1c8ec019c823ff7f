# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .product_category import RETURN_EXEMPTIONS


class ProductTemplate(models.Model):
    _inherit = "product.template"

    after_sales_return_exemption = fields.Selection(
        RETURN_EXEMPTIONS,
        string="Excluded from no-reason returns",
        help="Empty: as the product category says. \"Not exempt\" makes the product "
        "returnable without a reason although its category is exempt. A quality fault "
        "is still returned, exchanged or repaired by the rules.",
    )

    def _get_after_sales_return_exemption(self):
        """The exemption that applies: the product's own, else its category's
        (False when the goods may be returned without a reason)."""
        self.ensure_one()
        exemption = self.after_sales_return_exemption or (
            self.categ_id.after_sales_return_exemption
        )
        return exemption if exemption and exemption != "none" else False
