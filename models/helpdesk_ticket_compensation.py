# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

COMPENSATION_TYPES = [
    ("refund", "Refund to the customer"),
    ("credit_note", "Credit note"),
    ("voucher", "Voucher / coupon"),
    ("cash", "Cash"),
    ("free_service", "Free service"),
    ("gift", "Gift"),
    ("reshipment", "Reshipment of a missing part"),
]
# Settled by a draft customer credit note once approved; the other types are
# carried out by a person, who gets an activity.
MOVE_TYPES = ("refund", "credit_note")
COMPENSATION_STATES = [
    ("draft", "Draft"),
    ("to_approve", "To approve"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]
APPROVAL_LEVELS = [
    ("supervisor", "Supervisor"),
    ("manager", "Manager"),
    ("two_managers", "Manager, then a second manager"),
]
# Who may give the approvals of each level, and how many different people.
LEVEL_GROUPS = {
    "supervisor": "helpdesk_after_sales.group_after_sales_supervisor",
    "manager": "helpdesk_after_sales.group_after_sales_manager",
    "two_managers": "helpdesk_after_sales.group_after_sales_manager",
}
LEVEL_APPROVER_COUNT = {"supervisor": 1, "manager": 1, "two_managers": 2}
# What the requester fills in and the approval is about: editable in draft only,
# changing it means asking again.
INPUT_FIELDS = (
    "ticket_id",
    "partner_id",
    "compensation_type",
    "amount",
    "currency_id",
    "reason",
)
# Context keys kept by the approval flow: anything else a caller passes (defaults
# for the records the flow creates, tracking switches, tier validation flags) is
# input and must not shape reviews, credit notes or the chatter.
FLOW_CONTEXT_KEYS = ("lang", "tz", "allowed_company_ids")


class HelpdeskTicketCompensation(models.Model):
    _name = "helpdesk.ticket.compensation"
    _description = "After-sales compensation"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "tier.validation",
        "helpdesk.after.sales.server.owned.mixin",
    ]
    _order = "id desc"
    _check_company_auto = True

    # tier.validation: reviews are requested on submission and gate approval.
    _state_from = ["draft", "to_approve"]
    _state_to = ["approved", "done"]
    _cancel_state = "cancel"
    # The decision and its inputs belong to the approval flow (see the methods
    # action_submit, _review, action_draft, action_cancel, action_done).
    _server_owned_fields = (
        "name",
        "state",
        "company_id",
        "company_currency_id",
        "request_date",
        "amount_company",
        "requested_by_id",
        "approval_level",
        "approved_date",
        "done_by_id",
        "done_date",
        "move_id",
        "move_state",
        "review_ids",
        "validation_status",
    )

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, index=True, precompute=True
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company currency"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        help="The ticket's customer or one of its contacts: who receives the "
        "compensation.",
    )
    compensation_type = fields.Selection(
        COMPENSATION_TYPES, string="Type", required=True, tracking=True
    )
    amount = fields.Monetary(
        currency_field="currency_id",
        required=True,
        tracking=True,
        help="What the compensation is worth to the customer: the money given, or the "
        "value of the service, gift or part.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
    )
    request_date = fields.Date(
        string="Requested on",
        default=fields.Date.context_today,
        required=True,
        readonly=True,
        copy=False,
        help="Set on submission; also the date of the exchange rate to the company "
        "currency.",
    )
    amount_company = fields.Monetary(
        string="Amount in company currency",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
        store=True,
    )
    reason = fields.Text(required=True, tracking=True)
    state = fields.Selection(
        COMPENSATION_STATES,
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    requested_by_id = fields.Many2one(
        "res.users",
        string="Requested by",
        default=lambda self: self.env.user,
        readonly=True,
        copy=False,
        help="Who submitted the request: never one of its reviewers.",
    )
    approval_level = fields.Selection(
        APPROVAL_LEVELS,
        string="Approval by",
        readonly=True,
        copy=False,
        index=True,
        help="Set on submission from the company's thresholds; it decides the reviews.",
    )
    expected_approval_level = fields.Selection(
        APPROVAL_LEVELS,
        string="Will be approved by",
        compute="_compute_expected_approval_level",
    )
    approved_date = fields.Datetime(string="Approved on", readonly=True, copy=False)
    executor_id = fields.Many2one(
        "res.users",
        string="Carried out by",
        compute="_compute_executor_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Who gives the voucher, cash, service, gift or part once approved: they "
        "get an activity.",
    )
    done_by_id = fields.Many2one("res.users", string="Done by", readonly=True, copy=False)
    done_date = fields.Datetime(string="Done on", readonly=True, copy=False)
    move_id = fields.Many2one(
        "account.move",
        string="Credit note",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
    )
    # What the desk needs to know of the credit note, for agents without Accounting
    # rights (related fields are read as superuser).
    move_state = fields.Selection(related="move_id.state", string="Credit note status")
    move_name = fields.Char(related="move_id.name", string="Credit note number")
    move_amount = fields.Monetary(
        related="move_id.amount_total", string="Credit note amount", currency_field="currency_id"
    )
    is_move_type = fields.Boolean(compute="_compute_is_move_type")
    can_submit = fields.Boolean(compute="_compute_can_submit")

    # ------------------------------------------------------------ computes
    @api.depends("ticket_id")
    def _compute_partner_id(self):
        for compensation in self:
            customer = compensation.ticket_id.partner_id
            if customer and not compensation._is_ticket_customer(compensation.partner_id):
                compensation.partner_id = customer

    @api.depends("ticket_id")
    def _compute_currency_id(self):
        for compensation in self:
            if not compensation.currency_id:
                company = compensation.ticket_id.company_id or self.env.company
                compensation.currency_id = company.currency_id

    @api.depends("ticket_id")
    def _compute_executor_id(self):
        for compensation in self:
            if not compensation.executor_id:
                compensation.executor_id = compensation.ticket_id.user_id or self.env.user

    @api.depends("amount", "currency_id", "company_id", "request_date")
    def _compute_amount_company(self):
        for compensation in self:
            company = compensation.company_id or self.env.company
            if not compensation.currency_id or compensation._get_missing_rate_blocker():
                # Never converted 1:1: the constraint refuses the request instead.
                compensation.amount_company = 0.0
                continue
            compensation.amount_company = compensation.currency_id._convert(
                compensation.amount,
                company.currency_id,
                company,
                compensation.request_date or fields.Date.context_today(compensation),
            )

    @api.depends(
        "amount_company",
        "company_id.after_sales_compensation_threshold",
        "company_id.after_sales_compensation_high_threshold",
    )
    def _compute_expected_approval_level(self):
        for compensation in self:
            compensation.expected_approval_level = compensation._get_approval_level()

    @api.depends("compensation_type")
    def _compute_is_move_type(self):
        for compensation in self:
            compensation.is_move_type = compensation.compensation_type in MOVE_TYPES

    @api.depends("state", "partner_id", "ticket_id.closed")
    def _compute_can_submit(self):
        for compensation in self:
            compensation.can_submit = compensation._get_submit_blocker() is None

    def _get_approval_level(self):
        """Who approves this compensation, from the company's thresholds."""
        self.ensure_one()
        company = self.company_id or self.env.company
        if self.amount_company > company.after_sales_compensation_high_threshold:
            return "two_managers"
        if self.amount_company > company.after_sales_compensation_threshold:
            return "manager"
        return "supervisor"

    def _get_submit_blocker(self):
        """Why the request cannot be submitted now, or None."""
        self.ensure_one()
        if self.state != "draft":
            return self.env._(
                "Compensation %(name)s was already submitted.", name=self.display_name
            )
        if not self.partner_id:
            return self.env._("Choose the customer who receives the compensation.")
        if self.ticket_id.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it before requesting compensation.",
                ticket=self.ticket_id.display_name,
            )
        return None

    def _get_missing_rate_blocker(self):
        """Why the amount cannot be converted to the company currency, or None."""
        self.ensure_one()
        company = self.company_id or self.env.company
        currency = self.currency_id
        if not currency or currency == company.currency_id:
            return None
        date = self.request_date or fields.Date.context_today(self)
        # Odoo converts 1:1 (or with a later rate) when no rate is known for the
        # date: the amount would then pick the wrong approval level.
        has_rate = self.env["res.currency.rate"].sudo().search_count(
            [
                ("currency_id", "=", currency.id),
                ("name", "<=", date),
                ("company_id", "in", [False, company.root_id.id]),
            ],
            limit=1,
        )
        if has_rate:
            return None
        return self.env._(
            "No exchange rate of %(currency)s is known on %(date)s: an accountant must "
            "enter one (Accounting > Configuration > Currencies) before compensation in "
            "%(currency)s can be requested.",
            currency=currency.name,
            date=fields.Date.to_string(date),
        )

    def _is_ticket_customer(self, partner):
        """The ticket's customer, or a contact of the same company."""
        self.ensure_one()
        customer = self.ticket_id.partner_id.commercial_partner_id
        return bool(partner) and partner.commercial_partner_id == customer

    # ------------------------------------------------------------ constraints
    @api.constrains("amount", "currency_id", "company_id", "request_date")
    def _check_amount(self):
        for compensation in self:
            currency = compensation.currency_id
            if currency.compare_amounts(compensation.amount, 0.0) <= 0:
                raise ValidationError(
                    self.env._(
                        "The compensation amount must be more than zero (%(amount)s given). "
                        "For a free service, gift or part, enter what it is worth.",
                        amount=currency.format(compensation.amount),
                    )
                )
            missing_rate = compensation._get_missing_rate_blocker()
            if missing_rate:
                raise ValidationError(missing_rate)
            company = compensation.company_id or self.env.company
            limit = company.after_sales_compensation_max_amount
            if company.currency_id.compare_amounts(compensation.amount_company, limit) > 0:
                raise ValidationError(
                    self.env._(
                        "%(amount)s is more than the largest compensation allowed "
                        "(%(limit)s): check the amount and the currency. A manager can "
                        "change the limit in the settings.",
                        amount=currency.format(compensation.amount),
                        limit=company.currency_id.format(limit),
                    )
                )

    @api.constrains("partner_id", "ticket_id")
    def _check_partner_is_ticket_customer(self):
        for compensation in self.sudo():
            if compensation.ticket_id.partner_id and not compensation._is_ticket_customer(
                compensation.partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "Compensation %(name)s goes to the customer of ticket %(ticket)s "
                        "(%(customer)s) or one of its contacts, not to %(partner)s.",
                        name=compensation.name,
                        ticket=compensation.ticket_id.display_name,
                        customer=compensation.ticket_id.partner_id.display_name,
                        partner=compensation.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "draft") != "draft":
                raise UserError(self.env._("A compensation request starts as a draft."))
        compensations = super().create(vals_list)
        for compensation in compensations:
            # Only for tickets the user may see: the ticket names the customer.
            compensation.ticket_id.check_access("read")
            compensation.ticket_id._check_can_request_compensation()
            if compensation.name == "/":
                sequence = self.env["ir.sequence"].sudo()
                compensation._write_server_owned(
                    {"name": sequence.next_by_code("helpdesk.ticket.compensation") or "/"}
                )
            compensation._post_on_ticket(
                self.env._(
                    "Compensation %(name)s drafted: %(type)s, %(amount)s. Reason: %(reason)s",
                    **compensation._message_values(),
                )
            )
        return compensations

    def write(self, vals):
        # Before tier.validation's own checks, which would act on a state change.
        self._check_server_owned_fields(vals)
        changed = set(INPUT_FIELDS) & set(vals)
        if changed:
            submitted = self.filtered(lambda c: c.state != "draft")
            if submitted:
                raise UserError(
                    self.env._(
                        "Compensation %(name)s was already submitted: reset it to draft "
                        "to change its %(fields)s; it will need approval again.",
                        name=submitted[0].display_name,
                        fields=", ".join(
                            self._fields[name]._description_string(self.env)
                            for name in INPUT_FIELDS
                            if name in changed
                        ),
                    )
                )
            if not self.env.su:
                for compensation in self:
                    compensation._check_may_manage()
        return super().write(vals)

    def unlink(self):
        self.check_access("unlink")
        self._unlink_only_draft_or_cancelled()
        # Their reviews go with them; nobody else deletes reviews (see tier.review).
        self.sudo().review_ids.unlink()
        return super().unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft_or_cancelled(self):
        for compensation in self:
            if compensation.state not in ("draft", "cancel"):
                raise UserError(
                    self.env._(
                        "Compensation %(name)s is %(state)s: cancel it instead of deleting it.",
                        name=compensation.display_name,
                        state=compensation._state_label(),
                    )
                )

    # ------------------------------------------------------------ tier validation
    def _get_sequences_to_approve(self, user):
        if self._get_reviewer_blocker(user):
            return []
        return super()._get_sequences_to_approve(user)

    def _get_reviewer_blocker(self, user):
        """Why ``user`` may not review this compensation, or None.

        Nobody approves a request they drafted, submitted or receive, a level
        is approved by its group only, and each approval of a request is given
        by a different person.
        """
        self.ensure_one()
        values = {"name": self.display_name}
        if user == self.requested_by_id:
            return self.env._(
                "You requested compensation %(name)s: another reviewer must approve or "
                "reject it.",
                **values,
            )
        if user == self.create_uid:
            return self.env._(
                "You drafted compensation %(name)s: another reviewer must approve or "
                "reject it.",
                **values,
            )
        if (
            self.partner_id
            and user.partner_id.commercial_partner_id
            == self.partner_id.commercial_partner_id
        ):
            return self.env._(
                "Compensation %(name)s is for you (%(partner)s): another reviewer must "
                "approve or reject it.",
                partner=self.partner_id.display_name,
                **values,
            )
        level = self.approval_level
        if level and not user.has_group(LEVEL_GROUPS[level]):
            return self.env._(
                "Compensation %(name)s must be approved by: %(level)s. You are not a "
                "pending reviewer.",
                level=self._level_label(),
                **values,
            )
        approvers = self.review_ids.filtered(lambda r: r.status == "approved").done_by
        if user in approvers:
            return self.env._(
                "You already approved compensation %(name)s: a different manager gives "
                "the next approval.",
                **values,
            )
        return None

    def _check_allow_write_under_validation(self, vals):
        # The approval is about these fields: whatever exceptions or reviewer
        # rights are configured, they do not change under validation.
        if set(INPUT_FIELDS) & set(vals):
            return False
        return super()._check_allow_write_under_validation(vals)

    def _check_review_by_flow(self):
        """The reviews of a compensation are decided by ``_review`` only, which
        checks the reviewer and then acts as superuser (as the reviewer)."""
        if not self.env.su:
            raise AccessError(
                self.env._(
                    "Compensation is approved or rejected with its Approve and Reject "
                    "buttons only."
                )
            )

    def _validate_tier(self, tiers=False):
        self._check_review_by_flow()
        return super()._validate_tier(tiers)

    def _rejected_tier(self, tiers=False):
        self._check_review_by_flow()
        return super()._rejected_tier(tiers)

    @api.model
    def _update_counter(self, review_counter):
        # Moves the next reviews to pending: a change only the flow makes.
        return super(HelpdeskTicketCompensation, self.sudo())._update_counter(
            review_counter
        )

    def request_validation(self):
        # Reviews are requested by action_submit, after its checks.
        if not self.env.su:
            raise AccessError(
                self.env._("Submit the compensation to request its approval.")
            )
        return super().request_validation()

    def validate_tier(self):
        # The reviews go through the approval wizard, which checks the reviewer.
        return self.action_open_approval_wizard(decision="approve")

    def reject_tier(self):
        return self.action_open_approval_wizard(decision="reject")

    def restart_validation(self):
        # Restarting the reviews means changing the request: back to draft.
        self.filtered(lambda c: c.state in ("to_approve", "rejected")).action_draft()

    def _get_to_validate_message_name(self):
        return self.env._("compensation")

    # ------------------------------------------------------------ actions
    def action_submit(self):
        """Request the approvals the compensation needs (tier validation)."""
        for compensation in self._in_flow():
            compensation._lock_for_update()
            blocker = compensation._get_submit_blocker()
            if blocker:
                raise UserError(blocker)
            compensation._check_may_manage()
            compensation.ticket_id._check_can_request_compensation()
            # The rate of the submission day decides the level.
            compensation._write_server_owned(
                {"request_date": fields.Date.context_today(compensation)}
            )
            compensation.sudo().review_ids.unlink()
            compensation._set_state(
                "to_approve",
                requested_by_id=self.env.user.id,
                approval_level=compensation._get_approval_level(),
            )
            # need_validation is computed for the whole prefetch batch at once; the
            # others' was computed before their approval level was set.
            compensation.invalidate_recordset(["need_validation"])
            reviews = compensation.sudo().request_validation()
            compensation.invalidate_recordset(["need_validation"])
            # The first reviews become pending now, not at the next flush.
            compensation._update_counter({"review_created": True})
            compensation._check_reviews_cover_level(reviews)
            compensation._post_on_ticket(
                self.env._(
                    "Compensation %(name)s submitted for approval: %(type)s, %(amount)s, "
                    "to be approved by: %(level)s.",
                    **compensation._message_values(),
                )
            )
        return True

    def action_open_approval_wizard(self, decision="approve"):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_after_sales.helpdesk_ticket_compensation_approval_wizard_action"
        )
        action["context"] = {
            "active_model": self._name,
            "active_id": self.id,
            "active_ids": self.ids,
            "default_decision": decision,
        }
        return action

    def action_open_reject_wizard(self):
        return self.action_open_approval_wizard(decision="reject")

    def action_draft(self):
        """Back to draft to change the request: every review starts again."""
        for compensation in self._in_flow():
            compensation._lock_for_update()
            if compensation.state not in ("to_approve", "rejected", "cancel"):
                raise UserError(
                    self.env._(
                        "Compensation %(name)s is %(state)s: only a request waiting for "
                        "approval, rejected or cancelled can go back to draft.",
                        name=compensation.display_name,
                        state=compensation._state_label(),
                    )
                )
            compensation._check_may_manage()
            compensation._void_credit_note()
            compensation.sudo().review_ids.unlink()
            compensation._set_state(
                "draft", approval_level=False, approved_date=False, move_id=False
            )
            compensation._post_on_ticket(
                self.env._(
                    "Compensation %(name)s reset to draft by %(user)s: the approvals "
                    "given so far are void; it needs approval again.",
                    **compensation._message_values(),
                )
            )
        return True

    def action_cancel(self):
        for compensation in self._in_flow():
            compensation._lock_for_update()
            if compensation.state in ("done", "cancel"):
                raise UserError(
                    self.env._(
                        "Compensation %(name)s is %(state)s and cannot be cancelled.",
                        name=compensation.display_name,
                        state=compensation._state_label(),
                    )
                )
            if compensation.state in ("approved", "rejected"):
                compensation._check_supervisor(
                    self.env._("Only a supervisor can cancel an approved or rejected compensation.")
                )
            else:
                compensation._check_may_manage()
            compensation._void_credit_note()
            compensation.sudo().activity_unlink(["mail.mail_activity_data_todo"])
            compensation._set_state("cancel")
            compensation._post_on_ticket(
                self.env._(
                    "Compensation %(name)s cancelled by %(user)s.",
                    **compensation._message_values(),
                )
            )
        return True

    def action_done(self):
        """The customer received the compensation."""
        for compensation in self._in_flow():
            compensation._lock_for_update()
            if compensation.state != "approved":
                raise UserError(
                    self.env._(
                        "Compensation %(name)s is %(state)s: only an approved compensation "
                        "can be marked as done.",
                        name=compensation.display_name,
                        state=compensation._state_label(),
                    )
                )
            if self.env.user != compensation.executor_id:
                compensation._check_may_manage()
            if compensation.is_move_type and compensation.sudo().move_id.state != "posted":
                raise UserError(
                    self.env._(
                        "Credit note of compensation %(name)s is not posted yet: accounting "
                        "posts it, which completes the compensation.",
                        name=compensation.display_name,
                    )
                )
            compensation._mark_done()
        return True

    def action_view_move(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        action.update({"res_id": self.move_id.id, "views": [(False, "form")]})
        return action

    def action_view_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------ business
    def _review(self, decision, comment=False):
        """Approve or reject the current user's pending review, as that user.

        The one door to the decisions (the approval wizard leads here): the row
        is locked first and everything checked again, so two reviewers acting at
        the same moment are serialized: the second one sees the outcome of the
        first (or the transaction is retried) and never creates a second credit
        note. The reviews are then written as superuser, done by the reviewer.
        """
        self.ensure_one()
        return self._in_flow()._decide(decision, comment)

    def _decide(self, decision, comment):
        self.ensure_one()
        if decision not in ("approve", "reject"):
            raise UserError(self.env._("Choose to approve or to reject the compensation."))
        self._lock_for_update()
        if self.state != "to_approve":
            raise UserError(
                self.env._(
                    "Compensation %(name)s is %(state)s: there is nothing to review.",
                    name=self.display_name,
                    state=self._state_label(),
                )
            )
        user = self.env.user
        blocker = self._get_reviewer_blocker(user)
        if blocker:
            raise UserError(blocker)
        sequences = self._get_sequences_to_approve(user)
        # One decision is one review: the next one is someone else's.
        reviews = self.review_ids.filtered(
            lambda r: r.sequence in sequences and r.status in ("waiting", "pending")
        ).sorted("sequence")[:1]
        if not reviews:
            pending = self.review_ids.filtered(lambda r: r.status == "pending")
            raise UserError(
                self.env._(
                    "You are not a pending reviewer of compensation %(name)s. Waiting for: "
                    "%(todo)s.",
                    name=self.display_name,
                    todo=", ".join(filter(None, pending.mapped("todo_by"))) or "-",
                )
            )
        comment = (comment or "").strip()
        if decision == "reject" and not comment:
            raise UserError(
                self.env._("Explain to the requester why compensation %(name)s is rejected.",
                           name=self.display_name)
            )
        privileged = self.sudo()
        if comment:
            reviews.sudo().write({"comment": comment})
        values = dict(self._message_values(), tier=", ".join(reviews.mapped("name")),
                      comment=comment or "-")
        if decision == "reject":
            privileged._rejected_tier(reviews.sudo())
            self._update_counter({"review_deleted": True})
            self._set_state("rejected")
            self._post_on_ticket(
                self.env._(
                    "Compensation %(name)s rejected by %(user)s (%(tier)s). Reason: %(comment)s",
                    **values,
                )
            )
            return
        privileged._validate_tier(reviews.sudo())
        self._update_counter({"review_deleted": True})
        if self.validation_status == "validated":
            self._check_approvals_complete()
            self._post_on_ticket(
                self.env._(
                    "Compensation %(name)s approved by %(user)s (%(tier)s): %(type)s, "
                    "%(amount)s. Comment: %(comment)s",
                    **values,
                )
            )
            self._action_approved()
        else:
            self._post_on_ticket(
                self.env._(
                    "Compensation %(name)s: %(tier)s given by %(user)s; further approval "
                    "needed. Comment: %(comment)s",
                    **values,
                )
            )

    def _check_reviews_cover_level(self, reviews):
        """The approval rules asked enough people for the level: a rule changed
        by hand may not lower the bar."""
        self.ensure_one()
        if not reviews:
            raise UserError(
                self.env._(
                    "No approval rule applies to compensation %(name)s: a manager "
                    "must activate the compensation rules in Helpdesk > Configuration "
                    "> Compensation approvals.",
                    name=self.display_name,
                )
            )
        if len(reviews) < LEVEL_APPROVER_COUNT[self.approval_level]:
            raise UserError(
                self.env._(
                    "Compensation %(name)s needs %(count)s approvals (%(level)s) but the "
                    "approval rules ask for %(asked)s: a manager must fix the rules in "
                    "Helpdesk > Configuration > Compensation approvals.",
                    name=self.display_name,
                    count=LEVEL_APPROVER_COUNT[self.approval_level],
                    level=self._level_label(),
                    asked=len(reviews),
                )
            )

    def _check_approvals_complete(self):
        """Every review approved: by enough different people of the level's group."""
        self.ensure_one()
        approvers = self.review_ids.filtered(lambda r: r.status == "approved").done_by
        group = LEVEL_GROUPS[self.approval_level]
        qualified = approvers.filtered(
            lambda u: u.has_group(group)
            and u not in (self.requested_by_id | self.create_uid)
        )
        if len(qualified) < LEVEL_APPROVER_COUNT[self.approval_level]:
            raise UserError(
                self.env._(
                    "Compensation %(name)s needs the approval of %(count)s different "
                    "people (%(level)s); it has %(given)s.",
                    name=self.display_name,
                    count=LEVEL_APPROVER_COUNT[self.approval_level],
                    level=self._level_label(),
                    given=len(qualified),
                )
            )

    def _action_approved(self):
        """Every review approved: the money or the task follows."""
        self.ensure_one()
        self._set_state("approved", approved_date=fields.Datetime.now())
        if self.is_move_type:
            self._create_credit_note()
        else:
            self._schedule_execution()

    def _prepare_credit_note_vals(self):
        self.ensure_one()
        ticket = self.ticket_id
        return {
            "move_type": "out_refund",
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": False,
            "invoice_origin": ticket.number,
            "ref": self.env._(
                "%(name)s, ticket %(ticket)s", name=self.name, ticket=ticket.display_name
            ),
            "helpdesk_ticket_id": ticket.id,
            "helpdesk_compensation_id": self.id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": self.env._(
                            "After-sales compensation %(name)s: %(reason)s",
                            name=self.name,
                            reason=self.reason,
                        ),
                        "quantity": 1.0,
                        "price_unit": self.amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    def _create_credit_note(self):
        """The draft customer credit note, created once whatever happens."""
        self.ensure_one()
        self._lock_for_update()
        if self.move_id:
            return self.move_id
        # Accounting posts the draft; the approval is what authorizes its creation.
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(self._prepare_credit_note_vals())
        )
        self._write_server_owned({"move_id": move.id})
        self._post_on_ticket(
            self.env._(
                "Draft credit note %(move)s of %(amount)s created for %(partner)s "
                "(compensation %(name)s); accounting posts it.",
                move=move.display_name,
                **self._message_values(),
            )
        )
        return move

    def _void_credit_note(self):
        """Cancel the draft credit note of a compensation that is not given."""
        self.ensure_one()
        move = self.sudo().move_id
        if not move:
            return
        if move.state == "posted":
            raise UserError(
                self.env._(
                    "Credit note %(move)s of compensation %(name)s is posted: have "
                    "accounting reverse it instead.",
                    move=move.name,
                    name=self.display_name,
                )
            )
        if move.state == "draft":
            move.button_cancel()
            self._post_on_ticket(
                self.env._(
                    "Draft credit note %(move)s of compensation %(name)s cancelled by "
                    "%(user)s.",
                    move=move.display_name,
                    **self._message_values(),
                )
            )

    def _schedule_execution(self):
        self.ensure_one()
        user = self.executor_id or self.requested_by_id
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=user.id,
            summary=self.env._("Give the approved compensation: %(type)s", type=self._type_label()),
            note=self.env._(
                "%(type)s worth %(amount)s for %(partner)s, ticket %(ticket)s. Reason: "
                "%(reason)s. Mark the compensation as done once given.",
                **self._message_values(),
            ),
        )
        self._post_on_ticket(
            self.env._(
                "Compensation %(name)s approved: %(executor)s gives the %(type)s.",
                name=self.name,
                executor=user.name,
                type=self._type_label(),
            )
        )

    def _mark_done(self):
        """Given to the customer: called by action_done and by the posting of the
        credit note, after their checks."""
        for compensation in self._in_flow():
            compensation._set_state(
                "done", done_by_id=self.env.user.id, done_date=fields.Datetime.now()
            )
            compensation.sudo().activity_feedback(
                ["mail.mail_activity_data_todo"],
                feedback=self.env._("Compensation given."),
            )
            compensation._post_on_ticket(
                self.env._(
                    "Compensation %(name)s done: %(type)s of %(amount)s given to %(partner)s, "
                    "recorded by %(user)s.",
                    **compensation._message_values(),
                )
            )

    # ------------------------------------------------------------ helpers
    def _in_flow(self):
        """These records with only the context the approval flow trusts."""
        context = self.env.context
        # Replaced as a whole, not merged.
        return self.with_env(
            self.env(context={key: context[key] for key in FLOW_CONTEXT_KEYS if key in context})
        )

    def _set_state(self, state, **values):
        """The one way the state moves (with the other server-owned fields)."""
        return self._write_server_owned(dict(values, state=state))

    def _write_server_owned(self, values):
        """Write server-owned fields as superuser: only for the action methods,
        after they checked the caller and the state."""
        return (
            self._in_flow()
            .sudo()
            .with_context(skip_validation_check=True)
            .write(values)
        )

    def _lock_for_update(self):
        """Lock the rows until the end of the transaction, then read them afresh."""
        if not self.ids:
            return
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id IN %s FOR UPDATE",
                SQL.identifier(self._table),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset()
        self.review_ids.invalidate_recordset()

    def _check_may_manage(self):
        """The requester, or a supervisor, manages a request."""
        self.ensure_one()
        if self.env.user == self.requested_by_id or self.env.user == self.create_uid:
            return
        self._check_supervisor(
            self.env._(
                "Only the requester of compensation %(name)s or a supervisor can do this.",
                name=self.display_name,
            )
        )

    def _check_supervisor(self, message):
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_supervisor"):
            raise UserError(message)

    def _state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _type_label(self):
        selection = dict(self._fields["compensation_type"]._description_selection(self.env))
        return selection.get(self.compensation_type, "")

    def _level_label(self):
        level = self.approval_level or self.expected_approval_level
        selection = dict(self._fields["approval_level"]._description_selection(self.env))
        return selection.get(level, "")

    def _message_values(self):
        self.ensure_one()
        return {
            "name": self.name,
            "type": self._type_label(),
            "amount": self.currency_id.format(self.amount),
            "reason": self.reason,
            "partner": self.partner_id.display_name,
            "ticket": self.ticket_id.display_name,
            "user": self.env.user.name,
            "level": self._level_label(),
        }

    def _post_on_ticket(self, body):
        """Every step of a compensation shows on its ticket and on itself."""
        self.ensure_one()
        compensation = self._in_flow()
        compensation.message_post(body=body, subtype_xmlid="mail.mt_note")
        compensation.ticket_id.message_post(body=body, subtype_xmlid="mail.mt_note")
