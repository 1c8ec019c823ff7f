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

    @api.depends(
        "return_window_end",
        "exchange_window_end",
        "repeated_repair_failure",
        "failed_repair_count",
        "warranty_state",
        "product_id",
        "sale_line_id",
    )
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
        exemption = self._get_return_exemption_blocker()
        if exemption:
            parts.append(exemption)
        if self.repeated_repair_failure:
            parts.append(
                self.env._(
                    "exchange or return allowed: %(count)s warranty repairs did not fix "
                    "the same fault",
                    count=self.failed_repair_count,
                )
            )
        remedies = self._get_allowed_remedies("quality", today)
        if self.delivery_date and remedies:
            labels = dict(self._get_remedy_labels())
            parts.append(
                self.env._(
                    "a quality fault gives today: %(remedies)s",
                    remedies=", ".join(labels[remedy] for remedy in remedies),
                )
            )
        return "; ".join(parts)

    # ------------------------------------------------------------ 三包 rules
    REMEDIES = ("return", "exchange", "repair")

    def _get_remedy_labels(self):
        return [
            ("return", self.env._("return")),
            ("exchange", self.env._("exchange")),
            ("repair", self.env._("repair")),
        ]

    def _get_allowed_remedies(self, reason, today=None, items=None):
        """The remedies (``return``, ``exchange``, ``repair``) the policy allows today,
        in that order."""
        blockers = self._get_remedy_blockers(reason, today, items)
        return [remedy for remedy in self.REMEDIES if not blockers[remedy]]

    def _get_remedy_blockers(self, reason, today=None, items=None):
        """The 三包 rules, in one place: {remedy: why the policy refuses it, or None}
        for a return (``reason`` being the RMA reason) on ``today``.

        Days are counted in calendar days from the day after receipt (the receipt day
        is day 0):

        - a quality fault (``reason == "quality"``): up to day ``return days`` (7) a
          return, an exchange or a repair, the customer's choice; up to day
          ``exchange days`` (15) an exchange or a repair; afterwards, in warranty, a
          free repair, and a return or an exchange only once
          ``after_sales_failed_repairs`` (2) warranty repairs of the same fault failed
          (see ``repeated_repair_failure``); out of warranty a paid repair only;
        - no reason (七日无理由): a return or an exchange up to day ``return days``,
          unless the goods are exempt (``items``: [(product, sale line)], by default
          the ticket's product and sale line; see ``_get_return_exemption_blocker``);
        - other reasons (wrong item, transport damage, other): a return or an
          exchange up to day ``return days``, without the exemption.

        A supervisor may go outside the rules with a justification
        (``_accept_policy_exception``). The repair itself has its own checks
        (``_get_repair_blocker``)."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        company = self.company_id or self.env.company
        received = self.delivery_date
        day = (today - received).days if received else None
        return_date = self.return_window_end and fields.Date.to_string(self.return_window_end)
        exchange_date = self.exchange_window_end and fields.Date.to_string(
            self.exchange_window_end
        )
        unknown = self.env._(
            "The delivery date of ticket %(ticket)s is unknown, so the return and exchange "
            "windows cannot be checked: set the day the customer received the goods.",
            ticket=self.display_name,
        )
        if reason != "quality":
            blocker = None
            if reason == "no_reason":
                blocker = self._get_return_exemption_blocker(items)
            if not blocker and day is None:
                blocker = unknown
            elif not blocker and day > company.after_sales_return_days:
                blocker = self.env._(
                    "The no-reason return window closed on %(date)s (day %(day)s after "
                    "receipt): after it only a quality fault is returned, exchanged or "
                    "repaired, by the 三包 rules. Choose the reason Quality fault if the "
                    "goods are faulty.",
                    date=return_date,
                    day=day,
                )
            return {
                "return": blocker,
                "exchange": blocker,
                "repair": self.env._(
                    "A repair is for a quality fault: choose the reason Quality fault."
                ),
            }
        failed_enough = self.repeated_repair_failure
        if day is None:
            refused = None if failed_enough else unknown
            return {"return": refused, "exchange": refused, "repair": None}
        if day <= company.after_sales_return_days:
            return dict.fromkeys(self.REMEDIES)
        if day <= company.after_sales_exchange_days:
            return {
                "return": self.env._(
                    "Day %(day)s after receipt: a quality fault is returned only up to "
                    "%(return_date)s. Until %(exchange_date)s the customer chooses an "
                    "exchange or a repair.",
                    day=day,
                    return_date=return_date,
                    exchange_date=exchange_date,
                ),
                "exchange": None,
                "repair": None,
            }
        if failed_enough:
            return dict.fromkeys(self.REMEDIES)
        if self.warranty_state == "in_warranty":
            refused = self.env._(
                "The exchange window closed on %(date)s (day %(day)s after receipt): in "
                "warranty a quality fault is repaired for free. A return or an exchange "
                "needs %(needed)s failed warranty repairs of the same fault "
                "(%(failed)s so far): create a free repair.",
                date=exchange_date,
                day=day,
                needed=company.after_sales_failed_repairs,
                failed=self.failed_repair_count,
            )
        elif self.warranty_state == "out_of_warranty":
            refused = self.env._(
                "The exchange window closed on %(date)s and the unit is out of warranty: "
                "only a paid repair remains.",
                date=exchange_date,
            )
        else:
            refused = self.env._(
                "The exchange window closed on %(date)s and the warranty is unknown: "
                "check the warranty first.",
                date=exchange_date,
            )
        return {"return": refused, "exchange": refused, "repair": None}

    def _get_return_exemption_blocker(self, items=None):
        """Why the goods are excluded from no-reason returns, or None.

        ``items``: [(product, sale line)] returned, by default the ticket's product
        and sale line. Exempt: a product marked so, or whose category is (the
        product's own choice, "Not exempt" included, wins), or a sale line confirmed
        with the customer as excluded at sale."""
        self.ensure_one()
        if items is None:
            items = [(self.product_id, self.sudo().sale_line_id)] if self.product_id else []
        labels = dict(
            self.env["product.template"]
            ._fields["after_sales_return_exemption"]
            ._description_selection(self.env)
        )
        for product, sale_line in items:
            if sale_line and sale_line.sudo().after_sales_return_exempt:
                return self.env._(
                    "%(product)s was sold as excluded from no-reason returns (agreed with "
                    "the customer on order %(order)s): only a quality fault gives a "
                    "return, an exchange or a repair.",
                    product=product.display_name,
                    order=sale_line.sudo().order_id.name,
                )
            exemption = product and product.sudo().product_tmpl_id._get_after_sales_return_exemption()
            if exemption:
                return self.env._(
                    "%(product)s is excluded from no-reason returns (%(why)s): only a "
                    "quality fault gives a return, an exchange or a repair.",
                    product=product.display_name,
                    why=labels.get(exemption, exemption),
                )
        return None

    def _get_return_policy_blocker(self, reason, items=None):
        """Why a return is outside the policy today, or None (see
        ``_get_remedy_blockers``)."""
        return self._get_remedy_blockers(reason, items=items)["return"]

    def _get_exchange_policy_blocker(self, reason, items=None):
        """Why an exchange is outside the policy today, or None (see
        ``_get_remedy_blockers``)."""
        return self._get_remedy_blockers(reason, items=items)["exchange"]

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
