# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import MODULE, AfterSalesCase

# Friday 9 January 2026, 15:00 UTC: the team works Monday-Friday.
FRIDAY_3PM = "2026-01-09 15:00:00"


@tagged("post_install", "-at_install")
class TestClosingLoop(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.public_user = cls.env.ref("base.public_user")
        cls.followup_type = cls.env.ref(f"{MODULE}.mail_activity_type_followup")

    def _rate_by_mail(self, ticket, rate, feedback=False):
        """What /rate/<token>/submit_feedback does: the public user applies the
        rating of the mailed token as superuser."""
        token = ticket.sudo().rating_ids.filtered(lambda r: not r.consumed).access_token
        self.assertTrue(token, "the closing sent a rating request")
        return (
            ticket.with_user(self.public_user)
            .sudo()
            .rating_apply(rate, token=token, feedback=feedback, subtype_xmlid=None)
        )

    def _composer(self, ticket, template=None):
        """The agent's mail composer on the ticket, with ``template`` chosen."""
        context = {"default_model": "helpdesk.ticket", "default_res_ids": ticket.ids}
        if template:
            context["default_template_id"] = template.id
        return Form(self.env["mail.compose.message"].with_user(self.agent).with_context(**context))

    def _phone_wizard(self, ticket, user=None):
        action = self.env["ir.actions.actions"]._for_xml_id(
            f"{MODULE}.helpdesk_ticket_satisfaction_wizard_action"
        )
        action["context"] = {"active_id": ticket.id, "active_model": "helpdesk.ticket"}
        return Form.from_action(self.env(user=user or self.agent), action)

    # ------------------------------------------------------------ closing rules
    def test_closing_without_result_is_refused(self):
        ticket = self._ticket_in_progress()
        self._record_result(ticket, result=False)
        self.assertFalse(ticket.can_close)
        self.assertIn("Result", ticket.closing_missing)
        with self.assertRaisesRegex(ValidationError, "cannot be closed yet: fill in Result"):
            ticket.with_user(self.agent).stage_id = self.stage_done
        with self.assertRaisesRegex(UserError, "fill in Result"):
            ticket.with_user(self.agent).action_close()
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertFalse(ticket.closed_date)

    def test_closing_needs_handler_and_customer_confirmation(self):
        ticket = self._ticket_in_progress()
        ticket.with_user(self.agent).write(
            {"user_id": False, "solution": "Reset the network settings.", "result": "  "}
        )
        missing = ticket.closing_missing
        for label in ("Result", "Assigned user", "Result confirmed by", "Confirmed through",
                      "Result confirmed on"):
            self.assertIn(label, missing)
        self.assertNotIn("Solution", missing)
        # The agent fills in the closing fields and closes in the same save.
        with Form(ticket.with_user(self.agent)) as form:
            form.user_id = self.agent
            form.result = "The router connects again."
            form.customer_confirmation_method = "phone"
            # The onchange proposes the customer and now.
            self.assertEqual(form.customer_confirmation_by, self.customer.name)
            self.assertTrue(form.customer_confirmation_date)
            form.stage_id = self.stage_done
        self.assertTrue(ticket.closed)
        self.assertTrue(ticket.closed_date)

    def test_cancelling_is_not_closing_as_solved(self):
        ticket = self._ticket_in_progress()
        ticket.with_user(self.agent).stage_id = self.stage_cancelled
        self.assertTrue(ticket.closed)
        self.assertFalse(ticket.followup_state)
        self.assertFalse(ticket.rating_ids, "no satisfaction request for a cancelled ticket")

    # ------------------------------------------------------------ closing mail
    def test_closing_sends_result_with_proof_then_the_rating_request(self):
        router = self.env["product.product"].create({"name": "Router R9 (test)", "type": "consu"})
        ticket = self._ticket_in_progress(
            category_id=self.category_a.id,
            product_id=router.id,
            symptoms="Reboots every hour",
            aftercare_advice="Keep the router away from heat sources.",
        )
        ticket.with_user(self.agent).action_create_repair()
        repair = ticket.sudo().repair_ids
        # Out of warranty: the customer accepts the paid repair's quote first.
        ticket.with_user(self.agent).action_accept_repair_quote()
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")
        self.assertEqual(ticket.closing_proof_names, repair.display_name)
        self._record_result(ticket)
        before = ticket.message_ids

        ticket.with_user(self.agent).action_close()

        new = (ticket.message_ids - before).sorted("id")
        closing = new.filtered(lambda m: "Aftercare advice" in (m.body or ""))
        self.assertEqual(len(closing), 1, "one closing mail")
        self.assertEqual(closing.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn(self.customer, closing.partner_ids)
        self.assertIn("The printer starts and prints normally.", closing.body)
        self.assertIn("Keep the router away from heat sources.", closing.body)
        self.assertEqual(
            closing.attachment_ids.mapped("name"),
            ["%s.pdf" % repair.display_name.replace("/", "_")],
            "the repair order goes with the result as written proof",
        )
        rating_request = new.filtered(lambda m: "/rate/" in (m.body or ""))
        self.assertEqual(len(rating_request), 1, "the closing sends the rating request")
        self.assertIn(self.customer, rating_request.partner_ids)
        token = ticket.sudo().rating_ids.access_token
        for rate in (5, 3, 1):
            self.assertIn(f"/rate/{token}/{rate}", rating_request.body)
        self.assertLess(closing.id, rating_request.id, "the result comes first")
        # helpdesk_mgmt's generic "ticket closed" notification is replaced.
        self.assertFalse(new.filtered(lambda m: "has been closed" in (m.body or "")))
        self.assertEqual(ticket.last_customer_update, closing.date)

    # ------------------------------------------------------------ satisfaction
    def test_dissatisfied_rating_reopens_for_the_supervisor(self):
        ticket = self._closed_ticket()
        self.assertEqual(ticket.followup_state, "planned")

        self._rate_by_mail(ticket, 1, "The printer jams again.")

        self.assertEqual(ticket.satisfaction, "dissatisfied")
        self.assertEqual(ticket.satisfaction_comment, "The printer jams again.")
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertFalse(ticket.closed_date, "helpdesk_mgmt's closing date is cleared")
        self.assertEqual(ticket.user_id, self.supervisor)
        self.assertEqual(ticket.reopen_count, 1)
        self.assertFalse(ticket.result, "the second handling states its own result")
        self.assertFalse(ticket.customer_confirmation_date)
        activity = ticket.activity_ids.filtered(lambda a: a.user_id == self.supervisor)
        self.assertEqual(len(activity), 1)
        self.assertIn("not satisfied", activity.summary)
        self.assertFalse(
            ticket.activity_ids.filtered(lambda a: a.activity_type_id == self.followup_type),
            "the follow-up visit of the first closing is cancelled",
        )
        self.assertFalse(ticket.followup_state)
        note = ticket.message_ids.filtered(lambda m: "Reopened" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("The printer jams again.", note.body)
        self.assertIn(self.supervisor.name, note.body)
        self.assertEqual(note.author_id, self.env.ref("base.partner_root"))

        # It closes again only through the same rules, whatever the closed stage.
        with self.assertRaisesRegex(ValidationError, "fill in Result"):
            ticket.with_user(self.supervisor).stage_id = self.stage_done
        with self.assertRaisesRegex(ValidationError, "fill in Result"):
            ticket.with_user(self.supervisor).stage_id = self.stage_cancelled
        self._record_result(ticket, user=self.supervisor, result="Feed roller replaced.")
        ticket.with_user(self.supervisor).action_close()
        self.assertTrue(ticket.closed)
        pending = ticket.sudo().rating_ids.filtered(lambda r: not r.consumed)
        self.assertEqual(len(pending), 1, "a new satisfaction request is sent")
        self._rate_by_mail(ticket, 5, "Works now, thank you.")
        self.assertEqual(ticket.satisfaction, "satisfied", "satisfaction follows the latest rating")
        self.assertTrue(ticket.closed)
        self.assertEqual(ticket.reopen_count, 1)

    def test_satisfied_and_neutral_ratings_keep_the_ticket_closed(self):
        for rate, level in ((5, "satisfied"), (3, "neutral")):
            with self.subTest(level=level):
                ticket = self._closed_ticket()
                self._rate_by_mail(ticket, rate, "Thanks")
                self.assertEqual(ticket.satisfaction, level)
                self.assertTrue(ticket.closed)
                self.assertEqual(ticket.reopen_count, 0)
                self.assertEqual(ticket.user_id, self.agent)

    def test_rating_percentage_reads_the_grades_of_rated_tickets_only(self):
        """helpdesk_mgmt_rating's share of good ratings: a rated ticket's as upstream
        computes it, a new ticket's -1 without a query per ticket (upstream reads the
        grades of each ticket recorded)."""
        great, poor = self._closed_ticket(), self._closed_ticket()
        self._rate_by_mail(great, 5)
        self._rate_by_mail(poor, 1)
        self.assertEqual(great.positive_rate_percentage, 100)
        self.assertEqual(poor.positive_rate_percentage, 0)
        new_tickets = self.env["helpdesk.ticket"].create(
            [{"name": f"New {index}", "description": "x", "team_id": self.team.id}
             for index in range(10)]
        )
        self.env.flush_all()
        self.assertEqual(set(new_tickets.mapped("positive_rate_percentage")), {-1})
        tickets = new_tickets | great
        self.env.invalidate_all()
        # The tickets and their ratings, read at once; then the grades of the rated
        # one only (upstream: a query for each of the 11 tickets).
        with self.assertQueryCount(3):
            tickets._compute_percentage()
        self.assertEqual(set(new_tickets.mapped("positive_rate_percentage")), {-1})
        self.assertEqual(great.positive_rate_percentage, 100)

    def test_phone_wizard_and_mail_rating_give_the_same_values(self):
        by_mail = self._closed_ticket()
        by_phone = self._closed_ticket()
        self._rate_by_mail(by_mail, 3, "Good, but it took three days.")

        with self._phone_wizard(by_phone) as wizard:
            self.assertEqual(wizard.partner_id, self.customer)
            wizard.satisfaction = "neutral"
            wizard.comment = "Good, but it took three days."
        action = wizard.record.action_confirm()

        rating = by_phone.sudo().rating_ids
        self.assertEqual(len(rating), 1, "the phone answer fills the mailed request")
        self.assertEqual(action["res_model"], "rating.rating")
        self.assertEqual(action["res_id"], rating.id)
        compared = ["satisfaction", "satisfaction_comment", "rating_last_value", "reopen_count"]
        self.assertEqual(
            by_phone.sudo().read(compared)[0] | {"id": 0},
            by_mail.sudo().read(compared)[0] | {"id": 0},
        )
        self.assertEqual(
            (rating.rating, rating.feedback, rating.partner_id, rating.consumed),
            (3.0, "Good, but it took three days.", self.customer, True),
        )
        self.assertTrue(
            by_phone.message_ids.filtered(
                lambda m: "by phone" in (m.body or "") and self.agent.name in m.body
            )
        )

    def test_dissatisfied_phone_answer_reopens_like_the_mail(self):
        ticket = self._closed_ticket()
        with self._phone_wizard(ticket) as wizard:
            wizard.satisfaction = "dissatisfied"
            wizard.comment = "Nobody told me about the delay."
        wizard.record.action_confirm()
        self.assertEqual(ticket.satisfaction, "dissatisfied")
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertEqual(ticket.user_id, self.supervisor)
        self.assertEqual(ticket.reopen_count, 1)

    def test_satisfaction_is_recorded_only_once_solved(self):
        ticket = self._ticket_in_progress()
        self.assertFalse(ticket.can_record_satisfaction)
        with self.assertRaisesRegex(UserError, "not solved yet"):
            ticket.with_user(self.agent)._record_phone_satisfaction("satisfied")

    # ------------------------------------------------------------ follow-up visit
    def _followup(self, ticket):
        return ticket.activity_ids.filtered(lambda a: a.activity_type_id == self.followup_type)

    def test_followup_activity_lands_on_the_right_working_day(self):
        # Default 2 working days after a Friday closing: Monday, Tuesday.
        with freeze_time(FRIDAY_3PM):
            ticket = self._closed_ticket()
        activity = self._followup(ticket)
        self.assertEqual(activity.date_deadline, date(2026, 1, 13))
        self.assertEqual(activity.user_id, self.agent, "the handler calls back")
        self.assertEqual(ticket.followup_date, date(2026, 1, 13))

        # 1 working day, with Monday a public holiday on the team's calendar: Tuesday.
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 1, 12, 0, 0),
                "date_to": datetime(2026, 1, 12, 23, 59, 59),
            }
        )
        self.env.company.after_sales_followup_days = 1
        with freeze_time(FRIDAY_3PM):
            ticket = self._closed_ticket()
        self.assertEqual(self._followup(ticket).date_deadline, date(2026, 1, 13))
        # 3 working days from a Wednesday evening: Thursday, Friday, then Tuesday.
        self.env.company.after_sales_followup_days = 3
        with freeze_time("2026-01-07 16:30:00"):
            ticket = self._closed_ticket()
        self.assertEqual(self._followup(ticket).date_deadline, date(2026, 1, 13))

    def test_followup_delay_is_one_to_three_working_days(self):
        for days in (0, 4):
            with self.subTest(days=days), self.assertRaisesRegex(ValidationError, "1 to 3"):
                self.env.company.after_sales_followup_days = days
        settings = self.env["res.config.settings"].create({"after_sales_followup_days": 3})
        settings.execute()
        self.assertEqual(self.env.company.after_sales_followup_days, 3)

    def test_followup_finding_a_problem_reopens_the_ticket(self):
        ticket = self._closed_ticket()
        action = self.env["ir.actions.actions"]._for_xml_id(
            f"{MODULE}.helpdesk_ticket_followup_wizard_action"
        )
        action["context"] = {"active_id": ticket.id}
        with Form.from_action(self.env(user=self.agent), action) as wizard:
            wizard.outcome = "problem"
            wizard.note = "The noise is back since yesterday."
        wizard.record.action_confirm()
        self.assertEqual(ticket.followup_state, "problem")
        self.assertEqual(ticket.followup_note, "The noise is back since yesterday.")
        self.assertFalse(self._followup(ticket))
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertEqual(ticket.user_id, self.supervisor)
        self.assertEqual(ticket.reopen_count, 1)
        self.assertTrue(
            ticket.message_ids.filtered(
                lambda m: "Reopened" in (m.body or "") and "noise is back" in m.body
            )
        )

    def test_followup_without_problem_from_the_activity(self):
        ticket = self._closed_ticket()
        self.assertTrue(ticket.can_record_followup)
        self._followup(ticket).with_user(self.agent).action_feedback(feedback="Works fine.")
        self.assertEqual(ticket.followup_state, "done")
        self.assertEqual(ticket.followup_note, "Works fine.")
        self.assertTrue(ticket.followup_done_date)
        self.assertTrue(ticket.closed)
        self.assertFalse(ticket.can_record_followup)
        with self.assertRaisesRegex(UserError, "Describe the problem"):
            ticket.with_user(self.agent)._record_followup("problem", " ")

    # ------------------------------------------------------------ standard phrases
    def test_forbidden_phrases_block_messages_and_let_notes_through(self):
        ticket = self._ticket_in_progress()
        as_agent = ticket.with_user(self.agent)
        for body in ("这个问题我们也不知道。", "Sorry, I don’t know when it will arrive.",
                     "<p>There is NO  WAY to repair it.</p>"):
            with self.subTest(body=body), self.assertRaisesRegex(UserError, "next step"):
                as_agent.message_post(
                    body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
                )
        note = as_agent.message_post(
            body="客户说我们不知道怎么修, check with R&D.",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertTrue(note.subtype_id.internal)
        # The customer's own words are not the desk's.
        customer_message = ticket.message_post(
            body="I don't know why it stopped.",
            author_id=self.customer.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(customer_message.author_id, self.customer)
        # The composer is checked too.
        composer = self._composer(ticket)
        composer.body = "<p>没办法,只能这样。</p>"
        with self.assertRaisesRegex(UserError, "没办法"):
            composer.save().action_send_mail()

    def test_manager_configures_the_forbidden_phrases(self):
        phrase = self.env["helpdesk.ticket.forbidden.phrase"].with_user(self.manager).create(
            {"name": "not my job", "suggestion": "Say who will handle it."}
        )
        ticket = self._ticket_in_progress()
        with self.assertRaisesRegex(UserError, "Say who will handle it."):
            ticket.with_user(self.agent).message_post(
                body="That is not my job.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        phrase.active = False
        ticket.with_user(self.agent).message_post(
            body="That is not my job.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        with self.assertRaises(AccessError):
            self.env["helpdesk.ticket.forbidden.phrase"].with_user(self.agent).create(
                {"name": "whatever"}
            )

    def test_templates_are_usable_from_the_composer(self):
        with freeze_time(FRIDAY_3PM):
            ticket = self._create_ticket(category_id=self.category_b.id, service_priority="p2")
        templates = self.env["mail.template"].with_user(self.agent)
        # What the composer's template menu shows (7 entries, the user's first).
        shown = templates.search(
            [("model", "=", "helpdesk.ticket"), ("user_id", "=", False)], limit=7
        )
        ours = [
            self.env.ref(f"{MODULE}.mail_template_ticket_{name}")
            for name in ("acknowledgement", "progress", "delay", "result", "satisfaction",
                         "closing")
        ]
        self.assertEqual(shown[:6].ids, [t.id for t in ours])
        composer = self._composer(ticket, ours[0])
        body = str(composer.body)
        self.assertIn(ticket.number, body)
        self.assertIn(self.category_b.name, body)
        self.assertIn("P2 Important", body)
        self.assertIn("We will respond by", body)
        self.assertTrue(ticket.response_deadline)
        self.assertIn(self.customer, composer.partner_ids[:])
        composer.save().action_send_mail()
        sent = ticket.message_ids[0]
        self.assertIn(ticket.number, sent.body)
        self.assertEqual(sent.author_id, self.agent.partner_id)
        self.assertTrue(ticket.last_customer_update)

    def test_templates_speak_chinese_to_chinese_customers(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms([MODULE], ["zh_CN"], overwrite=True)
        self.customer.lang = "zh_CN"
        ticket = self._closed_ticket(aftercare_advice="避免频繁搬动设备。")
        closing = ticket.message_ids.filtered(lambda m: "避免频繁搬动设备" in (m.body or ""))
        self.assertEqual(len(closing), 1)
        self.assertIn("工单编号", closing.body)
        rating_request = ticket.message_ids.filtered(lambda m: "/rate/" in (m.body or ""))
        self.assertIn("请问您对我们的处理过程和结果是否满意", rating_request.body)
        composer = self._composer(ticket, self.env.ref(f"{MODULE}.mail_template_ticket_delay"))
        self.assertIn("新的预计时间", str(composer.body))
