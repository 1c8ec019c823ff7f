# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL

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

    def _suggest(self, text):
        """The most urgent priority whose keyword occurs in ``text``, or False."""
        text = (text or "").strip()
        if not text:
            return False
        # One query whatever the number of keywords; record rules still apply.
        query = self._search([])
        query.add_where(
            SQL(
                "strpos(lower(%s), lower(%s)) > 0",
                text,
                SQL.identifier(self._table, "name"),
            )
        )
        [(priority,)] = self.env.execute_query(
            query.select(SQL("min(%s)", SQL.identifier(self._table, "service_priority")))
        )
        return priority or False
