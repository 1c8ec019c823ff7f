# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

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

    # ------------------------------------------------------------ compensation
    compensation_ids = fields.One2many(
        "helpdesk.ticket.compensation", "ticket_id", string="Compensation"
    )
    compensation_count = fields.Integer(compute="_compute_compensation_summary")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company currency"
    )
    compensation_requested_amount = fields.Monetary(
        string="Compensation requested",
        currency_field="company_currency_id",
        compute="_compute_compensation_summary",
        help="Submitted, approved and given compensation, in company currency.",
    )
    compensation_approved_amount = fields.Monetary(
        string="Compensation approved",
        currency_field="company_currency_id",
        compute="_compute_compensation_summary",
        help="Approved and given compensation, in company currency.",
    )
    compensation_paid_amount = fields.Monetary(
        string="Compensation given",
        currency_field="company_currency_id",
        compute="_compute_compensation_summary",
        help="Compensation the customer received, in company currency.",
    )
    can_request_compensation = fields.Boolean(
        compute="_compute_can_request_compensation"
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
        leaving_intake = self.browse()
        if "stage_id" in vals:
            leaving_intake = self.filtered(
                lambda t: t._is_in_intake_stage() and t.stage_id.id != vals["stage_id"]
            )
        result = super().write(vals)
        leaving_intake._check_intake_complete(force=True)
        if {"service_priority", "category_id", "team_id", "tag_ids"} & set(vals):
            # Deadlines follow the classification; the SLA lines are the system's to
            # replace, agents may not delete them.
            for ticket in self.sudo().filtered("team_id.use_sla"):
                ticket.refresh_sla()
        becoming_p1._notify_supervisors_p1()
        return result

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

    # ------------------------------------------------------------ compensation
    @api.depends("compensation_ids.state", "compensation_ids.amount_company")
    def _compute_compensation_summary(self):
        totals = {}
        ticket_ids = [ticket._origin.id for ticket in self if ticket._origin.id]
        if ticket_ids:
            groups = self.env["helpdesk.ticket.compensation"]._read_group(
                [("ticket_id", "in", ticket_ids)],
                ["ticket_id", "state"],
                ["amount_company:sum", "__count"],
            )
            for ticket, state, amount, count in groups:
                total = totals.setdefault(
                    ticket.id, {"count": 0, "requested": 0.0, "approved": 0.0, "paid": 0.0}
                )
                total["count"] += count
                if state in ("to_approve", "approved", "done"):
                    total["requested"] += amount
                if state in ("approved", "done"):
                    total["approved"] += amount
                if state == "done":
                    total["paid"] += amount
        for ticket in self:
            total = totals.get(ticket._origin.id, {})
            ticket.compensation_count = total.get("count", 0)
            ticket.compensation_requested_amount = total.get("requested", 0.0)
            ticket.compensation_approved_amount = total.get("approved", 0.0)
            ticket.compensation_paid_amount = total.get("paid", 0.0)

    @api.depends("partner_id", "stage_id.closed")
    def _compute_can_request_compensation(self):
        for ticket in self:
            ticket.can_request_compensation = ticket._get_compensation_blocker() is None

    def _get_compensation_blocker(self):
        """Why no compensation can be requested on this ticket now, or None."""
        self.ensure_one()
        if self.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it before requesting compensation.",
                ticket=self.display_name,
            )
        if not self.partner_id:
            return self.env._(
                "Ticket %(ticket)s has no customer: set the customer who is compensated.",
                ticket=self.display_name,
            )
        return None

    def _check_can_request_compensation(self):
        for ticket in self:
            blocker = ticket._get_compensation_blocker()
            if blocker:
                raise UserError(blocker)

    def action_request_compensation(self):
        self.ensure_one()
        self._check_can_request_compensation()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request compensation"),
            "res_model": "helpdesk.ticket.compensation",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_ticket_id": self.id},
        }

    def action_view_compensations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_after_sales.helpdesk_ticket_compensation_action"
        )
        action["domain"] = [("ticket_id", "=", self.id)]
        action["context"] = {"default_ticket_id": self.id}
        return action

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
