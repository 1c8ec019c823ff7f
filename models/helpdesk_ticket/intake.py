# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import html2plaintext

from ..helpdesk_ticket_category import SERVICE_PRIORITIES

# helpdesk_mgmt's stars follow the service priority, so both always agree.
STARS_BY_SERVICE_PRIORITY = {"p1": "3", "p2": "2", "p3": "1"}
SERVICE_PRIORITY_BY_STARS = {"3": "p1", "2": "p2", "1": "p3", "0": "p3"}
# Longest free text a field of the record takes: a record sheet, not a mailbox.
TEXT_LIMIT = 20000
CHAR_LIMIT = 256
# A clock a little ahead of the server's is no reason to refuse an intake time.
CLOCK_SKEW = timedelta(minutes=5)


class HelpdeskTicket(models.Model):
    """Intake and classification (受理、记录、分类): the record of the customer's problem, its
    class (A-E) and service priority (P1-P3), and the rule that a ticket leaves intake
    complete."""

    _inherit = "helpdesk.ticket"

    # Set by the desk's own methods only (see the server-owned mixin).
    _server_owned_fields = (
        "confirmed_with_customer",
        "confirmed_by_id",
        "confirmed_date",
        "category_code",
        "first_response_date",
    )

    # Customer and unit of one company: a partner or product of another is refused.
    partner_id = fields.Many2one(check_company=True)
    product_id = fields.Many2one(check_company=True)
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
        help="What the customer said, verbatim. The title is the short summary.",
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
    first_response_date = fields.Datetime(
        string="Responded on",
        readonly=True,
        copy=False,
        help="When the ticket first left intake: the response the SLA measures.",
    )

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
        match_keywords = self._get_priority_keyword_matcher()
        for ticket in self:
            ticket.suggested_service_priority = (
                ticket._suggest_service_priority(match_keywords) if ticket.is_after_sales else False
            )

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        # The suggestion reads the desk's configuration, whoever creates the ticket.
        match_keywords = None
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
                if match_keywords is None:
                    match_keywords = self._get_priority_keyword_matcher()
                vals["service_priority"] = self._suggest_service_priority_of_vals(
                    vals, match_keywords
                )
            # helpdesk_mgmt's default would win over the compute: set the stars here.
            vals["priority"] = STARS_BY_SERVICE_PRIORITY[vals["service_priority"]]
        # helpdesk_mgmt puts a ticket given its team but no stage in that team's
        # first stage, its intake: only the others are looked up.
        stage_chosen = [
            "stage_id" in vals or not vals.get("team_id") or "default_stage_id" in self.env.context
            for vals in vals_list
        ]
        tickets = super().create(vals_list)
        # A ticket recorded past its first stage was answered when it was recorded.
        past_intake = (
            tickets.browse(
                [ticket.id for ticket, chosen in zip(tickets, stage_chosen, strict=True) if chosen]
            )
            ._after_sales_only()
            ._past_intake()
        )
        past_intake._check_intake_complete()
        past_intake._record_first_response()
        return tickets

    def write(self, vals):
        after_sales = self._after_sales_only()
        if "priority" in vals and "service_priority" not in vals:
            vals = dict(vals, service_priority=SERVICE_PRIORITY_BY_STARS.get(vals["priority"]))
        # Other teams keep the stars as given (they use all four of them).
        if "service_priority" in vals and (after_sales or "priority" not in vals):
            vals = dict(vals, priority=STARS_BY_SERVICE_PRIORITY[vals["service_priority"]])
        leaving_intake = self.browse()
        if "stage_id" in vals:
            leaving_intake = (after_sales - after_sales._past_intake()).filtered(
                lambda t: t.stage_id.id != vals["stage_id"]
            )
        result = super().write(vals)
        leaving_intake._check_intake_complete()
        leaving_intake._record_first_response()
        return result

    @api.model
    def _get_priority_keyword_matcher(self):
        """The urgency keywords of the desk, for a batch of suggestions (read for
        every agent: the desk's configuration)."""
        return self.env["helpdesk.ticket.priority.keyword"].sudo()._get_matcher()

    @api.model
    def _suggest_service_priority_of_vals(self, vals, match_keywords):
        """``_suggest_service_priority`` of the ticket about to be created with
        ``vals`` (read from the values: a draft record would look up a default for
        each field it lacks, for every ticket of a batch)."""
        return self._suggest_service_priority_from(
            match_keywords,
            texts=[vals.get("name"), vals.get("customer_words"), vals.get("description")],
            company=self.env["res.company"].browse(vals.get("company_id")) or self.env.company,
            category=self.env["helpdesk.ticket.category"].browse(vals.get("category_id")),
        )

    def _suggest_service_priority(self, match_keywords):
        """The priority the keywords found in the ticket's text suggest, or its
        category's default, the more urgent of both (P3 without either).
        ``match_keywords``: ``_get_priority_keyword_matcher()``."""
        return self._suggest_service_priority_from(
            match_keywords,
            texts=[self.name, self.customer_words, self.description],
            company=self.company_id or self.env.company,
            category=self.category_id,
        )

    @api.model
    def _suggest_service_priority_from(self, match_keywords, texts, company, category):
        """The rule of both: ``texts`` the ticket's name, customer's words and
        description (HTML)."""
        name, customer_words, description = texts
        text = " ".join(
            filter(None, [name, customer_words, description and html2plaintext(description)])
        )
        candidates = [
            match_keywords(text, company),
            category.sudo().default_service_priority,
        ]
        return min(filter(None, candidates), default="p3")

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
