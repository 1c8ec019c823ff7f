# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import SUPERUSER_ID, api, models

# What only an after-sales request carries: the desk's intake record of the unit and
# the problem (the ticket form of the desk always sends the service priority).
AFTER_SALES_REQUEST_FIELDS = (
    "service_priority",
    "lot_id",
    "serial_number",
    "customer_words",
    "symptoms",
    "customer_attempts",
    "expected_resolution",
    "purchase_date",
    "fault_date",
)


class HelpdeskTicket(models.Model):
    """Default team (默认售后团队): an after-sales request recorded without a team goes to
    its company's default after-sales team, so that it gets the after-sales deadlines
    and alerts: a mail to the helpdesk's alias (message_new, see portal_intake), the
    portal form when the customer describes an after-sales problem (an after-sales
    category or the unit, see the portal controller), and what an after-sales user
    records with the desk's intake fields (the form, the external API). Everything
    else stays as helpdesk_mgmt makes it: teamless tickets of the other desks, of
    code running as the system user, and of a plain helpdesk form (the OCA suites
    check exactly that). Imported after the other concerns: its create wraps
    theirs, which then see the team."""

    _inherit = "helpdesk.ticket"

    @api.model_create_multi
    def create(self, vals_list):
        if self._records_after_sales_requests():
            vals_list = [
                self._add_default_after_sales_team(vals)
                if self._is_after_sales_request(vals)
                else vals
                for vals in vals_list
            ]
        return super().create(vals_list)

    @api.model
    def _records_after_sales_requests(self):
        """Whether this user records after-sales requests: a user of the after-sales
        desk, not code running as the system user."""
        return (
            not self.env.su
            and self.env.uid != SUPERUSER_ID
            and self.env.user.has_group("helpdesk_after_sales.group_after_sales_agent")
        )

    @api.model
    def _is_after_sales_request(self, vals):
        """Whether ``vals`` describe an after-sales request: an after-sales class
        (A-E) or the desk's intake record of the unit and the problem."""
        if any(vals.get(name) for name in AFTER_SALES_REQUEST_FIELDS):
            return True
        category = self.env["helpdesk.ticket.category"].sudo().browse(vals.get("category_id"))
        return bool(category.code)

    @api.model
    def _add_default_after_sales_team(self, vals):
        """``vals`` with the company's default after-sales team when nothing else
        gives the ticket a team: no team given, no default team in the context, no
        handler of a helpdesk team (helpdesk_mgmt then uses the handler's team)."""
        if vals.get("team_id") or self.env.context.get("default_team_id"):
            return vals
        # Configuration read by the rule itself, whoever creates the ticket.
        if vals.get("user_id"):
            handler = self.env["res.users"].sudo().browse(vals["user_id"])
            if handler.helpdesk_team_ids:
                return vals
        company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
        team = company.sudo().after_sales_team_id
        if not team:
            return vals
        vals = dict(vals, team_id=team.id)
        if "stage_id" in vals and vals["stage_id"] not in team._get_applicable_stages().ids:
            # The portal picks the first stage of "no team": the team's own first one.
            vals["stage_id"] = team.sudo()._get_applicable_stages()[:1].id
        return vals
