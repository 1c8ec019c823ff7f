# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    after_sales_update_hours_p1 = fields.Float(
        related="company_id.after_sales_update_hours_p1", readonly=False
    )
    after_sales_update_hours = fields.Float(
        related="company_id.after_sales_update_hours", readonly=False
    )
    after_sales_extension_max_days = fields.Integer(
        related="company_id.after_sales_extension_max_days", readonly=False
    )
    after_sales_retention_years = fields.Integer(
        related="company_id.after_sales_retention_years", readonly=False
    )
    after_sales_warranty = fields.Integer(
        related="company_id.after_sales_warranty", readonly=False
    )
    after_sales_warranty_type = fields.Selection(
        related="company_id.after_sales_warranty_type", readonly=False
    )
    after_sales_return_days = fields.Integer(
        related="company_id.after_sales_return_days", readonly=False
    )
    after_sales_exchange_days = fields.Integer(
        related="company_id.after_sales_exchange_days", readonly=False
    )
    after_sales_warning_ratio = fields.Float(
        related="company_id.after_sales_warning_ratio", readonly=False
    )
    after_sales_escalation_hours = fields.Float(
        related="company_id.after_sales_escalation_hours", readonly=False
    )
    after_sales_p1_notice_hours = fields.Float(
        related="company_id.after_sales_p1_notice_hours", readonly=False
    )
    after_sales_p1_assign_minutes = fields.Integer(
        related="company_id.after_sales_p1_assign_minutes", readonly=False
    )
    after_sales_compensation_threshold = fields.Monetary(
        related="company_id.after_sales_compensation_threshold",
        currency_field="currency_id",
        readonly=False,
    )
    after_sales_compensation_high_threshold = fields.Monetary(
        related="company_id.after_sales_compensation_high_threshold",
        currency_field="currency_id",
        readonly=False,
    )
    after_sales_compensation_max_amount = fields.Monetary(
        related="company_id.after_sales_compensation_max_amount",
        currency_field="currency_id",
        readonly=False,
    )
    after_sales_followup_days = fields.Integer(
        related="company_id.after_sales_followup_days", readonly=False
    )
    after_sales_portal_close_scope = fields.Selection(
        related="company_id.after_sales_portal_close_scope", readonly=False
    )

    # issue 16: default team and closing deadline
    after_sales_team_id = fields.Many2one(
        related="company_id.after_sales_team_id",
        readonly=False,
        domain="[('is_after_sales', '=', True), ('company_id', 'in', [company_id, False])]",
    )
    after_sales_closing_days = fields.Integer(
        related="company_id.after_sales_closing_days", readonly=False
    )
    # --- 三包 (returns, exchanges, repairs): issue 16
    after_sales_refund_days = fields.Integer(
        related="company_id.after_sales_refund_days", readonly=False
    )
    after_sales_repeat_fault_days = fields.Integer(
        related="company_id.after_sales_repeat_fault_days", readonly=False
    )
    after_sales_failed_repairs = fields.Integer(
        related="company_id.after_sales_failed_repairs", readonly=False
    )
    # Auto-archive of closed tickets (issue 16).
    after_sales_auto_archive_days = fields.Integer(
        related="company_id.after_sales_auto_archive_days", readonly=False
    )
