# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
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
# What the approval is about: changing it means asking again.
APPROVED_FIELDS = ("compensation_type", "amount", "currency_id", "partner_id", "ticket_id")
# Context key of the methods allowed to move the state.
STATE_CHANGE_KEY = "helpdesk_compensation_state_change"


class HelpdeskTicketCompensation(models.Model):
    _name = "helpdesk.ticket.compensation"
    _description = "After-sales compensation"
    _inherit = ["mail.thread", "mail.activity.mixin", "tier.validation"]
    _order = "id desc"
    _check_company_auto = True

    # tier.validation: reviews are requested on submission and gate approval.
    _state_from = ["draft", "to_approve"]
    _state_to = ["approved", "done"]
    _cancel_state = "cancel"

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
        copy=False,
        help="Also the date of the exchange rate to the company currency.",
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
    move_state = fields.Selection(related="move_id.state", string="Credit note status")
    is_move_type = fields.Boolean(compute="_compute_is_move_type")
    can_submit = fields.Boolean(compute="_compute_can_submit")

    # ------------------------------------------------------------ computes
    @api.depends("ticket_id")
    def _compute_partner_id(self):
        for compensation in self:
            if compensation.ticket_id and not compensation.partner_id:
                compensation.partner_id = compensation.ticket_id.partner_id

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
            if not compensation.currency_id:
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

    # ------------------------------------------------------------ constraints
    @api.constrains("amount", "currency_id", "company_id")
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

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "draft") != "draft":
                raise UserError(self.env._("A compensation request starts as a draft."))
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "helpdesk.ticket.compensation"
                ) or "/"
        compensations = super().create(vals_list)
        for compensation in compensations:
            compensation.ticket_id._check_can_request_compensation()
            compensation._post_on_ticket(
                self.env._(
                    "Compensation %(name)s drafted: %(type)s, %(amount)s. Reason: %(reason)s",
                    **compensation._message_values(),
                )
            )
        return compensations

    def write(self, vals):
        if "state" in vals and not self.env.context.get(STATE_CHANGE_KEY):
            raise UserError(
                self.env._(
                    "Use the buttons of the compensation to submit, approve, reject, "
                    "cancel or complete it."
                )
            )
        changed = set(APPROVED_FIELDS) & set(vals)
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
                            for name in APPROVED_FIELDS
                            if name in changed
                        ),
                    )
                )
        return super().write(vals)

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
        # Nobody approves their own request, and each tier of a request is approved
        # by a different person.
        if not self._is_eligible_reviewer(user):
            return []
        return super()._get_sequences_to_approve(user)

    def _is_eligible_reviewer(self, user):
        self.ensure_one()
        if user == self.requested_by_id:
            return False
        approvers = self.review_ids.filtered(lambda r: r.status == "approved").done_by
        return user not in approvers

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
        for compensation in self:
            blocker = compensation._get_submit_blocker()
            if blocker:
                raise UserError(blocker)
            compensation.review_ids.sudo().unlink()
            compensation._set_state(
                "to_approve",
                requested_by_id=self.env.user.id,
                approval_level=compensation._get_approval_level(),
            )
            # need_validation is computed for the whole prefetch batch at once; the
            # others' was computed before their approval level was set.
            compensation.invalidate_recordset(["need_validation"])
            reviews = compensation.request_validation()
            # The first reviews become pending now, not at the next flush.
            compensation._update_counter({"review_created": True})
            if not reviews:
                raise UserError(
                    self.env._(
                        "No approval rule applies to compensation %(name)s: a manager "
                        "must activate the compensation rules in Helpdesk > Configuration "
                        "> Compensation approvals.",
                        name=compensation.display_name,
                    )
                )
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
        for compensation in self:
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
            compensation.review_ids.sudo().unlink()
            compensation._set_state("draft", approval_level=False, approved_date=False)
            compensation._post_on_ticket(
                self.env._(
                    "Compensation %(name)s reset to draft by %(user)s; it needs approval "
                    "again.",
                    **compensation._message_values(),
                )
            )
        return True

    def action_cancel(self):
        for compensation in self:
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
            move = compensation.sudo().move_id
            if move.state == "posted":
                raise UserError(
                    self.env._(
                        "Credit note %(move)s of compensation %(name)s is posted: have "
                        "accounting reverse it instead.",
                        move=move.name,
                        name=compensation.display_name,
                    )
                )
            if move.state == "draft":
                move.button_cancel()
            compensation.activity_unlink(["mail.mail_activity_data_todo"])
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
        for compensation in self:
            if compensation.state != "approved":
                raise UserError(
                    self.env._(
                        "Compensation %(name)s is %(state)s: only an approved compensation "
                        "can be marked as done.",
                        name=compensation.display_name,
                        state=compensation._state_label(),
                    )
                )
            if compensation.is_move_type and compensation.sudo().move_id.state != "posted":
                raise UserError(
                    self.env._(
                        "Credit note of compensation %(name)s is not posted yet: accounting "
                        "posts it, which completes the compensation.",
                        name=compensation.display_name,
                    )
                )
        self._mark_done()
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

        The row is locked first and everything checked again, so two reviewers
        acting at the same moment are serialized: the second one sees the outcome
        of the first (or the transaction is retried) and never creates a second
        credit note.
        """
        self.ensure_one()
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
        if user == self.requested_by_id:
            raise UserError(
                self.env._(
                    "You requested compensation %(name)s: another reviewer must approve "
                    "or reject it.",
                    name=self.display_name,
                )
            )
        sequences = self._get_sequences_to_approve(user)
        reviews = self.review_ids.filtered(
            lambda r: r.sequence in sequences and r.status in ("waiting", "pending")
        )
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
        if comment:
            reviews.write({"comment": comment})
        values = dict(self._message_values(), tier=", ".join(reviews.mapped("name")),
                      comment=comment or "-")
        if decision == "reject":
            self._rejected_tier(reviews)
            self._update_counter({"review_deleted": True})
            self._set_state("rejected")
            self._post_on_ticket(
                self.env._(
                    "Compensation %(name)s rejected by %(user)s (%(tier)s). Reason: %(comment)s",
                    **values,
                )
            )
            return
        self._validate_tier(reviews)
        self._update_counter({"review_deleted": True})
        if self.validation_status == "validated":
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
        self.sudo().move_id = move
        self._post_on_ticket(
            self.env._(
                "Draft credit note %(move)s of %(amount)s created for %(partner)s "
                "(compensation %(name)s); accounting posts it.",
                move=move.display_name,
                **self._message_values(),
            )
        )
        return move

    def _schedule_execution(self):
        self.ensure_one()
        user = self.executor_id or self.requested_by_id
        self.activity_schedule(
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
        for compensation in self:
            compensation._set_state(
                "done", done_by_id=self.env.user.id, done_date=fields.Datetime.now()
            )
            compensation.activity_feedback(
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
    def _set_state(self, state, **values):
        """The one way the state moves (see ``write``)."""
        return self.with_context(
            **{STATE_CHANGE_KEY: True, "skip_validation_check": True}
        ).write(dict(values, state=state))

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

    def _message_values(self):
        self.ensure_one()
        level = self.approval_level or self.expected_approval_level
        return {
            "name": self.name,
            "type": self._type_label(),
            "amount": self.currency_id.format(self.amount),
            "reason": self.reason,
            "partner": self.partner_id.display_name,
            "ticket": self.ticket_id.display_name,
            "user": self.env.user.name,
            "level": dict(self._fields["approval_level"]._description_selection(self.env)).get(
                level, ""
            ),
        }

    def _post_on_ticket(self, body):
        """Every step of a compensation shows on its ticket and on itself."""
        self.ensure_one()
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        self.ticket_id.message_post(body=body, subtype_xmlid="mail.mt_note")
