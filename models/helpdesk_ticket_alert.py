# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import threading
from collections import defaultdict
from typing import NamedTuple

from odoo import Command, api, fields, models
from odoo.modules import module as odoo_module
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, retrying
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class DeadlineSpec(NamedTuple):
    """A ticket deadline the alert engine watches: its alert kind and label, the
    helpdesk_ticket columns of the deadline and of its warning point, the column
    of its status (None: the deadline is set only while it applies), and whether
    the customer waits on it (its warning asks for the delay notice)."""

    kind: str
    label: str
    deadline: str
    warning: str
    state: str | None
    customer: bool

    def due_point(self, alias=""):
        """SQL of the moment the deadline calls for an alert: its warning point (else
        the deadline itself) while an open alert can be due (an active after-sales
        ticket whose deadline is set and, with a status, running or breached), NULL
        otherwise. The cron compares it with now and the ticket's init() indexes the
        very same expression (issue 20, see there): keep both from this one place."""
        prefix = f"{alias}." if alias else ""
        conditions = [
            f"{prefix}active",
            f"{prefix}is_after_sales",
            f"{prefix}{self.deadline} IS NOT NULL",
        ]
        if self.state:
            conditions.append(f"{prefix}{self.state} IN ('running', 'breached')")
        return (
            f"(CASE WHEN {' AND '.join(conditions)} "
            f"THEN COALESCE({prefix}{self.warning}, {prefix}{self.deadline}) END)"
        )


# The deadlines alerted on: one line per kind. To alert on another deadline, store
# its deadline and warning columns on helpdesk.ticket and add its line here: the
# selection, the stale-alert cleanup, the cron's one query and the partial index of
# its warning column (the ticket's init()) follow.
DEADLINE_SPECS = [
    DeadlineSpec(
        "response", "Response", "response_deadline", "response_warning_date",
        "response_sla_state", False,
    ),
    DeadlineSpec(
        "resolution", "Resolution", "resolution_deadline", "resolution_warning_date",
        "resolution_sla_state", True,
    ),
    DeadlineSpec(
        "update", "Customer update", "next_update_deadline", "next_update_warning_date",
        None, True,
    ),
    # issue 16: the urgent ticket's plan and closing after the customer's confirmation
    DeadlineSpec("plan", "Plan", "plan_deadline", "plan_warning_date", "plan_sla_state", True),
    DeadlineSpec("closing", "Closing", "closing_deadline", "closing_warning_date", None, True),
    # 三包 (issue 16): the refund due after the returned goods are received; cleared on
    # the ticket once refunded.
    DeadlineSpec("refund", "Refund", "refund_deadline", "refund_warning_date", None, True),
]
DEADLINE_SPEC_BY_KIND = {spec.kind: spec for spec in DEADLINE_SPECS}
ALERT_KINDS = [(spec.kind, spec.label) for spec in DEADLINE_SPECS]
ALERT_LEVELS = [("warning", "Warning"), ("breached", "Breached"), ("escalated", "Escalated")]


