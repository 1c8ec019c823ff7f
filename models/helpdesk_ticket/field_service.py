# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

VISIT_REPORT_FIELD = "after_sales_visit_report_done"


class HelpdeskTicket(models.Model):
    """On-site visits (上门服务) through OCA field service: planned from the ticket
    (wizard), free in warranty or at the quoted fee once the customer accepts it; the
    signed visit report is part of the closing proof and of the record sheet."""

    _inherit = "helpdesk.ticket"

    after_sales_visit_count = fields.Integer(
        string="Visits", compute="_compute_after_sales_visits", compute_sudo=True
    )
    after_sales_visit_report_done = fields.Boolean(
        string="Signed visit report",
        compute="_compute_after_sales_visits",
        compute_sudo=True,
        help="Every on-site visit of the ticket that was not cancelled is completed "
        "with the engineer's arrival, the work done and the customer's signature.",
    )
    can_plan_visit = fields.Boolean(
        string="Visit possible", compute="_compute_can_plan_visit"
    )
    can_accept_visit_fee = fields.Boolean(
        string="Visit fee awaiting the customer", compute="_compute_can_plan_visit"
    )

    def _get_after_sales_visits(self):
        """The ticket's after-sales visits that were not cancelled."""
        self.ensure_one()
        cancelled = self.env.ref("fieldservice.fsm_stage_cancelled")
        return self.sudo().fsm_order_ids.filtered(
            lambda o: o.after_sales_visit and o.stage_id != cancelled
        )

    @api.depends(
        "fsm_order_ids.stage_id",
        "fsm_order_ids.after_sales_visit",
        "fsm_order_ids.after_sales_report_done",
    )
    def _compute_after_sales_visits(self):
        for ticket in self:
            visits = ticket._get_after_sales_visits() if ticket._origin.id else []
            ticket.after_sales_visit_count = len(visits)
            ticket.after_sales_visit_report_done = bool(visits) and all(
                visit.after_sales_report_done for visit in visits
            )

    @api.depends(
        "closed",
        "partner_id",
        "product_id",
        "lot_id",
        "fsm_order_ids.stage_id",
        "fsm_order_ids.after_sales_fee_accepted_date",
    )
    def _compute_can_plan_visit(self):
        for ticket in self:
            saved = bool(ticket._origin.id)
            ticket.can_plan_visit = saved and ticket._get_visit_blocker() is None
            ticket.can_accept_visit_fee = (
                saved and not ticket.closed and bool(ticket._get_pending_visit_fees())
            )

    # ------------------------------------------------------------ planning
    def _get_visit_blocker(self):
        """Why no visit can be planned from this ticket now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it to plan a visit.",
                ticket=self.display_name,
            )
        if not self.partner_id:
            return self.env._("Set the customer before planning a visit: the address is theirs.")
        if self.product_id.tracking == "serial" and not self.lot_id:
            return self.env._("Set the serial number of the unit before planning a visit.")
        ongoing = self._get_after_sales_visits().filtered(lambda o: not o.is_closed)
        if ongoing:
            return self.env._(
                "Visit %(visit)s of this ticket is not done yet: follow it up or cancel "
                "it rather than planning another.",
                visit=ongoing[0].name,
            )
        return None

    def _get_visit_location(self):
        """The customer's service location: the ticket's, the customer's primary one,
        or one the customer owns; created from the customer's address when missing
        (as fieldservice converts a partner, but without changing the customer's own
        contact)."""
        self.ensure_one()
        ticket = self.sudo()
        partner = ticket.partner_id
        commercial = partner.commercial_partner_id
        location = (
            ticket.fsm_location_id
            or partner.service_location_id
            or commercial.service_location_id
        )
        if not location:
            location = self.env["fsm.location"].sudo().search(
                [("owner_id", "=", commercial.id)], order="id", limit=1
            )
        if not location:
            location = (
                self.env["fsm.location"]
                .sudo()
                .create(ticket._prepare_visit_location_values())
            )
            commercial.sudo().service_location_id = location
        return location

    def _prepare_visit_location_values(self):
        self.ensure_one()
        partner = self.partner_id
        return {
            "name": partner.name,
            "owner_id": partner.commercial_partner_id.id,
            "street": partner.street,
            "street2": partner.street2,
            "zip": partner.zip,
            "city": partner.city,
            "state_id": partner.state_id.id,
            "country_id": partner.country_id.id,
            "phone": partner.phone or self.contact_phone,
            "email": partner.email,
            "lang": partner.lang,
        }

    def action_plan_visit(self):
        """Open the "Plan a visit" wizard."""
        self.ensure_one()
        self.check_access("write")
        blocker = self._get_visit_blocker()
        if blocker:
            raise UserError(blocker)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Plan a visit"),
            "res_model": "helpdesk.ticket.visit.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def _send_visit_appointment(self, visit):
        """The appointment to the customer, in their language, in the ticket's
        thread (the customer's conversation with the desk)."""
        self.ensure_one()
        template = self.env.ref(
            "helpdesk_after_sales.mail_template_fsm_visit_appointment", raise_if_not_found=False
        )
        if not template or not self.partner_id:
            return
        template = template.sudo()
        body = template._render_field("body_html", visit.ids, compute_lang=True)[visit.id]
        subject = template._render_field("subject", visit.ids, compute_lang=True)[visit.id]
        self.message_post(
            body=body,
            subject=subject,
            partner_ids=self.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
        )

    def action_view_visits(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "fieldservice.action_fsm_operation_order"
        )
        action.update(
            domain=[("ticket_id", "=", self.id), ("after_sales_visit", "=", True)],
            context={},
        )
        return action

    # ------------------------------------------------------------ paid visits
    def _get_pending_visit_fees(self):
        """Paid visits of the ticket waiting for the customer's acceptance."""
        self.ensure_one()
        return self.sudo().fsm_order_ids.filtered(
            lambda o: not o.is_closed and o._needs_after_sales_quote_acceptance()
        )

    def action_accept_visit_fee(self):
        """The customer accepted the fee of the out-of-warranty visit: the engineer
        may go (the same rule as paid repairs)."""
        self.ensure_one()
        self.check_access("write")
        visits = self._get_pending_visit_fees()
        if self.closed or not visits:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has no visit fee waiting for the customer.",
                    ticket=self.display_name,
                )
            )
        visits._accept_after_sales_quote()
        self.message_post(
            body=self.env._(
                "The customer accepted the fee of visit %(visits)s: the engineer may go.",
                visits=", ".join(visits.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    # ------------------------------------------------------------ closing
    @api.depends(VISIT_REPORT_FIELD)
    def _compute_can_close(self):
        return super()._compute_can_close()

    def _get_closing_required_fields(self, vals=None):
        """A ticket that had a visit closes with its signed visit report."""
        names = super()._get_closing_required_fields(vals)
        if self._get_after_sales_visits():
            names.append(VISIT_REPORT_FIELD)
        return names

    @api.depends("fsm_order_ids.after_sales_report_done")
    def _compute_closing_proof_names(self):
        return super()._compute_closing_proof_names()

    def _get_closing_proof_records(self):
        """The signed visit reports are part of the written proof."""
        records = super()._get_closing_proof_records()
        visits = self._get_after_sales_visits().filtered("after_sales_report_done")
        records.append(("helpdesk_after_sales.action_report_fsm_visit", visits))
        return records

    def _get_record_sheet_visits(self):
        """The ticket's visit reports as the record sheet prints them."""
        self.ensure_one()
        return [
            visit._get_after_sales_visit_report_values()
            for visit in self._get_after_sales_visits().sorted("id")
        ]
