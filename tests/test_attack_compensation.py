# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Compensation and its approval, attacked the way the external API allows.

Every call goes through ``odoo.api.call_kw`` after the public-method check of
the RPC dispatcher, as the least-privileged user who would try it, with the
context keys a hostile caller may add. Each attack checks that it is refused
and that nothing changed in the database.
"""
from contextlib import contextmanager

from odoo import Command
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from .common import MODULE, AfterSalesCase, new_user

COMPENSATION = "helpdesk.ticket.compensation"
WIZARD = "helpdesk.ticket.compensation.approval.wizard"
REVIEW = "tier.review"
# The context key the model once trusted to move its state.
OLD_STATE_CHANGE_KEY = "helpdesk_compensation_state_change"
HOSTILE_CONTEXT = {
    OLD_STATE_CHANGE_KEY: True,
    "skip_validation_check": True,
    "skip_check_state_condition": True,
    "tracking_disable": True,
    "mail_notrack": True,
    "active_test": False,
    "default_state": "approved",
    "default_status": "approved",
    "default_approval_level": "supervisor",
}
# What an attack must leave as it was.
WATCHED_FIELDS = (
    "state",
    "amount",
    "amount_company",
    "currency_id",
    "partner_id",
    "ticket_id",
    "requested_by_id",
    "approval_level",
    "approved_date",
    "done_by_id",
    "move_id",
    "request_date",
)
REVIEW_FIELDS = ("status", "done_by", "reviewer_ids", "comment", "sequence", "definition_id")


@tagged("post_install", "-at_install")
class TestAttackCompensation(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The role users of AfterSalesCase hold only their after-sales group.
        cls._setup_second_reviewers("atk")
        cls.accountant = new_user(cls.env, "as_atk_accountant", "accountant")
        cls.portal = new_user(cls.env, "as_atk_portal", "portal")
        cls.ticket = cls._create_ticket(name="Counter scratched by the technician")

    # ------------------------------------------------------------ helpers
    def _rpc(self, user, model, method, args, kwargs=None, context=None):
        """What ``execute_kw`` does for ``user``: refuse private methods, then
        ``call_kw`` with the caller's context."""
        records = self.env[model].with_user(user)
        get_public_method(records, method)
        kwargs = dict(kwargs or {})
        if context is not None:
            kwargs["context"] = context
        return call_kw(records, method, args, kwargs)

    def _draft(self, amount, compensation_type="credit_note", user=None, **values):
        vals = {
            "ticket_id": self.ticket.id,
            "compensation_type": compensation_type,
            "amount": amount,
            "reason": "Counter top scratched during the repair visit.",
        }
        vals.update(values)
        compensation_id = self._rpc(user or self.agent, COMPENSATION, "create", [vals])
        return self.env[COMPENSATION].browse(compensation_id)

    def _submitted(self, amount, compensation_type="credit_note", user=None):
        compensation = self._draft(amount, compensation_type, user=user)
        self._rpc(user or self.agent, COMPENSATION, "action_submit", [compensation.ids])
        self.assertEqual(compensation.state, "to_approve")
        return compensation

    def _decide(self, compensation, user, decision="approve", comment=False, context=None):
        """The approval wizard, created and confirmed over RPC."""
        wizard_id = self._rpc(
            user,
            WIZARD,
            "create",
            [{"compensation_id": compensation.id, "decision": decision, "comment": comment}],
            context=context,
        )
        return self._rpc(user, WIZARD, "action_confirm", [[wizard_id]], context=context)

    def _snapshot(self, compensation):
        """The compensation and its reviews as stored in the database."""
        self.env.invalidate_all()
        record = compensation.sudo()
        values = {name: record[name] for name in WATCHED_FIELDS}
        values["reviews"] = [
            {name: review[name] for name in REVIEW_FIELDS} for review in record.review_ids
        ]
        values["review_ids"] = record.review_ids.ids
        values["moves"] = self.env["account.move"].sudo().search(
            [("helpdesk_compensation_id", "=", compensation.id)]
        )
        return values

    @contextmanager
    def _refused(self, exception, regex=""):
        """The call raises; like an RPC request, it leaves no partial write."""
        with self.assertRaisesRegex(exception, regex), self.env.cr.savepoint():
            yield

    def assertRefusedAndUnchanged(self, compensation, exception, call, regex=""):
        before = self._snapshot(compensation)
        with self._refused(exception, regex):
            call()
        self.assertEqual(self._snapshot(compensation), before)

    # ------------------------------------------------------------ state machine
    def test_agent_cannot_move_the_state_with_the_old_context_key(self):
        compensation = self._draft(1999.0, compensation_type="cash")
        for state in ("to_approve", "approved", "done"):
            with self.subTest(state=state):
                self.assertRefusedAndUnchanged(
                    compensation,
                    AccessError,
                    lambda state=state: self._rpc(
                        self.agent,
                        COMPENSATION,
                        "write",
                        [compensation.ids, {"state": state}],
                        context=HOSTILE_CONTEXT,
                    ),
                    "after-sales desk",
                )
        self.assertEqual(compensation.state, "draft")

    def test_cancelled_or_rejected_request_cannot_be_forced_to_approved(self):
        rejected = self._submitted(150.0)
        self._decide(rejected, self.supervisor, "reject", "Not covered.")
        cancelled = self._submitted(150.0)
        self._rpc(self.agent, COMPENSATION, "action_cancel", [cancelled.ids])
        for compensation, state in ((rejected, "rejected"), (cancelled, "cancel")):
            self.assertEqual(compensation.state, state)
            for user in (self.supervisor, self.manager):
                with self.subTest(state=state, user=user.login):
                    self.assertRefusedAndUnchanged(
                        compensation,
                        AccessError,
                        lambda c=compensation, u=user: self._rpc(
                            u,
                            COMPENSATION,
                            "write",
                            [c.ids, {"state": "approved", "approved_date": "2026-01-01"}],
                            context=HOSTILE_CONTEXT,
                        ),
                    )
                    # The flow's doors refuse too: nothing to review, nothing to complete.
                    self.assertRefusedAndUnchanged(
                        compensation,
                        UserError,
                        lambda c=compensation, u=user: self._decide(c, u),
                        "nothing to review",
                    )
                    self.assertRefusedAndUnchanged(
                        compensation,
                        UserError,
                        lambda c=compensation, u=user: self._rpc(
                            u, COMPENSATION, "action_done", [c.ids], context=HOSTILE_CONTEXT
                        ),
                        "only an approved compensation",
                    )

    def test_create_cannot_start_past_draft_nor_prefill_server_fields(self):
        Compensation = self.env[COMPENSATION].sudo()
        count = Compensation.search_count([])
        for extra in (
            {"state": "approved"},
            {"approval_level": "supervisor"},
            {"requested_by_id": self.manager.id},
            {"amount_company": 1.0},
            {"approved_date": "2026-01-01 10:00:00"},
            {"done_by_id": self.manager.id},
            {"name": "COMP/FAKE/0001"},
            {"request_date": "2000-01-01"},
        ):
            with self.subTest(extra=extra), self._refused(UserError):
                self._draft(10.0, **extra)
        self.assertEqual(Compensation.search_count([]), count)
        # Context defaults for server-owned fields are ignored.
        compensation_id = self._rpc(
            self.agent,
            COMPENSATION,
            "create",
            [
                {
                    "ticket_id": self.ticket.id,
                    "compensation_type": "cash",
                    "amount": 1999.0,
                    "reason": "Context defaults",
                }
            ],
            context=dict(
                HOSTILE_CONTEXT,
                default_requested_by_id=self.manager.id,
                default_approved_date="2026-01-01 10:00:00",
                default_name="COMP/FAKE/0002",
                default_amount_company=1.0,
            ),
        )
        compensation = Compensation.browse(compensation_id)
        self.assertEqual(compensation.state, "draft")
        self.assertFalse(compensation.approval_level)
        self.assertFalse(compensation.approved_date)
        self.assertEqual(compensation.requested_by_id, self.agent)
        self.assertTrue(compensation.name.startswith("COMP/"))
        self.assertNotEqual(compensation.name, "COMP/FAKE/0002")
        self.assertEqual(compensation.amount_company, 1999.0)

    def test_submit_with_hostile_context_asks_for_real_reviews(self):
        compensation = self._draft(1999.0, compensation_type="cash")
        self._rpc(
            self.agent,
            COMPENSATION,
            "action_submit",
            [compensation.ids],
            context=dict(HOSTILE_CONTEXT, default_done_by=self.manager.id),
        )
        compensation.invalidate_recordset()
        self.assertEqual(compensation.state, "to_approve")
        self.assertEqual(compensation.approval_level, "manager")
        review = compensation.review_ids
        self.assertEqual(review.status, "pending")
        self.assertFalse(review.done_by)
        self.assertEqual(compensation.validation_status, "pending")
        self.assertTrue(
            any("submitted for approval" in body for body in compensation.message_ids.mapped("preview")),
            "tracking_disable does not hide the decision",
        )

    def test_server_owned_fields_are_refused_in_every_state(self):
        other = self.env["res.partner"].create({"name": "Friend of the agent"})
        move = self.env["account.move"].create(
            {"move_type": "out_refund", "partner_id": other.id}
        )
        compensation = self._submitted(1500.0)
        attacks = {
            "amount_company": 100.0,
            "approval_level": "supervisor",
            "requested_by_id": self.manager.id,
            "approved_date": "2026-01-01 10:00:00",
            "done_by_id": self.manager.id,
            "done_date": "2026-01-01 10:00:00",
            "move_id": move.id,
            "company_id": self.env.company.id,
            "validation_status": "validated",
            "request_date": "2000-01-01",
            "review_ids": [Command.clear()],
        }
        for user in (self.agent, self.supervisor, self.manager):
            for fname, value in attacks.items():
                with self.subTest(user=user.login, field=fname):
                    self.assertRefusedAndUnchanged(
                        compensation,
                        AccessError,
                        lambda u=user, f=fname, v=value: self._rpc(
                            u,
                            COMPENSATION,
                            "write",
                            [compensation.ids, {f: v}],
                            context=HOSTILE_CONTEXT,
                        ),
                    )

    def test_inputs_cannot_change_once_submitted_or_approved(self):
        other = self.env["res.partner"].create({"name": "Friend of the agent"})
        compensation = self._submitted(150.0)
        self._decide(compensation, self.supervisor)
        self.assertEqual(compensation.state, "approved")
        for user in (self.agent, self.supervisor, self.manager):
            for vals in (
                {"amount": 1500.0},
                {"currency_id": self.env.ref("base.EUR").id},
                {"compensation_type": "cash"},
                {"reason": "Something else"},
                {"partner_id": other.id},
            ):
                with self.subTest(user=user.login, vals=vals):
                    self.assertRefusedAndUnchanged(
                        compensation,
                        UserError,
                        lambda u=user, v=vals: self._rpc(
                            u,
                            COMPENSATION,
                            "write",
                            [compensation.ids, v],
                            context=HOSTILE_CONTEXT,
                        ),
                        "reset it to draft",
                    )

    def test_only_the_requester_or_a_supervisor_edits_a_draft(self):
        compensation = self._draft(100.0)
        other_agent = new_user(self.env, "as_atk_agent_2", "agent")
        for method, args in (
            ("write", [compensation.ids, {"amount": 1.0}]),
            ("action_submit", [compensation.ids]),
            ("action_cancel", [compensation.ids]),
        ):
            with self.subTest(method=method):
                self.assertRefusedAndUnchanged(
                    compensation,
                    UserError,
                    lambda m=method, a=args: self._rpc(other_agent, COMPENSATION, m, a),
                    "Only the requester",
                )

    def test_beneficiary_must_be_the_ticket_customer(self):
        friend = self.env["res.partner"].create({"name": "Friend of the agent"})
        compensation = self._draft(100.0)
        self.assertRefusedAndUnchanged(
            compensation,
            ValidationError,
            lambda: self._rpc(
                self.agent, COMPENSATION, "write", [compensation.ids, {"partner_id": friend.id}]
            ),
            "goes to the customer of ticket",
        )
        count = self.env[COMPENSATION].sudo().search_count([])
        with self._refused(ValidationError, "goes to the customer of ticket"):
            self._draft(100.0, partner_id=self.agent.partner_id.id)
        self.assertEqual(self.env[COMPENSATION].sudo().search_count([]), count)
        # A contact of the customer's company is fine.
        contact = self.env["res.partner"].create(
            {"name": "Chen's accountant", "parent_id": self.customer.id}
        )
        self._rpc(self.agent, COMPENSATION, "write", [compensation.ids, {"partner_id": contact.id}])
        self.assertEqual(compensation.partner_id, contact)

    # ------------------------------------------------------------ bad input
    def test_amounts_out_of_range_are_refused(self):
        count = self.env[COMPENSATION].sudo().search_count([])
        for amount, message in (
            (0.0, "more than zero"),
            (-1999.0, "more than zero"),
            (50000.01, "largest compensation"),
            (1e12, "largest compensation"),
        ):
            with self.subTest(amount=amount), self._refused(ValidationError, message):
                self._draft(amount)
        self.assertEqual(self.env[COMPENSATION].sudo().search_count([]), count)
        compensation = self._draft(100.0)
        self.assertRefusedAndUnchanged(
            compensation,
            ValidationError,
            lambda: self._rpc(self.agent, COMPENSATION, "write", [compensation.ids, {"amount": -5}]),
            "more than zero",
        )

    def test_currency_without_rate_is_refused_not_converted_one_to_one(self):
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", self.env.company.currency_id.id)], limit=1
        )
        currency.active = True
        self.env["res.currency.rate"].search([("currency_id", "=", currency.id)]).unlink()
        count = self.env[COMPENSATION].sudo().search_count([])
        with self._refused(ValidationError, "No exchange rate of"):
            self._draft(150.0, currency_id=currency.id)
        self.assertEqual(self.env[COMPENSATION].sudo().search_count([]), count)
        # A rate after the date does not count either.
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "rate": 0.1, "name": "2099-01-01"}
        )
        compensation = self._draft(100.0)
        self.assertRefusedAndUnchanged(
            compensation,
            ValidationError,
            lambda: self._rpc(
                self.agent, COMPENSATION, "write", [compensation.ids, {"currency_id": currency.id}]
            ),
            "No exchange rate of",
        )

    def test_records_of_another_company_are_refused(self):
        other = self.env["res.company"].create({"name": "After-sales Shanghai"})
        # A contact of the customer, but kept by the other company.
        foreign_partner = self.env["res.partner"].create(
            {"name": "Shanghai contact", "parent_id": self.customer.id}
        )
        foreign_partner.company_id = other
        compensation = self._draft(100.0)
        self.assertRefusedAndUnchanged(
            compensation,
            UserError,
            lambda: self._rpc(
                self.agent,
                COMPENSATION,
                "write",
                [compensation.ids, {"partner_id": foreign_partner.id}],
            ),
            # 19.0 words it "company inconsistencies"
            "Incompatible companies|company inconsistencies",
        )
        foreign_ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Other company ticket",
                "description": "<p>x</p>",
                "partner_id": foreign_partner.id,
                "company_id": other.id,
            }
        )
        count = self.env[COMPENSATION].sudo().search_count([])
        with self._refused(UserError, "Incompatible companies|access to"):
            self._draft(100.0, ticket_id=foreign_ticket.id)
        self.assertEqual(self.env[COMPENSATION].sudo().search_count([]), count)

    # ------------------------------------------------------------ reviewers
    def test_supervisor_cannot_make_themselves_reviewer_of_a_manager_tier(self):
        compensation = self._submitted(1500.0)
        self.assertEqual(compensation.approval_level, "manager")
        review = compensation.review_ids
        self.assertRefusedAndUnchanged(
            compensation,
            AccessError,
            lambda: self._rpc(
                self.supervisor,
                REVIEW,
                "write",
                [review.ids, {"reviewer_ids": [Command.link(self.supervisor.id)]}],
                context=HOSTILE_CONTEXT,
            ),
            "Reviews of compensation",
        )
        self.assertRefusedAndUnchanged(
            compensation,
            UserError,
            lambda: self._decide(compensation, self.supervisor),
            "not a pending reviewer",
        )
        # Even listed as a reviewer by the database, a supervisor does not give a
        # manager's approval.
        review.sudo().reviewer_ids |= self.supervisor
        self.assertRefusedAndUnchanged(
            compensation,
            UserError,
            lambda: self._decide(compensation, self.supervisor),
            "must be approved by",
        )

    def test_one_manager_cannot_write_the_second_review(self):
        compensation = self._submitted(2500.0)
        self.assertEqual(compensation.approval_level, "two_managers")
        first, second = compensation.review_ids.sorted("sequence")
        for review, vals in (
            (second, {"status": "approved", "done_by": self.manager_2.id}),
            (first, {"status": "approved", "done_by": self.manager.id}),
            (second, {"sequence": 0}),
            (second, {"definition_id": False}),
            (first, {"comment": "Fine"}),
            (second, {"model": "res.partner"}),
        ):
            with self.subTest(vals=vals):
                self.assertRefusedAndUnchanged(
                    compensation,
                    AccessError,
                    lambda r=review, v=vals: self._rpc(
                        self.manager, REVIEW, "write", [r.ids, v], context=HOSTILE_CONTEXT
                    ),
                    "Reviews of compensation",
                )
        self.assertRefusedAndUnchanged(
            compensation,
            AccessError,
            lambda: self._rpc(self.manager, REVIEW, "unlink", [second.ids]),
        )
        # Through the compensation's one2many as well.
        self.assertRefusedAndUnchanged(
            compensation,
            AccessError,
            lambda: self._rpc(
                self.manager,
                COMPENSATION,
                "write",
                [compensation.ids, {"review_ids": [Command.update(second.id, {"status": "approved"})]}],
            ),
        )
        # The manager approves once; the second approval is someone else's.
        self._decide(compensation, self.manager)
        self.assertRefusedAndUnchanged(
            compensation,
            UserError,
            lambda: self._decide(compensation, self.manager),
            "You already approved",
        )
        self.assertEqual(compensation.state, "to_approve")

    def test_reviews_of_compensation_cannot_be_created_by_hand(self):
        compensation = self._submitted(2500.0)
        definition = self.env.ref(f"{MODULE}.tier_definition_compensation_second_manager")
        for context in ({}, {"default_model": COMPENSATION}):
            vals = {
                "res_id": compensation.id,
                "definition_id": definition.id,
                "status": "approved",
                "done_by": self.manager_2.id,
                "sequence": 5,
            }
            if not context:
                vals["model"] = COMPENSATION
            with self.subTest(context=context):
                self.assertRefusedAndUnchanged(
                    compensation,
                    AccessError,
                    lambda v=vals, c=context: self._rpc(
                        self.manager, REVIEW, "create", [v], context=c
                    ),
                    "Reviews of compensation",
                )
        # Nor through the one2many, nor by asking for reviews outside submission.
        self.assertRefusedAndUnchanged(
            compensation,
            AccessError,
            lambda: self._rpc(
                self.manager,
                COMPENSATION,
                "write",
                [compensation.ids, {"review_ids": [Command.create({"status": "approved"})]}],
            ),
        )
        draft = self._draft(100.0)
        self.assertRefusedAndUnchanged(
            draft,
            AccessError,
            lambda: self._rpc(
                self.agent,
                COMPENSATION,
                "request_validation",
                [draft.ids],
                context=HOSTILE_CONTEXT,
            ),
        )
        self.assertFalse(draft.review_ids)

    def test_tier_validation_side_doors_are_closed(self):
        compensation = self._submitted(1500.0)
        review = compensation.review_ids
        # The private hooks are not reachable over RPC.
        for method in ("_validate_tier", "_rejected_tier", "_review", "_set_state", "_mark_done"):
            with self.subTest(method=method):
                self.assertRefusedAndUnchanged(
                    compensation,
                    AccessError,
                    lambda m=method: self._rpc(self.manager, COMPENSATION, m, [compensation.ids]),
                    "Private methods",
                )
        # The public buttons of tier.validation lead to the checked wizard.
        for method in ("validate_tier", "reject_tier"):
            before = self._snapshot(compensation)
            action = self._rpc(self.manager, COMPENSATION, method, [compensation.ids])
            self.assertEqual(action["res_model"], WIZARD)
            self.assertEqual(self._snapshot(compensation), before)
        # The generic comment wizard of base_tier_validation decides nothing here.
        for values, regex in (
            (
                {
                    "review_ids": [Command.set(review.ids)],
                    "comment": "Approved through the generic wizard",
                },
                "",
            ),
            ({"comment": "No reviews listed: all of them"}, "Approve and Reject buttons"),
        ):
            vals = {"res_model": COMPENSATION, "res_id": compensation.id, "validate_reject": "validate"}
            wizard_id = self._rpc(self.manager, "comment.wizard", "create", [dict(vals, **values)])
            self.assertRefusedAndUnchanged(
                compensation,
                AccessError,
                lambda wizard_id=wizard_id: self._rpc(
                    self.manager, "comment.wizard", "add_comment", [[wizard_id]]
                ),
                regex,
            )

    def test_nobody_approves_what_they_drafted_submitted_or_receive(self):
        # Drafted by a supervisor, submitted by another one.
        drafted = self._draft(150.0, user=self.supervisor)
        self._rpc(self.supervisor_2, COMPENSATION, "action_submit", [drafted.ids])
        self.assertEqual(drafted.requested_by_id, self.supervisor_2)
        self.assertFalse(drafted.with_user(self.supervisor).can_review)
        self.assertRefusedAndUnchanged(
            drafted, UserError, lambda: self._decide(drafted, self.supervisor), "You drafted"
        )
        self.assertRefusedAndUnchanged(
            drafted,
            UserError,
            lambda: self._decide(drafted, self.supervisor_2, context=HOSTILE_CONTEXT),
            "You requested",
        )
        # For the supervisor's own partner.
        self.ticket.partner_id = self.supervisor_2.partner_id
        mine = self._submitted(150.0)
        self.assertEqual(mine.partner_id, self.supervisor_2.partner_id)
        self.assertRefusedAndUnchanged(
            mine, UserError, lambda: self._decide(mine, self.supervisor_2), "is for you"
        )
        self._decide(mine, self.supervisor)
        self.assertEqual(mine.state, "approved")

    def test_approval_wizard_cannot_carry_other_changes(self):
        compensation = self._submitted(1500.0)
        before = self._snapshot(compensation)
        wizard_id = self._rpc(
            self.manager,
            WIZARD,
            "create",
            [
                {
                    "compensation_id": compensation.id,
                    "decision": "approve",
                    "amount": 1.0,
                    "requested_by_id": self.manager_2.id,
                    "approval_level": "supervisor",
                    "partner_id": self.manager.partner_id.id,
                }
            ],
            context=HOSTILE_CONTEXT,
        )
        self.assertEqual(self._snapshot(compensation), before)
        self._rpc(self.manager, WIZARD, "action_confirm", [[wizard_id]], context=HOSTILE_CONTEXT)
        compensation.invalidate_recordset()
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(compensation.amount, 1500.0)
        self.assertEqual(compensation.partner_id, self.customer)
        self.assertEqual(compensation.requested_by_id, self.agent)
        self.assertEqual(compensation.move_id.amount_total, 1500.0)
        self.assertEqual(compensation.review_ids.done_by, self.manager)
        # The agent has no wizard at all.
        with self.assertRaises(AccessError):
            self._rpc(
                self.agent, WIZARD, "create", [{"compensation_id": compensation.id}]
            )

    def test_portal_user_reaches_nothing(self):
        compensation = self._submitted(150.0)
        with self.assertRaises(AccessError):
            self._rpc(self.portal, COMPENSATION, "read", [compensation.ids, ["amount"]])
        with self.assertRaises(AccessError):
            self._draft(100.0, user=self.portal)
        self.assertRefusedAndUnchanged(
            compensation,
            AccessError,
            lambda: self._rpc(self.portal, COMPENSATION, "action_submit", [compensation.ids]),
        )
        self.assertFalse(
            self._rpc(self.portal, REVIEW, "search", [[("model", "=", COMPENSATION)]])
        )
        self.assertRefusedAndUnchanged(
            compensation,
            AccessError,
            lambda: self._rpc(
                self.portal, REVIEW, "write", [compensation.review_ids.ids, {"status": "approved"}]
            ),
        )

    # ------------------------------------------------------------ credit note
    def test_credit_note_cannot_be_linked_or_posted_other_than_approved(self):
        compensation = self._submitted(150.0)
        self._decide(compensation, self.supervisor)
        move = compensation.move_id
        # A second credit note linked by hand would complete the compensation.
        other_id = self._rpc(
            self.accountant,
            "account.move",
            "create",
            [{"move_type": "out_refund", "partner_id": self.customer.id}],
        )
        self.assertRefusedAndUnchanged(
            compensation,
            AccessError,
            lambda: self._rpc(
                self.accountant,
                "account.move",
                "write",
                [[other_id], {"helpdesk_compensation_id": compensation.id}],
            ),
        )
        # A context default does not link it either.
        other_id = self._rpc(
            self.accountant,
            "account.move",
            "create",
            [{"move_type": "out_refund", "partner_id": self.customer.id}],
            context={"default_helpdesk_compensation_id": compensation.id},
        )
        self.assertFalse(self.env["account.move"].browse(other_id).helpdesk_compensation_id)
        # The approved credit note, inflated before posting, is not posted.
        move.with_user(self.accountant).invoice_line_ids.price_unit = 15000.0
        self.assertRefusedAndUnchanged(
            compensation,
            UserError,
            lambda: self._rpc(self.accountant, "account.move", "action_post", [move.ids]),
            "differs from the approved compensation",
        )
        self.assertEqual(move.state, "draft")
        move.with_user(self.accountant).invoice_line_ids.price_unit = 150.0
        self._rpc(self.accountant, "account.move", "action_post", [move.ids])
        self.assertEqual(compensation.state, "done")
        self.assertEqual(compensation.done_by_id, self.accountant)

    # ------------------------------------------------------------ the legitimate flow
    def test_each_role_does_its_part_with_only_its_group(self):
        supervisor_level = self._submitted(150.0)
        self.assertEqual(supervisor_level.approval_level, "supervisor")
        self._decide(supervisor_level, self.supervisor, comment="Standard gesture.")
        self.assertEqual(supervisor_level.state, "approved")
        self.assertEqual(supervisor_level.review_ids.done_by, self.supervisor)
        self.assertEqual(supervisor_level.move_id.state, "draft")

        manager_level = self._submitted(1500.0)
        self.assertEqual(manager_level.approval_level, "manager")
        self._decide(manager_level, self.manager)
        self.assertEqual(manager_level.state, "approved")

        two_managers = self._submitted(2500.0)
        self._decide(two_managers, self.manager)
        self.assertEqual(two_managers.state, "to_approve")
        self._decide(two_managers, self.manager_2, comment="Second approval.")
        self.assertEqual(two_managers.state, "approved")
        self.assertEqual(
            two_managers.review_ids.sorted("sequence").done_by, self.manager | self.manager_2
        )
        self.assertEqual(len(two_managers.move_id), 1)
        notes = self.ticket.message_ids.mapped("preview")
        self.assertTrue(any("approved by Manager Sun" in note for note in notes))
        self.assertTrue(any("given by Manager Zhang" in note for note in notes))

        rejected = self._submitted(120.0, compensation_type="gift")
        self._decide(rejected, self.supervisor, "reject", "Not covered by the standard.")
        self.assertEqual(rejected.state, "rejected")

        gift = self._submitted(60.0, compensation_type="gift")
        self._decide(gift, self.supervisor)
        self._rpc(self.agent, COMPENSATION, "action_done", [gift.ids])
        self.assertEqual(gift.state, "done")
        self.assertEqual(gift.done_by_id, self.agent)

    def test_reset_to_draft_voids_reviews_and_credit_note(self):
        compensation = self._submitted(150.0)
        self._decide(compensation, self.supervisor)
        move = compensation.move_id
        self._rpc(self.supervisor, COMPENSATION, "action_cancel", [compensation.ids])
        self.assertEqual(move.state, "cancel")
        self._rpc(self.agent, COMPENSATION, "action_draft", [compensation.ids])
        self.assertEqual(compensation.state, "draft")
        self.assertFalse(compensation.review_ids)
        self.assertFalse(compensation.move_id)
        self.assertFalse(compensation.approval_level)
        self.assertFalse(compensation.approved_date)
        # The voided credit note cannot complete the request any more.
        move.sudo().button_draft()
        with self._refused(UserError, "not the credit note of an approved"):
            move.with_user(self.accountant).action_post()
        self.assertEqual(move.state, "draft")
        self.assertEqual(compensation.state, "draft")
        # Changed and approved again: a new credit note for the new amount.
        self._rpc(self.agent, COMPENSATION, "write", [compensation.ids, {"amount": 90.0}])
        self._rpc(self.agent, COMPENSATION, "action_submit", [compensation.ids])
        self._decide(compensation, self.supervisor)
        self.assertNotEqual(compensation.move_id, move)
        self.assertEqual(compensation.move_id.amount_total, 90.0)
        notes = compensation.message_ids.mapped("preview")
        self.assertTrue(any("approvals given so far are void" in note for note in notes))
        self.assertTrue(any("cancelled by" in note for note in notes))

    def test_copy_starts_a_fresh_draft(self):
        compensation = self._submitted(150.0)
        self._decide(compensation, self.supervisor)
        result = self._rpc(self.agent, COMPENSATION, "copy", [compensation.ids])
        copy = self.env[COMPENSATION].browse(getattr(result, "ids", result))
        self.assertEqual(len(copy), 1)
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.review_ids)
        self.assertFalse(copy.move_id)
        self.assertFalse(copy.approval_level)
        self.assertNotEqual(copy.name, compensation.name)
