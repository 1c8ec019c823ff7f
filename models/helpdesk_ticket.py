# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import threading
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import psycopg2
import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, float_compare, float_round, formataddr, html2plaintext
from odoo.tools.safe_eval import safe_eval
from odoo.tools.sql import create_index

from odoo.addons.rating.models import rating_data

_logger = logging.getLogger(__name__)

from .helpdesk_ticket_category import SERVICE_PRIORITIES
from .product_category import WARRANTY_UNITS

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
# Closing the loop: satisfaction follows Odoo's rating (5 / 3 / 1 smileys).
SATISFACTION_LEVELS = [
    ("satisfied", "Satisfied"),
    ("neutral", "Neutral"),
    ("dissatisfied", "Dissatisfied"),
]
SATISFACTION_BY_RATING_TEXT = {"top": "satisfied", "ok": "neutral", "ko": "dissatisfied"}
RATING_BY_SATISFACTION = {"satisfied": 5, "neutral": 3, "dissatisfied": 1}
CONFIRMATION_METHODS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("chat", "Online chat"),
    ("on_site", "On site"),
    ("portal", "Customer portal"),
    ("other", "Other"),
]
# Longest free text a field of the record takes: a record sheet, not a mailbox.
TEXT_LIMIT = 20000
CHAR_LIMIT = 256
# A clock a little ahead of the server's is no reason to refuse an intake time.
CLOCK_SKEW = timedelta(minutes=5)
# What a ticket needs before it reaches a resolved stage.
CLOSING_FIELDS = (
    "solution",
    "result",
    "user_id",
    "customer_confirmation_by",
    "customer_confirmation_method",
    "customer_confirmation_date",
)


