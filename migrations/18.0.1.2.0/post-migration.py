# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api

# Seeded SLA rules: (xml id, the old seed (days, hours, counted on the 24/7
# calendar), the new seed (name, days, hours)). Only rules a manager has not
# changed since the old seed are brought to the new one.
SLA_SEEDS = (
    ("helpdesk_sla_p1_resolution", (1, 0, True), ("P1 紧急：24 小时内解决（全天候）", 0, 24)),
    ("helpdesk_sla_p2_response", (0, 8, False), ("P2 重要：8 小时内响应", 0, 8)),
    ("helpdesk_sla_p2_resolution", (3, 0, False), ("P2 重要：72 小时内解决", 0, 72)),
    ("helpdesk_sla_p3_response", (1, 0, False), ("P3 一般：24 小时内响应", 0, 24)),
    ("helpdesk_sla_p3_resolution", (3, 0, False), ("P3 一般：72 小时内解决", 0, 72)),
)


def migrate(cr, version):
    """Issue 16: the seeded SLA rules follow the standard's hours (elapsed, on the
    24/7 calendar), unless a manager changed them; the main company gets the
    installed after-sales team as its default team (the team itself is new
    noupdate data, created by the upgrade). Open tickets keep their planned
    deadlines; "Refresh SLA" or a change of priority plans them again."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    around_the_clock = env.ref(
        "helpdesk_after_sales.resource_calendar_24_7", raise_if_not_found=False
    )
    for xmlid, (old_days, old_hours, old_24_7), (name, days, hours) in SLA_SEEDS:
        rule = env.ref(f"helpdesk_after_sales.{xmlid}", raise_if_not_found=False)
        if not rule or not around_the_clock:
            continue
        calendar_was = around_the_clock if old_24_7 else env["resource.calendar"]
        if (rule.days, rule.hours, rule.calendar_id) == (old_days, old_hours, calendar_was):
            rule.write(
                {
                    "name": name,
                    "days": days,
                    "hours": hours,
                    "calendar_id": around_the_clock.id,
                }
            )
    team = env.ref(
        "helpdesk_after_sales.helpdesk_ticket_team_after_sales", raise_if_not_found=False
    )
    company = env.ref("base.main_company", raise_if_not_found=False)
    if team and company and not company.after_sales_team_id:
        company.after_sales_team_id = team
