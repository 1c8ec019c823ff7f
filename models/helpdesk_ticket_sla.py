# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools.sql import create_index


class HelpdeskTicketSla(models.Model):
    """Count each deadline on the rule's own calendar (falling back to the team's)
    and add the extensions supervisors grant."""

    _name = "helpdesk.ticket.sla"
    _inherit = ["helpdesk.ticket.sla", "helpdesk.after.sales.server.owned.mixin"]

    # Every stored figure of a deadline is the desk's: the rule assigns it, the
    # stage changes consume it, a supervisor's extension moves it.
    _server_owned_fields = (
        "ticket_id",
        "sla_id",
        "sla_kind",
        "expected_stage_id",
        "state",
        "deadline",
        "warning_date",
        "hours",
        "consumed_time",
        "last_state_date",
        "extension_hours",
    )

    # Every computed figure of a new line is computed before its INSERT
    # (precompute): no UPDATE of each new line when the ticket is recorded.
    sla_kind = fields.Selection(related="sla_id.sla_kind", store=True, precompute=True)
    hours = fields.Float(compute="_compute_sla_data", store=True, precompute=True)
    expected_stage_id = fields.Many2one(compute="_compute_sla_data", store=True, precompute=True)
    last_state_date = fields.Datetime(compute="_compute_sla_data", store=True, precompute=True)
    state = fields.Selection(compute="_compute_sla_data", store=True, precompute=True)
    deadline = fields.Datetime(compute="_compute_deadline", store=True, precompute=True)
    warning_date = fields.Datetime(
        compute="_compute_deadline",
        store=True,
        precompute=True,
        help="When the share of the allowed working time set by the company is used.",
    )
    extension_hours = fields.Float(
        readonly=True, help="Working hours added by agreed extensions."
    )
    # issue 20: helpdesk_mgmt_sla does not index the lines' ticket: reading a
    # ticket's deadlines (ticket_sla_ids) scanned the lines of every ticket.
    ticket_id = fields.Many2one(index=True)

    def init(self):
        res = super().init()
        # issue 20: the overdue-alert cron expires the running lines whose deadline
        # passed at every run (_expire_overdue_sla_lines); the lines in progress are
        # those of the open tickets, a small share once the desk has years of history.
        create_index(
            self.env.cr,
            "helpdesk_ticket_sla_in_progress_deadline_idx",
            self._table,
            ["deadline"],
            where="state = 'in_progress'",
        )
        return res

    def _get_calendar(self):
        self.ensure_one()
        return self.sla_id.calendar_id or self.ticket_id.team_id.resource_calendar_id

    def _compute_sla_data(self):
        # Upstream reads the stages and calendars line by line, and each through
        # another prefetch set: one query per kind of record for the whole batch.
        # (Reading a field of a recordset fetches all its records' columns at once.)
        stages = self.sla_id.stage_id | self.sla_id.ignore_stage_ids | self.ticket_id.stage_id
        stages.mapped("sequence")
        calendars = self.sla_id.calendar_id | self.ticket_id.team_id.resource_calendar_id
        calendars.mapped("hours_per_day")
        res = super()._compute_sla_data()
        for line in self:
            calendar = line._get_calendar()
            line.hours = line.sla_id.hours + calendar.hours_per_day * line.sla_id.days
            # The clock starts when the desk took the problem (a phone call may be
            # recorded later), not when the record was created.
            if line.last_state_date and line.ticket_id.intake_date:
                line.last_state_date = line.ticket_id.intake_date
            if line.sla_id.sla_kind == "plan" and line.ticket_id.plan_recorded_date:
                line.state = "accomplished"
        return res

    @api.depends(
        "hours",
        "extension_hours",
        "consumed_time",
        "ticket_id",
        "last_state_date",
        "state",
        "ticket_id.company_id.after_sales_warning_ratio",
    )
    def _compute_deadline(self):
        # Planned per calendar in one pass: see resource.calendar._plan_hours_batch.
        requests = defaultdict(list)
        for line in self:
            if line.state in ("accomplished", "expired") and line.deadline:
                # A met or missed deadline stays as it was, for the record.
                continue
            start = line.last_state_date or line.ticket_id.intake_date
            calendar = line._get_calendar()
            if not start or not calendar:
                line.deadline = line.warning_date = False
                continue
            left = line.hours + line.extension_hours - line.consumed_time
            ratio = line.ticket_id.company_id.after_sales_warning_ratio or 0.8
            # Both counted in working time, so nobody is warned at 4 a.m.
            requests[calendar] += [
                (line, "deadline", start, left),
                (line, "warning_date", start, left * ratio),
            ]
        for calendar, planned in requests.items():
            moments = calendar._plan_hours_batch(
                [(start, hours) for _line, _field, start, hours in planned]
            )
            for (line, field_name, _start, _hours), moment in zip(
                planned, moments, strict=True
            ):
                line[field_name] = self._round_to_second(moment)

    @staticmethod
    def _round_to_second(value):
        # Interval ends are 23:59:59.999999.
        return value and (value + timedelta(microseconds=500000)).replace(microsecond=0)

    def _stage_recompute(self):
        """helpdesk_mgmt_sla's transitions, with two differences that make this a
        copy rather than an extension (upstream computes both inline, with no hook):
        the time consumed is counted on the line's own calendar (the rule's, else
        the team's), and a target stage reached after the deadline is missed
        (expired), not left running. Compare with upstream when upgrading
        helpdesk_mgmt_sla. Runs on a ticket's stage change, as superuser: the line's
        figures are the desk's own (see _server_owned_fields)."""
        self.ensure_one()
        if not self.env.su:
            self.sudo()._stage_recompute()
            return
        now = fields.Datetime.now()
        if self.state == "expired":
            return
        deadline = self.deadline
        stage = self.ticket_id.stage_id
        if self.state == "in_progress" and self.last_state_date:
            self.consumed_time += self._get_calendar().get_work_hours_count(
                self.last_state_date, now, compute_leaves=True
            )
        reached = stage.sequence >= self.expected_stage_id.sequence
        if self.sla_kind == "plan" and self.ticket_id.plan_recorded_date:
            # The plan deadline is met when the handler records the plan.
            reached = True
        if self.state == "accomplished" and not reached:
            self.state = "in_progress"
        elif self.state in ("in_progress", "on_hold") and reached:
            self.state = "accomplished" if not deadline or deadline >= now else "expired"
        elif self.state == "in_progress" and deadline and deadline <= now:
            self.state = "expired"
        if self.state in ("in_progress", "on_hold"):
            paused = stage in self.sla_id.ignore_stage_ids
            self.state = "on_hold" if paused else "in_progress"
        self.last_state_date = now

    def _grant_extension(self, hours):
        """Move the deadline ``hours`` working hours later; a missed deadline that
        the extension covers runs again."""
        for line in self:
            if line.state == "accomplished":
                continue
            if line.state == "expired":
                line.state = "in_progress"
            line.extension_hours += hours
