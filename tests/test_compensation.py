# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import MODULE, AfterSalesCase, new_user

COMPENSATION = "helpdesk.ticket.compensation"


@tagged("post_install", "-at_install")
class TestCompensation(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_second_reviewers("test")
        cls.company = cls.env.company
        cls.ticket = cls._create_ticket(
            name="Scratched casing on delivery", category_id=cls.category_c.id,
            customer_words="The box was crushed and the casing is scratched.",
        )

    # ------------------------------------------------------------ helpers
    def _request(self, amount, compensation_type="credit_note", user=None, ticket=None):
        """An agent requests compensation from the ticket, in the form."""
        # Acting users are explicit below (``with_user``); checks read as the system.
        return self._request_compensation(ticket or self.ticket, amount, compensation_type, user)

    def _submit(self, amount, compensation_type="credit_note", user=None):
        compensation = self._request(amount, compensation_type, user=user)
        compensation.with_user(user or self.agent).action_submit()
        return compensation

    def _review(self, compensation, user, decision="approve", comment=None):
        action = compensation.with_user(user).action_open_approval_wizard(decision)
        with Form.from_action(self.env(user=user), action) as wizard:
            self.assertEqual(wizard.decision, decision)
            if comment:
                wizard.comment = comment
        return wizard.record.action_confirm()

    def _credit_notes(self, compensation):
        return self.env["account.move"].search(
            [("helpdesk_compensation_id", "=", compensation.id)]
        )

    def _ticket_notes(self):
        return self.ticket.message_ids.mapped("preview")

    # ------------------------------------------------------------ reviewers
    def test_amount_up_to_threshold_is_reviewed_by_a_supervisor(self):
        for amount in (150.0, 200.0):
            compensation = self._submit(amount)
            self.assertEqual(compensation.state, "to_approve")
            self.assertEqual(compensation.approval_level, "supervisor")
            review = compensation.review_ids
            self.assertEqual(len(review), 1)
            self.assertEqual(
                review.definition_id,
                self.env.ref(f"{MODULE}.tier_definition_compensation_supervisor"),
            )
            self.assertIn(self.supervisor, review.reviewer_ids)
            self.assertNotIn(self.agent, review.reviewer_ids)
            self.assertTrue(compensation.with_user(self.supervisor).can_review)
            self.assertFalse(compensation.with_user(self.agent).can_review)

    def test_amount_between_thresholds_is_reviewed_by_a_manager(self):
        compensation = self._submit(200.01)
        self.assertEqual(compensation.approval_level, "manager")
        self.assertEqual(
            compensation.review_ids.definition_id,
            self.env.ref(f"{MODULE}.tier_definition_compensation_manager"),
        )
        self.assertFalse(compensation.with_user(self.supervisor).can_review)
        self.assertTrue(compensation.with_user(self.manager).can_review)
        with self.assertRaisesRegex(UserError, "not a pending reviewer"):
            self._review(compensation, self.supervisor)
        self.assertEqual(compensation.state, "to_approve")

    def test_amount_above_second_threshold_needs_two_different_managers(self):
        compensation = self._submit(2500.0)
        self.assertEqual(compensation.approval_level, "two_managers")
        first, second = compensation.review_ids.sorted("sequence")
        self.assertEqual(first.name, "Manager approval")
        self.assertEqual(second.name, "Second manager approval")
        self.assertEqual((first.status, second.status), ("pending", "waiting"))

        self._review(compensation, self.manager, comment="Agreed with the customer.")
        self.assertEqual(compensation.state, "to_approve")
        self.assertEqual((first.status, second.status), ("approved", "pending"))
        self.assertEqual(first.done_by, self.manager)
        self.assertFalse(self._credit_notes(compensation))
        # The first manager cannot give the second approval as well.
        self.assertFalse(compensation.with_user(self.manager).can_review)
        with self.assertRaisesRegex(UserError, "You already approved"):
            self._review(compensation, self.manager)
        self.assertEqual(second.status, "pending")

        self._review(compensation, self.manager_2)
        self.assertEqual(compensation.state, "approved")
        self.assertEqual(second.done_by, self.manager_2)
        self.assertEqual(len(self._credit_notes(compensation)), 1)

    def test_amount_in_foreign_currency_is_compared_in_company_currency(self):
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("id", "!=", self.company.currency_id.id)], limit=1
        )
        currency.active = True
        self.env["res.currency.rate"].search([("currency_id", "=", currency.id)]).unlink()
        # 1 company currency = 0.1 foreign: 50 foreign is worth 500.
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "rate": 0.1, "name": "2000-01-01"}
        )
        compensation = self._request(50.0)
        compensation.with_user(self.agent).currency_id = currency
        self.assertAlmostEqual(compensation.amount_company, 500.0)
        compensation.with_user(self.agent).action_submit()
        self.assertEqual(compensation.approval_level, "manager")

    def test_thresholds_follow_the_company_settings(self):
        self.env["res.config.settings"].create(
            {"after_sales_compensation_threshold": 100.0}
        ).execute()
        self.assertEqual(self.company.after_sales_compensation_threshold, 100.0)
        compensation = self._submit(150.0)
        self.assertEqual(compensation.approval_level, "manager")
        with self.assertRaisesRegex(ValidationError, "must increase"):
            self.company.after_sales_compensation_high_threshold = 50.0

    # ------------------------------------------------------------ approval rules
    def test_requester_cannot_approve_own_request(self):
        compensation = self._submit(100.0, user=self.supervisor)
        self.assertEqual(compensation.requested_by_id, self.supervisor)
        self.assertFalse(compensation.with_user(self.supervisor).can_review)
        with self.assertRaisesRegex(UserError, "You requested compensation"):
            self._review(compensation, self.supervisor)
        self.assertEqual(compensation.state, "to_approve")
        # Nor through the tier validation's own buttons: they lead to the wizard.
        action = compensation.with_user(self.supervisor).validate_tier()
        self.assertEqual(action["res_model"], "helpdesk.ticket.compensation.approval.wizard")
        self.assertEqual(compensation.review_ids.status, "pending")
        self._review(compensation, self.supervisor_2)
        self.assertEqual(compensation.state, "approved")

    def test_agent_cannot_review(self):
        compensation = self._submit(100.0)
        with self.assertRaises(AccessError):
            self.env["helpdesk.ticket.compensation.approval.wizard"].with_user(
                self.agent
            ).create({"compensation_id": compensation.id})
        other_agent = new_user(self.env, "as_test_agent_2", "agent")
        with self.assertRaisesRegex(UserError, "not a pending reviewer"):
            compensation.with_user(other_agent)._review("approve")
        self.assertEqual(compensation.review_ids.status, "pending")

    def test_rejection_needs_a_comment(self):
        compensation = self._submit(120.0)
        with self.assertRaisesRegex(UserError, "why compensation .* is rejected"):
            compensation.with_user(self.supervisor)._review("reject", "  ")
        self.assertEqual(compensation.state, "to_approve")
        self._review(compensation, self.supervisor, "reject", "Not covered by the standard.")
        self.assertEqual(compensation.state, "rejected")
        self.assertEqual(compensation.validation_status, "rejected")
        self.assertEqual(compensation.review_ids.comment, "Not covered by the standard.")
        self.assertFalse(self._credit_notes(compensation))
        self.assertTrue(
            any("rejected by Supervisor Wang" in note and "Not covered" in note
                for note in self._ticket_notes())
        )
        with self.assertRaisesRegex(UserError, "nothing to review"):
            compensation.with_user(self.supervisor_2)._review("approve")

    def test_wizard_requires_comment_in_the_form_to_reject(self):
        compensation = self._submit(120.0)
        action = compensation.with_user(self.supervisor).action_open_approval_wizard("reject")
        wizard = Form.from_action(self.env(user=self.supervisor), action)
        with self.assertRaisesRegex(AssertionError, "comment"):
            wizard.save()

    # ------------------------------------------------------------ consequences
    def test_approval_creates_one_draft_credit_note(self):
        compensation = self._submit(150.0)
        self._review(compensation, self.supervisor, comment="Standard gesture.")
        self.assertEqual(compensation.state, "approved")
        self.assertTrue(compensation.approved_date)
        move = compensation.move_id
        self.assertEqual(self._credit_notes(compensation), move)
        self.assertEqual(move.move_type, "out_refund")
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.partner_id, self.customer)
        self.assertEqual(move.currency_id, self.company.currency_id)
        self.assertAlmostEqual(move.amount_total, 150.0)
        self.assertEqual(move.helpdesk_ticket_id, self.ticket)
        # Approving again, or creating the note again, changes nothing.
        with self.assertRaisesRegex(UserError, "nothing to review"):
            compensation.with_user(self.supervisor_2)._review("approve")
        self.assertEqual(compensation._create_credit_note(), move)
        self.assertEqual(len(self._credit_notes(compensation)), 1)
        self.assertTrue(any("Draft credit note" in n for n in self._ticket_notes()))

    def test_refund_also_creates_a_credit_note(self):
        compensation = self._submit(80.0, compensation_type="refund")
        self._review(compensation, self.supervisor)
        self.assertEqual(compensation.move_id.move_type, "out_refund")
        self.assertFalse(compensation.activity_ids)
        # The agent, without Accounting rights, sees what the ticket needs of it.
        as_agent = compensation.with_user(self.agent)
        self.assertFalse(self.agent.has_group("account.group_account_invoice"))
        self.assertEqual(as_agent.move_amount, 80.0)
        self.assertEqual(as_agent.move_state, "draft")
        self.assertEqual(as_agent.move_name, compensation.move_id.sudo().name)

    def test_posting_the_credit_note_completes_the_compensation(self):
        compensation = self._submit(150.0)
        self._review(compensation, self.supervisor)
        with self.assertRaisesRegex(UserError, "not posted yet"):
            compensation.with_user(self.agent).action_done()
        accountant = new_user(self.env, "as_test_accountant", "accountant")
        compensation.move_id.with_user(accountant).action_post()
        self.assertEqual(compensation.state, "done")
        self.assertEqual(compensation.done_by_id, accountant)
        self.assertTrue(compensation.done_date)
        self.assertEqual(self.ticket.compensation_paid_amount, 150.0)

    def test_non_monetary_compensation_gets_an_activity_then_is_done(self):
        # Without a handler (a complaint goes to the supervisor, see test_routing).
        self.ticket.user_id = False
        compensation = self._submit(60.0, compensation_type="gift")
        self.assertEqual(compensation.executor_id, self.agent, "defaults to the requester")
        self._review(compensation, self.supervisor)
        self.assertEqual(compensation.state, "approved")
        self.assertFalse(compensation.move_id)
        activity = compensation.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.agent)
        compensation.with_user(self.agent).action_done()
        self.assertEqual(compensation.state, "done")
        self.assertEqual(compensation.done_by_id, self.agent)
        self.assertTrue(compensation.done_date)
        self.assertFalse(compensation.activity_ids, "the activity is marked done")

    def test_executor_defaults_to_ticket_assignee(self):
        self.ticket.user_id = self.supervisor
        compensation = self._request(30.0, compensation_type="free_service")
        self.assertEqual(compensation.executor_id, self.supervisor)

    # ------------------------------------------------------------ amounts and changes
    def test_zero_negative_and_absurd_amounts_are_refused(self):
        for amount, message in (
            (0.0, "must be more than zero"),
            (-10.0, "must be more than zero"),
            (50000.01, "more than the largest compensation"),
            (1e9, "more than the largest compensation"),
        ):
            with self.subTest(amount=amount), self.assertRaisesRegex(ValidationError, message):
                self.env[COMPENSATION].with_user(self.agent).create(
                    {
                        "ticket_id": self.ticket.id,
                        "compensation_type": "cash",
                        "amount": amount,
                        "reason": "Test",
                    }
                )

    def test_submitted_request_cannot_change_without_reset(self):
        compensation = self._submit(150.0)
        with self.assertRaisesRegex(UserError, "reset it to draft"):
            compensation.with_user(self.agent).amount = 1500.0
        with self.assertRaisesRegex(UserError, "reset it to draft"):
            compensation.with_user(self.agent).compensation_type = "cash"
        compensation.with_user(self.agent).action_draft()
        self.assertEqual(compensation.state, "draft")
        self.assertFalse(compensation.review_ids, "the reviews start again")
        compensation.with_user(self.agent).amount = 1500.0
        compensation.with_user(self.agent).action_submit()
        self.assertEqual(compensation.approval_level, "manager")
        self.assertEqual(
            compensation.review_ids.definition_id,
            self.env.ref(f"{MODULE}.tier_definition_compensation_manager"),
        )

    def test_rejected_request_is_changed_and_submitted_again(self):
        compensation = self._submit(150.0)
        self._review(compensation, self.supervisor, "reject", "Too much for a scratch.")
        compensation.with_user(self.agent).action_draft()
        self.assertFalse(compensation.review_ids)
        compensation.with_user(self.agent).amount = 50.0
        compensation.with_user(self.agent).action_submit()
        self.assertEqual(compensation.review_ids.status, "pending")
        self._review(compensation, self.supervisor)
        self.assertEqual(compensation.move_id.amount_total, 50.0)

    def test_state_moves_only_through_the_buttons(self):
        compensation = self._submit(150.0)
        for state in ("approved", "done"):
            with self.assertRaisesRegex(AccessError, "after-sales desk"):
                compensation.with_user(self.supervisor).write({"state": state})
        self.assertEqual(compensation.state, "to_approve")
        with self.assertRaisesRegex(UserError, "starts as a draft"):
            self.env[COMPENSATION].with_user(self.agent).create(
                {
                    "ticket_id": self.ticket.id,
                    "compensation_type": "cash",
                    "amount": 10.0,
                    "reason": "Test",
                    "state": "approved",
                }
            )

    def test_cancel_approved_compensation_cancels_its_draft_credit_note(self):
        compensation = self._submit(150.0)
        self._review(compensation, self.supervisor)
        with self.assertRaisesRegex(UserError, "Only a supervisor"):
            compensation.with_user(self.agent).action_cancel()
        compensation.with_user(self.supervisor).action_cancel()
        self.assertEqual(compensation.state, "cancel")
        self.assertEqual(compensation.move_id.state, "cancel")

    def test_closed_ticket_refuses_compensation(self):
        self._record_result(
            self.ticket,
            complaint_apology="We apologised for the scratched casing.",
            complaint_corrective_action="Fragile units ship in reinforced boxes.",
        )
        self.ticket.stage_id = self.stage_done
        self.assertFalse(self.ticket.can_request_compensation)
        with self.assertRaisesRegex(UserError, "is closed"):
            self.ticket.with_user(self.agent).action_request_compensation()

    # ------------------------------------------------------------ ticket
    def test_ticket_summary_and_chatter(self):
        given = self._submit(100.0, compensation_type="gift")
        self._review(given, self.supervisor)
        given.with_user(self.agent).action_done()
        approved = self._submit(150.0)
        self._review(approved, self.supervisor)
        self._submit(300.0)
        rejected = self._submit(40.0)
        self._review(rejected, self.supervisor, "reject", "No.")
        self._request(999.0)  # draft: not requested yet
        ticket = self.ticket.with_user(self.agent)
        ticket.invalidate_recordset()
        self.assertEqual(ticket.compensation_count, 5)
        self.assertEqual(ticket.compensation_requested_amount, 550.0)
        self.assertEqual(ticket.compensation_approved_amount, 250.0)
        self.assertEqual(ticket.compensation_paid_amount, 100.0)
        action = ticket.action_view_compensations()
        self.assertEqual(self.env[COMPENSATION].search(action["domain"]), ticket.compensation_ids)
        notes = self._ticket_notes()
        for expected in ("drafted", "submitted for approval", "approved by", "done"):
            self.assertTrue(any(expected in note for note in notes), expected)

    def test_summary_reads_all_tickets_in_one_query(self):
        tickets = self.ticket
        for index in range(3):
            tickets |= self._create_ticket(name=f"Ticket {index}")
        for ticket in tickets:
            self._request(10.0, ticket=ticket).with_user(self.agent).action_submit()
        tickets.invalidate_recordset()
        with self.assertQueryCount(2):
            tickets.mapped("compensation_approved_amount")

    # ------------------------------------------------------------ security
    def test_other_company_compensation_is_invisible(self):
        other = self.env["res.company"].create({"name": "After-sales Shanghai"})
        other_team = self._create_team("After-sales Shanghai", company_id=other.id)
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Other company ticket",
                "description": "<p>x</p>",
                "partner_id": self.customer.id,
                "company_id": other.id,
                "team_id": other_team.id,
            }
        )
        foreign = self.env[COMPENSATION].with_company(other).create(
            {
                "ticket_id": ticket.id,
                "compensation_type": "gift",
                "amount": 10.0,
                "reason": "Test",
            }
        )
        self.assertEqual(foreign.company_id, other)
        mine = self._request(10.0)
        visible = self.env[COMPENSATION].with_user(self.manager).search([])
        self.assertIn(mine, visible)
        self.assertNotIn(foreign, visible)
        with self.assertRaises(AccessError):
            foreign.with_user(self.manager).read(["amount"])

    def test_manager_edits_compensation_rules_only(self):
        definition = self.env.ref(f"{MODULE}.tier_definition_compensation_supervisor")
        self.assertFalse(definition.company_id, "the seeded rules apply to every company")
        definition.with_user(self.manager).write({"notify_on_create": False})
        self.assertFalse(definition.notify_on_create)
        other_rule = self.env["tier.definition"].create(
            {
                "name": "Partner rule",
                "model_id": self.env.ref("base.model_res_partner").id,
                "review_type": "individual",
                "reviewer_id": self.manager.id,
            }
        )
        with self.assertRaises(AccessError):
            other_rule.with_user(self.manager).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            definition.with_user(self.supervisor).write({"name": "Changed"})

    def test_no_active_rule_refuses_submission(self):
        self.env["tier.definition"].search([("model", "=", COMPENSATION)]).active = False
        compensation = self._request(50.0)
        with self.assertRaisesRegex(UserError, "No approval rule applies"):
            compensation.with_user(self.agent).action_submit()

    def test_agents_cannot_delete_managers_delete_only_drafts(self):
        self.assertTrue(
            self.env[COMPENSATION].with_user(self.agent).has_access("create")
        )
        self.assertFalse(
            self.env[COMPENSATION].with_user(self.agent).has_access("unlink")
        )
        draft = self._request(10.0)
        draft.with_user(self.manager).unlink()
        self.assertFalse(draft.exists())
        submitted = self._submit(10.0)
        with self.assertRaisesRegex(UserError, "cancel it instead"):
            submitted.with_user(self.manager).unlink()

    def test_reviewers_are_subscribed_and_notified(self):
        compensation = self._submit(150.0)
        self.assertIn(self.supervisor.partner_id, compensation.message_partner_ids)
        self.assertEqual(compensation.review_ids.requested_by, self.agent)
        self.assertTrue(
            self.env[COMPENSATION].with_user(self.supervisor).search(
                [("can_review", "=", True)]
            )
            & compensation
        )
        self.assertFalse(
            self.env[COMPENSATION].with_user(self.agent).search([("can_review", "=", True)])
        )


@tagged("post_install", "-at_install")
class TestCompensationData(AfterSalesCase):
    def test_company_defaults(self):
        company = self.env["res.company"].create({"name": "New after-sales company"})
        self.assertEqual(company.after_sales_compensation_threshold, 200.0)
        self.assertEqual(company.after_sales_compensation_high_threshold, 2000.0)
        self.assertGreater(company.after_sales_compensation_max_amount, 2000.0)

    def test_sequence_names_requests(self):
        ticket = self._create_ticket()
        compensation = self.env[COMPENSATION].with_user(self.agent).create(
            {
                "ticket_id": ticket.id,
                "compensation_type": "voucher",
                "amount": 20.0,
                "reason": "Coupon",
            }
        )
        self.assertTrue(compensation.name.startswith("COMP/"))
        self.assertEqual(compensation.partner_id, self.customer)
        self.assertEqual(compensation.currency_id, self.env.company.currency_id)
        self.assertEqual(
            ticket.with_user(self.agent).compensation_ids, compensation
        )
