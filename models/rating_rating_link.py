# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models

# Set by helpdesk.ticket.rating_apply only (see its docstring for the rule).
RATING_SERVER_OWNED_FIELDS = ("after_sales_round", "after_sales_reopened")


class RatingRating(models.Model):
    """What a ticket's rating remembers of its link: the round it was answered in
    and whether it reopened the ticket (helpdesk.ticket.rating_apply)."""

    _name = "rating.rating"
    _inherit = ["rating.rating", "helpdesk.after.sales.server.owned.mixin"]

    _server_owned_fields = RATING_SERVER_OWNED_FIELDS

    after_sales_round = fields.Integer(
        string="Answered in round",
        readonly=True,
        copy=False,
        help="How many times the ticket had been reopened when this answer was "
        "recorded: the answer may only be changed while the ticket is still in that "
        "round.",
    )
    after_sales_reopened = fields.Boolean(
        string="Reopened the ticket",
        readonly=True,
        copy=False,
        help="This answer reopened its ticket; a rating reopens a ticket only once.",
    )
