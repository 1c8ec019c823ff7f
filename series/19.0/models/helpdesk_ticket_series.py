# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Odoo 19.0 only (series/19.0, copied into the 19.0 build by series/build.py).

helpdesk_mgmt 19.0 no longer has the ticket's internal notes, which this addon's
record sheet prints and its agents fill in: the addon keeps the field (same name,
type and label as helpdesk_mgmt 18.0's, so the data of an upgraded 18.0 database
stays in its column)."""

from odoo import fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    notes = fields.Html(string="Internal notes")
