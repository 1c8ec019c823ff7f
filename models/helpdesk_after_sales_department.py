# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class HelpdeskAfterSalesDepartment(models.Model):
    """The department responsible for a problem (责任部门), as the after-sales analysis
    names it: R&D, production, purchasing, logistics...

    A small list of its own rather than ``hr.department``: the addon does not depend
    on the Employees app (hr), which companies running only sales, stock and the
    helpdesk do not install, and responsibility here is a reporting axis that the
    after-sales managers maintain, not the organisation chart with its employees and
    managers. Helpdesk teams are no substitute: they are the desk's own teams, not
    the departments a fault is traced to. A bridge module may link these records to
    ``hr.department`` where hr is installed."""

    _name = "helpdesk.after.sales.department"
    _description = "After-sales responsible department"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short stable key of the department, for exports.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share the department with every company.",
    )
