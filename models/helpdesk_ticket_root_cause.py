# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketRootCause(models.Model):
    """Why the problem happened (根本原因): the list the desk records on a solved ticket
    and the analysis groups by. Seeded with design, manufacturing, supplier part,
    logistics, installation, usage, service and other; managers adapt it."""

    _name = "helpdesk.ticket.root.cause"
    _description = "After-sales root cause"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Short stable key of the cause, for exports and integrations.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(
        translate=True, help="When to choose this cause; shown to the agents."
    )
    department_id = fields.Many2one(
        "helpdesk.after.sales.department",
        string="Usually responsible",
        check_company=True,
        help="Proposed as the ticket's responsible department when this cause is "
        "chosen; the agent may change it.",
    )
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to share the cause with every company."
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "A root cause with this code already exists for this company.",
        )
    ]
