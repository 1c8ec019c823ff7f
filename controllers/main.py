# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import pytz
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController
from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk
from odoo.addons.rating.controllers.main import Rating

from ..models.helpdesk_ticket.portal_intake import (
    EVIDENCE_IMAGE_EXCLUDED,
    EVIDENCE_MAX_MB_DEFAULT,
    EVIDENCE_MAX_MB_PARAM,
    EVIDENCE_MIMETYPES,
)


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
        values.update(_portal_status_values(ticket, partner))
        return values

    # ------------------------------------------------------------ issue 19: evidence
    @http.route(
        "/my/ticket/<int:ticket_id>/evidence",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
        csrf=True,
    )
    def portal_ticket_add_evidence(self, ticket_id, **kw):
        """The customer adds photos, videos or documents to an open after-sales
        ticket (same type and size limits as the new-ticket form)."""
        try:
            ticket_sudo = self._document_check_access("helpdesk.ticket", ticket_id)
        except MissingError as error:
            raise NotFound() from error
        except AccessError as error:
            raise Forbidden() from error
        partner = request.env.user.partner_id
        if (
            not ticket_sudo.is_after_sales
            or ticket_sudo.closed
            or not ticket_sudo._is_portal_customer(partner)
        ):
            raise Forbidden()
        files, errors = _read_evidence_files()
        if not files and not errors:
            errors.append(request.env._("Choose at least one file to add."))
        if errors:
            values = self._ticket_get_page_view_values(ticket_sudo, None, **kw)
            values["evidence_errors"] = errors
            return request.render(
                "helpdesk_mgmt.portal_helpdesk_ticket_page", values, status=400
            )
        _attach_evidence(ticket_sudo, files, partner, post=True)
        return request.redirect(f"/my/ticket/{ticket_sudo.id}#after_sales_status", code=303)


# ---------------------------------------------------------------- issue 19: customer side
# The portal's new-ticket form with the unit, purchase, fault and expectation, and
# evidence; the after-sales status of the ticket page. Everything read as superuser
# here is filtered explicitly (see helpdesk.ticket._get_portal_status).

# The keys the new-ticket form may post: anything else is ignored.
PORTAL_TICKET_KEYS = frozenset(
    {
        "csrf_token",
        "team",
        "category",
        "subject",
        "description",
        "attachment",
        "product_id",
        "product_model",
        "serial_number",
        "purchase_date",
        "fault_date",
        "symptoms",
        "customer_attempts",
        "expected_resolution",
    }
)


def _evidence_limits():
    """(max bytes per file, max megabytes) from the system parameter."""
    param = request.env["ir.config_parameter"].sudo().get_param(
        EVIDENCE_MAX_MB_PARAM, EVIDENCE_MAX_MB_DEFAULT
    )
    try:
        megabytes = max(int(param), 1)
    except (TypeError, ValueError):
        megabytes = EVIDENCE_MAX_MB_DEFAULT
    return megabytes * 1024 * 1024, megabytes


def _is_allowed_evidence(mimetype):
    if mimetype in EVIDENCE_IMAGE_EXCLUDED:
        return False
    return mimetype.startswith("image/") or mimetype in EVIDENCE_MIMETYPES


def _read_evidence_files(field="attachment"):
    """The uploaded files of ``field``: ([(name, data, mimetype)], [errors]). The type
    is read from the content, not from the name nor what the browser says."""
    max_bytes, max_mb = _evidence_limits()
    files, errors = [], []
    for upload in request.httprequest.files.getlist(field):
        if not upload.filename:
            continue
        data = upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            errors.append(
                request.env._(
                    "%(file)s is larger than %(size)s MB: send a smaller file, or a "
                    "shorter video.",
                    file=upload.filename,
                    size=max_mb,
                )
            )
            continue
        mimetype = guess_mimetype(data, default="application/octet-stream")
        if not _is_allowed_evidence(mimetype):
            errors.append(
                request.env._(
                    "%(file)s cannot be added: send photos (images), MP4 videos or PDF "
                    "documents only.",
                    file=upload.filename,
                )
            )
            continue
        files.append((upload.filename, data, mimetype))
    return files, errors