class HelpdeskTicketAlert(models.Model):
    """One alert raised for a ticket's deadline. The unique key makes each level
    happen once, even when two cron workers run at the same moment: only the one
    whose insert succeeds acts on it."""

    _name = "helpdesk.ticket.alert"
    _description = "After-sales deadline alert"
    _order = "create_date desc, id desc"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    kind = fields.Selection(ALERT_KINDS, required=True)
    level = fields.Selection(ALERT_LEVELS, required=True)
    deadline = fields.Datetime(
        required=True, help="The deadline alerted on: when it moves, the alert no longer applies."
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "ticket_kind_level_uniq",
            "unique(ticket_id, kind, level)",
            "This alert was already raised for this ticket.",
        )
    ]

    # ------------------------------------------------------------ the alert engine
    @api.model
    def _cron_overdue_alerts(self, batch_size=300):
        """Warn before, and escalate after, response, resolution and customer-update
        deadlines. Each alert level is raised once per deadline (see
        helpdesk.ticket.alert). Outside tests the housekeeping and each batch are
        committed on their own, so a crash loses at most the current batch, and a
        batch that collides with another run of the job is retried."""
        now = fields.Datetime.now()

        def housekeeping():
            self._expire_overdue_sla_lines(now)
            self._clear_stale_alerts()

        self._commit_retrying(housekeeping)
        candidates = self._select_alert_candidates(now)
        for start in range(0, len(candidates), batch_size):
            batch = candidates[start : start + batch_size]
            done = start + len(batch)

            def raise_batch(batch=batch, done=done):
                self._raise_alerts(batch)
                self.env["ir.cron"]._notify_progress(done=done, remaining=len(candidates) - done)

            self._commit_retrying(raise_batch)

    @api.model
    def _commit_retrying(self, step):
        """Run ``step`` and commit it, through Odoo's own retry loop for HTTP requests:
        on a serialization failure it rolls back, waits and runs it again. The alert
        job and the acknowledgement job commit their batches through it. Two runs of
        the job at once (two cron workers, or a manual run beside the scheduled one on
        another scheduled action) collide on the alerts they both claim; the one that
        waited sees the other's alerts on its retry and claims none of them. On 19.0
        a scheduled action's job has no other retry: its failure would only be logged.
        Tests share one transaction, which cannot commit: ``step`` just runs. (Odoo
        18's test runner marks its thread ``testing``, 19.0's only sets
        ``current_test``, which HTTP threads of browser tests see as well.)"""
        if getattr(threading.current_thread(), "testing", False) or odoo_module.current_test:
            return step()
        return retrying(step, self.env)

    @api.model
    def _expire_overdue_sla_lines(self, now):
        """A running deadline that passed while the ticket sat idle is breached."""
        Sla = self.env["helpdesk.ticket.sla"]
        # issue 20: the lines past their deadline first (the running lines' index:
        # a few since the last run), then only those of after-sales tickets. In one
        # query the planner, misjudging how many lines are due, read every ticket to
        # join them (0.36 s at 1,000,000 tickets, BENCHMARKS.md).
        lines = Sla.search([("state", "=", "in_progress"), ("deadline", "<", now)])
        if lines:
            lines = Sla.search([("id", "in", lines.ids), ("ticket_id.is_after_sales", "=", True)])
        if lines:
            lines.sudo().write({"state": "expired"})

    @api.model
    def _clear_stale_alerts(self):
        """Alerts whose deadline was met or moved no longer apply."""
        self.flush_model()
        self.env["helpdesk.ticket"].flush_model(
            [spec.deadline for spec in DEADLINE_SPECS]
            + [spec.state for spec in DEADLINE_SPECS if spec.state]
        )
        whens = []
        for spec in DEADLINE_SPECS:
            moved = SQL(
                "%s IS DISTINCT FROM a.deadline", SQL.identifier("t", spec.deadline)
            )
            if spec.state:
                state = SQL.identifier("t", spec.state)
                stale = SQL(
                    "(%s IS DISTINCT FROM 'running' AND %s IS DISTINCT FROM 'breached') OR %s",
                    state,
                    state,
                    moved,
                )
            else:
                stale = moved
            whens.append(SQL("WHEN %s THEN %s", spec.kind, stale))
        # issue 20: each alert reads its ticket by primary key (a subquery per alert):
        # the alerts are few, the tickets many. As a join the planner hashed the
        # alerts and read every ticket (0.8 s at 1,000,000 tickets, 0.2 s so).
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM helpdesk_ticket_alert a
                      WHERE (SELECT CASE a.kind %s ELSE FALSE END
                               FROM helpdesk_ticket t
                              WHERE t.id = a.ticket_id)
                """,
                SQL(" ").join(whens),
            )
        )
        self.invalidate_model()

    @api.model
    def _select_alert_candidates(self, now):
        """(ticket id, kind, deadline, level) for every open deadline past its warning
        point whose level has not been raised yet: one indexed query."""
        self.env["helpdesk.ticket"].flush_model()
        self.flush_model()
        return self.env.execute_query(self._alert_candidates_query(now))

    @api.model
    def _alert_candidates_query(self, now):
        # issue 20: one part per deadline, selected by its due point (the expression
        # of its index, whose statistics tell the planner how few are due: with a
        # partial index it guessed a third of the open tickets, planned bitmap scans
        # of every open ticket and compiled the query with JIT, 1.3 to 2.4 s idle at
        # 1,000,000 tickets; BENCHMARKS.md).
        parts = []
        for spec in DEADLINE_SPECS:
            parts.append(
                SQL(
                    """
                    SELECT t.id, %(kind)s AS kind, %(deadline)s AS deadline,
                           CASE WHEN %(deadline)s > %(now)s THEN 'warning'
                                WHEN t.service_priority = 'p1'
                                  OR %(deadline)s + make_interval(
                                        secs => COALESCE(c.after_sales_escalation_hours, 4) * 3600
                                     ) <= %(now)s
                                THEN 'escalated'
                                ELSE 'breached' END AS level
                      FROM helpdesk_ticket t
                      JOIN helpdesk_ticket_stage s ON s.id = t.stage_id AND NOT s.closed
                 LEFT JOIN res_company c ON c.id = t.company_id
                     WHERE %(due_point)s <= %(now)s
                    """,
                    kind=spec.kind,
                    deadline=SQL.identifier("t", spec.deadline),
                    due_point=SQL(spec.due_point("t")),
                    now=now,
                )
            )
        return SQL(
            """
            SELECT cand.id, cand.kind, cand.deadline, cand.level
              FROM (%s) cand
             WHERE NOT EXISTS (
                   SELECT 1 FROM helpdesk_ticket_alert a
                    WHERE a.ticket_id = cand.id AND a.kind = cand.kind
                      AND a.level = cand.level)
             ORDER BY cand.id
            """,
            SQL(" UNION ALL ").join(parts),
        )

    @api.model
    def _raise_alerts(self, candidates):
        """Raise a batch's alerts; a ticket whose alerts fail is logged and left for
        the next run (its claims are rolled back), the rest of the batch is alerted."""
        try:
            with self.env.cr.savepoint():
                self._claim_and_act_on_alerts(candidates)
            return
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise  # another run of the job: _commit_retrying runs the batch again
        except Exception:  # pylint: disable=broad-except
            self.env.invalidate_all()
        by_ticket = defaultdict(list)
        for candidate in candidates:
            by_ticket[candidate[0]].append(candidate)
        for ticket_id, ticket_candidates in by_ticket.items():
            try:
                with self.env.cr.savepoint():
                    self._claim_and_act_on_alerts(ticket_candidates)
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception:  # pylint: disable=broad-except
                self.env.invalidate_all()
                _logger.exception(
                    "Overdue alerts of ticket %s failed; they are retried at the next run.",
                    ticket_id,
                )

    @api.model
    def _claim_and_act_on_alerts(self, candidates):
        """Claim the alerts with one insert; act only on what this worker inserted
        (another worker inserting the same alert makes ours a no-op)."""
        rows = []
        for ticket_id, kind, deadline, level in candidates:
            levels = ("breached", "escalated") if level == "escalated" else (level,)
            rows += [(ticket_id, kind, lvl, deadline) for lvl in levels]
        if not rows:
            return
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO helpdesk_ticket_alert
                       (ticket_id, kind, level, deadline, company_id,
                        create_uid, create_date, write_uid, write_date)
                SELECT v.ticket_id, v.kind, v.level, v.deadline, t.company_id,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM (VALUES %(values)s) AS v(ticket_id, kind, level, deadline)
                  JOIN helpdesk_ticket t ON t.id = v.ticket_id
                ON CONFLICT (ticket_id, kind, level) DO NOTHING
                RETURNING ticket_id, kind, level
                """,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                values=SQL(", ").join(
                    SQL("(%s::int, %s::varchar, %s::varchar, %s::timestamp)", *row) for row in rows
                ),
            )
        )
        claimed = self.env.cr.fetchall()
        if claimed:
            self._act_on_alerts(claimed)

    @api.model
    def _act_on_alerts(self, claimed):
        tickets = self.env["helpdesk.ticket"].browse(
            {ticket_id for ticket_id, _kind, _level in claimed}
        )
        tickets.fetch(["user_id", "team_id", "service_priority", "number", "name", "company_id"])
        kind_labels = dict(self._fields["kind"]._description_selection(self.env))
        todo = self.env.ref("mail.mail_activity_data_todo")
        delay_notice = self.env.ref("helpdesk_after_sales.mail_activity_type_delay_notice")
        model_id = self.env["ir.model"]._get_id("helpdesk.ticket")
        today = fields.Date.context_today(self)
        managers = self.env.ref("helpdesk_after_sales.group_after_sales_manager").users.filtered(
            lambda u: not u.share
        )
        activities, notes, escalated = [], {}, {}
        for ticket_id, kind, level in claimed:
            ticket = tickets.browse(ticket_id)
            label = kind_labels[kind]
            activity_type = todo
            if level == "warning":
                users = ticket.user_id or ticket.team_id.user_id
                summary = self.env._("%(kind)s deadline approaching", kind=label)
                if DEADLINE_SPEC_BY_KIND[kind].customer:
                    # The customer waits on it: a "Delay notice" activity, whose
                    # template sends the delay notice in one click.
                    activity_type = delay_notice
            elif level == "breached":
                users = ticket._get_supervisors()
                summary = self.env._("%(kind)s deadline missed", kind=label)
                notes.setdefault(ticket_id, []).append(
                    self.env._("%(kind)s deadline missed: supervisor informed.", kind=label)
                )
            else:
                users = managers.filtered(lambda u, t=ticket: t.company_id in u.company_ids)
                for user in users:
                    escalated.setdefault(user, []).append((ticket, label))
                summary = self.env._("Escalated: %(kind)s deadline missed", kind=label)
                notes.setdefault(ticket_id, []).append(
                    self.env._("%(kind)s deadline missed: escalated to the managers.", kind=label)
                )
            activities += [
                {
                    "res_model_id": model_id,
                    "res_id": ticket_id,
                    "activity_type_id": activity_type.id,
                    # Raised by the desk: done automatically when it is answered
                    # (activity_feedback), e.g. by the delay notice.
                    "automated": True,
                    "summary": summary,
                    "user_id": user.id,
                    "date_deadline": today,
                }
                for user in users
            ]
        if activities:
            self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
                activities
            )
        if notes:
            tickets.browse(list(notes))._message_log_batch(
                {ticket_id: "<br/>".join(lines) for ticket_id, lines in notes.items()}
            )
        if escalated:
            self._mail_escalations(escalated)

    @api.model
    def _mail_escalations(self, escalated):
        """One mail per manager for the batch's escalations ({user: [(ticket, deadline
        label)]}): the activities alone would only show in Odoo."""
        template = self.env.ref("helpdesk_after_sales.mail_template_alert_escalation")
        for user, items in escalated.items():
            if user.email:
                template.with_context(after_sales_escalations=items).send_mail(
                    user.id, email_values={"recipient_ids": [Command.set(user.partner_id.ids)]}
                )

    @api.model
    def _cron_after_sales_digest(self):
        """Each supervisor's morning mail: the team's breached and at-risk tickets."""
        alerts = self.search(
            [("ticket_id.stage_id.closed", "=", False), ("level", "in", ("warning", "breached"))]
        )
        template = self.env.ref("helpdesk_after_sales.mail_template_alert_digest")
        for team, tickets in alerts.ticket_id.grouped("team_id").items():
            supervisors = tickets[:1]._get_supervisors().filtered("email")
            if not supervisors:
                continue
            breached = tickets.filtered(
                lambda t: "breached" in (t.response_sla_state, t.resolution_sla_state)
            )
            template.with_context(
                after_sales_breached=breached, after_sales_at_risk=tickets - breached
            ).send_mail(
                team.id,
                email_values={"recipient_ids": [Command.set(supervisors.partner_id.ids)]},
            )
