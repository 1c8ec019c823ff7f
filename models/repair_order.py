# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    helpdesk_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="After-sales ticket",
        index="btree_not_null",
        copy=False,
        check_company=True,
    )
    repair_confirmed_date = fields.Datetime(
        string="Repair confirmed on",
        readonly=True,
        copy=False,
        help="From then on the unit is with the workshop (repair or waiting for parts).",
    )
    repair_done_date = fields.Datetime(
        string="Repaired on",
        readonly=True,
        copy=False,
        help="When the repair ended: days in repair do not count against the warranty.",
    )

    def _action_repair_confirm(self):
        res = super()._action_repair_confirm()
        self.filtered(lambda r: r.state == "confirmed" and not r.repair_confirmed_date).write(
            {"repair_confirmed_date": fields.Datetime.now()}
        )
        return res

    def action_repair_done(self):
        res = super().action_repair_done()
        self.filtered(lambda r: r.state == "done" and not r.repair_done_date).write(
            {"repair_done_date": fields.Datetime.now()}
        )
        return res
