# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The ticket, its deadlines and its ratings as a hostile caller of the external
API sees them: every call goes through ``odoo.api.call_kw``, as JSON-RPC and
XML-RPC do, with context keys the caller chose."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo import fields
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import AfterSalesCase, new_user

MODULE = "helpdesk_after_sales"
# Keys a caller may send: the addon's own, and Odoo's.
HOSTILE_CONTEXTS = (
    {},
    {"after_sales_warranty_check": True, "after_sales_defer_rating": True},
    {"tracking_disable": True, "mail_notrack": True, "install_mode": True},
    {"active_test": False, "force_company": 1, "sudo": True, "su": True},
)


def rpc(env, model, method, *args, **kwargs):
    return call_kw(env[model], method, list(args), kwargs)


@tagged("post_install", "-at_install")
class TestTicketAgainstHostileCallers(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_user(cls.env, "as_attack_portal", "portal")
        cls.ticket = cls._create_ticket(service_priority="p2", stage_id=cls.stage_new.id)
        cls.ticket.with_user(cls.agent).stage_id = cls.stage_in_progress

    def _as(self, user, context=None):
        return self.env(user=user, context=dict(context or {}))

    def _server_owned_values(self):
        """A plausible forged value for every server-owned field of the ticket."""
        ticket = self.ticket
        forged = {}
        for name in sorted(ticket._get_server_owned_fields()):
            field = ticket._fields[name]
            if field.type == "many2one":
                forged[name] = False
            elif field.type == "selection":
                selection = field._description_selection(self.env)
                forged[name] = selection[-1][0]
            elif field.type == "datetime":
                forged[name] = "2020-01-01 00:00:00"
            elif field.type == "date":
                forged[name] = "2020-01-01"
            elif field.type in ("integer", "float"):
                forged[name] = 99
            elif field.type == "boolean":
                forged[name] = not ticket[name]
            else:
                forged[name] = "forged"
        return forged

    def _snapshot(self, records):
        records.invalidate_recordset()
        names = [n for n, f in records._fields.items() if f.store and n not in ("write_date", "write_uid")]
        return records.sudo().read(names)

    # ------------------------------------------------------------ ticket fields
    def test_no_role_writes_a_server_owned_field_of_the_ticket(self):
        before = self._snapshot(self.ticket)
        for user in (self.agent, self.supervisor, self.manager):
            for context in HOSTILE_CONTEXTS:
                for name, value in self._server_owned_values().items():
                    with self.subTest(user=user.login, field=name, context=context), \
                            self.assertRaisesRegex(AccessError, "after-sales desk sets"):
                        rpc(self._as(user, context), "helpdesk.ticket", "write",
                            [self.ticket.id], {name: value})
        self.assertEqual(self._snapshot(self.ticket), before)

    def test_no_role_creates_a_ticket_with_server_owned_values(self):
        for user in (self.agent, self.supervisor, self.manager):
            for name in ("reopen_count", "first_response_date", "archive_date",
                         "warranty_state", "satisfaction"):
                value = self._server_owned_values()[name]
                with self.subTest(user=user.login, field=name), \
                        self.assertRaises(AccessError):
                    rpc(self._as(user), "helpdesk.ticket", "create", {
                        "name": "Forged", "description": "x", "team_id": self.team.id,
                        "partner_id": self.customer.id, name: value,
                    })

    def test_context_defaults_of_server_owned_fields_are_ignored(self):
        context = {
            "default_reopen_count": 7,
            "default_first_response_date": "2020-01-01 00:00:00",
            "default_archive_date": "2020-01-01",
            "default_retention_date": "2099-01-01",
            "default_followup_state": "done",
            "default_warranty_state": "in_warranty",
            "default_confirmed_with_customer": True,
        }
        ticket_id = rpc(self._as(self.agent, context), "helpdesk.ticket", "create", {
            "name": "Defaults", "description": "x", "team_id": self.team.id,
            "partner_id": self.customer.id, "category_id": self.category_b.id,
        })
        ticket = self.env["helpdesk.ticket"].browse(ticket_id)
        self.assertEqual(ticket.reopen_count, 0)
        self.assertFalse(ticket.first_response_date)
        self.assertFalse(ticket.archive_date or ticket.retention_date)
        self.assertFalse(ticket.followup_state)
        self.assertFalse(ticket.confirmed_with_customer)
        self.assertNotEqual(ticket.warranty_state, "in_warranty")

    def test_portal_user_writes_nothing_on_a_ticket(self):
        self.ticket.sudo().partner_id = self.portal.partner_id
        before = self._snapshot(self.ticket)
        for vals in ({"result": "Solved"}, {"stage_id": self.stage_done.id},
                     {"customer_confirmation_method": "portal"}, {"reopen_count": 0}):
            # Refused by the access rules or, earlier, by the closing rules.
            with self.subTest(vals=vals), self.assertRaises(UserError):
                rpc(self._as(self.portal), "helpdesk.ticket", "write", [self.ticket.id], vals)
        for method in ("action_confirm_with_customer", "action_check_warranty",
                       "action_archive_record", "action_close", "refresh_sla"):
            with self.subTest(method=method), self.assertRaises(UserError):
                rpc(self._as(self.portal), "helpdesk.ticket", method, [self.ticket.id])
        self.assertEqual(self._snapshot(self.ticket), before)

    def test_the_desk_still_sets_its_own_fields(self):
        """The legitimate paths write what the caller may not."""
        rpc(self._as(self.agent), "helpdesk.ticket", "action_confirm_with_customer",
            [self.ticket.id])
        self.assertTrue(self.ticket.confirmed_with_customer)
        self.assertEqual(self.ticket.confirmed_by_id, self.agent)
        self.assertTrue(self.ticket.first_response_date, "left intake: answered")

    def test_archive_is_the_desks_and_only_of_closed_tickets(self):
        with self.assertRaisesRegex(UserError, "Only closed tickets"):
            rpc(self._as(self.agent), "helpdesk.ticket", "action_archive_record",
                [self.ticket.id])
        outsider = new_user(self.env, "as_attack_helpdesk", "helpdesk_user")
        with self.assertRaises(AccessError):
            rpc(self._as(outsider), "helpdesk.ticket", "action_archive_record",
                [self.ticket.id])
        self.assertFalse(self.ticket.archive_date)

    # ------------------------------------------------------------ SLA lines
    def test_no_role_writes_or_creates_sla_lines(self):
        lines = self.ticket.ticket_sla_ids
        self.assertTrue(lines)
        before = self._snapshot(lines)
        for user in (self.agent, self.supervisor, self.manager):
            for context in HOSTILE_CONTEXTS:
                for vals in ({"extension_hours": 500}, {"state": "accomplished"},
                             {"deadline": "2099-01-01 00:00:00"}, {"consumed_time": 0}):
                    with self.subTest(user=user.login, vals=vals, context=context), \
                            self.assertRaises(AccessError):
                        rpc(self._as(user, context), "helpdesk.ticket.sla", "write",
                            lines.ids, vals)
                with self.subTest(user=user.login, create=True), self.assertRaises(AccessError):
                    rpc(self._as(user, context), "helpdesk.ticket.sla", "create", {
                        "ticket_id": self.ticket.id, "sla_id": lines[0].sla_id.id,
                        "extension_hours": 500,
                    })
        self.assertEqual(self._snapshot(lines), before)

    def test_extension_only_through_the_supervisors_checked_method(self):
        deadline = self.ticket.resolution_deadline
        with self.assertRaises(AccessError):
            rpc(self._as(self.agent), "helpdesk.ticket.sla.extension.wizard", "create",
                {"ticket_id": self.ticket.id, "days": 1, "reason": "x"})
        with self.assertRaises(AccessError):
            rpc(self._as(self.agent), "helpdesk.ticket", "write", [self.ticket.id],
                {"sla_extension_days": 0})
        self.assertEqual(self.ticket.resolution_deadline, deadline)
        self.ticket.with_user(self.supervisor)._grant_sla_extension(1, "Agreed")
        self.assertEqual(self.ticket.sla_extension_days, 1)
        self.assertGreater(self.ticket.resolution_deadline, deadline)

    def test_stage_changes_still_move_the_deadlines_for_agents(self):
        self.ticket.with_user(self.agent).stage_id = self.stage_awaiting
        self.assertEqual(
            set(self.ticket.ticket_sla_ids.filtered(lambda l: l.sla_kind == "resolution")
                .mapped("state")),
            {"on_hold"},
        )
        self.ticket.with_user(self.agent).refresh_sla()
        self.assertTrue(self.ticket.ticket_sla_ids)

    def test_alerts_are_the_crons_alone(self):
        """An alert deleted or edited by hand would be raised again, or never."""
        alert = self.env["helpdesk.ticket.alert"].create({
            "ticket_id": self.ticket.id, "kind": "response", "level": "warning",
            "deadline": fields.Datetime.now(),
        })
        for user in (self.agent, self.supervisor, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    rpc(self._as(user), "helpdesk.ticket.alert", "write", alert.ids,
                        {"level": "breached"})
                with self.assertRaises(AccessError):
                    rpc(self._as(user), "helpdesk.ticket.alert", "unlink", alert.ids)
                with self.assertRaises(AccessError):
                    rpc(self._as(user), "helpdesk.ticket.alert", "create", {
                        "ticket_id": self.ticket.id, "kind": "resolution",
                        "level": "warning", "deadline": fields.Datetime.now(),
                    })
        self.assertEqual(alert.level, "warning")

    # ------------------------------------------------------------ ratings
    def test_no_role_forges_a_ticket_rating(self):
        self.ticket.sudo()._rating_get_access_token(self.customer)
        rating = self.ticket.sudo().rating_ids
        token = rating.access_token
        for user in (self.agent, self.supervisor, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                rpc(self._as(user), "rating.rating", "write", rating.ids,
                    {"rating": 5, "consumed": True})
            with self.subTest(user=user.login, create=True), self.assertRaises(AccessError):
                rpc(self._as(user), "rating.rating", "create", {
                    "res_model_id": self.env["ir.model"]._get_id("helpdesk.ticket"),
                    "res_id": self.ticket.id, "partner_id": self.customer.id,
                    "rating": 5, "consumed": True,
                })
            with self.subTest(user=user.login, apply=True), self.assertRaises(AccessError):
                rpc(self._as(user), "helpdesk.ticket", "rating_apply", [self.ticket.id], 5,
                    token=token)
        rating.invalidate_recordset()
        self.assertFalse(rating.consumed)
        self.assertFalse(self.ticket.satisfaction)

    # ------------------------------------------------------------ bad input
    @freeze_time("2026-03-02 10:00:00")
    def test_dates_in_the_future_are_refused(self):
        tomorrow = date(2026, 3, 3)
        for vals in (
            {"purchase_date": tomorrow},
            {"delivery_date": tomorrow},
            {"intake_date": datetime(2026, 3, 2, 11, 0)},
            {"fault_date": datetime(2026, 3, 5, 9, 0)},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, "future"):
                self.ticket.with_user(self.agent).write(vals)
            self.env.invalidate_all(flush=False)  # what the refused write left in cache
        self.ticket.with_user(self.agent).write(
            {"purchase_date": date(2026, 3, 2), "intake_date": datetime(2026, 3, 2, 10, 3)}
        )
        with self.assertRaisesRegex(ValidationError, "before buying"):
            self.ticket.with_user(self.agent).delivery_date = date(2026, 3, 1)

    def test_oversized_text_is_refused(self):
        self.ticket.with_user(self.agent).customer_words = "很" * 20000
        self.ticket.flush_recordset()
        for vals in ({"customer_words": "很" * 20001}, {"contact_phone": "1" * 300}):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, "at most"):
                self.ticket.with_user(self.agent).write(vals)
            self.env.invalidate_all(flush=False)  # what the refused write left in cache
        self.assertEqual(len(self.ticket.customer_words), 20000)

    def test_partner_and_serial_of_another_company_are_refused(self):
        other = self.env["res.company"].create({"name": "Other Co"})
        stranger = self.env["res.partner"].create({"name": "Stranger", "company_id": other.id})
        with self.assertRaises(UserError):
            self.ticket.write({"partner_id": stranger.id})
        product = self.env["product.product"].create(
            {"name": "Other printer", "company_id": other.id}
        )
        with self.assertRaises(UserError):
            self.ticket.write({"product_id": product.id})

    # ------------------------------------------------------------ forbidden phrases
    def test_forbidden_phrases_survive_no_disguise(self):
        for body in ("不\u200b知道", "不 知 道", "我们没\u2060办法", "ＮＯ ＷＡＹ", "I DON\u2019T KNOW"):
            with self.subTest(body=body), self.assertRaisesRegex(UserError, "way forward"):
                self.ticket.with_user(self.agent).message_post(
                    body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
                )
        with self.assertRaisesRegex(UserError, "way forward"):
            self.ticket.with_user(self.agent).message_post(
                subject="不知道", body="Hello", message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.ticket.with_user(self.agent).message_post(
            body="We will call you back today with the engineer's plan.",
            message_type="comment", subtype_xmlid="mail.mt_comment",
        )


@tagged("post_install", "-at_install")
class TestAlertsAndMailsHoldUp(AfterSalesCase):
    def test_one_failing_ticket_does_not_stop_the_alerts_of_the_others(self):
        with freeze_time("2026-01-05 09:00:00"):
            tickets = self.env["helpdesk.ticket"].browse(
                [self._create_ticket(name=f"Fault {n}").id for n in range(3)]
            )
        broken = tickets[1]
        # Whatever breaks one ticket's alert (here: finding its supervisor), the
        # others are alerted.
        Ticket = type(self.env["helpdesk.ticket"])
        original = Ticket._get_supervisors

        def failing_supervisors(ticket):
            if ticket == broken:
                raise ValueError("unreachable supervisor")
            return original(ticket)

        Ticket._get_supervisors = failing_supervisors
        try:
            with freeze_time("2026-01-12 09:00:00"), self.assertLogs(
                "odoo.addons.helpdesk_after_sales.models.helpdesk_ticket_alert", "ERROR"
            ) as logs:
                self.env["helpdesk.ticket.alert"]._cron_overdue_alerts()
        finally:
            Ticket._get_supervisors = original
        alerts = self.env["helpdesk.ticket.alert"].search([("ticket_id", "in", tickets.ids)])
        self.assertEqual(set(alerts.ticket_id.ids), set((tickets - broken).ids))
        self.assertIn(str(broken.id), logs.output[0])
        with freeze_time("2026-01-12 09:10:00"):
            self.env["helpdesk.ticket.alert"]._cron_overdue_alerts()
        self.assertIn(broken, self.env["helpdesk.ticket.alert"].search([]).ticket_id,
                      "retried at the next run")

    def test_a_user_without_email_handles_tickets(self):
        self.agent.partner_id.email = False
        self.env.company.email = "service@example.com"
        ticket = self._create_ticket(service_priority="p1")
        ticket.with_user(self.agent).message_post(
            body="We are sending an engineer before 14:00.",
            message_type="comment", subtype_xmlid="mail.mt_comment",
        )
        message = ticket.message_ids[0]
        self.assertEqual(message.author_id, self.agent.partner_id, "the agent stays the author")
        self.assertIn("service@example.com", message.email_from)
        self._record_result(ticket)
        ticket.with_user(self.agent).action_close()
        self.assertTrue(ticket.closed)
        sent = ticket.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertTrue(sent)
        self.assertTrue(all(m.email_from for m in sent))

    def test_desk_address_is_the_team_alias_first(self):
        self.env.company.email = "service@example.com"
        ticket = self._create_ticket()
        self.assertIn("service@example.com", ticket._get_desk_email_from())
        domain = self.env["mail.alias.domain"].create({"name": "desk.example.com"})
        self.team.sudo().write({"alias_name": "after-sales", "alias_domain_id": domain.id})
        self.assertIn("after-sales@desk.example.com", ticket._get_desk_email_from())
