# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

SERVICE_PRIORITIES = [("p1", "P1 Urgent"), ("p2", "P2 Important"), ("p3", "P3 General")]
CATEGORY_CODES = [
    ("A", "A - Quality fault"),
    ("B", "B - Usage question"),
    ("C", "C - Service complaint"),
    ("D", "D - Return / exchange / compensation"),
    ("E", "E - Improvement suggestion"),
]
# Classes whose tickets close only with their root cause and responsible department,
# by default (the category's flag decides).
ROOT_CAUSE_CODES = ("A", "C")


class HelpdeskTicketCategory(models.Model):
    _inherit = "helpdesk.ticket.category"

    code = fields.Selection(
        CATEGORY_CODES,
        compute="_compute_code",
        store=True,
        readonly=False,
        recursive=True,
        index=True,
        help="After-sales class A-E; sub-categories take their parent's class.",
    )
    default_service_priority = fields.Selection(
        SERVICE_PRIORITIES,
        string="Default priority",
        help="Priority suggested at intake for tickets of this category, before "
        "the urgency keywords are looked at.",
    )
    requires_root_cause = fields.Boolean(
        string="Closing needs the root cause",
        compute="_compute_requires_root_cause",
        store=True,
        readonly=False,
        help="A ticket of this category is closed as solved only once its root cause "
        "and responsible department are recorded. Set by default for quality faults "
        "(A) and service complaints (C) and their sub-categories.",
    )
    required_field_ids = fields.Many2many(
        "ir.model.fields",
        string="Fields required to leave intake",
        domain="[('model', '=', 'helpdesk.ticket'), ('store', '=', True)]",
        help="A ticket of this category cannot leave its first stage while one of "
        "these fields is empty.",
    )

    @api.depends("parent_id.code")
    def _compute_code(self):
        for category in self:
            if category.parent_id and not category.code:
                category.code = category.parent_id.code

    @api.depends("code")
    def _compute_requires_root_cause(self):
        # The default of each class; managers may tick or untick it per category.
        for category in self:
            category.requires_root_cause = category.code in ROOT_CAUSE_CODES

    def _get_required_fields(self):
        """Fields a ticket of this category needs, its parents' included."""
        self.ensure_one()
        fields_ = self.env["ir.model.fields"]
        category = self
        while category:
            fields_ |= category.required_field_ids
            category = category.parent_id
        return fields_
