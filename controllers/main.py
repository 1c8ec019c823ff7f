# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk


class AfterSalesTicketController(HelpdeskTicketController):
    @http.route()
    def support_ticket_close(self, **kw):
        """helpdesk_mgmt closes any ticket by id as superuser: only the customer's
        own tickets, through the after-sales closing rules."""
        try:
            ticket_id, stage_id = int(kw.get("ticket_id")), int(kw.get("stage_id"))
        except (TypeError, ValueError) as error:
            raise BadRequest() from error
        ticket = request.env["helpdesk.ticket"].browse(ticket_id).exists()
        if not ticket:
            raise NotFound()
        try:
            ticket.check_access("read")
        except AccessError as error:
            raise Forbidden() from error
        stage = request.env["helpdesk.ticket.stage"].sudo().browse(stage_id).exists()
        ticket.sudo()._close_from_portal(stage, request.env.user.partner_id)
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
