# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval
from odoo.tools.sql import create_index, index_exists


SLA_STATES = [("running", "Running"), ("met", "Met"), ("breached", "Breached")]
SLA_STATE_BY_LINE_STATE = {
    "in_progress": "running",
    "on_hold": "running",
    "accomplished": "met",
    "expired": "breached",
}


class HelpdeskTicket(models.Model):
    """Deadlines (响应与解决时限): response, resolution and customer-update deadlines from the SLA
    rules, on working calendars; the urgent ticket's plan (方案) deadline; supervisors'
    extensions, capped from receipt; the closing deadline after the customer's
    confirmation; the urgent ticket reaching a supervisor; the delay notice (延期告知)."""

    _inherit = "helpdesk.ticket"

    # Computed from the SLA lines or set by the supervisor's extension.
    _server_owned_fields = (
        "response_deadline",
        "response_sla_state",
        "response_warning_date",
        "resolution_deadline",
        "resolution_sla_state",
        "resolution_warning_date",
        "sla_extension_days",
        "sla_extension_reason",
        "last_customer_update",
        "next_update_deadline",
        "next_update_warning_date",
        # issue 16
        "plan_deadline",
        "plan_sla_state",
        "plan_warning_date",
        "plan_recorded_date",
        "closing_deadline",
        "closing_warning_date",
        "no_sla_deadlines",
        "delay_notice_date",
    )

    response_deadline = fields.Datetime(
        compute="_compute_sla_deadlines", store=True, index=True
    )
    response_sla_state = fields.Selection(
        SLA_STATES,
        string="Response status",
        compute="_compute_sla_deadlines",
        store=True,
        index=True,
    )
    resolution_deadline = fields.Datetime(
        compute="_compute_sla_deadlines", store=True, index=True
    )
    response_warning_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    resolution_warning_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    resolution_sla_state = fields.Selection(
        SLA_STATES,
        string="Resolution status",
        compute="_compute_sla_deadlines",
        store=True,
        index=True,
    )
    sla_extension_days = fields.Integer(
        string="Extension (working days)", readonly=True, copy=False, tracking=True
    )
    sla_extension_reason = fields.Text(
        string="Extension reason", readonly=True, copy=False
    )
    last_customer_update = fields.Datetime(
        string="Customer last updated on",
        readonly=True,
        copy=False,
        help="Last message sent to the customer from the desk.",
    )
    next_update_deadline = fields.Datetime(
        string="Next customer update due",
        compute="_compute_next_update_deadline",
        store=True,
        index=True,
    )
    next_update_warning_date = fields.Datetime(
        compute="_compute_next_update_deadline", store=True
    )

    # The urgent ticket's plan (方案): measures, who executes, expected time.
    handling_plan = fields.Text(
        string="Handling plan",
        copy=False,
        help="The plan (处理方案) announced to the customer: the measures, who carries "
        "them out and when they should be complete. Record it with the button "
        "\"Plan recorded\": an urgent ticket's plan is due within 2 hours.",
    )
    plan_recorded_date = fields.Datetime(
        string="Plan recorded on", readonly=True, copy=False, tracking=True
    )
    plan_deadline = fields.Datetime(
        compute="_compute_sla_deadlines", store=True, index=True
    )
    plan_warning_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    plan_sla_state = fields.Selection(
        SLA_STATES,
        string="Plan status",
        compute="_compute_sla_deadlines",
        store=True,
        index=True,
    )
    # Closed within N working days of the customer's confirmation (1 working day).
    closing_deadline = fields.Datetime(
        string="Close by",
        compute="_compute_closing_deadline",
        store=True,
        index=True,
        help="A ticket whose result the customer confirmed is closed within the "
        "company's closing time (seed: 1 working day).",
    )
    closing_warning_date = fields.Datetime(compute="_compute_closing_deadline", store=True)
    no_sla_deadlines = fields.Boolean(
        string="No deadlines",
        compute="_compute_no_sla_deadlines",
        store=True,
        index=True,
        help="An after-sales ticket of a team that does not use SLA rules: it gets no "
        "response nor resolution deadline, hence no alert.",
    )
    delay_notice_date = fields.Datetime(
        string="Delay notice sent on",
        readonly=True,
        copy=False,
        help="When the customer was last told that a deadline would slip (延期告知).",
    )

    @api.depends("is_after_sales", "team_id.use_sla")
    def _compute_no_sla_deadlines(self):
        for ticket in self:
            ticket.no_sla_deadlines = ticket.is_after_sales and not ticket.team_id.use_sla

    @api.depends(
        "ticket_sla_ids.sla_kind",
        "ticket_sla_ids.state",
        "ticket_sla_ids.deadline",
        "ticket_sla_ids.warning_date",
    )
    def _compute_sla_deadlines(self):
        now = fields.Datetime.now()
        empty = self.env["helpdesk.ticket.sla"]
        for ticket in self:
            # One pass over the lines per ticket (a batch of 1,000 tickets: no
            # recordset filtered and sorted three times per ticket).
            by_kind = {}
            for sla in ticket.ticket_sla_ids:
                by_kind.setdefault(sla.sla_kind, []).append(sla)
            for kind in ("response", "resolution", "plan"):
                lines = by_kind.get(kind)
                line = min(lines, key=lambda sla: sla.deadline or now) if lines else empty
                ticket[f"{kind}_deadline"] = line.deadline
                ticket[f"{kind}_warning_date"] = line.warning_date
                ticket[f"{kind}_sla_state"] = SLA_STATE_BY_LINE_STATE.get(line.state, False)

    @api.depends(
        "is_after_sales",
        "last_customer_update",
        "intake_date",
        "service_priority",
        "stage_id.closed",
        "company_id.after_sales_update_hours_p1",
        "company_id.after_sales_update_hours",
        "company_id.after_sales_warning_ratio",
    )
    def _compute_next_update_deadline(self):
        for ticket in self:
            start = ticket.last_customer_update or ticket.intake_date
            if ticket.stage_id.closed or not start or not ticket.is_after_sales:
                ticket.next_update_deadline = ticket.next_update_warning_date = False
                continue
            company = ticket.company_id or self.env.company
            hours = (
                company.after_sales_update_hours_p1
                if ticket.service_priority == "p1"
                else company.after_sales_update_hours
            )
            ratio = company.after_sales_warning_ratio or 0.8
            ticket.next_update_deadline = start + timedelta(hours=hours)
            ticket.next_update_warning_date = start + timedelta(hours=hours * ratio)

    @api.depends(
        "is_after_sales",
        "customer_confirmation_date",
        "stage_id.closed",
        "team_id.resource_calendar_id",
        "company_id.resource_calendar_id",
        "company_id.after_sales_closing_days",
        "company_id.after_sales_warning_ratio",
    )
    def _compute_closing_deadline(self):
        # Planned per calendar in one pass, like the SLA lines.
        requests = defaultdict(list)
        for ticket in self:
            start = ticket.customer_confirmation_date
            calendar = ticket._get_working_calendar()
            if ticket.stage_id.closed or not start or not ticket.is_after_sales or not calendar:
                ticket.closing_deadline = ticket.closing_warning_date = False
                continue
            company = ticket.company_id or self.env.company
            hours = (company.after_sales_closing_days or 1) * (calendar.hours_per_day or 8.0)
            ratio = company.after_sales_warning_ratio or 0.8
            requests[calendar] += [
                (ticket, "closing_deadline", start, hours),
                (ticket, "closing_warning_date", start, hours * ratio),
            ]
        round_to_second = self.env["helpdesk.ticket.sla"]._round_to_second
        for calendar, planned in requests.items():
            moments = calendar._plan_hours_batch(
                [(start, hours) for _ticket, _field, start, hours in planned]
            )
            for (ticket, field_name, _start, _hours), moment in zip(
                planned, moments, strict=True
            ):
                ticket[field_name] = round_to_second(moment)

    def _get_working_calendar(self):
        """The working calendar of the ticket's team, else of its company."""
        self.ensure_one()
        return (
            self.team_id.resource_calendar_id
            or (self.company_id or self.env.company).resource_calendar_id
        )

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._after_sales_only().filtered(
            lambda t: t.service_priority == "p1"
        )._notify_supervisors_p1()
        return tickets

    def write(self, vals):
        after_sales = self._after_sales_only()
        becoming_p1 = (
            after_sales.filtered(lambda t: t.service_priority != "p1")
            if vals.get("service_priority") == "p1"
            else self.browse()
        )
        result = super().write(vals)
        if {"service_priority", "category_id", "team_id", "tag_ids"} & set(vals):
            # Deadlines follow the classification; the SLA lines are the system's to
            # replace, agents may not delete them.
            for ticket in after_sales.sudo().filtered("team_id.use_sla"):
                ticket.refresh_sla()
        becoming_p1._notify_supervisors_p1()
        return result

    def init(self):
        res = super().init()
        # What the overdue-alert cron selects: open deadlines past their warning
        # point, a small share of all tickets once the desk has run for years. One
        # index per deadline the alert engine watches (its table of deadline specs),
        # on the very expression the cron compares with now: the due point,
        # DeadlineSpec.due_point(), the warning point (else the deadline) of an open
        # deadline and NULL for every other ticket. Not partial (issue 20): the
        # planner uses the statistics ANALYZE gathers on an index expression only for
        # a non-partial index. With the former partial indexes (WHERE open) it had
        # none, guessed a third of the open tickets due, read every open ticket by
        # bitmap scans and compiled the query with JIT: 1.3 to 2.4 s idle at
        # 1,000,000 tickets, 0.07 s now (BENCHMARKS.md). The NULLs of the closed
        # tickets cost little (deduplicated: 8 MB per index at 1,000,000 tickets).
        from ..helpdesk_ticket_alert import DEADLINE_SPECS

        cr = self.env.cr
        created = False
        for spec in DEADLINE_SPECS:
            name = f"helpdesk_ticket_{spec.warning}_due_idx"
            cr.execute(
                SQL("DROP INDEX IF EXISTS %s", SQL.identifier(f"helpdesk_ticket_{spec.warning}_open_idx"))
            )
            # The former definition of the same name was partial: replaced.
            cr.execute(
                """
                SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE c.relname = %s AND i.indpred IS NOT NULL
                """,
                [name],
            )
            if cr.fetchone():
                cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
            created = created or not index_exists(cr, name)
            create_index(cr, name, self._table, [spec.due_point()])
        if created:
            # The statistics of a new index's expression come with the next ANALYZE:
            # autovacuum would wait for a tenth of the tickets to change.
            cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))
        return res

    def set_sla(self):
        """helpdesk_mgmt_sla's, batched: tickets created together mostly share their
        team, category and tags, so their rules are searched once per combination
        and all their SLA lines created at once.

        A copy, not an extension: upstream searches the rules (``_get_sla``) and
        creates the lines ticket by ticket with no batch hook, a search and an
        insert per ticket (see the create-ratio benchmark). What it decides stays
        upstream's: the rules of ``_get_sla_ticket_domain()`` filtered by their
        ``domain`` as ``_get_sla()`` does. Compare with it when upgrading
        helpdesk_mgmt_sla. SLA lines are the desk's record: written as superuser."""
        self.ticket_sla_ids.sudo().unlink()
        tickets_by_key = {}
        for ticket in self.filtered("team_id.use_sla"):
            key = (ticket.team_id, ticket.category_id, ticket.tag_ids)
            tickets_by_key.setdefault(key, []).append(ticket.id)
        vals_list = []
        for tickets_ids in tickets_by_key.values():
            tickets = self.browse(tickets_ids)
            # A rule's domain is evaluated once on the tickets of the combination,
            # not once per ticket.
            for sla in self.env["helpdesk.sla"].search(tickets[0]._get_sla_ticket_domain()):
                matching = tickets.filtered_domain(safe_eval(sla.domain)) if sla.domain else tickets
                vals_list += [{"ticket_id": ticket.id, "sla_id": sla.id} for ticket in matching]
        # Ordered by ticket as upstream creates them.
        vals_list.sort(key=lambda vals: vals["ticket_id"])
        self.env["helpdesk.ticket.sla"].sudo().create(vals_list)

    def refresh_sla(self):
        """A public button upstream: anyone who may change the ticket may have its
        deadlines planned again, by the rules only."""
        self.check_access("write")
        return super(HelpdeskTicket, self.sudo()).refresh_sla()

    def _grant_sla_extension(self, days, reason):
        """Extend the resolution deadline by ``days`` working days (supervisors), with
        the customer's agreement: a complex case is resolved within the company's
        limit counted from receipt, in total (seed: 5 working days), on the team's
        working calendar and its public holidays."""
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_supervisor"):
            raise UserError(self.env._("Only an after-sales supervisor can extend a deadline."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the extension agreed with the customer."))
        if days <= 0:
            raise UserError(self.env._("An extension is at least one working day."))
        round_to_second = self.env["helpdesk.ticket.sla"]._round_to_second
        for ticket in self:
            lines = ticket.ticket_sla_ids.filtered(
                lambda sla: sla.sla_kind == "resolution" and sla.state != "accomplished"
            )
            if not lines or not ticket.resolution_deadline:
                raise UserError(
                    self.env._("Ticket %(ticket)s has no resolution deadline to extend.",
                               ticket=ticket.display_name)
                )
            calendar = ticket._get_working_calendar()
            hours_per_day = calendar.hours_per_day or 8.0
            cap = ticket._get_resolution_cap()
            target = round_to_second(
                calendar.plan_hours(
                    days * hours_per_day, ticket.resolution_deadline, compute_leaves=True
                )
            )
            if target > cap:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s cannot be extended by %(days)s working days: "
                        "its resolution deadline would be %(target)s, after %(cap)s. A "
                        "complex case is resolved within %(limit)s working days of "
                        "receipt in total, extensions included.",
                        ticket=ticket.display_name,
                        days=days,
                        target=fields.Datetime.to_string(target),
                        cap=fields.Datetime.to_string(cap),
                        limit=(ticket.company_id or self.env.company).after_sales_extension_max_days,
                    )
                )
            for line in lines.sudo():
                line._grant_extension(
                    line._get_calendar().get_work_hours_count(
                        line.deadline, target, compute_leaves=True
                    )
                )
            ticket.sudo().write(
                {
                    "sla_extension_days": ticket.sla_extension_days + days,
                    "sla_extension_reason": reason,
                }
            )
            ticket.message_post(
                body=self.env._(
                    "Resolution deadline extended by %(days)s working days, to %(deadline)s. "
                    "Reason: %(reason)s",
                    days=days,
                    deadline=fields.Datetime.to_string(ticket.resolution_deadline),
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _get_extension_days_left(self):
        """The most whole working days the resolution deadline may still be
        extended by, under the cap from receipt."""
        self.ensure_one()
        if not self.resolution_deadline:
            return 0
        calendar = self._get_working_calendar()
        hours_per_day = calendar.hours_per_day or 8.0
        cap = self._get_resolution_cap()
        limit = (self.company_id or self.env.company).after_sales_extension_max_days
        # A handful of working days at most: planned one by one.
        days = 0
        while days < limit:
            moment = self.env["helpdesk.ticket.sla"]._round_to_second(
                calendar.plan_hours(
                    (days + 1) * hours_per_day, self.resolution_deadline, compute_leaves=True
                )
            )
            if moment > cap:
                break
            days += 1
        return days

    def _get_resolution_cap(self):
        """The latest resolution deadline an extension may give: the company's limit
        in working days (seed: 5) from receipt, on the team's working calendar."""
        self.ensure_one()
        calendar = self._get_working_calendar()
        days = (self.company_id or self.env.company).after_sales_extension_max_days
        start = self.intake_date or self.create_date
        return self.env["helpdesk.ticket.sla"]._round_to_second(
            calendar.plan_hours(days * (calendar.hours_per_day or 8.0), start, compute_leaves=True)
        )

    # ------------------------------------------------------------ plan (方案)
    def _get_plan_blocker(self):
        """Why the plan of this ticket cannot be recorded now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._("Ticket %(ticket)s is already closed.", ticket=self.display_name)
        if self.plan_recorded_date:
            return self.env._(
                "The plan of ticket %(ticket)s was already recorded on %(date)s.",
                ticket=self.display_name,
                date=fields.Datetime.to_string(self.plan_recorded_date),
            )
        if not (self.handling_plan or "").strip():
            return self.env._(
                "Describe the handling plan of ticket %(ticket)s first: the measures, who "
                "carries them out and when they should be complete.",
                ticket=self.display_name,
            )
        return None

    def action_record_plan(self):
        """The handler records the plan (方案) announced to the customer: the plan
        deadline of an urgent ticket is met (or missed, if late)."""
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_agent"):
            raise UserError(self.env._("Only the after-sales desk records a handling plan."))
        self.check_access("write")
        now = fields.Datetime.now()
        for ticket in self:
            blocker = ticket._get_plan_blocker()
            if blocker:
                raise UserError(blocker)
            ticket.sudo().write({"plan_recorded_date": now})
            for line in ticket.ticket_sla_ids.filtered(lambda sla: sla.sla_kind == "plan"):
                line._stage_recompute()
            ticket.message_post(
                body=self.env._("Handling plan recorded: %(plan)s", plan=ticket.handling_plan),
                subtype_xmlid="mail.mt_note",
            )
        return True

    # ------------------------------------------------------------ delay notice (延期告知)
    def action_send_delay_notice(self):
        """The delay notice to the customer, ready to send: the mail composer with
        the standard phrase. Sending it is recorded and counts as an update."""
        self.ensure_one()
        if not self.is_after_sales:
            raise UserError(self._not_after_sales_message())
        if self.closed:
            raise UserError(
                self.env._("Ticket %(ticket)s is already closed.", ticket=self.display_name)
            )
        self.check_access("write")
        template = self.env.ref("helpdesk_after_sales.mail_template_ticket_delay")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Delay notice"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "after_sales_delay_notice": True,
            },
        }

    def activity_send_mail(self, template_id):
        """The delay notice sent in one click from the warning activity (its type
        lists the template): posted as a message to the customer, recorded."""
        delay = self.env.ref(
            "helpdesk_after_sales.mail_template_ticket_delay", raise_if_not_found=False
        )
        if not delay or template_id != delay.id:
            return super().activity_send_mail(template_id)
        for ticket in self:
            ticket.with_context(after_sales_delay_notice=True).message_post_with_source(
                delay,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
            )
        return True

    def _record_delay_notice(self, message):
        """A delay notice went to the customer: recorded, and the warning activities
        asking for it are done."""
        self.sudo().write({"delay_notice_date": message.date})
        self.activity_feedback(
            ["helpdesk_after_sales.mail_activity_type_delay_notice"],
            feedback=self.env._("Delay notice sent to the customer."),
        )

    def _get_supervisors(self):
        """The team leader, else the team's members who are after-sales supervisors."""
        self.ensure_one()
        team = self.team_id
        if team.user_id:
            return team.user_id
        return team.user_ids.filtered(
            lambda u: u.has_group("helpdesk_after_sales.group_after_sales_supervisor")
        )

    def _notify_supervisors_p1(self):
        """An urgent ticket reaches a supervisor within the company's notice time
        (seed: 1 h)."""
        if not self:
            return  # most creates and writes: no ticket became urgent
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for ticket in self._after_sales_only():
            supervisors = ticket._get_supervisors()
            notice_hours = (ticket.company_id or self.env.company).after_sales_p1_notice_hours
            due = fields.Datetime.now() + timedelta(hours=notice_hours)
            for user in supervisors:
                ticket.activity_schedule(
                    activity_type_id=activity_type.id,
                    date_deadline=fields.Date.context_today(ticket, due),
                    summary=self.env._(
                        "Urgent ticket: take charge within %(hours)s h",
                        hours="%g" % notice_hours,
                    ),
                    note=self.env._(
                        "P1 ticket %(ticket)s: take charge before %(due)s.",
                        ticket=ticket.display_name,
                        due=fields.Datetime.to_string(due),
                    ),
                    user_id=user.id,
                )
            if supervisors:
                ticket.message_post(
                    body=self.env._(
                        "Urgent (P1) ticket: supervisor %(names)s informed.",
                        names=", ".join(supervisors.mapped("name")),
                    ),
                    partner_ids=supervisors.partner_id.ids,
                    subtype_xmlid="mail.mt_note",
                )

    def _message_post_after_hook(self, message, msg_vals):
        res = super()._message_post_after_hook(message, msg_vals)
        # A public message from an internal user counts as an update to the customer.
        if (
            self.is_after_sales
            and message.message_type in ("comment", "email_outgoing")
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.author_id.user_ids.filtered(lambda u: not u.share)
        ):
            self.sudo().write({"last_customer_update": message.date})
            if self.env.context.get("after_sales_delay_notice"):
                self._record_delay_notice(message)
        return res
