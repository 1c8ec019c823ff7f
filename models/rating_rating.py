# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError

# What a rating of a ticket says: the customer's, through the rating link, or
# recorded by the desk's phone-rating wizard; never written by hand.
TICKET_RATING_FIELDS = frozenset(
    {
        "rating",
        "feedback",
        "consumed",
        "res_model_id",
        "res_model",
        "res_id",
        "partner_id",
        "rated_partner_id",
        "access_token",
        "parent_res_model_id",
        "parent_res_id",
        "message_id",
    }
)


class RatingRating(models.Model):
    """Every internal user may write ratings (core access rules); the satisfaction
    of a ticket, and the reopening it triggers, rest on them. A ticket's rating also
    remembers what its link did: the round it was answered in and whether it
    reopened the ticket (see helpdesk.ticket.rating_apply)."""

    _name = "rating.rating"
    _inherit = ["rating.rating", "helpdesk.after.sales.server.owned.mixin"]

    # Set by helpdesk.ticket.rating_apply only (see its docstring for the rule).
    _server_owned_fields = ("after_sales_round", "after_sales_reopened")

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

    def _ticket_rating_refused(self):
        return AccessError(
            self.env._(
                "A ticket's rating is the customer's: it is given through the rating "
                "link or recorded with the satisfaction wizard, not changed by hand."
            )
        )

    def _after_sales_tickets(self, ticket_ids):
        """The after-sales tickets among ``ticket_ids``: other teams' ratings stay
        as the rating and helpdesk modules make them."""
        return self.env["helpdesk.ticket"].sudo().browse(ticket_ids).exists()._after_sales_only()

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            ticket_model = self.env["ir.model"]._get_id("helpdesk.ticket")
            ticket_ids = [
                vals.get("res_id")
                for vals in vals_list
                if vals.get("res_model") == "helpdesk.ticket"
                or vals.get("res_model_id") == ticket_model
            ]
            if self._after_sales_tickets([i for i in ticket_ids if i]):
                raise self._ticket_rating_refused()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and TICKET_RATING_FIELDS & set(vals):
            ticket_model = self.env["ir.model"]._get_id("helpdesk.ticket")
            to_ticket = (
                vals.get("res_model") == "helpdesk.ticket"
                or vals.get("res_model_id") == ticket_model
            )
            ticket_ids = [
                rating.res_id
                for rating in self.sudo()
                if rating.res_model == "helpdesk.ticket" or to_ticket
            ]
            if to_ticket or any(r.res_model == "helpdesk.ticket" for r in self.sudo()):
                # Moved onto a ticket: the target counts too.
                ticket_ids.append(vals.get("res_id"))
            if self._after_sales_tickets([i for i in ticket_ids if i]):
                raise self._ticket_rating_refused()
        return super().write(vals)
