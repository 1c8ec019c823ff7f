# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The after-sales dashboard's figures against a hand-counted desk, the list behind
each figure, and who sees what."""
from datetime import datetime, timedelta

from odoo import fields
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, freeze_time, tagged

from .common import COMPENSATION_THRESHOLDS, AfterSalesCase, AfterSalesFixtures, new_user

# A Wednesday, 10:00 UTC; the week started on Monday 2 March.
NOW = datetime(2026, 3, 4, 10, 0, 0)
MONDAY = datetime(2026, 3, 2, 9, 0, 0)


@tagged("post_install", "-at_install")
class TestAfterSalesDashboard(AfterSalesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write(COMPENSATION_THRESHOLDS)
        cls.agent_2 = new_user(cls.env, "as_dash_agent_2", "agent", "Agent Wu")
        cls.agent_3 = new_user(cls.env, "as_dash_agent_3", "agent", "Agent Zhou")
        cls.supervisor_2 = new_user(cls.env, "as_dash_supervisor_2", "supervisor", "Sup Zhao")
        users = cls.agent | cls.agent_2 | cls.agent_3 | cls.supervisor | cls.supervisor_2
        (users | cls.manager).write({"tz": "UTC"})
        cls.team.user_ids = [(4, cls.agent_2.id)]
        cls.team_b = cls._create_team(
            "Other after-sales (test)", cls.agent_3, leader=cls.supervisor_2, use_sla=True,
            resource_calendar_id=cls.calendar.id,
        )
        cls.t = {}
        # Closed tickets first, at the time they were closed.
        with freeze_time(MONDAY - timedelta(hours=2)):
            cls.t["monday_closed"] = cls._new_ticket(cls.agent, "Closed on Monday")
        with freeze_time(MONDAY):
            cls._close(cls.t["monday_closed"])
        with freeze_time(NOW - timedelta(hours=3)):
            cls.t["closed_today"] = cls._new_ticket(cls.agent, "Closed today")
        with freeze_time(NOW - timedelta(hours=2)):
            cls._close(cls.t["closed_today"])
        with freeze_time(NOW):
            make = cls._new_ticket
            cls.t["due_soon"] = make(cls.agent, "Due soon", resolution=NOW + timedelta(minutes=30))
            cls.t["breached"] = make(cls.agent, "Breached", resolution=NOW - timedelta(hours=1))
            cls.t["awaiting"] = make(cls.agent, "Awaiting", resolution=NOW + timedelta(days=3))
            cls.t["reopened"] = make(cls.agent, "Reopened", resolution=NOW + timedelta(hours=5))
            cls.t["wu_breached"] = make(
                cls.agent_2, "Wu breached", resolution=NOW - timedelta(minutes=30)
            )
            cls.t["unassigned"] = make(None, "Unassigned", resolution=NOW + timedelta(days=2))
            cls.t["other_team"] = make(
                cls.agent_3, "Other team", team=cls.team_b, resolution=NOW + timedelta(minutes=20)
            )
            cls.t["awaiting"].with_user(cls.agent).stage_id = cls.stage_awaiting
            cls._set_deadline(cls.t["awaiting"], "resolution", NOW + timedelta(days=3))
            cls.t["reopened"].sudo().reopen_count = 1
            cls.compensation = cls._request_compensation_cls(cls.t["reopened"], 100.0)
        cls.t["closed_today"].sudo().write(
            {
                "followup_state": "planned",
                "followup_date": NOW.date(),
                "satisfaction": "satisfied",
                "satisfaction_date": NOW - timedelta(hours=1),
            }
        )
        cls.t["monday_closed"].sudo().write(
            {
                "followup_state": "planned",
                "followup_date": NOW.date() + timedelta(days=1),
                "satisfaction": "dissatisfied",
                "satisfaction_date": MONDAY + timedelta(hours=1),
            }
        )

    # ------------------------------------------------------------ fixtures
    @classmethod
    def _new_ticket(cls, user, name, team=None, resolution=None):
        """A ticket of ``team`` (the test team) handled by ``user`` (None: nobody),
        in progress when it has a handler, its resolution deadline at ``resolution``."""
        ticket = cls._create_ticket(
            user=user or cls.agent,
            name=name,
            team_id=(team or cls.team).id,
            user_id=user.id if user else False,
        )
        if user:
            ticket.with_user(user).stage_id = cls.stage_in_progress
        else:
            cls._set_deadline(ticket, "response", NOW + timedelta(days=1))
        if resolution:
            cls._set_deadline(ticket, "resolution", resolution)
        return ticket

    @classmethod
    def _set_deadline(cls, ticket, kind, deadline):
        """Pin the running ``kind`` deadline of ``ticket`` (the desk's SLA line)."""
        lines = ticket.ticket_sla_ids.filtered(lambda line: line.sla_kind == kind)
        assert lines, f"{ticket.name} has a {kind} deadline"
        lines.sudo().filtered(lambda line: line.state != "in_progress").state = "in_progress"
        ticket.env.flush_all()
        lines.sudo().write({"deadline": deadline})
        ticket.env.flush_all()
        ticket.invalidate_recordset()
        assert ticket[f"{kind}_deadline"] == deadline, (
            ticket[f"{kind}_deadline"], lines.mapped("deadline"), lines.mapped("state")
        )

    @classmethod
    def _close(cls, ticket):
        ticket.with_user(cls.agent).stage_id = cls.stage_in_progress
        cls._record_result(ticket)
        ticket.with_user(cls.agent).action_close()
        assert ticket.closed and ticket.resolution_sla_state == "met"

    @classmethod
    def _request_compensation_cls(cls, ticket, amount):
        compensation = cls.env["helpdesk.ticket.compensation"].with_user(cls.agent).create(
            {
                "ticket_id": ticket.id,
                "compensation_type": "voucher",
                "amount": amount,
                "reason": "Late repair; a voucher for the trouble.",
            }
        )
        compensation.action_submit()
        assert compensation.state == "to_approve"
        return compensation

    def _data(self, user):
        with freeze_time(NOW):
            return self.env["helpdesk.ticket"].with_user(user).get_after_sales_dashboard_data()

    def _listed(self, user, figure, **scope):
        """The records of the list a click on ``figure`` opens, as ``user``."""
        with freeze_time(NOW):
            action = (
                self.env["helpdesk.ticket"]
                .with_user(user)
                .action_open_after_sales_dashboard_figure(figure, **scope)
            )
            return self.env[action["res_model"]].with_user(user).search(action["domain"])

    def test_a_team_without_sla_shows_its_tickets_have_no_deadlines(self):
        team = self._create_team("After-sales without SLA (dash)", self.agent, self.supervisor)
        self.assertFalse(team.use_sla)
        with freeze_time(NOW):
            ticket = self.env["helpdesk.ticket"].with_user(self.agent).create(
                {"name": "No SLA", "description": "<p>x</p>", "team_id": team.id}
            )
            data = (
                self.env["helpdesk.ticket"]
                .with_user(self.supervisor)
                .get_after_sales_dashboard_data()
            )
        rows = {row["id"]: row["figures"] for row in data["teams"]}
        self.assertEqual(rows[team.id]["no_deadlines"], 1)
        self.assertEqual(rows[self.team.id]["no_deadlines"], 0, "this team uses SLA")
        self.assertEqual(self._listed(self.supervisor, "no_deadlines", team_id=team.id), ticket)

    def _tickets(self, *keys):
        return self.env["helpdesk.ticket"].union(*(self.t[key] for key in keys))

    # ------------------------------------------------------------ agent
    def test_agent_sees_their_own_day(self):
        data = self._data(self.agent)
        expected = {
            "open": self._tickets("due_soon", "breached", "awaiting", "reopened"),
            "due_soon": self._tickets("due_soon"),
            "breached": self._tickets("breached"),
            "awaiting": self._tickets("awaiting"),
            "reopened": self._tickets("reopened"),
            "followup_today": self._tickets("closed_today"),
        }
        for figure, tickets in expected.items():
            self.assertEqual(data["mine"][figure], len(tickets), figure)
            self.assertEqual(self._listed(self.agent, figure, mine=True), tickets, figure)
        self.assertEqual(data["mine"]["compensation"], 0, "the agent requested it")
        self.assertFalse(self._listed(self.agent, "compensation", mine=True))
        # The queue, next deadline first (the breached one, then the one due soon).
        self.assertEqual(
            [row["id"] for row in data["queue"]],
            self._tickets("breached", "due_soon", "reopened", "awaiting").ids,
        )
        self.assertFalse(data["is_supervisor"])
        self.assertEqual((data["teams"], data["agents"]), ([], []))

    def test_agent_cannot_open_team_figures(self):
        with self.assertRaises(UserError):
            self._listed(self.agent, "open", team_id=self.team.id)
        # Without a team the agent's scope is no team at all: nothing listed.
        self.assertFalse(self._listed(self.agent, "open", user_id=self.agent_2.id))
        with self.assertRaises(UserError):
            self._listed(self.agent, "no_such_figure", mine=True)

    def test_attacker_over_the_api(self):
        """Over RPC: an agent asking for a team's list, writing the next deadline; a
        helpdesk user of another desk calling the data method."""
        with self.assertRaises(UserError):
            call_kw(
                self.env["helpdesk.ticket"].with_user(self.agent),
                "action_open_after_sales_dashboard_figure",
                ["breached"],
                {"team_id": self.team.id},
            )
        with self.assertRaises(AccessError):
            self.t["due_soon"].with_user(self.agent).write({"next_sla_deadline": NOW})
        helpdesk_user = new_user(self.env, "as_dash_plain_helpdesk", "helpdesk_user")
        data = self._data(helpdesk_user)
        self.assertEqual(data["mine"]["open"], 0)
        self.assertEqual(data["mine"]["compensation"], 0, "no access to compensation")
        self.assertEqual((data["teams"], data["is_supervisor"]), ([], False))

    # ------------------------------------------------------------ supervisor
    def test_supervisor_sees_their_team_per_team_and_per_agent(self):
        data = self._data(self.supervisor)
        self.assertTrue(data["is_supervisor"])
        # Waiting for the supervisor: this request and any of the demo desk.
        reviews = self.env["tier.review"].search(
            [
                ("model", "=", "helpdesk.ticket.compensation"),
                ("status", "=", "pending"),
                ("reviewer_ids", "in", self.supervisor.ids),
            ]
        )
        waiting = self.env["helpdesk.ticket.compensation"].browse(reviews.mapped("res_id"))
        waiting = waiting.filtered(lambda c: c.state == "to_approve")
        self.assertIn(self.compensation, waiting)
        self.assertEqual(data["mine"]["compensation"], len(waiting))
        self.assertEqual(self._listed(self.supervisor, "compensation"), waiting)
        self.assertEqual([row["id"] for row in data["teams"]], self.team.ids)
        team = data["teams"][0]["figures"]
        expected = {
            "open": self._tickets(
                "due_soon", "breached", "awaiting", "reopened", "wu_breached", "unassigned"
            ),
            "due_soon": self._tickets("due_soon"),
            "breached": self._tickets("breached", "wu_breached"),
            "awaiting": self._tickets("awaiting"),
            "reopened": self._tickets("reopened"),
            "followup_today": self._tickets("closed_today"),
        }
        for figure, tickets in expected.items():
            self.assertEqual(team[figure], len(tickets), figure)
            self.assertEqual(
                self._listed(self.supervisor, figure, team_id=self.team.id), tickets, figure
            )
        # On time: met / decided. Today: met closed_today; breached, wu_breached
        # passed their deadline. The week adds monday_closed.
        self.assertEqual(team["on_time_today"], {"good": 1, "total": 3, "rate": 33})
        self.assertEqual(team["on_time_week"], {"good": 2, "total": 4, "rate": 50})
        self.assertEqual(
            self._listed(self.supervisor, "on_time", period="week", team_id=self.team.id),
            self._tickets("closed_today", "breached", "wu_breached", "monday_closed"),
        )
        self.assertEqual(team["satisfaction_today"], {"good": 1, "total": 1, "rate": 100})
        self.assertEqual(team["satisfaction_week"], {"good": 1, "total": 2, "rate": 50})
        self.assertEqual(
            self._listed(self.supervisor, "satisfaction", period="week", team_id=self.team.id),
            self._tickets("closed_today", "monday_closed"),
        )

        agents = {row["id"]: row["figures"] for row in data["agents"]}
        self.assertEqual(set(agents), {self.agent.id, self.agent_2.id, False})
        self.assertEqual(agents[self.agent.id]["open"], 4)
        self.assertEqual(agents[self.agent.id]["on_time_today"]["rate"], 50)
        self.assertEqual(agents[self.agent_2.id]["breached"], 1)
        self.assertEqual(agents[self.agent_2.id]["on_time_today"], {"good": 0, "total": 1, "rate": 0})
        self.assertEqual(agents[False]["open"], 1)
        self.assertEqual(agents[False]["on_time_week"]["rate"], None)
        self.assertEqual(
            self._listed(self.supervisor, "breached", user_id=self.agent_2.id),
            self._tickets("wu_breached"),
        )
        self.assertEqual(
            self._listed(self.supervisor, "open", user_id=False), self._tickets("unassigned")
        )
        # Another supervisor's team is not theirs.
        with self.assertRaises(UserError):
            self._listed(self.supervisor, "open", team_id=self.team_b.id)

    def test_manager_sees_every_after_sales_team(self):
        data = self._data(self.manager)
        teams = {row["id"]: row["figures"] for row in data["teams"]}
        self.assertIn(self.team.id, teams)
        self.assertEqual(teams[self.team_b.id]["due_soon"], 1)
        self.assertEqual(
            self._listed(self.manager, "due_soon", team_id=self.team_b.id),
            self._tickets("other_team"),
        )

    def test_one_grouped_query_per_figure(self):
        self.env.invalidate_all()
        with freeze_time(NOW), self.assertQueryCount(50):
            self.env["helpdesk.ticket"].with_user(
                self.supervisor
            ).get_after_sales_dashboard_data()
        # More tickets, same queries: nothing is counted record by record.
        with freeze_time(NOW):
            for index in range(5):
                self._new_ticket(self.agent_2, f"More {index}", resolution=NOW)
        self.env.invalidate_all()
        with freeze_time(NOW), self.assertQueryCount(50):
            self.env["helpdesk.ticket"].with_user(
                self.supervisor
            ).get_after_sales_dashboard_data()


@tagged("post_install", "-at_install")
class TestMyTeamsFilter(AfterSalesCase):
    def test_my_teams_filter_for_after_sales_users_only(self):
        action = self.env.ref("helpdesk_mgmt.helpdesk_ticket_action")
        self.assertIn("search_default_my_teams", action.context)
        Ticket = self.env["helpdesk.ticket"]
        arch = Ticket.with_user(self.agent).get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('name="my_teams"', arch)
        helpdesk_user = new_user(self.env, "as_dash_helpdesk_user", "helpdesk_user")
        arch = Ticket.with_user(helpdesk_user).get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertNotIn('name="my_teams"', arch)
        # The landing page: the after-sales desk comes first for after-sales users.
        menu = self.env.ref("helpdesk_mgmt.helpdesk_ticket_main_menu")
        for user, xmlid in (
            (self.agent, "helpdesk_after_sales.helpdesk_after_sales_dashboard_action"),
            (helpdesk_user, "helpdesk_mgmt.helpdesk_ticket_dashboard_action"),
        ):
            menus = self.env["ir.ui.menu"].with_user(user).load_web_menus(False)
            self.assertEqual(menus[menu.id]["actionID"], self.env.ref(xmlid).id, user.login)


@tagged("post_install", "-at_install", "after_sales_tour")
class TestAfterSalesDashboardTour(AfterSalesFixtures, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_desk("dash_tour", "After-sales (dashboard tour)", use_sla=True)
        cls.customer = cls.env["res.partner"].create({"name": "Tour Customer Sun"})

    def _ticket(self, name, resolution):
        ticket = self._create_ticket(name=name, user_id=self.agent.id)
        ticket.with_user(self.agent).stage_id = self.stage_in_progress
        lines = ticket.ticket_sla_ids.filtered(lambda sla: sla.sla_kind == "resolution")
        self.assertTrue(lines)
        lines.sudo().filtered(lambda line: line.state != "in_progress").state = "in_progress"
        self.env.flush_all()
        lines.sudo().write({"deadline": resolution})
        self.env.flush_all()
        ticket.invalidate_recordset()
        self.assertEqual(ticket.resolution_deadline, resolution)
        return ticket

    def test_agent_lands_on_the_dashboard_and_opens_a_figure(self):
        now = fields.Datetime.now()
        breached = self._ticket("Dashboard tour: breached", now - timedelta(hours=1))
        self._ticket("Dashboard tour: on time", now + timedelta(days=1))
        figure = self.env["helpdesk.ticket"].with_user(self.agent).get_after_sales_dashboard_data()
        self.assertEqual(figure["mine"]["breached"], 1)
        self.start_tour("/odoo", "helpdesk_after_sales_dashboard_tour", login=self.agent.login)
        self.assertTrue(breached.exists())
