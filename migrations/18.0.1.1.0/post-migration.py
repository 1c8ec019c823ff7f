# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The alert engine moved from the ticket to helpdesk.ticket.alert; its crons
    are noupdate data, so point them there."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    alert_model = env["ir.model"]._get("helpdesk.ticket.alert")
    for xmlid in (
        "helpdesk_after_sales.ir_cron_after_sales_overdue_alerts",
        "helpdesk_after_sales.ir_cron_after_sales_daily_digest",
    ):
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.model_id = alert_model
