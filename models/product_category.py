# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

WARRANTY_UNITS = [("day", "Day(s)"), ("week", "Week(s)"), ("month", "Month(s)"), ("year", "Year(s)")]
# Goods excluded from the no-reason (7-day) return (不适用七日无理由退货). "none" lets a
# product be returnable although its category is exempt.
RETURN_EXEMPTIONS = [
    ("none", "Not exempt"),
    ("custom", "Custom-made"),
    ("perishable", "Perishable"),
    ("digital", "Digital goods, once opened"),
    ("other", "Other exempt goods"),
]


class ProductCategory(models.Model):
    _inherit = "product.category"

    after_sales_warranty = fields.Integer(
        string="Warranty",
        help="Warranty of the category's products that have none of their own.",
    )
    after_sales_warranty_type = fields.Selection(
        WARRANTY_UNITS, string="Warranty unit", default="month"
    )
    after_sales_return_exemption = fields.Selection(
        RETURN_EXEMPTIONS[1:],
        string="Excluded from no-reason returns",
        help="The category's goods are not returned without a reason (custom-made, "
        "perishable, digital goods once opened...), unless a product says otherwise. "
        "A quality fault is still returned, exchanged or repaired by the rules.",
    )
