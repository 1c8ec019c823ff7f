# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column


def pre_init_hook(env):
    """Classify the tickets a database already has before the addon's fields exist:
    their service priority follows their stars and they were received when they
    were created (otherwise every old ticket would become P3 received today)."""
    cr = env.cr
    if not column_exists(cr, "helpdesk_ticket", "service_priority"):
        create_column(cr, "helpdesk_ticket", "service_priority", "varchar")
        cr.execute(
            SQL(
                """UPDATE helpdesk_ticket
                      SET service_priority = CASE priority WHEN '3' THEN 'p1'
                                                           WHEN '2' THEN 'p2'
                                                           ELSE 'p3' END"""
            )
        )
    if not column_exists(cr, "helpdesk_ticket", "intake_date"):
        create_column(cr, "helpdesk_ticket", "intake_date", "timestamp")
        cr.execute(
            SQL("UPDATE helpdesk_ticket SET intake_date = date_trunc('minute', create_date)")
        )
