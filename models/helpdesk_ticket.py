# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html2plaintext

from .helpdesk_ticket_category import SERVICE_PRIORITIES

# helpdesk_mgmt's stars follow the service priority, so both always agree.
STARS_BY_SERVICE_PRIORITY = {"p1": "3", "p2": "2", "p3": "1"}
SERVICE_PRIORITY_BY_STARS = {"3": "p1", "2": "p2", "1": "p3", "0": "p3"}
SLA_STATES = [("running", "Running"), ("met", "Met"), ("breached", "Breached")]
SLA_STATE_BY_LINE_STATE = {
    "in_progress": "running",
    "on_hold": "running",
    "accomplished": "met",
    "expired": "breached",
}


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    # ------------------------------------------------------------ intake record
    intake_date = fields.Datetime(
        string="Received on",
        default=lambda self: fields.Datetime.now().replace(second=0, microsecond=0),
        required=True,
        index=True,
        tracking=True,
        help="When the desk took the problem, to the minute.",
    )
    contact_phone = fields.Char(
        string="Contact phone",
        groups="base.group_user",
        help="Kept for follow-up only; never shown on the portal.",
    )
    contact_email = fields.Char(
        string="Contact email",
        groups="base.group_user",
        help="Kept for follow-up only; never shown on the portal.",
    )
    customer_words = fields.Text(
        string="Customer's words",
        help="What the customer said, verbatim (客户原话). The title is the short summary.",
    )
    product_model = fields.Char(
        string="Model",
        compute="_compute_product_model",
        store=True,
        readonly=False,
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Serial number",
        domain="[('product_id', '=', product_id)]",
        check_company=True,
        index="btree_not_null",
        tracking=True,
    )
    purchase_date = fields.Date(tracking=True)
    fault_date = fields.Datetime(string="Fault began on")
    symptoms = fields.Text()
    customer_attempts = fields.Text(
        string="Already tried by the customer",
        help="What the customer already tried, and its result.",
    )
    expected_resolution = fields.Selection(
        [
            ("repair", "Repair"),
            ("exchange", "Exchange"),
            ("return", "Return and refund"),
            ("compensation", "Compensation"),
            ("guidance", "Guidance"),
            ("other", "Other"),
        ],
        string="Customer expects",
    )
    evidence_ids = fields.Many2many(
        "ir.attachment",
        "helpdesk_ticket_evidence_rel",
        "ticket_id",
        "attachment_id",
        string="Evidence",
        help="Photos, receipts, invoices the customer sent.",
    )
    confirmed_with_customer = fields.Boolean(
        string="Confirmed with the customer", readonly=True, copy=False, tracking=True
    )
    confirmed_by_id = fields.Many2one(
        "res.users", string="Confirmed by", readonly=True, copy=False
    )
    confirmed_date = fields.Datetime(string="Confirmed on", readonly=True, copy=False)

    # ------------------------------------------------------------ classification
    category_code = fields.Selection(
        string="Class",
        related="category_id.code",
        store=True,
        index=True,
    )
    service_priority = fields.Selection(
        SERVICE_PRIORITIES,
        string="Service priority",
        default="p3",
        required=True,
        index=True,
        tracking=True,
    )
    suggested_service_priority = fields.Selection(
        SERVICE_PRIORITIES,
        string="Suggested priority",
        compute="_compute_suggested_service_priority",
        help="From the category and the urgency keywords in the title, the "
        "customer's words and the description. The agent decides.",
    )
    priority = fields.Selection(
        compute="_compute_priority", store=True, readonly=False, precompute=True
    )

    # ------------------------------------------------------------ SLA
    response_deadline = fields.Datetime(
        compute="_compute_sla_deadlines", store=True, index=True
    )
    response_sla_state = fields.Selection(
        SLA_STATES,
        string="Response status",
        compute="_compute_sla_deadlines",
        store=True,
        index=True,
    )
    resolution_deadline = fields.Datetime(
        compute="_compute_sla_deadlines", store=True, index=True
    )
    resolution_sla_state = fields.Selection(
        SLA_STATES,
        string="Resolution status",
        compute="_compute_sla_deadlines",
        store=True,
        index=True,
    )
    sla_extension_days = fields.Integer(
        string="Extension (working days)", readonly=True, copy=False, tracking=True
    )
    sla_extension_reason = fields.Text(
        string="Extension reason", readonly=True, copy=False
    )
    last_customer_update = fields.Datetime(
        string="Customer last updated on",
        readonly=True,
        copy=False,
        help="Last message sent to the customer from the desk.",
    )
    next_update_deadline = fields.Datetime(
        string="Next customer update due",
        compute="_compute_next_update_deadline",
        store=True,
        index=True,
    )

    first_response_date = fields.Datetime(
        string="Responded on",
        readonly=True,
        copy=False,
        help="When the ticket first left intake: the response the SLA measures.",
    )

    # ------------------------------------------------------------ archive (归档)
    archive_date = fields.Date(
        string="Archived on", readonly=True, copy=False, index=True, tracking=True
    )
    retention_date = fields.Date(
        string="Keep until",
        readonly=True,
        copy=False,
        help="The archived record may not be deleted before this date.",
    )
    improvement_action_ids = fields.Many2many(
        "helpdesk.after.sales.improvement",
        "helpdesk_after_sales_improvement_ticket_rel",
        "ticket_id",
        "improvement_id",
        string="Improvement actions",
        copy=False,
    )

    # ------------------------------------------------------------ computes
    @api.depends("product_id")
    def _compute_product_model(self):
        for ticket in self:
            if ticket.product_id:
                ticket.product_model = ticket.product_id.default_code or False

    @api.depends("service_priority")
    def _compute_priority(self):
        for ticket in self:
            ticket.priority = STARS_BY_SERVICE_PRIORITY.get(ticket.service_priority, "1")

    @api.depends("category_id", "name", "description", "customer_words")
    def _compute_suggested_service_priority(self):
        keywords = self.env["helpdesk.ticket.priority.keyword"]
        for ticket in self:
            ticket.suggested_service_priority = ticket._suggest_service_priority(keywords)

    def _suggest_service_priority(self, keywords):
        text = " ".join(
            filter(
                None,
                [
                    self.name,
                    self.customer_words,
                    self.description and html2plaintext(self.description),
                ],
            )
        )
        candidates = [
            keywords._suggest(text),
            self.category_id.default_service_priority,
        ]
        return min(filter(None, candidates), default="p3")

    @api.depends(
        "ticket_sla_ids.sla_kind",
        "ticket_sla_ids.state",
        "ticket_sla_ids.deadline",
    )
    def _compute_sla_deadlines(self):
        for ticket in self:
            for kind in ("response", "resolution"):
                lines = ticket.ticket_sla_ids.filtered(lambda sla, k=kind: sla.sla_kind == k)
                line = lines.sorted(lambda sla: sla.deadline or fields.Datetime.now())[:1]
                ticket[f"{kind}_deadline"] = line.deadline
                ticket[f"{kind}_sla_state"] = SLA_STATE_BY_LINE_STATE.get(line.state, False)

    @api.depends(
        "last_customer_update",
        "intake_date",
        "service_priority",
        "stage_id.closed",
        "company_id.after_sales_update_hours_p1",
        "company_id.after_sales_update_hours",
    )
    def _compute_next_update_deadline(self):
        for ticket in self:
            start = ticket.last_customer_update or ticket.intake_date
            if ticket.stage_id.closed or not start:
                ticket.next_update_deadline = False
                continue
            company = ticket.company_id or self.env.company
            hours = (
                company.after_sales_update_hours_p1
                if ticket.service_priority == "p1"
                else company.after_sales_update_hours
            )
            ticket.next_update_deadline = start + timedelta(hours=hours)

    # ------------------------------------------------------------ onchange / constraints
    @api.onchange("category_id", "name", "customer_words")
    def _onchange_suggest_service_priority(self):
        # Only while the ticket is being taken: afterwards the agent's choice stands.
        if not self._origin:
            self.service_priority = self.suggested_service_priority

    @api.onchange("partner_id")
    def _onchange_partner_contact(self):
        if self.partner_id:
            self.contact_phone = self.partner_id.phone or self.partner_id.mobile
            self.contact_email = self.partner_id.email

    @api.onchange("product_id")
    def _onchange_product_clear_lot(self):
        if self.lot_id and self.lot_id.product_id != self.product_id:
            self.lot_id = False

    @api.constrains("lot_id", "product_id")
    def _check_lot_product(self):
        for ticket in self:
            if ticket.lot_id and ticket.lot_id.product_id != ticket.product_id:
                raise ValidationError(
                    self.env._(
                        "Serial number %(lot)s belongs to %(lot_product)s, not to the "
                        "ticket's product %(product)s.",
                        lot=ticket.lot_id.name,
                        lot_product=ticket.lot_id.product_id.display_name,
                        product=ticket.product_id.display_name or "-",
                    )
                )

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        keywords = self.env["helpdesk.ticket.priority.keyword"]
        for vals in vals_list:
            if "service_priority" not in vals and "priority" in vals:
                vals["service_priority"] = SERVICE_PRIORITY_BY_STARS.get(vals["priority"])
            if "service_priority" not in vals:
                draft = self.new(
                    {
                        key: vals[key]
                        for key in ("category_id", "name", "description", "customer_words")
                        if key in vals
                    }
                )
                vals["service_priority"] = draft._suggest_service_priority(keywords)
            # helpdesk_mgmt's default would win over the compute: set the stars here.
            vals["priority"] = STARS_BY_SERVICE_PRIORITY[vals["service_priority"]]
        tickets = super().create(vals_list)
        tickets._check_intake_complete()
        tickets.filtered(lambda t: t.service_priority == "p1")._notify_supervisors_p1()
        return tickets

    def write(self, vals):
        if "priority" in vals and "service_priority" not in vals:
            vals = dict(vals, service_priority=SERVICE_PRIORITY_BY_STARS.get(vals["priority"]))
        if "service_priority" in vals:
            vals = dict(vals, priority=STARS_BY_SERVICE_PRIORITY[vals["service_priority"]])
        becoming_p1 = (
            self.filtered(lambda t: t.service_priority != "p1")
            if vals.get("service_priority") == "p1"
            else self.browse()
        )
        self._check_archive_lock(vals)
        leaving_intake = self.browse()
        if "stage_id" in vals:
            leaving_intake = self.filtered(
                lambda t: t._is_in_intake_stage() and t.stage_id.id != vals["stage_id"]
            )
        result = super().write(vals)
        leaving_intake._check_intake_complete(force=True)
        first_responses = leaving_intake.filtered(lambda t: not t.first_response_date)
        if first_responses:
            first_responses.write({"first_response_date": fields.Datetime.now()})
        if {"service_priority", "category_id", "team_id", "tag_ids"} & set(vals):
            # Deadlines follow the classification; the SLA lines are the system's to
            # replace, agents may not delete them.
            for ticket in self.sudo().filtered("team_id.use_sla"):
                ticket.refresh_sla()
        becoming_p1._notify_supervisors_p1()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_retained(self):
        today = fields.Date.context_today(self)
        retained = self.filtered(lambda t: t.retention_date and t.retention_date > today)
        if retained:
            raise UserError(
                self.env._(
                    "Archived tickets are kept until their retention date: %(tickets)s "
                    "cannot be deleted before %(date)s.",
                    tickets=", ".join(retained.mapped("display_name")),
                    date=max(retained.mapped("retention_date")),
                )
            )

    # ------------------------------------------------------------ intake rule
    def _intake_stage(self):
        """The first stage a ticket of this team goes through."""
        self.ensure_one()
        if self.team_id:
            return self.team_id._get_applicable_stages()[:1]
        return self.env["helpdesk.ticket.stage"].search(
            [("team_ids", "=", False)], order="sequence, id", limit=1
        )

    def _is_in_intake_stage(self):
        self.ensure_one()
        return self.stage_id == self._intake_stage()

    def _get_missing_intake_fields(self):
        """Labels of what the ticket's category needs before intake ends."""
        self.ensure_one()
        names = []
        if not self.category_id:
            names.append("category_id")
        else:
            # Configuration read by the rule itself: agents have no access to fields.
            names += self.category_id.sudo()._get_required_fields().mapped("name")
        if self.product_id.tracking == "serial":
            names.append("lot_id")
        return [
            self._fields[name]._description_string(self.env)
            for name in dict.fromkeys(names)
            if name in self._fields and not self[name]
        ]

    def _check_intake_complete(self, force=False):
        """A ticket leaves its first stage only with a complete record."""
        for ticket in self:
            if not force and ticket._is_in_intake_stage():
                continue
            missing = ticket._get_missing_intake_fields()
            if missing:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s cannot leave intake yet: fill in %(fields)s.",
                        ticket=ticket.display_name,
                        fields=", ".join(missing),
                    )
                )

    # ------------------------------------------------------------ actions
    def action_confirm_with_customer(self):
        """The agent read the record back to the customer, who agreed (复述确认)."""
        self.write(
            {
                "confirmed_with_customer": True,
                "confirmed_by_id": self.env.user.id,
                "confirmed_date": fields.Datetime.now(),
            }
        )

    def action_apply_suggested_priority(self):
        for ticket in self:
            ticket.service_priority = ticket.suggested_service_priority

    # ------------------------------------------------------------ archive
    @api.model
    def _archive_writable_fields(self):
        """What may still change on an archived ticket: messages, activities,
        ratings and alerts, which live beside the record rather than in it."""
        return {
            name
            for name in self._fields
            if name.startswith(("message_", "activity_", "rating_", "website_message"))
        } | {"kanban_state", "color", "sequence"}

    def _check_archive_lock(self, vals):
        archived = self.filtered("archive_date")
        if not archived or self.env.su:
            return
        if self.env.user.has_group("helpdesk_after_sales.group_after_sales_manager"):
            return
        if set(vals) - self._archive_writable_fields():
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is archived: only an after-sales manager can "
                    "change it.",
                    ticket=archived[0].display_name,
                )
            )

    def action_archive_record(self):
        """Archive the record sheet (归档) of closed tickets: the PDF is stored on the
        ticket, the retention period starts and the ticket is locked."""
        not_closed = self.filtered(lambda t: not t.closed)
        if not_closed:
            raise UserError(
                self.env._(
                    "Only closed tickets can be archived; close %(tickets)s first.",
                    tickets=", ".join(not_closed.mapped("display_name")),
                )
            )
        to_archive = self.filtered(lambda t: not t.archive_date)
        if not to_archive:
            return True
        today = fields.Date.context_today(self)
        for company, tickets in to_archive.grouped("company_id").items():
            years = (company or self.env.company).after_sales_retention_years
            tickets.write(
                {
                    "archive_date": today,
                    "retention_date": today + relativedelta(years=years),
                }
            )
        # The report saves itself as an attachment of each archived ticket (once).
        self.env["ir.actions.report"]._render_qweb_pdf(
            "helpdesk_after_sales.action_report_ticket_record", to_archive.ids
        )
        for ticket in to_archive:
            ticket.message_post(
                body=self.env._(
                    "Record sheet archived; kept until %(date)s.",
                    date=ticket.retention_date,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    # ------------------------------------------------------------ SLA business
    def _grant_sla_extension(self, days, reason):
        """Extend the resolution deadline by ``days`` working days (supervisors)."""
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_supervisor"):
            raise UserError(self.env._("Only an after-sales supervisor can extend a deadline."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the extension agreed with the customer."))
        for ticket in self:
            limit = ticket.company_id.after_sales_extension_max_days
            if days <= 0 or ticket.sla_extension_days + days > limit:
                raise UserError(
                    self.env._(
                        "An extension must be between 1 and %(left)s working days: a ticket "
                        "may be extended by %(limit)s working days in all.",
                        left=max(limit - ticket.sla_extension_days, 0),
                        limit=limit,
                    )
                )
            lines = ticket.ticket_sla_ids.filtered(lambda sla: sla.sla_kind == "resolution")
            if not lines:
                raise UserError(
                    self.env._("Ticket %(ticket)s has no resolution deadline to extend.",
                               ticket=ticket.display_name)
                )
            for line in lines:
                line._grant_extension(days * line._get_calendar().hours_per_day)
            ticket.write(
                {
                    "sla_extension_days": ticket.sla_extension_days + days,
                    "sla_extension_reason": reason,
                }
            )
            ticket.message_post(
                body=self.env._(
                    "Resolution deadline extended by %(days)s working days, to %(deadline)s. "
                    "Reason: %(reason)s",
                    days=days,
                    deadline=fields.Datetime.to_string(ticket.resolution_deadline),
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _get_supervisors(self):
        """The team leader, else the team's members who are after-sales supervisors."""
        self.ensure_one()
        team = self.team_id
        if team.user_id:
            return team.user_id
        return team.user_ids.filtered(
            lambda u: u.has_group("helpdesk_after_sales.group_after_sales_supervisor")
        )

    def _notify_supervisors_p1(self):
        """An urgent ticket reaches a supervisor within the hour (seed: 1 h)."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for ticket in self:
            supervisors = ticket._get_supervisors()
            due = fields.Datetime.now() + timedelta(hours=1)
            for user in supervisors:
                ticket.activity_schedule(
                    activity_type_id=activity_type.id,
                    date_deadline=fields.Date.context_today(ticket, due),
                    summary=self.env._("Urgent ticket: inform and plan within 1 hour"),
                    note=self.env._(
                        "P1 ticket %(ticket)s: take charge before %(due)s.",
                        ticket=ticket.display_name,
                        due=fields.Datetime.to_string(due),
                    ),
                    user_id=user.id,
                )
            if supervisors:
                ticket.message_post(
                    body=self.env._(
                        "Urgent (P1) ticket: supervisor %(names)s informed.",
                        names=", ".join(supervisors.mapped("name")),
                    ),
                    partner_ids=supervisors.partner_id.ids,
                    subtype_xmlid="mail.mt_note",
                )

    # ------------------------------------------------------------ mail
    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        # A public message from an internal user counts as an update to the customer.
        if (
            message.message_type in ("comment", "email_outgoing")
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.author_id.user_ids.filtered(lambda u: not u.share)
        ):
            self.sudo().write({"last_customer_update": message.date})
        return res
