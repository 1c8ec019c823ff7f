# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    after_sales_update_hours_p1 = fields.Float(
        string="Customer update interval for P1 (hours)",
        default=2.0,
        help="An urgent ticket's customer must hear from the desk this often.",
    )
    after_sales_update_hours = fields.Float(
        string="Customer update interval (hours)",
        default=24.0,
        help="How often the customer of a P2 or P3 ticket must hear from the desk.",
    )
    after_sales_extension_max_days = fields.Integer(
        string="Longest deadline extension (working days)",
        default=5,
        help="The most a supervisor may extend the resolution deadline of a complex "
        "case, agreed with the customer.",
    )
    after_sales_retention_years = fields.Integer(
        string="Keep archived records (years)",
        default=3,
        help="How long an archived ticket record is kept before it may be deleted.",
    )