class HelpdeskTicket(models.Model):
    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "helpdesk.after.sales.server.owned.mixin"]
    _check_company_auto = True

    # Set by the desk's own methods only (see the mixin); each concern names its own.
    _server_owned_fields = (
        # intake
        "confirmed_with_customer",
        "confirmed_by_id",
        "confirmed_date",
        "category_code",
        "first_response_date",
        # deadlines
        "response_deadline",
        "response_sla_state",
        "response_warning_date",
        "resolution_deadline",
        "resolution_sla_state",
        "resolution_warning_date",
        "sla_extension_days",
        "sla_extension_reason",
        "last_customer_update",
        "next_update_deadline",
        "next_update_warning_date",
        # warranty
        "warranty_state",
        "warranty_end_date",
        "warranty_length",
        "warranty_length_unit",
        "warranty_checked_date",
        "warranty_override_reason",
        "sale_order_id",
        "sale_line_id",
        "picking_id",
        "purchase_date_source",
        "return_window_end",
        "exchange_window_end",
        # satisfaction, reopening, follow-up
        "satisfaction",
        "satisfaction_comment",
        "satisfaction_date",
        "reopen_count",
        "followup_date",
        "followup_state",
        "followup_note",
        "followup_done_date",
        # team scope and record sheet
        "is_after_sales",
        "received_by_id",
        # archive
        "archive_date",
        "retention_date",
        # documents of other apps, created by the desk's checked actions
        "repair_ids",
        "rma_ids",
        "compensation_ids",
    )

    # Customer and unit of one company: a partner or product of another is refused.
    partner_id = fields.Many2one(check_company=True)
    product_id = fields.Many2one(check_company=True)

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
    response_warning_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    resolution_warning_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
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
    next_update_warning_date = fields.Datetime(
        compute="_compute_next_update_deadline", store=True
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

    # ------------------------------------------------------------ purchase and warranty
    sale_order_id = fields.Many2one(
        "sale.order", string="Sale order", readonly=True, copy=False, index="btree_not_null"
    )
    sale_line_id = fields.Many2one("sale.order.line", readonly=True, copy=False)
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", readonly=True, copy=False, index="btree_not_null"
    )
    delivery_date = fields.Date(
        string="Received by the customer",
        copy=False,
        help="The day the customer received the goods (签收): the return and exchange "
        "windows start the day after. Filled from the delivery; correct it when the "
        "customer signed for the goods later.",
    )
    purchase_date_source = fields.Selection(
        [
            ("delivery", "Delivery found"),
            ("sale", "Sale order found"),
            ("manual", "Entered with proof"),
        ],
        string="Purchase established by",
        readonly=True,
        copy=False,
    )
    warranty_state = fields.Selection(
        [
            ("in_warranty", "In warranty"),
            ("out_of_warranty", "Out of warranty"),
            ("unknown", "Unknown"),
        ],
        string="Warranty",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    warranty_end_date = fields.Date(string="Warranty ends on", readonly=True, copy=False)
    warranty_length = fields.Integer(string="Warranty applied", readonly=True, copy=False)
    warranty_length_unit = fields.Selection(
        WARRANTY_UNITS, string="Warranty unit applied", readonly=True, copy=False
    )
    warranty_checked_date = fields.Datetime(
        string="Warranty checked on", readonly=True, copy=False
    )
    warranty_override_reason = fields.Text(readonly=True, copy=False)
    purchase_proof_missing = fields.Boolean(
        string="Proof of purchase missing",
        compute="_compute_purchase_proof_missing",
        help="The purchase date was entered by hand and no receipt or invoice is "
        "attached as evidence.",
    )
    return_window_end = fields.Date(
        compute="_compute_window_ends",
        store=True,
        help="Last day of the no-reason return window.",
    )
    exchange_window_end = fields.Date(
        compute="_compute_window_ends",
        store=True,
        help="Last day of the quality exchange window.",
    )
    return_window_open = fields.Boolean(compute="_compute_windows_today")
    exchange_window_open = fields.Boolean(compute="_compute_windows_today")
    windows_explanation = fields.Char(
        string="Return and exchange", compute="_compute_windows_today"
    )
    repeated_repair_failure = fields.Boolean(
        string="Repaired twice in warranty",
        compute="_compute_repeated_repair_failure",
        help="The same unit was already repaired twice under warranty for a quality "
        "fault: the customer may choose an exchange or a return (三包).",
    )
    recommended_resolution = fields.Selection(
        [
            ("free_repair", "Free repair"),
            ("paid_repair", "Paid repair quote"),
            ("return", "Return"),
            ("exchange", "Exchange"),
            ("guidance", "Guidance"),
        ],
        compute="_compute_recommended_resolution",
        help="A suggestion from the class, the warranty and the windows; the agent decides.",
    )
    repair_ids = fields.One2many("repair.order", "helpdesk_ticket_id", string="Repairs")
    repair_count = fields.Integer(compute="_compute_repair_count")
    repair_summary = fields.Text(
        string="Repair progress",
        compute="_compute_repair_count",
        help="The ticket's repair orders and where they stand, for those who cannot "
        "open them.",
    )
    can_create_repair = fields.Boolean(
        string="Repair possible", compute="_compute_can_create_repair"
    )
    can_accept_repair_quote = fields.Boolean(
        string="Repair quote awaiting the customer", compute="_compute_can_create_repair"
    )

    # ------------------------------------------------------------ returns and exchanges
    rma_ids = fields.One2many("rma", "ticket_id", string="RMAs")
    rma_count = fields.Integer(string="RMA count", compute="_compute_rma_count")
    can_return = fields.Boolean(compute="_compute_can_return_exchange")
    can_exchange = fields.Boolean(compute="_compute_can_return_exchange")

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

    # ------------------------------------------------------------ closing the loop
    # Result and proof to the customer, satisfaction, reopening, follow-up visit.
    solution = fields.Text(
        tracking=True, help="What was done for the customer (处理方案)."
    )
    result = fields.Text(
        tracking=True,
        copy=False,
        help="The outcome told to the customer (处理结果); cleared when the ticket is "
        "reopened, so that the second handling states its own.",
    )
    aftercare_advice = fields.Text(
        string="Aftercare advice",
        help="What the customer should do or avoid from now on; sent with the result.",
    )
    customer_confirmation_by = fields.Char(
        string="Result confirmed by",
        copy=False,
        tracking=True,
        help="Who, on the customer's side, confirmed the result.",
    )
    customer_confirmation_method = fields.Selection(
        CONFIRMATION_METHODS, string="Confirmed through", copy=False, tracking=True
    )
    customer_confirmation_date = fields.Datetime(
        string="Result confirmed on", copy=False, tracking=True
    )
    closing_missing = fields.Char(
        string="Missing to close",
        compute="_compute_can_close",
        help="What the ticket still needs before it can be closed.",
    )
    can_close = fields.Boolean(compute="_compute_can_close")
    closing_proof_names = fields.Char(
        string="Written proof",
        compute="_compute_closing_proof_names",
        compute_sudo=True,
        help="Finished repair orders and returns or exchanges sent to the customer "
        "with the result.",
    )
    satisfaction = fields.Selection(
        SATISFACTION_LEVELS,
        compute="_compute_satisfaction",
        store=True,
        index=True,
        help="The customer's latest rating: by mail or recorded by phone.",
    )
    satisfaction_comment = fields.Text(compute="_compute_satisfaction", store=True)
    satisfaction_date = fields.Datetime(
        string="Rated on", compute="_compute_satisfaction", store=True
    )
    can_record_satisfaction = fields.Boolean(compute="_compute_can_record_satisfaction")
    reopen_count = fields.Integer(
        string="Reopened",
        readonly=True,
        copy=False,
        tracking=True,
        help="How many times the ticket was reopened after closing: a dissatisfied "
        "customer or a follow-up visit that found a problem.",
    )
    followup_date = fields.Date(
        string="Follow-up visit on", readonly=True, copy=False, index=True
    )
    followup_state = fields.Selection(
        [
            ("planned", "Planned"),
            ("done", "No problem"),
            ("problem", "Problem found"),
        ],
        string="Follow-up visit",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    followup_note = fields.Text(string="Follow-up outcome", readonly=True, copy=False)
    followup_done_date = fields.Datetime(
        string="Followed up on", readonly=True, copy=False
    )
    can_record_followup = fields.Boolean(compute="_compute_can_record_followup")

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

    @api.depends("is_after_sales", "category_id", "name", "description", "customer_words")
    def _compute_suggested_service_priority(self):
        # The desk's configuration, read for every agent: only the suggestion shows.
        keywords = self.env["helpdesk.ticket.priority.keyword"].sudo()
        for ticket in self:
            ticket.suggested_service_priority = (
                ticket._suggest_service_priority(keywords) if ticket.is_after_sales else False
            )

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
        "ticket_sla_ids.warning_date",
    )
    def _compute_sla_deadlines(self):
        for ticket in self:
            for kind in ("response", "resolution"):
                lines = ticket.ticket_sla_ids.filtered(lambda sla, k=kind: sla.sla_kind == k)
                line = lines.sorted(lambda sla: sla.deadline or fields.Datetime.now())[:1]
                ticket[f"{kind}_deadline"] = line.deadline
                ticket[f"{kind}_warning_date"] = line.warning_date
                ticket[f"{kind}_sla_state"] = SLA_STATE_BY_LINE_STATE.get(line.state, False)

    @api.depends(
        "is_after_sales",
        "last_customer_update",
        "intake_date",
        "service_priority",
        "stage_id.closed",
        "company_id.after_sales_update_hours_p1",
        "company_id.after_sales_update_hours",
        "company_id.after_sales_warning_ratio",
    )
    def _compute_next_update_deadline(self):
        for ticket in self:
            start = ticket.last_customer_update or ticket.intake_date
            if ticket.stage_id.closed or not start or not ticket.is_after_sales:
                ticket.next_update_deadline = ticket.next_update_warning_date = False
                continue
            company = ticket.company_id or self.env.company
            hours = (
                company.after_sales_update_hours_p1
                if ticket.service_priority == "p1"
                else company.after_sales_update_hours
            )
            ratio = company.after_sales_warning_ratio or 0.8
            ticket.next_update_deadline = start + timedelta(hours=hours)
            ticket.next_update_warning_date = start + timedelta(hours=hours * ratio)

    @api.depends(
        "delivery_date",
        "company_id.after_sales_return_days",
        "company_id.after_sales_exchange_days",
    )
    def _compute_window_ends(self):
        for ticket in self:
            company = ticket.company_id or self.env.company
            received = ticket.delivery_date
            # Counted in calendar days from the day after the goods were received.
            ticket.return_window_end = received and received + timedelta(
                days=company.after_sales_return_days
            )
            ticket.exchange_window_end = received and received + timedelta(
                days=company.after_sales_exchange_days
            )

    @api.depends("return_window_end", "exchange_window_end", "repeated_repair_failure")
    def _compute_windows_today(self):
        today = fields.Date.context_today(self)
        for ticket in self:
            ticket.return_window_open = bool(
                ticket.return_window_end and today <= ticket.return_window_end
            )
            ticket.exchange_window_open = bool(
                ticket.exchange_window_end and today <= ticket.exchange_window_end
            )
            ticket.windows_explanation = ticket._explain_windows(today)

    def _explain_windows(self, today):
        parts = []
        if not self.delivery_date:
            parts.append(self.env._("Unknown: no delivery date"))
        else:
            for label, end in (
                (self.env._("return"), self.return_window_end),
                (self.env._("exchange"), self.exchange_window_end),
            ):
                days = (end - today).days
                if days >= 0:
                    parts.append(
                        self.env._(
                            "%(window)s window open, %(days)s days left",
                            window=label,
                            days=days,
                        )
                    )
                else:
                    parts.append(
                        self.env._(
                            "%(window)s window closed %(days)s days ago",
                            window=label,
                            days=-days,
                        )
                    )
        if self.repeated_repair_failure:
            parts.append(
                self.env._(
                    "exchange or return allowed: two warranty repairs did not fix the "
                    "same fault"
                )
            )
        return "; ".join(parts)

    @api.depends("purchase_date_source", "evidence_ids")
    def _compute_purchase_proof_missing(self):
        for ticket in self:
            ticket.purchase_proof_missing = (
                ticket.purchase_date_source == "manual" and not ticket.evidence_ids
            )

    @api.depends("lot_id", "warranty_state")
    def _compute_repeated_repair_failure(self):
        """三包: a unit in warranty whose same fault two warranty repairs did not fix.

        The fault is the category of the quality-fault (class A) ticket each repair
        was made for; the current ticket may be of any class (a customer asking for
        a return after the second failure files a class D ticket)."""
        in_warranty = self.filtered(lambda t: t.warranty_state == "in_warranty")
        failing_lots = set()
        if in_warranty.lot_id:
            # One query for all the tickets shown; the workshop's records are read
            # for agents who have no access to repairs.
            repairs = self.env["repair.order"].sudo().search(
                [
                    ("lot_id", "in", in_warranty.lot_id.ids),
                    ("state", "=", "done"),
                    ("under_warranty", "=", True),
                    ("helpdesk_ticket_id.category_code", "=", "A"),
                ]
            )
            counts = Counter(
                (repair.lot_id.id, repair.helpdesk_ticket_id.category_id.id)
                for repair in repairs
            )
            failing_lots = {lot_id for (lot_id, _fault), count in counts.items() if count >= 2}
        for ticket in self:
            ticket.repeated_repair_failure = (
                ticket in in_warranty and ticket.lot_id.id in failing_lots
            )

    @api.depends(
        "category_code",
        "warranty_state",
        "return_window_end",
        "exchange_window_end",
        "repeated_repair_failure",
    )
    def _compute_recommended_resolution(self):
        for ticket in self:
            ticket.recommended_resolution = ticket._recommend_resolution()

    def _recommend_resolution(self):
        """What the policy suggests (三包); the agent decides with the customer."""
        if self.category_code in ("B", "C", "E"):
            return "guidance"
        if self.category_code not in ("A", "D"):
            return False
        in_warranty = self.warranty_state == "in_warranty"
        if self.category_code == "D" and self.return_window_open:
            return "return"
        if self.repeated_repair_failure or (self.exchange_window_open and in_warranty):
            return "exchange"
        if self.category_code == "D" and self.exchange_window_open:
            return "exchange"
        if in_warranty:
            return "free_repair"
        if self.warranty_state == "out_of_warranty":
            return "paid_repair"
        # Unknown warranty: establish the purchase first.
        return False

    @api.depends("repair_ids")
    def _compute_repair_count(self):
        ticket_ids = [ticket._origin.id for ticket in self if ticket._origin.id]
        repairs = self.env["repair.order"].sudo().search(
            [("helpdesk_ticket_id", "in", ticket_ids)], order="id"
        )
        states = dict(repairs._fields["state"]._description_selection(self.env))
        by_ticket = defaultdict(list)
        for repair in repairs:
            by_ticket[repair.helpdesk_ticket_id.id].append(
                self.env._(
                    "%(repair)s: %(state)s, %(charge)s",
                    repair=repair.name,
                    state=states.get(repair.state, repair.state),
                    charge=self.env._("free (warranty)")
                    if repair.under_warranty
                    else (
                        self.env._("paid, accepted by the customer")
                        if repair._is_after_sales_quote_accepted()
                        else self.env._("paid, quote awaiting the customer")
                    ),
                )
            )
        for ticket in self:
            lines = by_ticket.get(ticket._origin.id, [])
            ticket.repair_count = len(lines)
            ticket.repair_summary = "\n".join(lines) or False

    @api.depends(
        "closed",
        "category_code",
        "product_id",
        "lot_id",
        "repair_ids.state",
        "repair_ids.under_warranty",
    )
    def _compute_can_create_repair(self):
        for ticket in self:
            saved = bool(ticket._origin.id)
            ticket.can_create_repair = saved and ticket._get_repair_blocker() is None
            ticket.can_accept_repair_quote = (
                saved and not ticket.closed and bool(ticket._get_pending_repair_quotes())
            )

    # ------------------------------------------------------------ onchange / constraints
    @api.onchange("team_id", "category_id", "name", "customer_words")
    def _onchange_suggest_service_priority(self):
        # Only while the ticket is being taken: afterwards the agent's choice stands.
        if not self._origin and self.is_after_sales:
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

    @api.constrains("intake_date", "fault_date", "purchase_date", "delivery_date")
    def _check_dates_not_in_future(self):
        """What happened cannot have happened later than now: a date in the future
        would, for one, keep the return window open."""
        now = fields.Datetime.now()
        for ticket in self:
            today = fields.Date.context_today(ticket)
            late = [
                name
                for name in ("intake_date", "fault_date")
                if ticket[name] and ticket[name] > now + CLOCK_SKEW
            ] + [
                name
                for name in ("purchase_date", "delivery_date")
                if ticket[name] and ticket[name] > today
            ]
            if late:
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: %(fields)s cannot be in the future.",
                        ticket=ticket.display_name,
                        fields=", ".join(
                            self._fields[name]._description_string(self.env) for name in late
                        ),
                    )
                )

    @api.constrains(lambda self: self._get_limited_text_fields())
    def _check_text_length(self):
        limited = self._get_limited_text_fields()
        for ticket in self:
            for name in limited:
                limit = TEXT_LIMIT if self._fields[name].type == "text" else CHAR_LIMIT
                if len(ticket[name] or "") > limit:
                    raise ValidationError(
                        self.env._(
                            "%(field)s takes at most %(limit)s characters; attach longer "
                            "documents as evidence instead.",
                            field=self._fields[name]._description_string(self.env),
                            limit=limit,
                        )
                    )

    def _get_limited_text_fields(self):
        """The record's free-text fields this addon adds."""
        return [
            name
            for name, field in self._fields.items()
            if field.type in ("char", "text")
            and field.store
            and not field.compute
            and not field.related
            and field._module == "helpdesk_after_sales"
        ]

    @api.constrains("purchase_date", "delivery_date")
    def _check_delivery_after_purchase(self):
        for ticket in self:
            if (
                ticket.purchase_date
                and ticket.delivery_date
                and ticket.delivery_date < ticket.purchase_date
            ):
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: the customer cannot have received the goods "
                        "(%(received)s) before buying them (%(bought)s).",
                        ticket=ticket.display_name,
                        received=ticket.delivery_date,
                        bought=ticket.purchase_date,
                    )
                )

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        # The suggestion reads the desk's configuration, whoever creates the ticket.
        keywords = self.env["helpdesk.ticket.priority.keyword"].sudo()
        for vals in vals_list:
            if not self._is_after_sales_vals(vals):
                # Other teams keep helpdesk_mgmt's stars as given (or its default).
                if vals.get("priority"):
                    vals.setdefault(
                        "service_priority", SERVICE_PRIORITY_BY_STARS.get(vals["priority"])
                    )
                continue
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
        all_tickets = super().create(vals_list)
        tickets = all_tickets._after_sales_only()
        for ticket, vals in zip(all_tickets, vals_list, strict=True):
            if ticket.product_id and ticket in tickets:
                ticket._check_warranty(entered=self.WARRANTY_CHECK_TRIGGERS & set(vals))
        # A ticket recorded past its first stage was answered when it was recorded,
        # and one recorded in a closed stage was closed then (helpdesk_mgmt sets the
        # closing date only when the stage changes): the analysis measures them.
        past_intake = tickets._past_intake()
        past_intake._check_intake_complete()
        tickets.filtered("stage_id.after_sales_resolved")._check_closing_rules()
        past_intake._record_first_response()
        recorded_closed = tickets.filtered(lambda t: t.stage_id.closed and not t.closed_date)
        if recorded_closed:
            recorded_closed.sudo().write({"closed_date": fields.Datetime.now()})
        tickets.filtered(lambda t: t.service_priority == "p1")._notify_supervisors_p1()
        return all_tickets

    def write(self, vals):
        if self.env.context.get("after_sales_defer_rating") and not self.env.su:
            # Set below for the resolving write only; a caller's key would skip the
            # customer's rating request.
            return self.with_context(after_sales_defer_rating=False).write(vals)
        after_sales = self._after_sales_only()
        if "priority" in vals and "service_priority" not in vals:
            vals = dict(vals, service_priority=SERVICE_PRIORITY_BY_STARS.get(vals["priority"]))
        # Other teams keep the stars as given (they use all four of them).
        if "service_priority" in vals and (after_sales or "priority" not in vals):
            vals = dict(vals, priority=STARS_BY_SERVICE_PRIORITY[vals["service_priority"]])
        becoming_p1 = (
            after_sales.filtered(lambda t: t.service_priority != "p1")
            if vals.get("service_priority") == "p1"
            else self.browse()
        )
        self._check_archive_lock(vals)
        leaving_intake = self.browse()
        if "stage_id" in vals:
            leaving_intake = (after_sales - after_sales._past_intake()).filtered(
                lambda t: t.stage_id.id != vals["stage_id"]
            )
        vals, resolving = self._prepare_closing_write(vals)
        # The rating request waits for the result mail (see _after_sales_resolved).
        writer = self.with_context(after_sales_defer_rating=True) if resolving else self
        result = super(HelpdeskTicket, writer).write(vals)
        leaving_intake._check_intake_complete()
        leaving_intake._record_first_response()
        if {"service_priority", "category_id", "team_id", "tag_ids"} & set(vals):
            # Deadlines follow the classification; the SLA lines are the system's to
            # replace, agents may not delete them.
            for ticket in after_sales.sudo().filtered("team_id.use_sla"):
                ticket.refresh_sla()
        becoming_p1._notify_supervisors_p1()
        # The warranty is checked again when what it rests on changes. The check's own
        # writes (as superuser, with the key) do not loop; a caller's key alone is no
        # way around the re-check.
        triggers = self.WARRANTY_CHECK_TRIGGERS & set(vals)
        own_check = self.env.su and self.env.context.get("after_sales_warranty_check")
        if triggers and not own_check:
            after_sales.filtered(lambda t: t.product_id or t.warranty_state)._check_warranty(
                entered=triggers
            )
        resolving._after_sales_resolved()
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

    def _past_intake(self):
        """These tickets minus those in their team's intake stage (looked up once
        per team, not per ticket)."""
        intake_stages = {}
        for ticket in self:
            if ticket.team_id not in intake_stages:
                intake_stages[ticket.team_id] = ticket._intake_stage()
        return self.filtered(lambda t: t.stage_id != intake_stages[t.team_id])

    def _record_first_response(self):
        """The first answer to the customer: when the ticket left intake."""
        unanswered = self.filtered(lambda t: not t.first_response_date)
        if unanswered:
            unanswered.sudo().write({"first_response_date": fields.Datetime.now()})

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

    def _check_intake_complete(self):
        """A ticket leaves its first stage only with a complete record (``self``: the
        tickets leaving it, or recorded past it)."""
        for ticket in self._after_sales_only():
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
        self.check_access("write")
        self._check_archive_lock({"confirmed_with_customer": True})
        self.sudo().write(
            {
                "confirmed_with_customer": True,
                "confirmed_by_id": self.env.user.id,
                "confirmed_date": fields.Datetime.now(),
            }
        )

    def action_apply_suggested_priority(self):
        for ticket in self._after_sales_only():
            ticket.service_priority = ticket.suggested_service_priority

    # ------------------------------------------------------------ purchase and warranty
    # Written only by the warranty check and a supervisor's override (server-owned,
    # see _server_owned_fields); the purchase and delivery dates stay the agent's to
    # correct, with proof.
    WARRANTY_FIELDS = (
        "warranty_state",
        "warranty_end_date",
        "warranty_length",
        "warranty_length_unit",
        "warranty_checked_date",
        "warranty_override_reason",
        "sale_order_id",
        "sale_line_id",
        "picking_id",
        "purchase_date_source",
    )
    WARRANTY_CHECK_TRIGGERS = frozenset(
        {"product_id", "lot_id", "purchase_date", "delivery_date", "partner_id"}
    )

    def _find_purchase(self):
        """The customer's delivered purchase of this unit, in the ticket's company: the
        done outgoing move line of the serial to the customer, else the customer's
        delivered sale order line of the product. Returns (sale line, delivery
        picking), either possibly empty."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        company = self.company_id or self.env.company
        if not (customer and self.product_id):
            return self.env["sale.order.line"], self.env["stock.picking"]
        if self.lot_id:
            move_line = self.env["stock.move.line"].search(
                [
                    ("lot_id", "=", self.lot_id.id),
                    ("state", "=", "done"),
                    ("picking_code", "=", "outgoing"),
                    ("picking_partner_id", "child_of", customer.id),
                    ("company_id", "=", company.id),
                ],
                order="date desc, id desc",
                limit=1,
            )
            return move_line.move_id.sale_line_id, move_line.picking_id
        sale_line = self.env["sale.order.line"].search(
            [
                ("order_partner_id", "child_of", customer.id),
                ("product_id", "=", self.product_id.id),
                ("state", "=", "sale"),
                ("qty_delivered", ">", 0),
                ("company_id", "=", company.id),
            ],
            order="id desc",
            limit=1,
        )
        picking = sale_line.move_ids.filtered(
            lambda m: m.state == "done" and m.picking_code == "outgoing"
        ).picking_id.sorted("date_done", reverse=True)[:1]
        return sale_line, picking

    def _get_warranty_terms(self):
        """(length, unit) from the product, else its category, else the company."""
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        if template.warranty:
            return template.warranty, template.warranty_type or "month"
        category = self.product_id.categ_id
        if category.after_sales_warranty:
            return category.after_sales_warranty, category.after_sales_warranty_type
        company = self.company_id or self.env.company
        return company.after_sales_warranty, company.after_sales_warranty_type

    def _days_in_repair(self, since):
        """Calendar days this unit spent with the workshop in warranty repairs since
        ``since`` (the purchase): finished repairs, and the one under way until now.
        They do not count against the warranty (三包)."""
        self.ensure_one()
        if not self.lot_id:
            return 0
        repairs = self.env["repair.order"].sudo().search(
            [
                ("lot_id", "=", self.lot_id.id),
                ("under_warranty", "=", True),
                ("state", "in", ("confirmed", "under_repair", "done")),
                ("repair_confirmed_date", "!=", False),
            ]
        )
        now = fields.Datetime.now()
        days = 0
        for repair in repairs:
            started = fields.Date.context_today(self, repair.repair_confirmed_date)
            if since and started < since:
                continue
            ended = fields.Date.context_today(self, repair.repair_done_date or now)
            days += max((ended - started).days, 0)
        return days

    def _prepare_warranty_values(self, entered=()):
        """The purchase and the warranty result, as of now, to freeze on the ticket.

        ``entered``: the dates the agent has just typed in; they are kept where the
        sale does not give them. Dates found from a sale that no longer matches the
        ticket (another serial, another customer) are dropped."""
        self.ensure_one()
        values = {"warranty_checked_date": fields.Datetime.now(), "warranty_override_reason": False}
        # Agents need not be salespeople or warehouse users to have the purchase checked.
        sale_line, picking = self.sudo()._find_purchase()
        values.update(
            sale_line_id=sale_line.id,
            sale_order_id=sale_line.order_id.id,
            picking_id=picking.id,
        )
        found_before = self.purchase_date_source
        if picking.date_done:
            shipped = fields.Date.context_today(self, picking.date_done)
            # The customer may have signed for the goods later than they were shipped:
            # a date the agent entered for this same delivery stands.
            keep_received = "delivery_date" in entered or (
                self.picking_id == picking and self.delivery_date
            )
            values.update(
                purchase_date=shipped,
                delivery_date=self.delivery_date if keep_received else shipped,
                purchase_date_source="delivery",
            )
        elif sale_line:
            values.update(
                purchase_date=fields.Date.context_today(self, sale_line.order_id.date_order),
                purchase_date_source="sale",
            )
            if found_before == "delivery" and "delivery_date" not in entered:
                values["delivery_date"] = False
        else:
            purchase_date, delivery_date = self.purchase_date, self.delivery_date
            if found_before in ("delivery", "sale"):
                if "purchase_date" not in entered:
                    purchase_date = values["purchase_date"] = False
                if "delivery_date" not in entered:
                    delivery_date = values["delivery_date"] = False
            values["purchase_date_source"] = (
                "manual" if (purchase_date or delivery_date) else False
            )
        start = values.get("purchase_date", self.purchase_date) or values.get(
            "delivery_date", self.delivery_date
        )
        length, unit = self._get_warranty_terms()
        values.update(warranty_length=length, warranty_length_unit=unit)
        if not (start and self.product_id):
            values.update(warranty_state="unknown", warranty_end_date=False)
            return values
        units = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
        end = (
            start
            + relativedelta(**{units.get(unit or "month", "months"): length})
            + timedelta(days=self._days_in_repair(start))
        )
        today = fields.Date.context_today(self)
        values.update(
            warranty_end_date=end,
            warranty_state="in_warranty" if today <= end else "out_of_warranty",
        )
        return values

    def _check_warranty(self, entered=()):
        """Find the purchase and freeze the warranty result (no access check: the
        callers have checked the ticket may be written)."""
        for ticket in self._after_sales_only():
            overridden = ticket.warranty_override_reason
            values = ticket._prepare_warranty_values(entered)
            # The frozen fields are written as superuser, the only way past
            # _server_owned_fields; tracking still names the user.
            ticket.sudo().with_context(after_sales_warranty_check=True).write(values)
            if overridden:
                ticket.message_post(
                    body=self.env._(
                        "A new warranty check replaced the supervisor's override "
                        "(%(reason)s): the warranty is now %(state)s.",
                        reason=overridden,
                        state=ticket._get_warranty_state_label(),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _get_warranty_state_label(self, state=None):
        self.ensure_one()
        state = state or self.warranty_state
        return dict(self._fields["warranty_state"]._description_selection(self.env)).get(
            state, ""
        )

    def action_check_warranty(self):
        """Find the purchase and freeze the warranty result on the ticket."""
        self.check_access("write")
        self._check_archive_lock(dict.fromkeys(self.WARRANTY_FIELDS))
        self._check_warranty()
        return True

    def _override_warranty(self, state, end_date, reason):
        """A supervisor corrects the frozen warranty result, with the reason logged."""
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_supervisor"):
            raise UserError(
                self.env._("Only an after-sales supervisor can override the warranty result.")
            )
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for overriding the warranty result."))
        if state == "in_warranty" and not end_date:
            raise UserError(
                self.env._("Give the day the warranty ends when you set a unit in warranty.")
            )
        self.check_access("write")
        self._check_archive_lock(dict.fromkeys(self.WARRANTY_FIELDS))
        for ticket in self:
            ticket.sudo().with_context(after_sales_warranty_check=True).write(
                {
                    "warranty_state": state,
                    "warranty_end_date": end_date,
                    "warranty_override_reason": reason,
                }
            )
            ticket.message_post(
                body=self.env._(
                    "Warranty result overridden to %(state)s (until %(date)s). Reason: %(reason)s",
                    state=ticket._get_warranty_state_label(state),
                    date=end_date or "-",
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------ repairs
    def _get_repair_blocker(self):
        """Why no repair can be created from this ticket now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it to create a repair.",
                ticket=self.display_name,
            )
        if self.category_code not in ("A", "D"):
            return self.env._(
                "Repairs are for quality faults: classify ticket %(ticket)s as class A "
                "(or D when the customer accepts a repair instead of a return).",
                ticket=self.display_name,
            )
        if not self.product_id:
            return self.env._("Set the product before creating a repair.")
        if self.product_id.tracking == "serial" and not self.lot_id:
            return self.env._("Set the serial number before creating a repair.")
        ongoing = self.sudo().repair_ids.filtered(
            lambda r: r.state in ("draft", "confirmed", "under_repair")
        )
        if ongoing:
            return self.env._(
                "Repair %(repair)s of this ticket is not finished yet: follow it up "
                "rather than opening another.",
                repair=ongoing[0].name,
            )
        return None

    def _get_pending_repair_quotes(self):
        """Paid repairs of the ticket waiting for the customer's acceptance."""
        self.ensure_one()
        return self.sudo().repair_ids.filtered(
            lambda r: r.state == "draft" and r._needs_after_sales_quote_acceptance()
        )

    def _prepare_repair_values(self):
        self.ensure_one()
        # The repair's own sale order (repair.order.sale_order_id) is its quotation:
        # the customer's purchase is not linked there, or the parts would be added
        # to the original order.
        return {
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "helpdesk_ticket_id": self.id,
            "under_warranty": self.warranty_state == "in_warranty",
            "company_id": (self.company_id or self.env.company).id,
            "internal_notes": self.symptoms,
        }

    def action_create_repair(self):
        """A repair order for the unit: free in warranty and confirmed at once,
        otherwise a quotation to execute once the customer accepts it."""
        self.ensure_one()
        self.check_access("write")
        blocker = self._get_repair_blocker()
        if blocker:
            raise UserError(blocker)
        # The repair belongs to the workshop: created for the agent, who need not be
        # a repair user; the chatter keeps who asked for it.
        repair = self.env["repair.order"].sudo().create(self._prepare_repair_values())
        if repair.under_warranty:
            # The customer's unit is not in our stock: no availability check applies.
            repair._action_repair_confirm()
            body = self.env._("Free warranty repair %(repair)s created.", repair=repair.name)
        else:
            body = self.env._(
                "Paid repair quotation %(repair)s created: execute it once the customer "
                "accepts the quote.",
                repair=repair.name,
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        if not repair.with_user(self.env.user).has_access("read"):
            return True
        return {
            "type": "ir.actions.act_window",
            "res_model": "repair.order",
            "res_id": repair.id,
            "view_mode": "form",
        }

    def action_accept_repair_quote(self):
        """The customer accepted the paid repair quote (by phone, mail, on site): the
        workshop may execute it."""
        self.ensure_one()
        self.check_access("write")
        quotes = self._get_pending_repair_quotes()
        if self.closed or not quotes:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has no repair quotation waiting for the customer.",
                    ticket=self.display_name,
                )
            )
        quotes._accept_after_sales_quote()
        self.message_post(
            body=self.env._(
                "The customer accepted repair quotation %(repairs)s: the workshop may "
                "execute it.",
                repairs=", ".join(quotes.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_view_repairs(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("repair.action_repair_order_tree")
        action.update(domain=[("helpdesk_ticket_id", "=", self.id)], context={})
        return action

    def action_view_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }

    def action_view_delivery(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "res_id": self.picking_id.id,
            "view_mode": "form",
        }

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
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_agent"):
            raise AccessError(
                self.env._("Only the after-sales desk archives record sheets.")
            )
        self.check_access("write")
        if self - self._after_sales_only():
            raise UserError((self - self._after_sales_only())[0]._not_after_sales_message())
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
            tickets.sudo().write(
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

    # ------------------------------------------------------------ overdue alerts
    def init(self):
        res = super().init()
        # What the overdue-alert cron selects: open deadlines only, a small share of
        # all tickets once the desk has run for years.
        for column, state in (
            ("response_warning_date", "response_sla_state"),
            ("resolution_warning_date", "resolution_sla_state"),
        ):
            create_index(
                self.env.cr,
                f"helpdesk_ticket_{column}_open_idx",
                self._table,
                [column],
                where=f"{state} IN ('running', 'breached') AND active",
            )
        return res

    @api.model
    def _cron_overdue_alerts(self, batch_size=300):
        """Warn before, and escalate after, response, resolution and customer-update
        deadlines. Each alert level is raised once per deadline (see
        helpdesk.ticket.alert); batches are committed outside tests so a crash loses
        at most the current one."""
        now = fields.Datetime.now()
        self._expire_overdue_sla_lines(now)
        self._clear_stale_alerts()
        candidates = self._select_alert_candidates(now)
        testing = getattr(threading.current_thread(), "testing", False)
        for start in range(0, len(candidates), batch_size):
            self._raise_alerts(candidates[start : start + batch_size])
            done = min(start + batch_size, len(candidates))
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(candidates) - done)
            if not testing:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _expire_overdue_sla_lines(self, now):
        """A running deadline that passed while the ticket sat idle is breached."""
        lines = self.env["helpdesk.ticket.sla"].search(
            [
                ("state", "=", "in_progress"),
                ("deadline", "<", now),
                ("ticket_id.is_after_sales", "=", True),
            ]
        )
        if lines:
            lines.sudo().write({"state": "expired"})

    @api.model
    def _clear_stale_alerts(self):
        """Alerts whose deadline was met or moved no longer apply."""
        self.env["helpdesk.ticket.alert"].flush_model()
        self.flush_model(
            ["response_sla_state", "response_deadline", "resolution_sla_state",
             "resolution_deadline", "next_update_deadline"]
        )
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM helpdesk_ticket_alert a
                      USING helpdesk_ticket t
                      WHERE t.id = a.ticket_id
                        AND CASE a.kind
                            WHEN 'response' THEN t.response_sla_state IS DISTINCT FROM 'running'
                                AND t.response_sla_state IS DISTINCT FROM 'breached'
                                OR t.response_deadline IS DISTINCT FROM a.deadline
                            WHEN 'resolution' THEN t.resolution_sla_state IS DISTINCT FROM 'running'
                                AND t.resolution_sla_state IS DISTINCT FROM 'breached'
                                OR t.resolution_deadline IS DISTINCT FROM a.deadline
                            ELSE t.next_update_deadline IS DISTINCT FROM a.deadline
                            END
                """
            )
        )
        self.env["helpdesk.ticket.alert"].invalidate_model()

    @api.model
    def _select_alert_candidates(self, now):
        """(ticket id, kind, deadline, level) for every open deadline past its warning
        point whose level has not been raised yet: one indexed query."""
        self.flush_model()
        self.env["helpdesk.ticket.alert"].flush_model()
        parts = []
        for kind, deadline, warning, state in (
            ("response", "t.response_deadline", "t.response_warning_date", "t.response_sla_state"),
            (
                "resolution",
                "t.resolution_deadline",
                "t.resolution_warning_date",
                "t.resolution_sla_state",
            ),
            ("update", "t.next_update_deadline", "t.next_update_warning_date", None),
        ):
            state_filter = (
                SQL("%s IN ('running', 'breached')", SQL(state)) if state else SQL("TRUE")
            )
            parts.append(
                SQL(
                    """
                    SELECT t.id, %(kind)s AS kind, %(deadline)s AS deadline,
                           CASE WHEN %(deadline)s > %(now)s THEN 'warning'
                                WHEN t.service_priority = 'p1'
                                  OR %(deadline)s + make_interval(
                                        secs => COALESCE(c.after_sales_escalation_hours, 4) * 3600
                                     ) <= %(now)s
                                THEN 'escalated'
                                ELSE 'breached' END AS level
                      FROM helpdesk_ticket t
                      JOIN helpdesk_ticket_stage s ON s.id = t.stage_id AND NOT s.closed
                 LEFT JOIN res_company c ON c.id = t.company_id
                     WHERE t.active AND t.is_after_sales AND %(state_filter)s
                       AND %(deadline)s IS NOT NULL
                       AND COALESCE(%(warning)s, %(deadline)s) <= %(now)s
                    """,
                    kind=kind,
                    deadline=SQL(deadline),
                    warning=SQL(warning),
                    now=now,
                    state_filter=state_filter,
                )
            )
        query = SQL(
            """
            SELECT cand.id, cand.kind, cand.deadline, cand.level
              FROM (%s) cand
             WHERE NOT EXISTS (
                   SELECT 1 FROM helpdesk_ticket_alert a
                    WHERE a.ticket_id = cand.id AND a.kind = cand.kind
                      AND a.level = cand.level)
             ORDER BY cand.id
            """,
            SQL(" UNION ALL ").join(parts),
        )
        return self.env.execute_query(query)

    @api.model
    def _raise_alerts(self, candidates):
        """Raise a batch's alerts; a ticket whose alerts fail is logged and left for
        the next run (its claims are rolled back), the rest of the batch is alerted."""
        try:
            with self.env.cr.savepoint():
                self._claim_and_act_on_alerts(candidates)
            return
        except psycopg2.errors.SerializationFailure:
            raise  # another worker: Odoo retries the job
        except Exception:  # pylint: disable=broad-except
            self.env.invalidate_all()
        by_ticket = defaultdict(list)
        for candidate in candidates:
            by_ticket[candidate[0]].append(candidate)
        for ticket_id, ticket_candidates in by_ticket.items():
            try:
                with self.env.cr.savepoint():
                    self._claim_and_act_on_alerts(ticket_candidates)
            except psycopg2.errors.SerializationFailure:
                raise
            except Exception:  # pylint: disable=broad-except
                self.env.invalidate_all()
                _logger.exception(
                    "Overdue alerts of ticket %s failed; they are retried at the next run.",
                    ticket_id,
                )

    @api.model
    def _claim_and_act_on_alerts(self, candidates):
        """Claim the alerts with one insert; act only on what this worker inserted
        (another worker inserting the same alert makes ours a no-op)."""
        rows = []
        for ticket_id, kind, deadline, level in candidates:
            levels = ("breached", "escalated") if level == "escalated" else (level,)
            rows += [(ticket_id, kind, lvl, deadline) for lvl in levels]
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO helpdesk_ticket_alert
                       (ticket_id, kind, level, deadline, company_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT v.ticket_id, v.kind, v.level, v.deadline, t.company_id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (VALUES %(values)s) AS v(ticket_id, kind, level, deadline)
                  JOIN helpdesk_ticket t ON t.id = v.ticket_id
                ON CONFLICT (ticket_id, kind, level) DO NOTHING
                RETURNING ticket_id, kind, level
                """,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                values=SQL(", ").join(
                    SQL("(%s::int, %s::varchar, %s::varchar, %s::timestamp)", *row) for row in rows
                ),
            )
        )
        claimed = self.env.cr.fetchall()
        if claimed:
            self._act_on_alerts(claimed)

    @api.model
    def _act_on_alerts(self, claimed):
        tickets = self.browse({ticket_id for ticket_id, _kind, _level in claimed})
        tickets.fetch(["user_id", "team_id", "service_priority", "number", "name", "company_id"])
        kind_labels = dict(self.env["helpdesk.ticket.alert"]._fields["kind"]._description_selection(self.env))
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("helpdesk.ticket")
        today = fields.Date.context_today(self)
        managers = self.env.ref("helpdesk_after_sales.group_after_sales_manager").users.filtered(
            lambda u: not u.share
        )
        activities, notes, escalated = [], {}, {}
        for ticket_id, kind, level in claimed:
            ticket = self.browse(ticket_id)
            label = kind_labels[kind]
            if level == "warning":
                users = ticket.user_id or ticket.team_id.user_id
                summary = self.env._("%(kind)s deadline approaching", kind=label)
            elif level == "breached":
                users = ticket._get_supervisors()
                summary = self.env._("%(kind)s deadline missed", kind=label)
                notes.setdefault(ticket_id, []).append(
                    self.env._("%(kind)s deadline missed: supervisor informed.", kind=label)
                )
            else:
                users = managers.filtered(lambda u, t=ticket: t.company_id in u.company_ids)
                for user in users:
                    escalated.setdefault(user, []).append((ticket, label))
                summary = self.env._("Escalated: %(kind)s deadline missed", kind=label)
                notes.setdefault(ticket_id, []).append(
                    self.env._("%(kind)s deadline missed: escalated to the managers.", kind=label)
                )
            activities += [
                {
                    "res_model_id": model_id,
                    "res_id": ticket_id,
                    "activity_type_id": todo.id,
                    "summary": summary,
                    "user_id": user.id,
                    "date_deadline": today,
                }
                for user in users
            ]
        if activities:
            self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
                activities
            )
        if notes:
            self.browse(list(notes))._message_log_batch(
                {ticket_id: "<br/>".join(lines) for ticket_id, lines in notes.items()}
            )
        if escalated:
            self._mail_escalations(escalated)

    @api.model
    def _mail_escalations(self, escalated):
        """One mail per manager for the batch's escalations ({user: [(ticket, deadline
        label)]}): the activities alone would only show in Odoo."""
        mails = []
        for user, items in escalated.items():
            if not user.email:
                continue
            lines = Markup("").join(
                Markup("<li>%s - %s: %s</li>")
                % (ticket.number or "", ticket.name, label)
                for ticket, label in items
            )
            mails.append(
                {
                    "subject": self.with_context(lang=user.lang).env._(
                        "Escalated: %(count)s after-sales deadlines missed",
                        count=len(items),
                    ),
                    "body_html": Markup("<ul>%s</ul>") % lines,
                    "recipient_ids": [Command.set(user.partner_id.ids)],
                    "auto_delete": True,
                }
            )
        if mails:
            self.env["mail.mail"].sudo().create(mails)

    @api.model
    def _cron_after_sales_digest(self):
        """Each supervisor's morning mail: the team's breached and at-risk tickets."""
        alerts = self.env["helpdesk.ticket.alert"].search(
            [("ticket_id.stage_id.closed", "=", False), ("level", "in", ("warning", "breached"))]
        )
        by_team = alerts.ticket_id.grouped("team_id")
        for team, tickets in by_team.items():
            supervisors = tickets[:1]._get_supervisors().filtered("email")
            if not supervisors:
                continue
            breached = tickets.filtered(
                lambda t: "breached" in (t.response_sla_state, t.resolution_sla_state)
            )
            at_risk = tickets - breached
            lines = Markup("").join(
                Markup("<li>%s - %s</li>") % (t.number or "", t.name)
                for t in (breached | at_risk)
            )
            self.env["mail.mail"].sudo().create(
                {
                    "subject": self.env._(
                        "%(team)s: %(breached)s tickets past a deadline, %(risk)s at risk",
                        team=team.name or "-",
                        breached=len(breached),
                        risk=len(at_risk),
                    ),
                    "body_html": Markup("<ul>%s</ul>") % lines,
                    "recipient_ids": [Command.set(supervisors.partner_id.ids)],
                }
            )

    # ------------------------------------------------------------ SLA business
    def set_sla(self):
        """helpdesk_mgmt_sla's, batched: tickets created together mostly share their
        team, category and tags, so their rules are searched once per combination
        and all their SLA lines created at once (it searches and creates per ticket).

        SLA lines are the desk's record of its deadlines: written as superuser only."""
        self.ticket_sla_ids.sudo().unlink()
        rules_by_key = {}
        vals_list = []
        for ticket in self.filtered("team_id.use_sla"):
            key = (ticket.team_id, ticket.category_id, ticket.tag_ids)
            if key not in rules_by_key:
                rules_by_key[key] = self.env["helpdesk.sla"].search(
                    ticket._get_sla_ticket_domain()
                )
            vals_list += [
                {"ticket_id": ticket.id, "sla_id": sla.id}
                for sla in rules_by_key[key]
                if not sla.domain or ticket.filtered_domain(safe_eval(sla.domain))
            ]
        self.env["helpdesk.ticket.sla"].sudo().create(vals_list)

    def refresh_sla(self):
        """A public button upstream: anyone who may change the ticket may have its
        deadlines planned again, by the rules only."""
        self.check_access("write")
        return super(HelpdeskTicket, self.sudo()).refresh_sla()

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
            for line in lines.sudo():
                line._grant_extension(days * line._get_calendar().hours_per_day)
            ticket.sudo().write(
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
        for ticket in self._after_sales_only():
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

    # ------------------------------------------------------------ returns and exchanges
    @api.depends("rma_ids")
    def _compute_rma_count(self):
        ticket_ids = [ticket._origin.id for ticket in self if ticket._origin.id]
        counts = {}
        if ticket_ids:
            counts = dict(
                self.env["rma"]._read_group(
                    [("ticket_id", "in", ticket_ids)], ["ticket_id"], ["__count"]
                )
            )
        for ticket in self:
            ticket.rma_count = counts.get(ticket._origin, 0)

    @api.depends("stage_id.closed", "sale_order_id", "picking_id")
    def _compute_can_return_exchange(self):
        for ticket in self:
            blocker = ticket._get_rma_blocker() if ticket._origin.id else True
            ticket.can_return = ticket.can_exchange = blocker is None

    def _get_rma_blocker(self):
        """Why nothing can be returned or exchanged from this ticket now, or None.
        The policy (windows, warranty) is checked apart: a supervisor may override it."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it to return or exchange goods.",
                ticket=self.display_name,
            )
        if not (self.sale_order_id or self.picking_id):
            return self.env._(
                "Link ticket %(ticket)s to the customer's sale order or delivery first.",
                ticket=self.display_name,
            )
        if not self._get_rma_candidates():
            return self.env._(
                "Everything delivered for ticket %(ticket)s was already returned or is "
                "being returned.",
                ticket=self.display_name,
            )
        return None

    def _get_delivered_moves(self):
        """The done customer deliveries of the ticket's sale (or delivery)."""
        self.ensure_one()
        ticket = self.sudo()
        if ticket.sale_order_id:
            moves = ticket.sale_order_id.order_line.move_ids
        else:
            moves = ticket.picking_id.move_ids
        return moves.filtered(
            lambda m: m.state == "done"
            and m.picking_code == "outgoing"
            and m.location_dest_id.usage == "customer"
        )

    def _get_rma_candidates(self):
        """What the customer may still send back: one entry per delivered move, or
        per serial number for serial-tracked products, with the quantity delivered
        minus what was already returned or is in an RMA (draft ones included)."""
        self.ensure_one()
        moves = self._get_delivered_moves()
        if not moves:
            return []
        rmas = self.env["rma"].sudo().search(
            [("move_id", "in", moves.ids), ("state", "!=", "cancelled")]
        )
        candidates = []
        for move in moves:
            move_rmas = rmas.filtered(lambda r, m=move: r.move_id == m)
            # Plain returns (stock return wizard); RMA receipts are counted as RMAs.
            returns = move.returned_move_ids.filtered(
                lambda r: r.state != "cancel" and not r.rma_receiver_ids
            )
            uom = move.product_uom
            taken = sum(
                rma.product_uom._compute_quantity(rma.product_uom_qty, uom)
                for rma in move_rmas
            ) + sum(
                ret.product_uom._compute_quantity(ret.quantity or ret.product_uom_qty, uom)
                for ret in returns
            )
            returnable = float_round(move.quantity - taken, precision_rounding=uom.rounding)
            if float_compare(returnable, 0.0, precision_rounding=uom.rounding) <= 0:
                continue
            if move.product_id.tracking == "serial":
                lots = (
                    move.move_line_ids.lot_id
                    - move_rmas.lot_id
                    - returns.move_line_ids.lot_id
                )
                # RMAs made elsewhere may not name their serial: the count still holds
                # (the ticket's own serial first).
                lots = lots.sorted(lambda lot: lot != self.lot_id)
                for lot in lots[: int(returnable)]:
                    candidates.append(
                        self._prepare_rma_candidate(move, lot=lot, quantity=1.0)
                    )
                continue
            candidates.append(self._prepare_rma_candidate(move, quantity=returnable))
        return candidates

    def _prepare_rma_candidate(self, move, lot=False, quantity=0.0):
        sale_line = move.sale_line_id
        return {
            "move": move,
            "lot": lot or self.env["stock.lot"],
            "product": move.product_id,
            "uom": move.product_uom,
            "quantity": quantity,
            "sale_line": sale_line,
            "price_unit": sale_line.price_unit if sale_line else move.product_id.lst_price,
        }

    def _is_rma_candidate_for_ticket(self, candidate):
        """Whether the ticket is about this delivered item (proposed first)."""
        self.ensure_one()
        if self.lot_id:
            return candidate["lot"] == self.lot_id
        if self.sale_line_id:
            return candidate["sale_line"] == self.sale_line_id
        if self.product_id:
            return candidate["product"] == self.product_id
        return False

    def _get_return_policy_blocker(self, reason):
        """Why a return is outside the policy today, or None.

        Any reason within the no-reason return window (7 days); after it, a quality
        fault while the unit is in warranty, or one that two repairs in warranty did
        not fix."""
        self.ensure_one()
        if self.return_window_open or self.repeated_repair_failure:
            return None
        if reason == "quality" and self.warranty_state == "in_warranty":
            return None
        if not self.return_window_end:
            return self.env._(
                "The delivery date of ticket %(ticket)s is unknown, so the return window "
                "cannot be checked.",
                ticket=self.display_name,
            )
        return self.env._(
            "The return window closed on %(date)s: after it a return needs a quality "
            "fault while the unit is in warranty.",
            date=fields.Date.to_string(self.return_window_end),
        )

    def _get_exchange_policy_blocker(self, reason):
        """Why an exchange is outside the policy today, or None.

        Within the return window for any reason; within the exchange window for a
        quality fault; after two failed repairs under warranty."""
        self.ensure_one()
        if self.return_window_open or self.repeated_repair_failure:
            return None
        if reason == "quality" and self.exchange_window_open:
            return None
        if not self.exchange_window_end:
            return self.env._(
                "The delivery date of ticket %(ticket)s is unknown, so the exchange "
                "window cannot be checked.",
                ticket=self.display_name,
            )
        if self.exchange_window_open:
            return self.env._(
                "After the return window only a quality fault is exchanged (until "
                "%(date)s).",
                date=fields.Date.to_string(self.exchange_window_end),
            )
        return self.env._(
            "The exchange window for quality faults closed on %(date)s and the fault "
            "was not left unrepaired by two repairs under warranty.",
            date=fields.Date.to_string(self.exchange_window_end),
        )

    def _check_policy_exception(self, blocker, justification):
        """Outside the policy only a supervisor proceeds, and says why."""
        if not blocker:
            return False
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_supervisor"):
            raise UserError(
                self.env._(
                    "%(blocker)s Only a supervisor can accept it as an exception: ask "
                    "your supervisor.",
                    blocker=blocker,
                )
            )
        justification = (justification or "").strip()
        if not justification:
            raise UserError(
                self.env._(
                    "%(blocker)s Give the justification for this exception.",
                    blocker=blocker,
                )
            )
        return justification

    def _check_rma_lines(self, lines):
        """Every requested line is a delivered item still returnable, in quantity."""
        self.ensure_one()
        candidates = {
            (c["move"].id, c["lot"].id): c for c in self._get_rma_candidates()
        }
        if not lines:
            raise UserError(self.env._("Choose at least one item and its quantity."))
        requested = {}
        for line in lines:
            key = (line["move"].id, line["lot"].id)
            requested[key] = requested.get(key, 0.0) + line["quantity"]
        for key, quantity in requested.items():
            candidate = candidates.get(key)
            line = next(li for li in lines if (li["move"].id, li["lot"].id) == key)
            label = line["product"].display_name + (
                f" ({line['lot'].sudo().name})" if line["lot"] else ""
            )
            if not candidate:
                raise UserError(
                    self.env._(
                        "%(item)s was not delivered for this ticket's order, or it was "
                        "already returned.",
                        item=label,
                    )
                )
            rounding = candidate["uom"].rounding
            if (
                float_compare(quantity, 0.0, precision_rounding=rounding) <= 0
                or float_compare(quantity, candidate["quantity"], precision_rounding=rounding)
                > 0
            ):
                raise UserError(
                    self.env._(
                        "%(item)s: %(quantity)s requested, but only %(returnable)s "
                        "%(uom)s delivered and not yet returned.",
                        item=label,
                        quantity=quantity,
                        returnable=candidate["quantity"],
                        uom=candidate["uom"].name,
                    )
                )

    def _prepare_rma_vals(self, line, operation, reason, note=False, exception=False):
        self.ensure_one()
        move = line["move"]
        # Agents need no sales rights to return what was sold.
        move = move.sudo()
        order = move.sale_line_id.order_id or self.sudo().sale_order_id
        partner = order.partner_id or self.partner_id
        return {
            "partner_id": partner.id,
            "partner_invoice_id": (order.partner_invoice_id or partner).id,
            "partner_shipping_id": (order.partner_shipping_id or partner).id,
            "origin": ", ".join(filter(None, [self.number, order.name])),
            "company_id": move.company_id.id,
            "order_id": order.id,
            "picking_id": move.picking_id.id,
            "move_id": move.id,
            "product_id": move.product_id.id,
            "product_uom_qty": line["quantity"],
            "product_uom": move.product_uom.id,
            "lot_id": line["lot"].id,
            "operation_id": operation.id,
            "ticket_id": self.id,
            "user_id": (self.user_id or self.env.user).id,
            "after_sales_reason": reason,
            "replacement_product_id": line.get("replacement_product", move.product_id).id
            if operation == self.env.ref("rma.rma_operation_replace")
            else False,
            "policy_exception": exception or False,
            "description": note or False,
        }

    def _create_after_sales_rmas(self, kind, lines, reason, note=False, justification=False,
                                 refund=True):
        """Return (``kind="return"``) or exchange (``"exchange"``) delivered items:
        one confirmed RMA per line, so the warehouse gets the receipt.

        ``lines``: dicts with ``move``, ``lot``, ``product``, ``quantity`` and, for an
        exchange, ``replacement_product``."""
        self.ensure_one()
        blocker = self._get_rma_blocker()
        if blocker:
            raise UserError(blocker)
        policy = (
            self._get_return_policy_blocker(reason)
            if kind == "return"
            else self._get_exchange_policy_blocker(reason)
        )
        exception = self._check_policy_exception(policy, justification)
        self._check_rma_lines(lines)
        if kind == "exchange":
            operation = self.env.ref("rma.rma_operation_replace")
        elif refund:
            operation = self.env.ref("rma.rma_operation_refund")
        else:
            operation = self.env.ref("helpdesk_after_sales.rma_operation_return_no_refund")
        # Checked above: the ticket, the policy and the lines (see rma's server-owned
        # fields).
        rmas = (
            self.env["rma"]
            .sudo()
            .create(
                [
                    self._prepare_rma_vals(line, operation, reason, note, exception)
                    for line in lines
                ]
            )
            .with_env(self.env)
        )
        # The receipt is the warehouse's document: agents need no stock rights.
        rmas.sudo().action_confirm()
        reason_label = dict(self.env["rma"]._fields["after_sales_reason"]._description_selection(
            self.env
        )).get(reason)
        items = ", ".join(
            f"{rma.name}: {rma.product_id.display_name}"
            + (f" ({rma.lot_id.name})" if rma.lot_id else "")
            + f" x {rma.product_uom_qty:g}"
            + (
                f" -> {rma.replacement_product_id.display_name}"
                if kind == "exchange" and rma.replacement_product_id != rma.product_id
                else ""
            )
            for rma in rmas.sudo()
        )
        if kind == "exchange":
            body = self.env._(
                "Exchange started (%(reason)s): %(items)s. The warehouse receives the "
                "returned goods, then ships the replacement.",
                reason=reason_label,
                items=items,
            )
        elif refund:
            body = self.env._(
                "Return with refund started (%(reason)s): %(items)s. The refund follows "
                "the receipt of the goods.",
                reason=reason_label,
                items=items,
            )
        else:
            body = self.env._(
                "Return without refund started (%(reason)s): %(items)s.",
                reason=reason_label,
                items=items,
            )
        if exception:
            body = self.env._(
                "%(body)s Outside the policy (%(policy)s); exception accepted by "
                "%(user)s: %(justification)s",
                body=body,
                policy=policy,
                user=self.env.user.name,
                justification=exception,
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        return rmas

    def action_open_return_wizard(self):
        self.ensure_one()
        blocker = self._get_rma_blocker()
        if blocker:
            raise UserError(blocker)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_after_sales.helpdesk_ticket_return_wizard_action"
        ) | {"context": {"active_model": self._name, "active_id": self.id}}

    def action_open_exchange_wizard(self):
        self.ensure_one()
        blocker = self._get_rma_blocker()
        if blocker:
            raise UserError(blocker)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_after_sales.helpdesk_ticket_exchange_wizard_action"
        ) | {"context": {"active_model": self._name, "active_id": self.id}}

    def action_view_rmas(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("rma.rma_action")
        action.update(
            domain=[("ticket_id", "=", self.id)],
            context={"default_ticket_id": self.id},
        )
        return action

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
        if not self.is_after_sales:
            return self._not_after_sales_message()
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
            self.is_after_sales
            and message.message_type in ("comment", "email_outgoing")
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.author_id.user_ids.filtered(lambda u: not u.share)
        ):
            self.sudo().write({"last_customer_update": message.date})
        return res

    # ------------------------------------------------------------ closing the loop
    # Closing rules, result mail with proof, satisfaction through Odoo's rating,
    # reopening, follow-up visits and the forbidden-phrase guard.
    @api.depends(*CLOSING_FIELDS, "stage_id")
    def _compute_can_close(self):
        for ticket in self:
            missing = ticket._get_missing_closing_fields()
            ticket.closing_missing = ", ".join(missing) if missing else False
            ticket.can_close = ticket._get_closing_blocker() is None

    @api.depends("repair_ids.state", "rma_ids.state")
    def _compute_closing_proof_names(self):
        for ticket in self:
            names = [
                record.display_name
                for _report, records in ticket._get_closing_proof_records()
                for record in records
            ]
            ticket.closing_proof_names = ", ".join(names) if names else False

    @api.depends("rating_ids.rating", "rating_ids.consumed", "rating_ids.feedback")
    def _compute_satisfaction(self):
        latest = {}
        ticket_ids = [ticket._origin.id for ticket in self if ticket._origin.id]
        if ticket_ids:
            # One query for all the tickets: their consumed ratings, newest first.
            ratings = self.env["rating.rating"].sudo().search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", ticket_ids),
                    ("consumed", "=", True),
                    ("rating", ">=", rating_data.RATING_LIMIT_MIN),
                ],
                order="write_date desc, id desc",
            )
            for rating in ratings:
                latest.setdefault(rating.res_id, rating)
        for ticket in self:
            rating = latest.get(ticket._origin.id)
            ticket.satisfaction = (
                self._satisfaction_from_rating(rating.rating) if rating else False
            )
            ticket.satisfaction_comment = rating.feedback if rating else False
            ticket.satisfaction_date = rating.write_date if rating else False

    @api.depends("partner_id", "stage_id")
    def _compute_can_record_satisfaction(self):
        for ticket in self:
            ticket.can_record_satisfaction = ticket._get_satisfaction_blocker() is None

    @api.depends("followup_state")
    def _compute_can_record_followup(self):
        for ticket in self:
            ticket.can_record_followup = ticket.followup_state == "planned"

    @api.onchange("customer_confirmation_method")
    def _onchange_customer_confirmation_method(self):
        if self.customer_confirmation_method:
            if not self.customer_confirmation_by and self.partner_id:
                self.customer_confirmation_by = self.partner_id.name
            if not self.customer_confirmation_date:
                self.customer_confirmation_date = fields.Datetime.now()

    @api.model
    def _satisfaction_from_rating(self, rate):
        """satisfied / neutral / dissatisfied for an Odoo rating value, or False."""
        return SATISFACTION_BY_RATING_TEXT.get(rating_data._rating_to_text(rate), False)

    # closing rules
    def _get_resolved_stage(self):
        """The closed stage meaning "solved" this ticket's team uses."""
        self.ensure_one()
        if self.team_id:
            stages = self.team_id._get_applicable_stages()
        else:
            stages = self.env["helpdesk.ticket.stage"].search([("team_ids", "=", False)])
        return stages.filtered("after_sales_resolved")[:1]

    def _get_missing_closing_fields(self, vals=None):
        """Labels of what the ticket lacks before it can be closed as solved; the
        values about to be written (``vals``) count."""
        self.ensure_one()
        vals = vals or {}
        missing = []
        for name in CLOSING_FIELDS:
            value = vals[name] if name in vals else self[name]
            if isinstance(value, str):
                value = value.strip()
            if not value:
                missing.append(self._fields[name]._description_string(self.env))
        return missing

    def _get_closing_blocker(self):
        """Why the ticket cannot be closed as solved now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._("Ticket %(ticket)s is already closed.", ticket=self.display_name)
        if not self._get_resolved_stage():
            return self.env._(
                "The team of ticket %(ticket)s has no resolved stage: mark a closed stage "
                "as resolved in the helpdesk configuration.",
                ticket=self.display_name,
            )
        missing = self._get_missing_closing_fields()
        if missing:
            return self._closing_missing_message(missing)
        return None

    def _closing_missing_message(self, missing):
        return self.env._(
            "Ticket %(ticket)s cannot be closed yet: fill in %(fields)s. A ticket is "
            "closed only once the customer has confirmed the result (who, how and when).",
            ticket=self.display_name,
            fields=", ".join(missing),
        )

    def _check_closing_rules(self, vals=None):
        """A ticket is closed as solved only with its solution, result, handler and
        the customer's confirmation (who, how, when)."""
        for ticket in self._after_sales_only():
            missing = ticket._get_missing_closing_fields(vals)
            if missing:
                raise ValidationError(ticket._closing_missing_message(missing))

    def _prepare_closing_write(self, vals):
        """Check the closing rules of the tickets this write closes. Returns the
        values to write and the tickets reaching a resolved stage.

        A reopened ticket closes only through the same rules, whatever its closed
        stage; reopening clears the closing date helpdesk_mgmt leaves behind."""
        if not vals.get("stage_id"):
            return vals, self.browse()
        stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
        moving = self._after_sales_only().filtered(lambda t: t.stage_id != stage)
        if not stage.closed:
            if moving.filtered("closed_date"):
                vals = dict(vals, closed_date=False)
            return vals, self.browse()
        resolving = moving if stage.after_sales_resolved else self.browse()
        (resolving | moving.filtered("reopen_count"))._check_closing_rules(vals)
        return vals, resolving

    # closing from the customer portal
    def _prepare_portal_confirmation_vals(self, partner):
        """The customer closing a ticket as solved from the portal confirms its result."""
        return {
            "customer_confirmation_by": partner.name,
            "customer_confirmation_method": "portal",
            "customer_confirmation_date": fields.Datetime.now(),
        }

    def _is_portal_customer(self, partner):
        """Whether ``partner`` counts as the ticket's customer on the portal: the
        ticket's partner, or (company setting, the default) anyone of the
        partner's commercial entity. Followers and colleagues who merely read the
        ticket do not decide for the customer."""
        self.ensure_one()
        customer = self.partner_id
        if not customer or not partner:
            return False
        company = self.company_id or self.env.company
        if company.after_sales_portal_close_scope == "partner":
            return partner == customer
        return partner.commercial_partner_id == customer.commercial_partner_id

    def _get_portal_close_stages(self):
        """The stages the customer may close the ticket into from the portal: the
        resolved closed stages of the ticket's team offered on the portal. Cancelling
        or rejecting a ticket is the desk's decision."""
        self.ensure_one()
        return self.team_id._get_applicable_stages().filtered(
            lambda stage: stage.closed
            and stage.close_from_portal
            # Other teams' customers close as helpdesk_mgmt lets them.
            and (stage.after_sales_resolved or not self.is_after_sales)
        )

    def _get_portal_close_blocker(self, stage, partner):
        """Why ``partner`` cannot close the ticket into ``stage`` from the portal, or
        None. Only the customer closes, only as solved, and only once the desk has
        recorded the solution and result."""
        self.ensure_one()
        if not self._is_portal_customer(partner):
            return self.env._(
                "Only the customer of ticket %(ticket)s can close it from the portal.",
                ticket=self.display_name,
            )
        if not stage or stage not in self._get_portal_close_stages():
            return self.env._(
                "This stage cannot be chosen from the portal: a customer closes a ticket "
                "only as solved. Reply to the ticket to ask us to cancel it."
            )
        if self.closed:
            return self.env._("Ticket %(ticket)s is already closed.", ticket=self.display_name)
        if stage.after_sales_resolved and self.is_after_sales:
            vals = self._prepare_portal_confirmation_vals(partner)
            if self._get_missing_closing_fields(vals):
                return self.env._(
                    "Ticket %(ticket)s cannot be closed as solved yet: our team has not "
                    "recorded its result. Reply to the ticket to tell us the problem is "
                    "solved, and we will close it.",
                    ticket=self.display_name,
                )
        return None

    def _close_from_portal(self, stage, partner):
        """The customer closes the ticket as solved from the portal (helpdesk_mgmt's
        buttons), confirming the recorded result; through the closing rules."""
        self.ensure_one()
        blocker = self._get_portal_close_blocker(stage, partner)
        if blocker and not self.is_after_sales:
            # helpdesk_mgmt ignores a stage the portal may not choose.
            return False
        if blocker:
            raise UserError(blocker)
        vals = {"stage_id": stage.id}
        if stage.after_sales_resolved and self.is_after_sales:
            vals.update(self._prepare_portal_confirmation_vals(partner))
        self.write(vals)
        self.message_post(
            body=self.env._(
                "%(customer)s closed the ticket from the portal (%(stage)s).",
                customer=partner.name,
                stage=stage.name,
            ),
            author_id=partner.id,
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_close(self):
        """Close the ticket as solved: the customer receives the result, then the
        satisfaction request; the follow-up visit is planned."""
        self.ensure_one()
        blocker = self._get_closing_blocker()
        if blocker:
            raise UserError(blocker)
        self.stage_id = self._get_resolved_stage()
        return True

    def _after_sales_resolved(self):
        """The ticket just reached a resolved stage."""
        self._send_closing_mail()
        self.with_context(after_sales_defer_rating=False)._send_ticket_rating_mail(
            force_send=True
        )
        self._schedule_followup()

    # result mail and written proof
    def _get_closing_proof_records(self):
        """(report xml id, records) of the written proof of the result: finished
        repair orders, returns and exchanges."""
        self.ensure_one()
        ticket = self.sudo()
        return [
            (
                "repair.action_report_repair_order",
                ticket.repair_ids.filtered(lambda r: r.state == "done"),
            ),
            (
                "rma.report_rma_action",
                ticket.rma_ids.filtered(lambda r: r.state not in ("draft", "cancelled")),
            ),
        ]

    def _get_closing_proof_attachments(self):
        """The written proof as PDF attachments, ready to go with a message."""
        self.ensure_one()
        # Agents need no repair or stock rights to send the customer their proof.
        report_model = self.env["ir.actions.report"].sudo()
        values = []
        for report, records in self._get_closing_proof_records():
            for record in records:
                content, _format = report_model._render_qweb_pdf(report, record.ids)
                values.append(
                    {
                        "name": "%s.pdf" % record.display_name.replace("/", "_"),
                        "raw": content,
                        "mimetype": "application/pdf",
                        "res_model": "mail.compose.message",
                        "res_id": 0,
                        "type": "binary",
                    }
                )
        return self.env["ir.attachment"].create(values)

    def _send_closing_mail(self):
        """The result, the written proof and the aftercare advice to the customer,
        from the resolved stage's mail template."""
        for ticket in self:
            template = ticket.stage_id.mail_template_id
            if not template or not (ticket.partner_id or ticket.partner_email):
                continue
            proof = ticket._get_closing_proof_attachments()
            ticket.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=[Command.set(proof.ids)],
                email_layout_xmlid="mail.mail_notification_light",
            )

    def _track_template(self, changes):
        res = super()._track_template(changes)
        # A resolved stage's mail goes out from _send_closing_mail, with the proof.
        if "stage_id" in res and self[:1].is_after_sales and self[:1].stage_id.after_sales_resolved:
            res.pop("stage_id")
        return res

    def _send_ticket_rating_mail(self, force_send=False):
        tickets = self
        if self.env.context.get("after_sales_defer_rating"):
            tickets = self - self._after_sales_only()
            if not tickets:
                return None
        return super(HelpdeskTicket, tickets)._send_ticket_rating_mail(force_send=force_send)

    # satisfaction
    def _get_satisfaction_blocker(self):
        """Why the customer's satisfaction cannot be recorded now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if not self.partner_id:
            return self.env._(
                "Ticket %(ticket)s has no customer: set the customer who rates the service.",
                ticket=self.display_name,
            )
        if not self.stage_id.after_sales_resolved:
            return self.env._(
                "Ticket %(ticket)s is not solved yet: the customer rates the service once "
                "the ticket is closed with its result.",
                ticket=self.display_name,
            )
        return None

    def _record_phone_satisfaction(self, satisfaction, comment=False, partner=None):
        """The customer answered the satisfaction question by phone: the answer
        goes into the same rating the mail asks for, so every figure has one
        source (and a dissatisfied answer reopens the ticket the same way)."""
        self.ensure_one()
        blocker = self._get_satisfaction_blocker()
        if blocker:
            raise UserError(blocker)
        if satisfaction not in RATING_BY_SATISFACTION:
            raise UserError(self.env._("Choose satisfied, neutral or dissatisfied."))
        partner = partner or self.partner_id
        labels = dict(self._fields["satisfaction"]._description_selection(self.env))
        self.message_post(
            body=self.env._(
                "%(customer)s answered the satisfaction question by phone to %(agent)s: "
                "%(satisfaction)s.",
                customer=partner.name,
                agent=self.env.user.name,
                satisfaction=labels[satisfaction],
            ),
            subtype_xmlid="mail.mt_note",
        )
        token = self._rating_get_access_token(partner)
        # Ratings are the customer's (see rating.rating): written as superuser once
        # the checks above passed; the chatter still names the agent.
        return self.sudo().rating_apply(
            RATING_BY_SATISFACTION[satisfaction], token=token, feedback=comment or False
        )

    def _get_rating_link_blocker(self, rating):
        """Why the customer's answer ``rating`` to a satisfaction request of this
        ticket cannot be (re)applied now, or None. See :meth:`rating_apply`."""
        self.ensure_one()
        if not rating.consumed:
            return None
        newer_request = self.env["rating.rating"].sudo().search_count(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("id", ">", rating.id)],
            limit=1,
        )
        if (
            newer_request
            or self.reopen_count != rating.after_sales_round
            or (rating.after_sales_reopened and self.closed)
        ):
            return self.env._(
                "This satisfaction link of ticket %(ticket)s has already been answered and "
                "the ticket has moved on since. Use the link of the latest satisfaction "
                "request, or reply to the ticket.",
                ticket=self.display_name,
            )
        return None

    def rating_apply(
        self,
        rate,
        token=None,
        rating=None,
        feedback=None,
        subtype_xmlid=None,
        notify_delay_send=False,
    ):
        """Apply the customer's answer to a satisfaction request (one Odoo rating,
        one link ``/rate/<token>``, sent for one closing of the ticket).

        - A pending request (rating not consumed yet) is answered normally.
        - An answered request may still be changed (Odoo's thank-you page posts the
          same token again) while the ticket is in the round it was answered in: no
          newer request was sent for the ticket, the ticket was not reopened since
          other than by this very answer, and, if this answer reopened the ticket,
          the ticket has not been closed again. Past that the link is spent: the
          answer is refused and nothing changes.
        - A dissatisfied answer reopens a closed ticket, at most once per request;
          changing the answer afterwards does not undo the reopening.
        - The rating must belong to this ticket.
        """
        self.ensure_one()
        if token:
            rating = self.env["rating.rating"].search([("access_token", "=", token)], limit=1)
        if rating and (rating.res_model != self._name or rating.res_id != self.id):
            raise UserError(
                self.env._(
                    "This rating does not belong to ticket %(ticket)s.", ticket=self.display_name
                )
            )
        blocker = rating and self._get_rating_link_blocker(rating)
        if blocker:
            raise UserError(blocker)
        rating = super().rating_apply(
            rate,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )
        # As project.task does: the rating decides what happens to the record.
        reopen = (
            self._satisfaction_from_rating(rating.rating) == "dissatisfied"
            and self.closed
            and not rating.after_sales_reopened
        )
        if reopen:
            comment = (rating.feedback or "").strip()
            reason = (
                self.env._("the customer is dissatisfied: %(comment)s", comment=comment)
                if comment
                else self.env._("the customer is dissatisfied")
            )
            self._reopen_after_sales(reason)
        rating.sudo().write(
            {
                "after_sales_round": self.reopen_count,
                "after_sales_reopened": rating.after_sales_reopened or reopen,
            }
        )
        return rating

    # reopening
    def _get_reopen_stage(self):
        """The in-progress stage a reopened ticket goes back to."""
        self.ensure_one()
        if self.team_id:
            stages = self.team_id._get_applicable_stages()
        else:
            stages = self.env["helpdesk.ticket.stage"].search([("team_ids", "=", False)])
        stages = stages.filtered(lambda s: not s.closed)
        in_progress = self.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress", raise_if_not_found=False
        )
        if in_progress in stages:
            return in_progress
        return (stages - self._intake_stage())[:1] or stages[:1]

    def _reopen_after_sales(self, reason):
        """Reopen closed tickets for a second handling led by the team's
        supervisor: the customer must confirm a new result before closing again."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        # The customer's click on a rating runs as the public user.
        author = (
            self.env.ref("base.partner_root")
            if self.env.user.share
            else self.env.user.partner_id
        )
        for ticket in self._after_sales_only().filtered("closed"):
            supervisor = ticket._get_supervisors()[:1]
            count = ticket.reopen_count + 1
            vals = {
                "stage_id": ticket._get_reopen_stage().id,
                "reopen_count": count,
                "result": False,
                "customer_confirmation_by": False,
                "customer_confirmation_method": False,
                "customer_confirmation_date": False,
            }
            if ticket.followup_state == "planned":
                vals.update(followup_state=False, followup_date=False)
            if supervisor:
                vals["user_id"] = supervisor.id
            ticket.activity_unlink(["helpdesk_after_sales.mail_activity_type_followup"])
            # The reopen count and the follow-up are the desk's figures (callers check).
            ticket.sudo().write(vals)
            handler = supervisor or ticket.user_id
            if handler:
                ticket.activity_schedule(
                    activity_type_id=todo.id,
                    date_deadline=fields.Date.context_today(ticket),
                    summary=self.env._("Second handling: the customer is not satisfied"),
                    # The reason quotes the customer's words: text, never markup.
                    note=Markup("<p>%s</p>")
                    % self.env._(
                        "Ticket %(ticket)s was reopened because %(reason)s. Contact the "
                        "customer, agree on a new solution and close again once the "
                        "customer confirms the result.",
                        ticket=ticket.display_name,
                        reason=reason,
                    ),
                    user_id=handler.id,
                )
            if supervisor:
                body = self.env._(
                    "Reopened because %(reason)s (reopened %(count)s times in all). "
                    "Supervisor %(supervisor)s leads the second handling.",
                    count=count,
                    reason=reason,
                    supervisor=supervisor.name,
                )
            else:
                body = self.env._(
                    "Reopened because %(reason)s (reopened %(count)s times in all). The "
                    "team has no supervisor: assign one to lead the second handling.",
                    count=count,
                    reason=reason,
                )
            ticket.message_post(
                body=body,
                subtype_xmlid="mail.mt_note",
                author_id=author.id,
                partner_ids=handler.partner_id.ids,
            )

    # follow-up visit (回访)
    def _get_followup_date(self, closed_on, days):
        """The ``days``-th working day after the day of ``closed_on`` (UTC), on the
        team's working calendar (its leaves included)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        calendar = self.team_id.resource_calendar_id or company.resource_calendar_id
        tz = pytz.timezone(calendar.tz or "UTC") if calendar else pytz.utc
        closed_day = pytz.utc.localize(closed_on).astimezone(tz).date()
        if not calendar:
            return closed_day + timedelta(days=days)
        start = tz.localize(datetime.combine(closed_day + timedelta(days=1), time.min))
        end = calendar.plan_days(days, start, compute_leaves=True)
        return end.astimezone(tz).date() if end else closed_day + timedelta(days=days)

    def _schedule_followup(self):
        """The handler calls the customer back N working days after closing."""
        now = fields.Datetime.now()
        for ticket in self.filtered("user_id"):
            company = ticket.company_id or self.env.company
            date = ticket._get_followup_date(
                ticket.closed_date or now, company.after_sales_followup_days
            )
            ticket.activity_schedule(
                "helpdesk_after_sales.mail_activity_type_followup",
                date_deadline=date,
                summary=self.env._("Follow-up visit (回访)"),
                note=self.env._(
                    "Call the customer of ticket %(ticket)s: is the problem still solved? "
                    "Record the outcome with the Follow-up button; a problem reopens the "
                    "ticket.",
                    ticket=ticket.display_name,
                ),
                user_id=ticket.user_id.id,
            )
            ticket.sudo().write(
                {
                    "followup_date": date,
                    "followup_state": "planned",
                    "followup_note": False,
                    "followup_done_date": False,
                }
            )

    def _record_followup(self, outcome, note=False, from_activity=False):
        """Record the follow-up visit's outcome (``done``: no problem, ``problem``);
        a problem reopens the ticket."""
        note = (note or "").strip()
        if outcome not in ("done", "problem"):
            raise UserError(self.env._("Choose the outcome of the follow-up visit."))
        if outcome == "problem" and not note:
            raise UserError(
                self.env._(
                    "Describe the problem the follow-up visit found: it is why the "
                    "ticket is reopened."
                )
            )
        labels = dict(self._fields["followup_state"]._description_selection(self.env))
        for ticket in self:
            if not from_activity and ticket.followup_state != "planned":
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s has no follow-up visit planned.",
                        ticket=ticket.display_name,
                    )
                )
            ticket.sudo().write(
                {
                    "followup_state": outcome,
                    "followup_note": note or False,
                    "followup_done_date": fields.Datetime.now(),
                }
            )
            if not from_activity:
                # Recorded first: marking the activity done no longer sees a planned visit.
                ticket.activity_feedback(
                    ["helpdesk_after_sales.mail_activity_type_followup"],
                    feedback=note or labels[outcome],
                )
            ticket.message_post(
                body=self.env._(
                    "Follow-up visit: %(outcome)s. %(note)s",
                    outcome=labels[outcome],
                    note=note,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if outcome == "problem":
                ticket._reopen_after_sales(
                    self.env._("the follow-up visit found a problem: %(note)s", note=note)
                )

    # the desk's address
    def _get_desk_email_from(self):
        """The after-sales desk's address: the team's mail alias, else the company's."""
        ticket = self[:1]
        team = ticket.team_id.sudo()
        if team.alias_email:
            return formataddr((team.name, team.alias_email))
        company = (ticket.company_id or self.env.company).sudo()
        return company.email_formatted or False

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """A user without an email address still handles tickets: what they send
        goes out from the desk's address (they stay the author)."""
        author_id, email_from = super()._message_compute_author(
            author_id, email_from, raise_on_email=False
        )
        if not email_from:
            email_from = self._get_desk_email_from()
        if not email_from and raise_on_email and not self.env.su:
            raise UserError(
                self.env._(
                    "Unable to send the message: give the after-sales team a mail alias "
                    "or the company an email address."
                )
            )
        return author_id, email_from

    # standard phrases: the forbidden-phrase guard
    def _is_customer_facing_post(self, kwargs):
        """Whether message_post(**kwargs) sends a message from the desk to the
        customer: internal notes, system messages and the customer's own words
        (portal, rating, a message logged on the customer's behalf) are not."""
        if self.env.user.share:
            return False
        if kwargs.get("message_type", "notification") not in ("comment", "email_outgoing"):
            return False
        if kwargs.get("is_internal"):
            return False
        subtype_id = kwargs.get("subtype_id")
        if kwargs.get("subtype_xmlid"):
            subtype_id = self.env["ir.model.data"]._xmlid_to_res_id(kwargs["subtype_xmlid"])
        # Without a subtype mail posts a note.
        if not subtype_id or self.env["mail.message.subtype"].browse(subtype_id).internal:
            return False
        if kwargs.get("author_id"):
            author = self.env["res.partner"].sudo().browse(kwargs["author_id"])
            users = author.user_ids
            if users and all(user.share for user in users):
                return False
            if author.commercial_partner_id & self.partner_id.commercial_partner_id:
                return False
        return True

    def _check_forbidden_phrases(self, body, subject=None):
        """Refuse a customer-facing text (body and subject) with a forbidden phrase."""
        text = html2plaintext(body or "") if body else ""
        text = "%s\n%s" % (subject or "", text)
        if not text.strip() or not self._after_sales_only():
            return
        phrases = self.env["helpdesk.ticket.forbidden.phrase"]
        for company in self.company_id or self.env.company:
            phrase = phrases._find_in(text, company)
            if phrase:
                raise UserError(phrase._refusal_message())

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        if self._is_customer_facing_post(kwargs):
            self._check_forbidden_phrases(kwargs.get("body"), kwargs.get("subject"))
        return super().message_post(**kwargs)

    def _message_update_content(self, message, body, *args, **kwargs):
        if (
            message.message_type in ("comment", "email_outgoing")
            and message.subtype_id
            and not message.subtype_id.internal
            and not message.is_internal
            and any(not user.share for user in message.author_id.sudo().user_ids)
        ):
            self._check_forbidden_phrases(body)
        return super()._message_update_content(message, body, *args, **kwargs)