def _attach_evidence(ticket_sudo, files, partner, post=False):
    """The files as the ticket's evidence; ``post``: with a message of the customer's
    on the ticket (the chatter shows what was added)."""
    if not files:
        return
    attachments = (
        request.env["ir.attachment"]
        .sudo()
        .create(
            [
                {
                    "name": name,
                    "raw": data,
                    "mimetype": mimetype,
                    "res_model": "helpdesk.ticket",
                    "res_id": ticket_sudo.id,
                }
                for name, data, mimetype in files
            ]
        )
    )
    attachments.generate_access_token()
    ticket_sudo.write({"evidence_ids": [fields.Command.link(a.id) for a in attachments]})
    if post:
        ticket_sudo.message_post(
            body=request.env._("Evidence added: %(files)s", files=", ".join(attachments.mapped("name"))),
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachments.ids,
        )


def _parse_portal_date(value, label, errors, with_time=False, tz=None):
    """A date (or a datetime-local in the customer's time zone ``tz``, returned in
    UTC) posted by the form."""
    if not value:
        return False
    try:
        if with_time:
            local = fields.Datetime.to_datetime(value.replace("T", " ")[:16] + ":00")
            zone = pytz.timezone(tz or "UTC")
            return zone.localize(local).astimezone(pytz.utc).replace(tzinfo=None)
        return fields.Date.to_date(value)
    except (ValueError, pytz.UnknownTimeZoneError):
        errors.append(request.env._("%(field)s is not a valid date.", field=label))
        return False


def _prepare_portal_unit_vals(kw, partner, company, errors):
    """The after-sales fields of the new-ticket form, checked: the product among the
    customer's delivered ones, the serial matched to their units (else kept as
    typed), dates in the past, a known expectation."""
    Ticket = request.env["helpdesk.ticket"]
    vals = {}
    product = request.env["product.product"]
    if kw.get("product_id"):
        try:
            product_id = int(kw["product_id"])
        except ValueError:
            product_id = 0
        units = Ticket._get_portal_units(partner, company)
        product = next((u["product"] for u in units if u["product"].id == product_id), product)
        if not product:
            errors.append(
                request.env._(
                    "Choose one of your products in the list, or type the model and "
                    "serial number instead."
                )
            )
    serial = (kw.get("serial_number") or "").strip()
    if serial:
        lot = Ticket._match_customer_serial(partner, serial, company, product or None)
        if lot:
            vals.update(lot_id=lot.id, product_id=lot.product_id.id)
        else:
            vals["serial_number"] = serial[:256]
    if product and "product_id" not in vals:
        vals["product_id"] = product.id
    model = (kw.get("product_model") or "").strip()
    if model and "product_id" not in vals:
        vals["product_model"] = model[:256]
    labels = {
        name: Ticket._fields[name]._description_string(request.env)
        for name in ("purchase_date", "fault_date", "expected_resolution")
    }
    purchase = _parse_portal_date(kw.get("purchase_date"), labels["purchase_date"], errors)
    if purchase and purchase > fields.Date.context_today(Ticket):
        errors.append(request.env._("The purchase date cannot be in the future."))
    elif purchase and not vals.get("lot_id"):
        # A delivery found from the serial gives the purchase date itself.
        vals["purchase_date"] = purchase
    fault = _parse_portal_date(
        kw.get("fault_date"), labels["fault_date"], errors, True, partner.tz
    )
    if fault and fault > fields.Datetime.now():
        errors.append(request.env._("The date the problem began cannot be in the future."))
    elif fault:
        vals["fault_date"] = fault
    for name in ("symptoms", "customer_attempts"):
        text = (kw.get(name) or "").strip()
        if text:
            vals[name] = text[:20000]
    expected = kw.get("expected_resolution")
    if expected:
        allowed = dict(Ticket._fields["expected_resolution"]._description_selection(request.env))
        if expected not in allowed:
            errors.append(
                request.env._("%(field)s: choose one of the options.", field=labels["expected_resolution"])
            )
        else:
            vals["expected_resolution"] = expected
    return vals


