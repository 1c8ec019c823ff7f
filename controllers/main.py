# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk
from odoo.addons.rating.controllers.main import Rating


class AfterSalesTicketController(HelpdeskTicketController):
    # helpdesk_mgmt closes any ticket by id as superuser, on a GET: here only a
    # POST with its CSRF token, by the ticket's customer, as solved, through the
    # after-sales closing rules.
    @http.route(methods=["POST"])
    def support_ticket_close(self, **kw):
        try:
            ticket_id, stage_id = int(kw.get("ticket_id")), int(kw.get("stage_id"))
        except (TypeError, ValueError) as error:
            raise BadRequest() from error
        try:
            ticket_sudo = AfterSalesCustomerPortal()._document_check_access(
                "helpdesk.ticket", ticket_id
            )
        except MissingError as error:
            raise NotFound() from error
        except AccessError as error:
            raise Forbidden() from error
        partner = request.env.user.partner_id
        if not ticket_sudo._is_portal_customer(partner):
            raise Forbidden()
        stage = request.env["helpdesk.ticket.stage"].sudo().browse(stage_id).exists()
        # As the customer (authors, tracking), with the rights the closing rules need.
        ticket = request.env["helpdesk.ticket"].browse(ticket_sudo.id).sudo()
        ticket._close_from_portal(stage, partner)
        # 302 as helpdesk_mgmt answers (its portal tests expect it).
        return request.redirect(f"/my/ticket/{ticket.id}", code=302)


class AfterSalesCustomerPortal(CustomerPortalHelpdesk):
    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        # Only the buttons the customer may use now.
        partner = request.env.user.partner_id
        values["closed_stages"] = values["closed_stages"].filtered(
            lambda stage: not ticket.sudo()._get_portal_close_blocker(stage, partner)
        )
        return values


class AfterSalesRating(Rating):
    """A satisfaction link of a ticket answers one request: once spent (see
    helpdesk.ticket.rating_apply) it shows why instead of changing the answer."""

    def _render_spent_rating_link(self, token):
        rating_sudo, record_sudo = self._get_rating_and_record(token)
        if record_sudo._name != "helpdesk.ticket":
            return None
        blocker = record_sudo._get_rating_link_blocker(rating_sudo)
        if not blocker:
            return None
        return request.render(
            "helpdesk_after_sales.rating_link_spent_page",
            {"message": blocker, "web_base_url": rating_sudo.get_base_url()},
            status=410,
        )

    @http.route()
    def action_open_rating(self, token, rate, **kwargs):
        return self._render_spent_rating_link(token) or super().action_open_rating(
            token, rate, **kwargs
        )

    @http.route()
    def action_submit_rating(self, token, rate=0, **kwargs):
        return self._render_spent_rating_link(token) or super().action_submit_rating(
            token, rate=rate, **kwargs
        )
