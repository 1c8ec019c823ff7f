# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from .common import AfterSalesFixtures, new_user

# Context keys a hostile caller may send along: none of them opens a door.
HOSTILE_CONTEXT = {
    "after_sales_defer_rating": True,
    "after_sales_warranty_check": True,
    "after_sales_followup_recorded": True,
    "tracking_disable": True,
    "mail_notrack": True,
    "active_test": False,
    "default_stage_id": None,  # filled in setUpClass
    "default_customer_confirmation_method": "portal",
}


# pytest-odoo skips HttpCase classes (no HTTP server there): the suite runs them with
# odoo-bin in its tour pass, hence the tour tag.
@tagged("post_install", "-at_install", "after_sales_tour")
class TestAttackPortal(AfterSalesFixtures, HttpCase):
    """A logged-in customer (portal) or agent calls the ticket's and the rating's
    public methods over JSON-RPC with the values and context keys of their choice:
    each attempt is refused and leaves the data as it was."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_desk("attack", "After-sales (attack)", show_in_portal=True)
        cls.portal_user = new_user(cls.env, "as_attack_customer", "portal", "Customer Wu")
        cls.customer = cls.portal_user.partner_id
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Other Customer Zheng", "email": "zheng@example.com"}
        )
        HOSTILE_CONTEXT["default_stage_id"] = cls.stage_done.id

    def _solved_open_ticket(self, **values):
        ticket = self._create_ticket(
            name="Printer jams", user_id=self.agent.id, stage_id=self.stage_in_progress.id, **values
        )
        ticket.with_user(self.agent).write(
            {"solution": "Replaced the roller.", "result": "Prints without jams."}
        )
        return ticket

    def _closed_ticket(self, **values):
        ticket = super()._closed_ticket(name="Printer jams", **values)
        self.assertTrue(ticket.sudo().rating_ids.filtered(lambda r: not r.consumed))
        return ticket

    def _state(self, *tickets):
        self.env.cr.precommit.run()  # the tracking messages of earlier writes
        state = []
        for ticket in tickets:
            ticket.invalidate_recordset()
            state.append(
                {
                    "stage": ticket.stage_id,
                    "closed_date": ticket.closed_date,
                    "confirmation": (
                        ticket.customer_confirmation_by,
                        ticket.customer_confirmation_method,
                        ticket.customer_confirmation_date,
                    ),
                    "user": ticket.user_id,
                    "reopen_count": ticket.reopen_count,
                    "ratings": [
                        (r.id, r.rating, r.feedback, r.consumed, r.after_sales_reopened)
                        for r in ticket.sudo().rating_ids
                    ],
                    "messages": ticket.message_ids.ids,
                }
            )
        return state

    def _call(self, login, model, method, args, kwargs=None, context=None):
        self.authenticate(login, login)
        kwargs = dict(kwargs or {}, context=dict(HOSTILE_CONTEXT, **(context or {})))
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def _assert_refused(self, tickets, error, login, model, method, args, kwargs=None):
        before = self._state(*tickets)
        with self.assertRaises(JsonRpcException) as caught, self.assertLogs(
            "odoo.http", level="WARNING"
        ):
            self._call(login, model, method, args, kwargs)
        self.assertIn(error, str(caught.exception))
        self.assertEqual(self._state(*tickets), before, f"{method} changed nothing")

    # ------------------------------------------------------------ the customer (portal)
    def test_customer_cannot_close_through_the_api(self):
        ticket = self._solved_open_ticket()
        self._record_result(ticket)  # everything the closing rules need is there
        self.assertTrue(ticket.with_user(self.portal_user).has_access("read"))
        login = "as_attack_customer"
        model = "helpdesk.ticket"
        self._assert_refused([ticket], "AccessError", login, model, "action_close", [ticket.ids])
        self._assert_refused(
            [ticket],
            "AccessError",
            login,
            model,
            "write",
            [
                ticket.ids,
                {
                    "stage_id": self.stage_done.id,
                    "customer_confirmation_by": "Customer Wu",
                    "customer_confirmation_method": "portal",
                    "customer_confirmation_date": "2026-01-05 10:00:00",
                },
            ],
        )
        # The portal close method is private: no remote door around the route.
        self._assert_refused(
            [ticket],
            "AccessError",
            login,
            model,
            "_close_from_portal",
            [ticket.ids, self.stage_done.id, self.customer.id],
        )
        self.assertEqual(ticket.stage_id, self.stage_in_progress)

    def test_customer_cannot_rate_or_reopen_through_the_api(self):
        ticket = self._closed_ticket()
        token = ticket.sudo().rating_ids.access_token
        login = "as_attack_customer"
        for kwargs in ({"token": token}, {"token": token, "feedback": "Reopen!"}):
            self._assert_refused(
                [ticket], "AccessError", login, "helpdesk.ticket", "rating_apply",
                [ticket.ids, 1], kwargs,
            )
        self._assert_refused(
            [ticket], "AccessError", login, "rating.rating", "write",
            [ticket.sudo().rating_ids.ids, {"rating": 1, "consumed": True}],
        )
        self.assertTrue(ticket.closed)
        self.assertEqual(ticket.reopen_count, 0)

    # ------------------------------------------------------------ an agent (internal)
    def test_agent_cannot_use_another_tickets_rating(self):
        ticket = self._closed_ticket()
        other = self._closed_ticket(partner_id=self.other_customer.id)
        other_token = other.sudo().rating_ids.access_token
        self._assert_refused(
            [ticket, other], "UserError", "as_attack_agent", "helpdesk.ticket",
            "rating_apply", [ticket.ids, 1], {"token": other_token},
        )
        self.assertTrue(ticket.closed and other.closed)

    def test_agent_cannot_replay_a_spent_link(self):
        ticket = self._closed_ticket()
        token = ticket.sudo().rating_ids.access_token
        ticket.sudo().rating_apply(1, token=token, feedback="Still jams.")
        self.assertEqual(ticket.reopen_count, 1)
        self._record_result(ticket, user=self.supervisor)
        ticket.with_user(self.supervisor).action_close()
        self._assert_refused(
            [ticket], "UserError", "as_attack_agent", "helpdesk.ticket",
            "rating_apply", [ticket.ids, 1], {"token": token, "feedback": "Again"},
        )
        self.assertTrue(ticket.closed)

    def test_agent_cannot_reset_what_the_rating_remembers(self):
        ticket = self._closed_ticket()
        rating = ticket.sudo().rating_ids
        ticket.sudo().rating_apply(1, token=rating.access_token, feedback="Still jams.")
        self.assertTrue(rating.after_sales_reopened)
        for values in ({"after_sales_reopened": False}, {"after_sales_round": 7}):
            self._assert_refused(
                [ticket], "AccessError", "as_attack_agent", "rating.rating", "write",
                [rating.ids, values],
            )
        self.assertTrue(rating.after_sales_reopened)
        self.assertEqual(rating.after_sales_round, 1)
