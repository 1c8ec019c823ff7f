# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class HelpdeskTicket(models.Model):
    """Returns and exchanges (退换货), the policy: the 7-day return and 15-day exchange
    windows and what falls outside them."""

    _inherit = "helpdesk.ticket"

    # Computed from the delivery and the company's windows.
    _server_owned_fields = ("return_window_end", "exchange_window_end")

    return_window_end = fields.Date(
        compute="_compute_window_ends",
        store=True,
        help="Last day of the no-reason return window.",
    )
    exchange_window_end = fields.Date(
        compute="_compute_window_ends",
        store=True,
        help="Last day of the quality exchange window.",
    )
    return_window_open = fields.Boolean(compute="_compute_windows_today")
    exchange_window_open = fields.Boolean(compute="_compute_windows_today")
    windows_explanation = fields.Char(
        string="Return and exchange", compute="_compute_windows_today"
    )

    @api.depends(
        "delivery_date",
        "company_id.after_sales_return_days",
        "company_id.after_sales_exchange_days",
    )
    def _compute_window_ends(self):
        for ticket in self:
            company = ticket.company_id or self.env.company
            received = ticket.delivery_date
            # Counted in calendar days from the day after the goods were received.
            ticket.return_window_end = received and received + timedelta(
                days=company.after_sales_return_days
            )
            ticket.exchange_window_end = received and received + timedelta(
                days=company.after_sales_exchange_days
            )

    @api.depends("return_window_end", "exchange_window_end", "repeated_repair_failure")
    def _compute_windows_today(self):
        today = fields.Date.context_today(self)
        for ticket in self:
            ticket.return_window_open = bool(
                ticket.return_window_end and today <= ticket.return_window_end
            )
            ticket.exchange_window_open = bool(
                ticket.exchange_window_end and today <= ticket.exchange_window_end
            )
            ticket.windows_explanation = ticket._explain_windows(today)

    def _explain_windows(self, today):
        parts = []
        if not self.delivery_date:
            parts.append(self.env._("Unknown: no delivery date"))
        else:
            for label, end in (
                (self.env._("return"), self.return_window_end),
                (self.env._("exchange"), self.exchange_window_end),
            ):
                days = (end - today).days
                if days >= 0:
                    parts.append(
                        self.env._(
                            "%(window)s window open, %(days)s days left",
                            window=label,
                            days=days,
                        )
                    )
                else:
                    parts.append(
                        self.env._(
                            "%(window)s window closed %(days)s days ago",
                            window=label,
                            days=-days,
                        )
                    )
        if self.repeated_repair_failure:
            parts.append(
                self.env._(
                    "exchange or return allowed: two warranty repairs did not fix the "
                    "same fault"
                )
            )
        return "; ".join(parts)

    def _get_return_policy_blocker(self, reason):
        """Why a return is outside the policy today, or None.

        Any reason within the no-reason return window (7 days); after it, a quality
        fault while the unit is in warranty, or one that two repairs in warranty did
        not fix."""
        self.ensure_one()
        if self.return_window_open or self.repeated_repair_failure:
            return None
        if reason == "quality" and self.warranty_state == "in_warranty":
            return None
        if not self.return_window_end:
            return self.env._(
                "The delivery date of ticket %(ticket)s is unknown, so the return window "
                "cannot be checked.",
                ticket=self.display_name,
            )
        return self.env._(
            "The return window closed on %(date)s: after it a return needs a quality "
            "fault while the unit is in warranty.",
            date=fields.Date.to_string(self.return_window_end),
        )

    def _get_exchange_policy_blocker(self, reason):
        """Why an exchange is outside the policy today, or None.

        Within the return window for any reason; within the exchange window for a
        quality fault; after two failed repairs under warranty."""
        self.ensure_one()
        if self.return_window_open or self.repeated_repair_failure:
            return None
        if reason == "quality" and self.exchange_window_open:
            return None
        if not self.exchange_window_end:
            return self.env._(
                "The delivery date of ticket %(ticket)s is unknown, so the exchange "
                "window cannot be checked.",
                ticket=self.display_name,
            )
        if self.exchange_window_open:
            return self.env._(
                "After the return window only a quality fault is exchanged (until "
                "%(date)s).",
                date=fields.Date.to_string(self.exchange_window_end),
            )
        return self.env._(
            "The exchange window for quality faults closed on %(date)s and the fault "
            "was not left unrepaired by two repairs under warranty.",
            date=fields.Date.to_string(self.exchange_window_end),
        )

    def _accept_policy_exception(self, blocker, justification):
        """The justification of going outside the policy (None when within it):
        only a supervisor proceeds, and says why."""
        if not blocker:
            return False
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_supervisor"):
            raise UserError(
                self.env._(
                    "%(blocker)s Only a supervisor can accept it as an exception: ask "
                    "your supervisor.",
                    blocker=blocker,
                )
            )
        justification = (justification or "").strip()
        if not justification:
            raise UserError(
                self.env._(
                    "%(blocker)s Give the justification for this exception.",
                    blocker=blocker,
                )
            )
        return justification
