# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

ALERT_KINDS = [
    ("response", "Response"),
    ("resolution", "Resolution"),
    ("update", "Customer update"),
]
ALERT_LEVELS = [("warning", "Warning"), ("breached", "Breached"), ("escalated", "Escalated")]


class HelpdeskTicketAlert(models.Model):
    """One alert raised for a ticket's deadline. The unique key makes each level
    happen once, even when two cron workers run at the same moment: only the one
    whose insert succeeds acts on it."""

    _name = "helpdesk.ticket.alert"
    _description = "After-sales deadline alert"
    _order = "create_date desc, id desc"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(ALERT_KINDS, required=True)
    level = fields.Selection(ALERT_LEVELS, required=True)
    deadline = fields.Datetime(
        required=True, help="The deadline alerted on: when it moves, the alert no longer applies."
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "ticket_kind_level_uniq",
            "unique(ticket_id, kind, level)",
            "This alert was already raised for this ticket.",
        )
    ]
