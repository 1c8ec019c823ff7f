# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskAfterSalesImprovement(models.Model):
    """An action of the after-sales improvement plan (售后改进计划表), born from the
    weekly or monthly review of tickets."""

    _name = "helpdesk.after.sales.improvement"
    _description = "After-sales improvement action"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_order, deadline, id"

    name = fields.Char(string="Action", required=True, tracking=True)
    root_cause = fields.Text(tracking=True)
    owner_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        default=lambda self: self.env.user,
        tracking=True,
        index=True,
    )
    deadline = fields.Date(required=True, tracking=True, index=True)
    state = fields.Selection(
        [
            ("todo", "To do"),
            ("in_progress", "In progress"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        string="Status",
        default="todo",
        required=True,
        tracking=True,
        index=True,
    )
    state_order = fields.Integer(compute="_compute_state_order", store=True)
    ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        "helpdesk_after_sales_improvement_ticket_rel",
        "improvement_id",
        "ticket_id",
        string="Tickets",
        check_company=True,
    )
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    result = fields.Text(help="What the action changed, checked at the next review.")

    @api.depends("state")
    def _compute_state_order(self):
        order = {"in_progress": 0, "todo": 1, "done": 2, "cancelled": 3}
        for action in self:
            action.state_order = order.get(action.state, 9)

    @api.depends("ticket_ids")
    def _compute_ticket_count(self):
        for action in self:
            action.ticket_count = len(action.ticket_ids)

    def _is_overdue(self, today=None):
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        return self.state in ("todo", "in_progress") and self.deadline < today

    def action_start(self):
        self.write({"state": "in_progress"})

    def action_done(self):
        self.write({"state": "done"})

    def action_cancel(self):
        self.write({"state": "cancelled"})

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("id", "in", self.ticket_ids.ids)]
        action["context"] = {}
        return action
