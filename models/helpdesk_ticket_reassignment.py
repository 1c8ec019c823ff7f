# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskTicketReassignment(models.Model):
    """One change of a ticket's handler after its first assignment (转派记录): from
    whom, to whom, who changed it, when and why. Written by the desk only (see
    helpdesk.ticket._record_reassignments): agents read it."""

    _name = "helpdesk.ticket.reassignment"
    _description = "After-sales ticket reassignment"
    _order = "date desc, id desc"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True, readonly=True
    )
    from_user_id = fields.Many2one("res.users", string="From", readonly=True)
    to_user_id = fields.Many2one("res.users", string="To", readonly=True)
    changed_by_id = fields.Many2one("res.users", string="Changed by", readonly=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    reason = fields.Text(readonly=True)
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
