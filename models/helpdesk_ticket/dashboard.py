# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.sql import create_index

# The deadlines the desk runs against, as (deadline field, state field): a running
# deadline is the ticket's next one until it is met or breached.
DASHBOARD_DEADLINES = (
    ("response_deadline", "response_sla_state"),
    ("resolution_deadline", "resolution_sla_state"),
    ("plan_deadline", "plan_sla_state"),
)
# The figures of the dashboard counted on tickets, in display order.
TICKET_FIGURES = (
    "open",
    "due_soon",
    "breached",
    "awaiting",
    "reopened",
    "followup_today",
    "no_deadlines",
)
# Figures over a period: (figure, period).
RATE_FIGURES = ("on_time", "satisfaction")
PERIODS = ("today", "week")
# How many tickets of my queue the dashboard lists.
QUEUE_LIMIT = 10
SUPERVISOR_GROUP = "helpdesk_after_sales.group_after_sales_supervisor"
MANAGER_GROUP = "helpdesk_after_sales.group_after_sales_manager"
COMPENSATION = "helpdesk.ticket.compensation"


class HelpdeskTicket(models.Model):
    """The after-sales dashboard (售后工作台): the desk's day at a glance, the landing
    page of the Helpdesk app for after-sales users.

    How it becomes the landing page: Odoo opens an app on the action of its first
    visible sub-menu (``ir.ui.menu.load_web_menus``). helpdesk_mgmt's first one is its
    team dashboard (sequence 1); this addon adds the menu *After-Sales Desk* with
    sequence 0 visible to the after-sales groups only (``groups`` on the menu). After-
    sales users land on this dashboard; everyone else keeps helpdesk_mgmt's page, with
    no code on the way and nothing to undo on uninstall.

    The page is a client action (``helpdesk_after_sales.dashboard``) that calls
    :meth:`get_after_sales_dashboard_data` once; each figure is a click to
    :meth:`action_open_after_sales_dashboard_figure`. Both take the figure's domain
    from :meth:`_get_after_sales_dashboard_domain`, the one place that defines what
    a figure counts, so the count and the list behind it cannot differ. Everything is
    read as the user (record rules apply) with one grouped query per figure; only the
    compensation reviews are read as superuser, restricted to the user's own."""

    _inherit = "helpdesk.ticket"

    _server_owned_fields = ("next_sla_deadline",)

    next_sla_deadline = fields.Datetime(
        string="Next deadline",
        compute="_compute_next_sla_deadline",
        store=True,
        index=True,
        help="The earliest of the ticket's running response and resolution deadlines.",
    )

    def init(self):
        res = super().init()
        # The on-time and satisfaction figures count the tickets closed (rated) today
        # or this week: a range of closed_date (satisfaction_date) among all the
        # desk's tickets, most of them closed long ago. Without these indexes each of
        # those four figures reads the whole table (1,000,000 tickets: see
        # BENCHMARKS.md); the auto-archive cron selects by closed_date too.
        create_index(
            self.env.cr,
            "helpdesk_ticket_closed_date_idx",
            self._table,
            ["closed_date"],
            where="closed_date IS NOT NULL",
        )
        create_index(
            self.env.cr,
            "helpdesk_ticket_satisfaction_date_idx",
            self._table,
            ["satisfaction_date"],
            where="satisfaction_date IS NOT NULL",
        )
        return res

    @api.depends(*(name for pair in DASHBOARD_DEADLINES for name in pair))
    def _compute_next_sla_deadline(self):
        for ticket in self:
            running = [
                ticket[deadline]
                for deadline, state in DASHBOARD_DEADLINES
                if ticket[state] == "running" and ticket[deadline]
            ]
            ticket.next_sla_deadline = min(running) if running else False

    # ------------------------------------------------------------ domains
    @api.model
    def _get_after_sales_dashboard_now(self):
        """(now in UTC, the user's today, start of today and of the week in UTC)."""
        now = fields.Datetime.now()
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local_now = pytz.utc.localize(now).astimezone(tz)
        today = local_now.date()

        def utc_midnight(day):
            local = tz.localize(datetime.combine(day, time.min))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        return {
            "now": now,
            "today": today,
            "today_start": utc_midnight(today),
            "week_start": utc_midnight(today - timedelta(days=today.weekday())),
        }

    @api.model
    def _get_after_sales_awaiting_stages(self):
        """The stages where the ticket waits for the customer: helpdesk_mgmt's
        *Awaiting* stage, on which the seeded SLA rules pause."""
        stage = self.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_awaiting", raise_if_not_found=False
        )
        return stage or self.env["helpdesk.ticket.stage"]

    @api.model
    def _get_after_sales_dashboard_teams(self):
        """The teams whose figures the user sees per team and per agent: every
        after-sales team for managers, the teams they lead or belong to for
        supervisors, none for agents."""
        user = self.env.user
        Team = self.env["helpdesk.ticket.team"]
        if not user.has_group(SUPERVISOR_GROUP):
            return Team
        domain = [("is_after_sales", "=", True)]
        if not user.has_group(MANAGER_GROUP):
            domain += ["|", ("user_id", "=", user.id), ("user_ids", "in", user.ids)]
        return Team.search(domain)

    @api.model
    def _get_after_sales_dashboard_domain(self, figure, period=None, times=None):
        """(model, domain) of ``figure``, for every scope: the callers add the
        user, team or agent. ``period`` (today, week) for the rates; ``times`` from
        :meth:`_get_after_sales_dashboard_now`."""
        times = times or self._get_after_sales_dashboard_now()
        now = times["now"]
        after_sales = [("is_after_sales", "=", True)]
        open_tickets = after_sales + [("stage_id.closed", "=", False)]
        if figure == "compensation":
            return COMPENSATION, [
                ("state", "=", "to_approve"),
                ("id", "in", self._get_after_sales_reviews_pending_for_me()),
            ]
        if figure == "open":
            return self._name, open_tickets
        if figure == "due_soon":
            soon = now + timedelta(hours=1)
            return self._name, open_tickets + expression.OR(
                [
                    [(state, "=", "running"), (deadline, ">=", now), (deadline, "<=", soon)]
                    for deadline, state in DASHBOARD_DEADLINES
                ]
            )
        if figure == "breached":
            # A running deadline passed while the ticket sat idle is breached even
            # before the alert cron marks it.
            return self._name, open_tickets + expression.OR(
                [[(state, "=", "breached")] for _deadline, state in DASHBOARD_DEADLINES]
                + [
                    [(state, "=", "running"), (deadline, "<", now)]
                    for deadline, state in DASHBOARD_DEADLINES
                ]
            )
        if figure == "awaiting":
            return self._name, open_tickets + [
                ("stage_id", "in", self._get_after_sales_awaiting_stages().ids)
            ]
        if figure == "no_deadlines":
            # Tickets of an after-sales team that does not use SLA: no deadline, no
            # alert (see helpdesk.ticket.no_sla_deadlines).
            return self._name, open_tickets + [("no_sla_deadlines", "=", True)]
        if figure == "reopened":
            return self._name, open_tickets + [("reopen_count", ">", 0)]
        if figure == "followup_today":
            return self._name, after_sales + [
                ("followup_state", "=", "planned"),
                ("followup_date", "<=", times["today"]),
            ]
        if figure in RATE_FIGURES and period in PERIODS:
            start = times[f"{period}_start"]
            if figure == "on_time":
                # Decided in the period: met when closed in it, breached when the
                # deadline passed in it (running past it: the cron has not run yet).
                return self._name, after_sales + expression.OR(
                    [
                        [
                            ("resolution_sla_state", "=", "met"),
                            ("closed_date", ">=", start),
                            ("closed_date", "<=", now),
                        ],
                        [
                            ("resolution_sla_state", "in", ("breached", "running")),
                            ("resolution_deadline", ">=", start),
                            ("resolution_deadline", "<", now),
                        ],
                    ]
                )
            return self._name, after_sales + [
                ("satisfaction", "!=", False),
                ("satisfaction_date", ">=", start),
                ("satisfaction_date", "<=", now),
            ]
        raise UserError(
            self.env._("The after-sales dashboard has no figure %(figure)s.", figure=figure)
        )

    @api.model
    def _get_after_sales_reviews_pending_for_me(self):
        """Ids of the compensation requests with a review pending for the user.
        Every internal user may read every review (base_tier_validation); read as
        superuser and restricted to the user's own, in one grouped query."""
        groups = (
            self.env["tier.review"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", COMPENSATION),
                    ("status", "=", "pending"),
                    ("reviewer_ids", "in", self.env.user.ids),
                ],
                ["res_id"],
            )
        )
        return [res_id for (res_id,) in groups]

    # ------------------------------------------------------------ data
    @api.model
    @api.readonly
    def get_after_sales_dashboard_data(self):
        """Every figure of the after-sales dashboard for the current user: theirs
        (``mine``, ``queue``) and, for supervisors and managers, per team and per agent
        of their teams (``teams``, ``agents``).

        Read-only (``api.readonly``): called from the web client, it runs on the
        database replica when one is configured; it must never write."""
        times = self._get_after_sales_dashboard_now()
        mine_scope = [("user_id", "=", self.env.uid)]
        mine = {}
        for figure in TICKET_FIGURES:
            _model, domain = self._get_after_sales_dashboard_domain(figure, times=times)
            mine[figure] = self.search_count(domain + mine_scope)
        model, domain = self._get_after_sales_dashboard_domain("compensation", times=times)
        mine["compensation"] = (
            self.env[model].search_count(domain) if self.env[model].has_access("read") else 0
        )
        _model, domain = self._get_after_sales_dashboard_domain("open", times=times)
        queue = self.search_read(
            domain + mine_scope,
            [
                "number",
                "name",
                "partner_id",
                "team_id",
                "stage_id",
                "service_priority",
                "next_sla_deadline",
                "response_sla_state",
                "resolution_sla_state",
            ],
            order="next_sla_deadline asc, id asc",
            limit=QUEUE_LIMIT,
        )
        teams = self._get_after_sales_dashboard_teams()
        data = {
            "now": fields.Datetime.to_string(times["now"]),
            "mine": mine,
            "queue": queue,
            "is_supervisor": self.env.user.has_group(SUPERVISOR_GROUP),
            "teams": [],
            "agents": [],
        }
        if teams:
            data.update(self._get_after_sales_dashboard_team_rows(teams, times))
        return data

    @api.model
    def _get_after_sales_dashboard_team_rows(self, teams, times):
        """The figures per team and per agent of ``teams``: one grouped query per
        figure (grouped by team and handler), summed per team and per agent."""
        scope = [("team_id", "in", teams.ids)]
        by_team = defaultdict(lambda: defaultdict(int))
        by_agent = defaultdict(lambda: defaultdict(int))
        # Handlers by id; False: the tickets nobody handles yet.
        agents = {}

        def add(team, user, key, count):
            by_team[team.id][key] += count
            by_agent[user.id][key] += count
            agents.setdefault(user.id, user)

        for figure in TICKET_FIGURES:
            _model, domain = self._get_after_sales_dashboard_domain(figure, times=times)
            for team, user, count in self._read_group(
                domain + scope, ["team_id", "user_id"], ["__count"]
            ):
                add(team, user, figure, count)
        rates = (
            ("on_time", "resolution_sla_state", "met"),
            ("satisfaction", "satisfaction", "satisfied"),
        )
        for figure, field_name, good in rates:
            for period in PERIODS:
                _model, domain = self._get_after_sales_dashboard_domain(
                    figure, period=period, times=times
                )
                for team, user, value, count in self._read_group(
                    domain + scope, ["team_id", "user_id", field_name], ["__count"]
                ):
                    add(team, user, f"{figure}_{period}_total", count)
                    if value == good:
                        add(team, user, f"{figure}_{period}_good", count)

        def row(record_id, name, figures):
            values = {figure: figures.get(figure, 0) for figure in TICKET_FIGURES}
            for figure in RATE_FIGURES:
                for period in PERIODS:
                    total = figures.get(f"{figure}_{period}_total", 0)
                    good = figures.get(f"{figure}_{period}_good", 0)
                    values[f"{figure}_{period}"] = {
                        "good": good,
                        "total": total,
                        "rate": round(100.0 * good / total) if total else None,
                    }
            return {"id": record_id, "name": name, "figures": values}

        unassigned = self.env._("Unassigned")
        return {
            "teams": [row(team.id, team.display_name, by_team[team.id]) for team in teams],
            "agents": sorted(
                (
                    row(user_id, user.display_name if user_id else unassigned, figures)
                    for user_id, user in agents.items()
                    for figures in [by_agent[user_id]]
                ),
                key=lambda r: (not r["id"], r["name"]),
            ),
        }

    # ------------------------------------------------------------ clicks
    @api.model
    def action_open_after_sales_dashboard_figure(
        self, figure, period=None, team_id=None, user_id=None, mine=False
    ):
        """The list behind a figure: the same domain the figure counted, in the
        same scope (``mine``: the user's tickets; ``team_id``; ``user_id`` (False for
        the unassigned tickets) within the user's dashboard teams)."""
        model, domain = self._get_after_sales_dashboard_domain(figure, period=period)
        if model == self._name:
            if mine:
                domain = domain + [("user_id", "=", self.env.uid)]
            else:
                teams = self._get_after_sales_dashboard_teams()
                if team_id is not None:
                    if team_id not in teams.ids:
                        raise UserError(
                            self.env._(
                                "This team is not on your after-sales dashboard: only "
                                "supervisors see the figures of their teams."
                            )
                        )
                    domain = domain + [("team_id", "=", team_id)]
                else:
                    domain = domain + [("team_id", "in", teams.ids)]
                if user_id is not None:
                    domain = domain + [("user_id", "=", user_id or False)]
        names = self._get_after_sales_dashboard_figure_names()
        action = {
            "type": "ir.actions.act_window",
            "name": names.get(figure, figure),
            "res_model": model,
            "domain": domain,
            "views": [(False, "list"), (False, "form")],
            "context": {"create": False},
            "target": "current",
        }
        if model == self._name:
            view = self.env.ref(
                "helpdesk_after_sales.helpdesk_ticket_view_list_dashboard",
                raise_if_not_found=False,
            )
            action["views"] = [(view.id if view else False, "list"), (False, "form")]
            if figure == "on_time":
                action["context"] = {"create": False, "group_by": ["resolution_sla_state"]}
            elif figure == "satisfaction":
                action["context"] = {"create": False, "group_by": ["satisfaction"]}
        return action

    @api.model
    def _get_after_sales_dashboard_figure_names(self):
        return {
            "open": self.env._("Open tickets"),
            "due_soon": self.env._("Due within the hour"),
            "breached": self.env._("Deadline breached"),
            "awaiting": self.env._("Waiting for the customer"),
            "reopened": self.env._("Reopened"),
            "followup_today": self.env._("Follow-ups due today"),
            "compensation": self.env._("Compensation to approve"),
            "on_time": self.env._("Resolution deadlines decided"),
            "satisfaction": self.env._("Rated tickets"),
        }
