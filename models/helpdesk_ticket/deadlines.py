# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval
from odoo.tools.sql import create_index


SLA_STATES = [("running", "Running"), ("met", "Met"), ("breached", "Breached")]
SLA_STATE_BY_LINE_STATE = {
    "in_progress": "running",
    "on_hold": "running",
    "accomplished": "met",
    "expired": "breached",
}


class HelpdeskTicket(models.Model):
    """Deadlines (响应与解决时限): response, resolution and customer-update deadlines from the SLA
    rules, on working calendars; supervisors' extensions; the urgent ticket reaching a
    supervisor."""

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

    @api.depends(
        "ticket_sla_ids.sla_kind",
        "ticket_sla_ids.state",
        "ticket_sla_ids.deadline",
        "ticket_sla_ids.warning_date",
    )
    def _compute_sla_deadlines(self):
        for ticket in self:
            for kind in ("response", "resolution"):
                lines = ticket.ticket_sla_ids.filtered(lambda sla, k=kind: sla.sla_kind == k)
                line = lines.sorted(lambda sla: sla.deadline or fields.Datetime.now())[:1]
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
        # What the overdue-alert cron selects: open deadlines only, a small share of
        # all tickets once the desk has run for years.
        for column, state in (
            ("response_warning_date", "response_sla_state"),
            ("resolution_warning_date", "resolution_sla_state"),
        ):
            create_index(
                self.env.cr,
                f"helpdesk_ticket_{column}_open_idx",
                self._table,
                [column],
                where=f"{state} IN ('running', 'breached') AND active",
            )
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
        rules_by_key = {}
        vals_list = []
        for ticket in self.filtered("team_id.use_sla"):
            key = (ticket.team_id, ticket.category_id, ticket.tag_ids)
            if key not in rules_by_key:
                rules_by_key[key] = self.env["helpdesk.sla"].search(
                    ticket._get_sla_ticket_domain()
                )
            vals_list += [
                {"ticket_id": ticket.id, "sla_id": sla.id}
                for sla in rules_by_key[key]
                if not sla.domain or ticket.filtered_domain(safe_eval(sla.domain))
            ]
        self.env["helpdesk.ticket.sla"].sudo().create(vals_list)

    def refresh_sla(self):
        """A public button upstream: anyone who may change the ticket may have its
        deadlines planned again, by the rules only."""
        self.check_access("write")
        return super(HelpdeskTicket, self.sudo()).refresh_sla()

    def _grant_sla_extension(self, days, reason):
        """Extend the resolution deadline by ``days`` working days (supervisors)."""
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_supervisor"):
            raise UserError(self.env._("Only an after-sales supervisor can extend a deadline."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for the extension agreed with the customer."))
        for ticket in self:
            limit = ticket.company_id.after_sales_extension_max_days
            if days <= 0 or ticket.sla_extension_days + days > limit:
                raise UserError(
                    self.env._(
                        "An extension must be between 1 and %(left)s working days: a ticket "
                        "may be extended by %(limit)s working days in all.",
                        left=max(limit - ticket.sla_extension_days, 0),
                        limit=limit,
                    )
                )
            lines = ticket.ticket_sla_ids.filtered(lambda sla: sla.sla_kind == "resolution")
            if not lines:
                raise UserError(
                    self.env._("Ticket %(ticket)s has no resolution deadline to extend.",
                               ticket=ticket.display_name)
                )
            for line in lines.sudo():
                line._grant_extension(days * line._get_calendar().hours_per_day)
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
        return res
