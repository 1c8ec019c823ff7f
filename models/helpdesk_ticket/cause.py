# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

# Recorded when the ticket is solved; required to close for the categories that say so.
CAUSE_FIELDS = ("root_cause_id", "responsible_department_id")


class HelpdeskTicket(models.Model):
    """Cause and responsibility (原因分析与责任部门): why the problem happened and which
    department answers for it, recorded when the ticket is solved. Closing requires
    them for the categories that say so (by default quality faults A and service
    complaints C); the analysis groups tickets by them."""

    _inherit = "helpdesk.ticket"

    root_cause_id = fields.Many2one(
        "helpdesk.ticket.root.cause",
        string="Root cause",
        index=True,
        tracking=True,
        copy=False,
        check_company=True,
        ondelete="restrict",
        help="Why the problem happened, as found when solving it.",
    )
    responsible_department_id = fields.Many2one(
        "helpdesk.after.sales.department",
        string="Responsible department",
        compute="_compute_responsible_department_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        copy=False,
        check_company=True,
        ondelete="restrict",
        help="The department the problem is traced to; proposed from the root cause.",
    )

    @api.depends("root_cause_id")
    def _compute_responsible_department_id(self):
        # A cause without a usual department keeps what the agent chose.
        for ticket in self:
            if ticket.root_cause_id.department_id:
                ticket.responsible_department_id = ticket.root_cause_id.department_id

    def _requires_root_cause(self, vals=None):
        """Whether the ticket's category (the one about to be written counts) needs
        the root cause and responsible department to close."""
        self.ensure_one()
        vals = vals or {}
        category = self.category_id
        if "category_id" in vals:
            category = self.env["helpdesk.ticket.category"].browse(vals["category_id"])
        return bool(category.sudo().requires_root_cause)

    def _get_closing_required_fields(self, vals=None):
        names = super()._get_closing_required_fields(vals)
        if self._requires_root_cause(vals):
            names += list(CAUSE_FIELDS)
        return names
