# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date, datetime

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import MODULE, AfterSalesCase, new_user

# Friday 9 January 2026, 15:00 UTC; Monday the 12th is a public holiday.
FRIDAY_3PM = "2026-01-09 15:00:00"


@tagged("post_install", "-at_install")
class TestIntakeSla(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "date_from": datetime(2026, 1, 12, 0, 0),
                "date_to": datetime(2026, 1, 12, 23, 59, 59),
            }
        )

    def _count_in_working_time(self, *rules):
        """Switch seeded rules to working time, as CONFIGURE.md tells managers: the
        rule's calendar emptied (the team's working hours), its hours in working
        days: (xml id, days)."""
        for xmlid, days in rules:
            self.env.ref(f"{MODULE}.{xmlid}").write({"calendar_id": False, "days": days, "hours": 0})

    def _take_call(self, category, name="Printer does not start", **values):
        """An agent records a ticket in the form, as in the browser."""
        with Form(self.env["helpdesk.ticket"].with_user(self.agent)) as form:
            form.name = name
            form.description = "<p>Customer called the hotline.</p>"
            form.team_id = self.team
            form.partner_id = self.customer
            form.category_id = category
            for field, value in values.items():
                setattr(form, field, value)
        return form.record

    # ------------------------------------------------------------ deadlines
    def test_batch_planning_equals_plan_hours(self):
        """Deadlines of tickets created in bulk are planned in one pass over the
        calendar; they must be the moments plan_hours gives one by one, across
        nights, the weekend and the public holiday."""
        requests = [
            (datetime(2026, 1, 9, 16, 30), 2.0),  # Friday evening -> Monday
            (datetime(2026, 1, 9, 16, 30), 0.0),
            (datetime(2026, 1, 10, 3, 0), 8.0),  # Saturday night
            (datetime(2026, 1, 11, 12, 0), 6.4),  # Sunday, then the holiday
            (datetime(2026, 1, 5, 12, 30), 40.0),  # lunch break, a week of work
            (datetime(2026, 1, 5, 9, 0), 300.0),  # beyond the first read window
            (datetime(2026, 1, 7, 10, 0), -3.0),  # backwards: one by one
            (False, 4.0),
        ]
        expected = [
            start and self.calendar.plan_hours(hours, start, compute_leaves=True)
            for start, hours in requests
        ]
        self.assertEqual(self.calendar._plan_hours_batch(requests), expected)
        self.assertEqual(expected[0], datetime(2026, 1, 13, 9, 30), "holiday skipped")
        # Two hours asked on the eve of a long holiday: past the first read window
        # (sized for two hours) and the second, planned in the third.
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Spring Festival (test)",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 2, 14),
                "date_to": datetime(2026, 2, 25, 23, 59, 59),
            }
        )
        eve = datetime(2026, 2, 13, 16, 0)
        self.assertEqual(
            self.calendar._plan_hours_batch([(eve, 2.0)]),
            [self.calendar.plan_hours(2.0, eve, compute_leaves=True)],
        )
        self.assertEqual(self.calendar._plan_hours_batch([(eve, 2.0)])[0].date(), date(2026, 2, 26))

    @freeze_time(FRIDAY_3PM)
    def test_p3_deadlines_skip_weekend_and_holiday(self):
        # The seeds count elapsed hours; a desk may count a rule in working days.
        self._count_in_working_time(
            ("helpdesk_sla_p3_response", 1), ("helpdesk_sla_p3_resolution", 3)
        )
        ticket = self._take_call(self.category_b)
        self.assertEqual(ticket.service_priority, "p3")
        # 1 working day = 8 h: Friday 15-17, Monday is a holiday, Tuesday 8-12, 13-15.
        self.assertEqual(ticket.response_deadline, datetime(2026, 1, 13, 15, 0))
        # 3 working days, not 72 working hours: Thursday 15:00.
        self.assertEqual(ticket.resolution_deadline, datetime(2026, 1, 15, 15, 0))
        self.assertEqual(ticket.response_sla_state, "running")
        self.assertEqual(ticket.resolution_sla_state, "running")

    @freeze_time(FRIDAY_3PM)
    def test_every_category_and_priority_gets_its_deadlines(self):
        expected = {
            # The standard's hours, elapsed: respond within 2 h (P1), 8 h (P2) and
            # 24 h (P3), whatever the team's calendar; resolve within 24 h (P1) or
            # 72 h.
            "p1": (datetime(2026, 1, 9, 17, 0), datetime(2026, 1, 10, 15, 0)),
            "p2": (datetime(2026, 1, 9, 23, 0), datetime(2026, 1, 12, 15, 0)),
            "p3": (datetime(2026, 1, 10, 15, 0), datetime(2026, 1, 12, 15, 0)),
        }
        product = self._product()
        categories = self.category_a | self.category_b | self.category_c | self.category_d
        for category in categories | self.category_e:
            for priority, (response, resolution) in expected.items():
                with self.subTest(category=category.code, priority=priority):
                    ticket = self._take_call(
                        category,
                        product_id=product,
                        symptoms="No power",
                        customer_words="It stopped working.",
                        service_priority=priority,
                    )
                    self.assertEqual(ticket.category_code, category.code)
                    self.assertEqual(ticket.service_priority, priority)
                    self.assertEqual(
                        (ticket.response_deadline, ticket.resolution_deadline),
                        (response, resolution),
                    )
                    # The record is complete for its category: it can leave intake.
                    ticket.with_user(self.agent).stage_id = self.stage_in_progress
                    self.assertEqual(ticket.response_sla_state, "met")

    @freeze_time(FRIDAY_3PM)
    def test_p2_responds_in_eight_hours(self):
        ticket = self._take_call(self.category_a, product_id=self._product(), symptoms="No power")
        self.assertEqual(ticket.service_priority, "p2")
        self.assertEqual(ticket.response_deadline, datetime(2026, 1, 9, 23, 0))
        self.assertEqual(ticket.resolution_deadline, datetime(2026, 1, 12, 15, 0))

    @freeze_time(FRIDAY_3PM)
    def test_p1_runs_around_the_clock(self):
        ticket = self._take_call(self.category_a, name="Production line stop: 停产")
        self.assertEqual(ticket.service_priority, "p1", "the keyword makes it urgent")
        self.assertEqual(ticket.priority, "3", "three stars follow P1")
        self.assertEqual(ticket.response_deadline, datetime(2026, 1, 9, 17, 0))
        self.assertEqual(ticket.resolution_deadline, datetime(2026, 1, 10, 15, 0))

    @freeze_time(FRIDAY_3PM)
    def test_changing_priority_recomputes_deadlines(self):
        ticket = self._take_call(self.category_b)
        self._commit_tracking()  # the ticket was saved; the change comes later
        ticket.with_user(self.agent).service_priority = "p1"
        self.assertEqual(ticket.response_deadline, datetime(2026, 1, 9, 17, 0))
        self.assertEqual(ticket.resolution_deadline, datetime(2026, 1, 10, 15, 0))
        self.assertEqual(ticket.priority, "3")
        self._commit_tracking()
        tracked = ticket.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "service_priority"
        )
        self.assertTrue(tracked, "the priority change is tracked")

    def test_waiting_for_the_customer_pauses_the_resolution_deadline(self):
        self._count_in_working_time(
            ("helpdesk_sla_p3_response", 1), ("helpdesk_sla_p3_resolution", 3)
        )
        with freeze_time(FRIDAY_3PM):
            ticket = self._take_call(self.category_b)
        self.assertEqual(ticket.resolution_deadline, datetime(2026, 1, 15, 15, 0))
        with freeze_time("2026-01-09 16:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_in_progress
        self.assertEqual(ticket.response_sla_state, "met")
        with freeze_time("2026-01-13 09:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_awaiting
        with freeze_time("2026-01-14 10:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_in_progress
        # 3 h used before the pause, 21 h left from Wednesday 10:00: Friday 16:00.
        self.assertEqual(ticket.resolution_deadline, datetime(2026, 1, 16, 16, 0))
        self.assertEqual(ticket.resolution_sla_state, "running")
        with freeze_time("2026-01-16 11:00:00"):
            self._record_result(ticket)
            ticket.with_user(self.agent).stage_id = self.stage_done
        self.assertEqual(ticket.resolution_sla_state, "met")

    def test_resolving_after_the_deadline_is_breached(self):
        with freeze_time(FRIDAY_3PM):
            ticket = self._take_call(self.category_b)
        with freeze_time("2026-01-16 09:00:00"):
            ticket.with_user(self.agent).stage_id = self.stage_in_progress
        self.assertEqual(ticket.response_sla_state, "breached")

    # ------------------------------------------------------------ extension
    @freeze_time(FRIDAY_3PM)
    def test_supervisor_extends_the_resolution_deadline(self):
        ticket = self._take_call(self.category_b)
        wizard_action = self.env["ir.actions.actions"]._for_xml_id(
            f"{MODULE}.helpdesk_ticket_sla_extension_wizard_action"
        )
        wizard_action["context"] = {"active_model": "helpdesk.ticket", "active_id": ticket.id}
        with Form.from_action(self.env(user=self.supervisor), wizard_action) as form:
            form.days = 2
            form.reason = "Spare part ships from the factory; agreed with the customer."
        form.record.action_confirm()
        # Due Monday 12th 15:00 (72 h), a public holiday: 2 working days later is
        # Wednesday 14th 17:00, before the 5 working days from receipt (Monday 19th).
        self.assertEqual(ticket.resolution_deadline, datetime(2026, 1, 14, 17, 0))
        self.assertEqual(ticket.sla_extension_days, 2)
        self.assertIn("Spare part ships", ticket.message_ids[0].body)

    @freeze_time(FRIDAY_3PM)
    def test_extension_is_refused_to_agents_and_beyond_the_limit(self):
        ticket = self._take_call(self.category_b)
        with self.assertRaisesRegex(UserError, "supervisor"):
            ticket.with_user(self.agent)._grant_sla_extension(1, "Complex")
        with self.assertRaises(AccessError):
            self.env["helpdesk.ticket.sla.extension.wizard"].with_user(self.agent).create(
                {"ticket_id": ticket.id, "days": 1, "reason": "Complex"}
            )
        with self.assertRaisesRegex(UserError, "within 5 working days of receipt"):
            ticket.with_user(self.supervisor)._grant_sla_extension(6, "Complex")
        with self.assertRaisesRegex(UserError, "at least one working day"):
            ticket.with_user(self.supervisor)._grant_sla_extension(0, "Complex")
        with self.assertRaisesRegex(UserError, "reason"):
            ticket.with_user(self.supervisor)._grant_sla_extension(1, "  ")
        # Due Monday 12th 15:00 (the holiday): 4 working days later is Friday 16th
        # 17:00; one more would pass Monday 19th 15:00, 5 working days from receipt.
        ticket.with_user(self.supervisor)._grant_sla_extension(4, "Complex")
        with self.assertRaisesRegex(UserError, "2026-01-19 15:00:00"):
            ticket.with_user(self.supervisor)._grant_sla_extension(1, "More")
        self.assertEqual(ticket.resolution_deadline, datetime(2026, 1, 16, 17, 0))

    # ------------------------------------------------------------ customer updates
    def test_next_customer_update_counts_from_the_last_message(self):
        with freeze_time(FRIDAY_3PM):
            urgent = self._take_call(self.category_b, service_priority="p1")
            general = self._take_call(self.category_b)
        self.assertEqual(urgent.next_update_deadline, datetime(2026, 1, 9, 17, 0))
        self.assertEqual(general.next_update_deadline, datetime(2026, 1, 10, 15, 0))
        with freeze_time("2026-01-09 16:30:00"):
            urgent.with_user(self.agent).message_post(
                body="A technician is on the way.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            general.with_user(self.agent).message_post(
                body="Internal: checking stock.",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertEqual(urgent.next_update_deadline, datetime(2026, 1, 9, 18, 30))
        self.assertEqual(
            general.next_update_deadline,
            datetime(2026, 1, 10, 15, 0),
            "an internal note is no update to the customer",
        )

    # ------------------------------------------------------------ P1 supervisor
    @freeze_time(FRIDAY_3PM)
    def test_p1_ticket_reaches_the_team_supervisor(self):
        ticket = self._take_call(self.category_b, service_priority="p1")
        activity = ticket.activity_ids.filtered(lambda a: a.user_id == self.supervisor)
        self.assertEqual(len(activity), 1)
        self.assertIn("within 1 h", activity.summary)
        self.assertIn(self.supervisor.partner_id, ticket.message_ids.partner_ids)
        general = self._take_call(self.category_b)
        self.assertFalse(general.activity_ids)
        # The notice time is the company's setting.
        self.env.company.after_sales_p1_notice_hours = 0.5
        urgent = self._take_call(self.category_b, service_priority="p1")
        self.assertIn("within 0.5 h", urgent.activity_ids.summary)

    @freeze_time(FRIDAY_3PM)
    def test_p1_without_leader_goes_to_team_supervisors(self):
        self.team.user_id = False
        ticket = self._take_call(self.category_b)
        ticket.with_user(self.agent).service_priority = "p1"
        self.assertEqual(ticket.activity_ids.user_id, self.supervisor)

    # ------------------------------------------------------------ classification
    def test_priority_suggestion_from_category_and_keywords(self):
        self.assertEqual(self._take_call(self.category_e).service_priority, "p3")
        self.assertEqual(self._take_call(self.category_c, customer_words="太慢了").service_priority, "p2")
        self.assertEqual(
            self._take_call(self.category_b, customer_words="数据丢失了！").service_priority,
            "p1",
        )
        ticket = self._take_call(self.category_b, name="Fire alarm keeps beeping")
        self.assertEqual(ticket.service_priority, "p1")
        # The agent decides: lowering the suggestion sticks, and is tracked.
        ticket.with_user(self.agent).service_priority = "p3"
        self.assertEqual(ticket.service_priority, "p3")
        self.assertEqual(ticket.suggested_service_priority, "p1")

    def test_keywords_of_another_company_suggest_nothing(self):
        """Keywords are read once per batch of tickets: matched whatever their case,
        shared ones and the ticket's company's only."""
        Keyword = self.env["helpdesk.ticket.priority.keyword"]
        other = self.env["res.company"].create({"name": "Other company (test)"})
        Keyword.create({"name": "Qwertz (test)", "service_priority": "p1", "company_id": other.id})
        Keyword.create({"name": "Rattle (test)", "service_priority": "p2",
                        "company_id": self.env.company.id})
        tickets = self.env["helpdesk.ticket"].with_user(self.agent).create(
            [
                {"name": name, "description": "<p>Heard on the phone.</p>",
                 "team_id": self.team.id, "partner_id": self.customer.id,
                 "category_id": self.category_e.id}
                for name in ("QWERTZ (TEST) from the unit", "A RATTLE (TEST) inside")
            ]
        )
        self.assertEqual(tickets.mapped("service_priority"), ["p3", "p2"])
        self.assertEqual(tickets.mapped("suggested_service_priority"), ["p3", "p2"])

    def test_stars_and_service_priority_never_disagree(self):
        ticket = self._create_ticket()
        ticket.with_user(self.agent).priority = "2"
        self.assertEqual(ticket.service_priority, "p2")
        ticket.with_user(self.agent).service_priority = "p1"
        self.assertEqual(ticket.priority, "3")
        from_email = self._create_ticket(priority="0")
        self.assertEqual((from_email.service_priority, from_email.priority), ("p3", "1"))

    def test_subcategories_take_their_parent_class(self):
        logistics = self.env.ref(f"{MODULE}.helpdesk_ticket_category_c_logistics")
        payment = self.env.ref(f"{MODULE}.helpdesk_ticket_category_d_payment")
        self.assertEqual(logistics.code, "C")
        self.assertEqual(payment.code, "D")
        self.assertEqual(
            self.env["helpdesk.ticket.category"].search([("code", "!=", False), ("parent_id", "=", False)]).mapped("code"),
            ["A", "B", "C", "D", "E"],
        )
        ticket = self._create_ticket(category_id=logistics.id)
        self.assertEqual(ticket.category_code, "C")

    # ------------------------------------------------------------ complete record
    def test_ticket_cannot_leave_intake_incomplete(self):
        ticket = self._create_ticket(category_id=self.category_a.id)
        with self.assertRaises(ValidationError) as error:
            ticket.with_user(self.agent).stage_id = self.stage_in_progress
        self.assertIn("Product", str(error.exception))
        self.assertIn("Symptoms", str(error.exception))
        self.assertEqual(ticket.stage_id, self.stage_new)
        unclassified = self._create_ticket(category_id=False)
        with self.assertRaisesRegex(ValidationError, "Category"):
            unclassified.with_user(self.agent).stage_id = self.stage_in_progress

    def test_serial_tracked_product_needs_its_serial(self):
        product = self._product(tracking="serial")
        ticket = self._create_ticket(
            category_id=self.category_a.id, product_id=product.id, symptoms="No power"
        )
        with self.assertRaisesRegex(ValidationError, "Serial number"):
            ticket.with_user(self.agent).stage_id = self.stage_in_progress
        ticket.lot_id = self.env["stock.lot"].create({"name": "SN-001", "product_id": product.id})
        ticket.with_user(self.agent).stage_id = self.stage_in_progress
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        other = self._product()
        with self.assertRaisesRegex(ValidationError, "belongs to"):
            ticket.product_id = other

    def test_confirmed_with_the_customer_records_who_and_when(self):
        ticket = self._create_ticket()
        with freeze_time("2026-01-09 15:05:00"):
            ticket.with_user(self.agent).action_confirm_with_customer()
        self.assertTrue(ticket.confirmed_with_customer)
        self.assertEqual(ticket.confirmed_by_id, self.agent)
        self.assertEqual(ticket.confirmed_date, datetime(2026, 1, 9, 15, 5))

    # ------------------------------------------------------------ privacy
    def test_portal_users_cannot_read_contact_data(self):
        portal = new_user(self.env, "as_test_portal", "portal")
        own = self._create_ticket(partner_id=portal.partner_id.id, contact_phone="+86 1")
        other = self._create_ticket(contact_phone="+86 2")
        for ticket in (own, other):
            with self.assertRaises(AccessError):
                ticket.with_user(portal).read(["contact_phone"])
        self.assertEqual(own.with_user(portal).read(["name"])[0]["name"], own.name)

    def test_contact_data_filled_from_the_customer(self):
        with Form(self.env["helpdesk.ticket"].with_user(self.agent)) as form:
            form.name = "Question"
            form.description = "<p>How do I reset it?</p>"
            form.partner_id = self.customer
            self.assertEqual(form.contact_phone, "+86 10 1234 5678")
            self.assertEqual(form.contact_email, "chen@example.com")

    # ------------------------------------------------------------ performance
    def test_list_view_reads_80_tickets_in_bounded_queries(self):
        self.env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Ticket {i}",
                    "description": "<p>x</p>",
                    "team_id": self.team.id,
                    "partner_id": self.customer.id,
                    "category_id": (self.category_a | self.category_b)[i % 2].id,
                    "channel_id": self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone").id,
                }
                for i in range(80)
            ]
        )
        spec = {
            name: {}
            for name in (
                "number",
                "name",
                "service_priority",
                "category_code",
                "priority",
                "response_deadline",
                "response_sla_state",
                "resolution_deadline",
                "resolution_sla_state",
                "next_update_deadline",
            )
        }
        spec.update(
            {
                "partner_id": {"fields": {"display_name": {}}},
                "channel_id": {"fields": {"display_name": {}}},
                "stage_id": {"fields": {"display_name": {}}},
                "user_id": {"fields": {"display_name": {}}},
            }
        )
        tickets = self.env["helpdesk.ticket"].with_user(self.agent)
        tickets.invalidate_model()
        with self.assertQueryCount(20):
            result = tickets.web_search_read(
                [("team_id", "=", self.team.id)], spec, limit=80
            )
        self.assertEqual(result["length"], 80)

    # ------------------------------------------------------------ helpers
    def _commit_tracking(self):
        """Tracking values are written when the transaction commits."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _product(self, tracking="none"):
        return self.env["product.product"].create(
            {
                "name": f"Printer P{tracking}",
                "type": "consu",
                "is_storable": True,
                "tracking": tracking,
            }
        )
