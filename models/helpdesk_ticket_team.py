# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    is_after_sales = fields.Boolean(
        string="After-sales team",
        help="The after-sales rules apply to this team's tickets: complete intake "
        "record, classes and service priorities, after-sales deadlines and alerts, "
        "warranty, returns, exchanges, compensation, closing with the customer's "
        "confirmation, and the analysis. Other teams' tickets work as in the plain "
        "helpdesk.",
    )
