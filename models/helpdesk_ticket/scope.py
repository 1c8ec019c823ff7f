# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    """Which tickets the after-sales rules apply to: those of after-sales teams.
    Every after-sales concern asks ``_after_sales_only()`` at its entry point, so
    the tickets of other teams (internal IT, sales support) behave as the plain
    helpdesk modules make them."""

    _inherit = "helpdesk.ticket"

    # A property of the team, not of the ticket.
    _server_owned_fields = ("is_after_sales",)

    is_after_sales = fields.Boolean(
        string="After-sales ticket",
        related="team_id.is_after_sales",
        store=True,
        index=True,
    )

    def _after_sales_only(self):
        """These tickets minus those the after-sales rules do not apply to."""
        return self.filtered("is_after_sales")

    @api.model
    def _is_after_sales_vals(self, vals):
        """Whether the ticket ``create`` is about to make from ``vals`` belongs to an
        after-sales team: its team, else its handler's first team (helpdesk_mgmt's
        compute), else the default team."""
        team_id = vals.get("team_id")
        if not team_id and vals.get("user_id"):
            user = self.env["res.users"].sudo().browse(vals["user_id"])
            team_id = user.helpdesk_team_ids[:1].id
        if not team_id and "team_id" not in vals:
            team_id = self.default_get(["team_id"]).get("team_id")
        # Configuration read by the rule itself, whoever creates the ticket.
        return bool(team_id and self.env["helpdesk.ticket.team"].sudo().browse(team_id).is_after_sales)

    def _not_after_sales_message(self):
        """Why an after-sales action is refused on a ticket of another team."""
        self.ensure_one()
        return self.env._(
            "Ticket %(ticket)s belongs to team %(team)s, which is not an after-sales "
            "team: move it to an after-sales team, or ask a manager to mark its team "
            "as one.",
            ticket=self.display_name,
            team=self.team_id.display_name or "-",
        )
