# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

WARRANTY_UNITS = [("day", "Day(s)"), ("week", "Week(s)"), ("month", "Month(s)"), ("year", "Year(s)")]


class ProductCategory(models.Model):
    _inherit = "product.category"

    after_sales_warranty = fields.Integer(
        string="Warranty",
        help="Warranty of the category's products that have none of their own.",
    )
    after_sales_warranty_type = fields.Selection(
        WARRANTY_UNITS, string="Warranty unit", default="month"
    )
