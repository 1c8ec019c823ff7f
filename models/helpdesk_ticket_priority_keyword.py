# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

from .helpdesk_ticket_category import SERVICE_PRIORITIES


class HelpdeskTicketPriorityKeyword(models.Model):
    _name = "helpdesk.ticket.priority.keyword"
    _description = "Urgency keyword suggesting a ticket priority"
    _order = "service_priority, name"

    name = fields.Char(string="Keyword", required=True, translate=False)
    service_priority = fields.Selection(
        SERVICE_PRIORITIES, string="Suggested priority", required=True, default="p1"
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "This keyword is already defined for this company.",
        )
    ]

    def _get_matcher(self):
        """A function ``match(text, company)`` giving the most urgent priority whose
        keyword (shared, or of ``company``) occurs in ``text``, or False: the
        keywords are read once for a whole batch of tickets, not queried for each."""
        keywords = [
            (keyword.name.lower(), keyword.service_priority, keyword.company_id.id)
            for keyword in self.search_fetch([], ["name", "service_priority", "company_id"])
        ]

        def match(text, company):
            text = (text or "").strip().lower()
            return min(
                (
                    priority
                    for name, priority, company_id in keywords
                    if name and name in text and company_id in (False, company.id)
                ),
                default=False,
            )

        return match