def _portal_status_values(ticket, partner):
    """The ticket page's after-sales values: the status (plain values) and the
    evidence the customer may see and add."""
    ticket_sudo = ticket.sudo()
    if not ticket_sudo.is_after_sales:
        return {"after_sales_status": {}}
    evidence = ticket_sudo.evidence_ids
    for attachment in evidence.filtered(lambda a: not a.access_token):
        attachment.generate_access_token()
    return {
        "after_sales_status": ticket_sudo._get_portal_status(),
        "after_sales_evidence": evidence,
        "after_sales_can_add_evidence": not ticket_sudo.closed
        and ticket_sudo._is_portal_customer(partner),
        "after_sales_max_mb": _evidence_limits()[1],
    }


class AfterSalesPortalIntake(AfterSalesTicketController):
    """helpdesk_mgmt's /new/ticket and /submitted/ticket with the after-sales record."""

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        Ticket = request.env["helpdesk.ticket"]
        partner = request.env.user.partner_id
        values.update(
            after_sales_units=Ticket._get_portal_units(partner, request.env.company),
            after_sales_resolutions=Ticket._fields["expected_resolution"]._description_selection(
                request.env
            ),
            after_sales_max_mb=_evidence_limits()[1],
            after_sales_errors=kw.get("after_sales_errors") or [],
            after_sales_posted=kw.get("after_sales_posted") or {},
        )
        return values

    @http.route()
    def submit_ticket(self, **kw):
        kw = {key: value for key, value in kw.items() if key in PORTAL_TICKET_KEYS}
        partner = request.env.user.partner_id
        errors = []
        if not (kw.get("subject") or "").strip():
            errors.append(request.env._("Give your request a subject."))
        if not (kw.get("description") or "").strip():
            errors.append(request.env._("Describe your request."))
        files, file_errors = _read_evidence_files()
        errors += file_errors
        vals = {}
        try:
            vals = self._prepare_submit_ticket_vals(**kw)
        except (ValueError, TypeError):
            errors.append(request.env._("Choose a team and a category from the lists."))
        # helpdesk_mgmt takes any category id: only those the form offers when it
        # offers a list, else an active category of the user's company (or shared).
        category = request.env["helpdesk.ticket.category"].sudo().browse(vals.get("category_id"))
        if request.env.user.company_id.helpdesk_mgmt_portal_select_category:
            offered = category in self._get_categories()
        else:
            offered = category.exists() and category.active and (
                not category.company_id or category.company_id in request.env.user.company_ids
            )
        if category and not offered:
            errors.append(request.env._("Choose a category from the list."))
        company = request.env["res.company"].browse(vals.get("company_id")) or request.env.company
        unit_vals = _prepare_portal_unit_vals(kw, partner, company, errors)
        ticket = request.env["helpdesk.ticket"]
        if not errors:
            vals.update(unit_vals)
            # An after-sales request from the portal form without a team chosen: the
            # company's default after-sales team takes it.
            if request.env["helpdesk.ticket"]._is_after_sales_request(vals):
                vals = request.env["helpdesk.ticket"]._add_default_after_sales_team(vals)
            try:
                with request.env.cr.savepoint():
                    ticket = request.env["helpdesk.ticket"].sudo().create(vals)
            except (UserError, ValidationError) as error:
                errors.append(str(error.args[0]) if error.args else str(error))
        if errors:
            posted = {key: value for key, value in kw.items() if key not in ("csrf_token", "attachment")}
            values = self._get_create_new_ticket_values(
                after_sales_errors=errors, after_sales_posted=posted
            )
            return request.render("helpdesk_mgmt.portal_create_ticket", values, status=400)
        ticket.message_subscribe(partner_ids=partner.ids)
        _attach_evidence(ticket, files, partner)
        return request.redirect(f"/my/ticket/{ticket.id}", code=303)


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
