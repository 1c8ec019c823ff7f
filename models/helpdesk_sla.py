# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskSla(models.Model):
    _inherit = "helpdesk.sla"

    sla_kind = fields.Selection(
        [("response", "Response"), ("resolution", "Resolution"), ("plan", "Plan")],
        string="Measures",
        help="Response: reaching the in-progress stage. Resolution: reaching a "
        "closed stage. Plan: the handler recording the handling plan (方案), or the "
        "ticket reaching the rule's stage. The ticket shows one deadline of each kind.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working hours",
        help="Calendar the deadline is counted on. The seeded rules count elapsed "
        "hours on the around-the-clock calendar (the standard says hours); empty: "
        "the team's working hours, e.g. for a rule in working days.",
    )
