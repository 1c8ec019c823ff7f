# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.rating.models import rating_data


# Satisfaction follows Odoo's rating (5 / 3 / 1 smileys).
SATISFACTION_LEVELS = [
    ("satisfied", "Satisfied"),
    ("neutral", "Neutral"),
    ("dissatisfied", "Dissatisfied"),
]
SATISFACTION_BY_RATING_TEXT = {"top": "satisfied", "ok": "neutral", "ko": "dissatisfied"}
RATING_BY_SATISFACTION = {"satisfied": 5, "neutral": 3, "dissatisfied": 1}


class HelpdeskTicket(models.Model):
    """Satisfaction, reopening and follow-up (满意度、重开与回访): the customer's rating, the second
    handling of a dissatisfied customer, and the follow-up visit working days after
    closing."""

    _inherit = "helpdesk.ticket"

    # From the ratings, the reopenings and the follow-up wizard only.
    _server_owned_fields = (
        "satisfaction",
        "satisfaction_comment",
        "satisfaction_date",
        "reopen_count",
        "followup_date",
        "followup_state",
        "followup_note",
        "followup_done_date",
    )

    satisfaction = fields.Selection(
        SATISFACTION_LEVELS,
        compute="_compute_satisfaction",
        store=True,
        index=True,
        help="The customer's latest rating: by mail or recorded by phone.",
    )
    satisfaction_comment = fields.Text(compute="_compute_satisfaction", store=True)
    satisfaction_date = fields.Datetime(
        string="Rated on", compute="_compute_satisfaction", store=True
    )
    can_record_satisfaction = fields.Boolean(compute="_compute_can_record_satisfaction")
    reopen_count = fields.Integer(
        string="Reopened",
        readonly=True,
        copy=False,
        tracking=True,
        help="How many times the ticket was reopened after closing: a dissatisfied "
        "customer or a follow-up visit that found a problem.",
    )
    followup_date = fields.Date(
        string="Follow-up visit on", readonly=True, copy=False, index=True
    )
    followup_state = fields.Selection(
        [
            ("planned", "Planned"),
            ("done", "No problem"),
            ("problem", "Problem found"),
        ],
        string="Follow-up visit",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    followup_note = fields.Text(string="Follow-up outcome", readonly=True, copy=False)
    followup_done_date = fields.Datetime(
        string="Followed up on", readonly=True, copy=False
    )
    can_record_followup = fields.Boolean(compute="_compute_can_record_followup")

    @api.depends("rating_ids.rating", "rating_ids.consumed", "rating_ids.feedback")
    def _compute_satisfaction(self):
        latest = {}
        # A new ticket's ratings are known empty: no query when a ticket is recorded.
        ticket_ids = [
            ticket._origin.id for ticket in self if ticket._origin.id and ticket.rating_ids
        ]
        if ticket_ids:
            # One query for all the tickets: their consumed ratings, newest first.
            ratings = self.env["rating.rating"].sudo().search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", ticket_ids),
                    ("consumed", "=", True),
                    ("rating", ">=", rating_data.RATING_LIMIT_MIN),
                ],
                order="write_date desc, id desc",
            )
            for rating in ratings:
                latest.setdefault(rating.res_id, rating)
        for ticket in self:
            rating = latest.get(ticket._origin.id)
            ticket.satisfaction = (
                self._satisfaction_from_rating(rating.rating) if rating else False
            )
            ticket.satisfaction_comment = rating.feedback if rating else False
            ticket.satisfaction_date = rating.write_date if rating else False

    @api.depends("rating_ids.rating")
    def _compute_percentage(self):
        # helpdesk_mgmt_rating reads each ticket's grades with a query of its own,
        # for every ticket recorded (1,000 queries for 1,000 tickets). A ticket
        # without ratings, every new one, has no grades: -1 as upstream gives it.
        rated = self.filtered("rating_ids")
        (self - rated).positive_rate_percentage = -1
        return super(HelpdeskTicket, rated)._compute_percentage()

    @api.depends("partner_id", "stage_id")
    def _compute_can_record_satisfaction(self):
        for ticket in self:
            ticket.can_record_satisfaction = ticket._get_satisfaction_blocker() is None

    @api.depends("followup_state")
    def _compute_can_record_followup(self):
        for ticket in self:
            ticket.can_record_followup = ticket.followup_state == "planned"

    @api.model
    def _satisfaction_from_rating(self, rate):
        """satisfied / neutral / dissatisfied for an Odoo rating value, or False."""
        return SATISFACTION_BY_RATING_TEXT.get(rating_data._rating_to_text(rate), False)

    # satisfaction
    def _get_satisfaction_blocker(self):
        """Why the customer's satisfaction cannot be recorded now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if not self.partner_id:
            return self.env._(
                "Ticket %(ticket)s has no customer: set the customer who rates the service.",
                ticket=self.display_name,
            )
        if not self.stage_id.after_sales_resolved:
            return self.env._(
                "Ticket %(ticket)s is not solved yet: the customer rates the service once "
                "the ticket is closed with its result.",
                ticket=self.display_name,
            )
        return None

    def _record_phone_satisfaction(self, satisfaction, comment=False, partner=None):
        """The customer answered the satisfaction question by phone: the answer
        goes into the same rating the mail asks for, so every figure has one
        source (and a dissatisfied answer reopens the ticket the same way)."""
        self.ensure_one()
        blocker = self._get_satisfaction_blocker()
        if blocker:
            raise UserError(blocker)
        if satisfaction not in RATING_BY_SATISFACTION:
            raise UserError(self.env._("Choose satisfied, neutral or dissatisfied."))
        partner = partner or self.partner_id
        labels = dict(self._fields["satisfaction"]._description_selection(self.env))
        self.message_post(
            body=self.env._(
                "%(customer)s answered the satisfaction question by phone to %(agent)s: "
                "%(satisfaction)s.",
                customer=partner.name,
                agent=self.env.user.name,
                satisfaction=labels[satisfaction],
            ),
            subtype_xmlid="mail.mt_note",
        )
        token = self._rating_get_access_token(partner)
        # Ratings are the customer's (see rating.rating): written as superuser once
        # the checks above passed; the chatter still names the agent.
        return self.sudo().rating_apply(
            RATING_BY_SATISFACTION[satisfaction], token=token, feedback=comment or False
        )

    def _get_rating_link_blocker(self, rating):
        """Why the customer's answer ``rating`` to a satisfaction request of this
        ticket cannot be (re)applied now, or None. See :meth:`rating_apply`."""
        self.ensure_one()
        if not rating.consumed:
            return None
        newer_request = self.env["rating.rating"].sudo().search_count(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("id", ">", rating.id)],
            limit=1,
        )
        if (
            newer_request
            or self.reopen_count != rating.after_sales_round
            or (rating.after_sales_reopened and self.closed)
        ):
            return self.env._(
                "This satisfaction link of ticket %(ticket)s has already been answered and "
                "the ticket has moved on since. Use the link of the latest satisfaction "
                "request, or reply to the ticket.",
                ticket=self.display_name,
            )
        return None

    def rating_apply(
        self,
        rate,
        token=None,
        rating=None,
        feedback=None,
        subtype_xmlid=None,
        notify_delay_send=False,
    ):
        """Apply the customer's answer to a satisfaction request (one Odoo rating,
        one link ``/rate/<token>``, sent for one closing of the ticket).

        - A pending request (rating not consumed yet) is answered normally.
        - An answered request may still be changed (Odoo's thank-you page posts the
          same token again) while the ticket is in the round it was answered in: no
          newer request was sent for the ticket, the ticket was not reopened since
          other than by this very answer, and, if this answer reopened the ticket,
          the ticket has not been closed again. Past that the link is spent: the
          answer is refused and nothing changes.
        - A dissatisfied answer reopens a closed ticket, at most once per request;
          changing the answer afterwards does not undo the reopening.
        - The rating must belong to this ticket.
        """
        self.ensure_one()
        if token:
            rating = self.env["rating.rating"].search([("access_token", "=", token)], limit=1)
        if rating and (rating.res_model != self._name or rating.res_id != self.id):
            raise UserError(
                self.env._(
                    "This rating does not belong to ticket %(ticket)s.", ticket=self.display_name
                )
            )
        blocker = rating and self._get_rating_link_blocker(rating)
        if blocker:
            raise UserError(blocker)
        rating = super().rating_apply(
            rate,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )
        # As project.task does: the rating decides what happens to the record.
        reopen = (
            self._satisfaction_from_rating(rating.rating) == "dissatisfied"
            and self.closed
            and not rating.after_sales_reopened
        )
        if reopen:
            comment = (rating.feedback or "").strip()
            reason = (
                self.env._("the customer is dissatisfied: %(comment)s", comment=comment)
                if comment
                else self.env._("the customer is dissatisfied")
            )
            self._reopen_after_sales(reason)
        rating.sudo().write(
            {
                "after_sales_round": self.reopen_count,
                "after_sales_reopened": rating.after_sales_reopened or reopen,
            }
        )
        return rating

    # reopening
    def _get_reopen_stage(self):
        """The in-progress stage a reopened ticket goes back to."""
        self.ensure_one()
        if self.team_id:
            stages = self.team_id._get_applicable_stages()
        else:
            stages = self.env["helpdesk.ticket.stage"].search([("team_ids", "=", False)])
        stages = stages.filtered(lambda s: not s.closed)
        in_progress = self.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress", raise_if_not_found=False
        )
        if in_progress in stages:
            return in_progress
        return (stages - self._intake_stage())[:1] or stages[:1]

    def _reopen_after_sales(self, reason):
        """Reopen closed tickets for a second handling led by the team's
        supervisor: the customer must confirm a new result before closing again."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        # The customer's click on a rating runs as the public user.
        author = (
            self.env.ref("base.partner_root")
            if self.env.user.share
            else self.env.user.partner_id
        )
        for ticket in self._after_sales_only().filtered("closed"):
            supervisor = ticket._get_supervisors()[:1]
            count = ticket.reopen_count + 1
            vals = {
                "stage_id": ticket._get_reopen_stage().id,
                "reopen_count": count,
                "result": False,
                "customer_confirmation_by": False,
                "customer_confirmation_method": False,
                "customer_confirmation_date": False,
            }
            if ticket.followup_state == "planned":
                vals.update(followup_state=False, followup_date=False)
            if supervisor:
                vals["user_id"] = supervisor.id
            ticket.activity_unlink(["helpdesk_after_sales.mail_activity_type_followup"])
            # The reopen count and the follow-up are the desk's figures (callers check).
            ticket.sudo().write(vals)
            handler = supervisor or ticket.user_id
            if handler:
                ticket.activity_schedule(
                    activity_type_id=todo.id,
                    date_deadline=fields.Date.context_today(ticket),
                    summary=self.env._("Second handling: the customer is not satisfied"),
                    # The reason quotes the customer's words: text, never markup.
                    note=Markup("<p>%s</p>")
                    % self.env._(
                        "Ticket %(ticket)s was reopened because %(reason)s. Contact the "
                        "customer, agree on a new solution and close again once the "
                        "customer confirms the result.",
                        ticket=ticket.display_name,
                        reason=reason,
                    ),
                    user_id=handler.id,
                )
            if supervisor:
                body = self.env._(
                    "Reopened because %(reason)s (reopened %(count)s times in all). "
                    "Supervisor %(supervisor)s leads the second handling.",
                    count=count,
                    reason=reason,
                    supervisor=supervisor.name,
                )
            else:
                body = self.env._(
                    "Reopened because %(reason)s (reopened %(count)s times in all). The "
                    "team has no supervisor: assign one to lead the second handling.",
                    count=count,
                    reason=reason,
                )
            ticket.message_post(
                body=body,
                subtype_xmlid="mail.mt_note",
                author_id=author.id,
                partner_ids=handler.partner_id.ids,
            )

    # follow-up visit (回访)
    def _get_followup_date(self, closed_on, days):
        """The ``days``-th working day after the day of ``closed_on`` (UTC), on the
        team's working calendar (its leaves included)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        calendar = self.team_id.resource_calendar_id or company.resource_calendar_id
        tz = pytz.timezone(calendar.tz or "UTC") if calendar else pytz.utc
        closed_day = pytz.utc.localize(closed_on).astimezone(tz).date()
        if not calendar:
            return closed_day + timedelta(days=days)
        start = tz.localize(datetime.combine(closed_day + timedelta(days=1), time.min))
        end = calendar.plan_days(days, start, compute_leaves=True)
        return end.astimezone(tz).date() if end else closed_day + timedelta(days=days)

    def _schedule_followup(self):
        """The handler calls the customer back N working days after closing."""
        now = fields.Datetime.now()
        for ticket in self.filtered("user_id"):
            company = ticket.company_id or self.env.company
            date = ticket._get_followup_date(
                ticket.closed_date or now, company.after_sales_followup_days
            )
            ticket.activity_schedule(
                "helpdesk_after_sales.mail_activity_type_followup",
                date_deadline=date,
                summary=self.env._("Follow-up visit"),
                note=self.env._(
                    "Call the customer of ticket %(ticket)s: is the problem still solved? "
                    "Record the outcome with the Follow-up button; a problem reopens the "
                    "ticket.",
                    ticket=ticket.display_name,
                ),
                user_id=ticket.user_id.id,
            )
            ticket.sudo().write(
                {
                    "followup_date": date,
                    "followup_state": "planned",
                    "followup_note": False,
                    "followup_done_date": False,
                }
            )

    def _record_followup(self, outcome, note=False, from_activity=False):
        """Record the follow-up visit's outcome (``done``: no problem, ``problem``);
        a problem reopens the ticket."""
        note = (note or "").strip()
        if outcome not in ("done", "problem"):
            raise UserError(self.env._("Choose the outcome of the follow-up visit."))
        if outcome == "problem" and not note:
            raise UserError(
                self.env._(
                    "Describe the problem the follow-up visit found: it is why the "
                    "ticket is reopened."
                )
            )
        labels = dict(self._fields["followup_state"]._description_selection(self.env))
        for ticket in self:
            if not from_activity and ticket.followup_state != "planned":
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s has no follow-up visit planned.",
                        ticket=ticket.display_name,
                    )
                )
            ticket.sudo().write(
                {
                    "followup_state": outcome,
                    "followup_note": note or False,
                    "followup_done_date": fields.Datetime.now(),
                }
            )
            if not from_activity:
                # Recorded first: marking the activity done no longer sees a planned visit.
                ticket.activity_feedback(
                    ["helpdesk_after_sales.mail_activity_type_followup"],
                    feedback=note or labels[outcome],
                )
            ticket.message_post(
                body=self.env._(
                    "Follow-up visit: %(outcome)s. %(note)s",
                    outcome=labels[outcome],
                    note=note,
                ),
                subtype_xmlid="mail.mt_note",
            )
            if outcome == "problem":
                ticket._reopen_after_sales(
                    self.env._("the follow-up visit found a problem: %(note)s", note=note)
                )
