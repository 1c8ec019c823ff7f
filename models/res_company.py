# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .product_category import WARRANTY_UNITS

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    after_sales_update_hours_p1 = fields.Float(
        string="Customer update interval for P1 (hours)",
        default=2.0,
        help="An urgent ticket's customer must hear from the desk this often.",
    )
    after_sales_update_hours = fields.Float(
        string="Customer update interval (hours)",
        default=24.0,
        help="How often the customer of a P2 or P3 ticket must hear from the desk.",
    )
    after_sales_extension_max_days = fields.Integer(
        string="Complex cases resolved within (working days)",
        default=5,
        help="A supervisor may extend the resolution deadline of a complex case, "
        "agreed with the customer, up to this many working days from receipt in "
        "total (seed: 5 working days), counted on the team's working calendar with "
        "its public holidays.",
    )
    after_sales_retention_years = fields.Integer(
        string="Keep archived records (years)",
        default=3,
        help="How long an archived ticket record is kept before it may be deleted.",
    )
    after_sales_warranty = fields.Integer(
        string="Default warranty",
        default=12,
        help="Warranty of products that have none, nor their category.",
    )
    after_sales_warranty_type = fields.Selection(
        WARRANTY_UNITS, string="Default warranty unit", default="month"
    )
    after_sales_return_days = fields.Integer(
        string="No-reason return window (days)",
        default=7,
        help="Calendar days from the day after the customer received the goods.",
    )
    after_sales_exchange_days = fields.Integer(
        string="Quality exchange window (days)",
        default=15,
        help="Calendar days from the day after the customer received the goods during "
        "which a quality problem gives an exchange.",
    )
    # --- 三包 (returns, exchanges, repairs): issue 16 -------------------------------
    after_sales_refund_days = fields.Integer(
        string="Refund due within (days)",
        default=7,
        help="Calendar days from the receipt of the returned goods within which the "
        "customer is refunded (退款).",
    )
    after_sales_repeat_fault_days = fields.Integer(
        string="Repeat fault after a repair within (days)",
        default=30,
        help="The same fault on the same unit reported this many calendar days or fewer "
        "after a warranty repair was completed makes that repair a failed one.",
    )
    after_sales_failed_repairs = fields.Integer(
        string="Failed repairs giving a return or exchange",
        default=2,
        help="After the exchange window, a quality fault in warranty is repaired for "
        "free; the customer may choose a return or an exchange once this many warranty "
        "repairs of the same fault failed.",
    )
    # --- end of 三包 -------------------------------------------------------------------
    after_sales_warning_ratio = fields.Float(
        string="Warn at share of the allowed time",
        default=0.8,
        help="Alert the assignee once this share of the time allowed for a deadline is "
        "used (0.8 = 80 %).",
    )
    after_sales_escalation_hours = fields.Float(
        string="Escalate after (hours)",
        default=4.0,
        help="A missed deadline is escalated to the managers after this many hours "
        "(at once for P1).",
    )
    after_sales_p1_notice_hours = fields.Float(
        string="Supervisor informed of P1 within (hours)",
        default=1.0,
        help="An urgent ticket gives its team's supervisor an activity due this many "
        "hours after it is recorded.",
    )
    after_sales_p1_assign_minutes = fields.Integer(
        string="P1 handler found within (minutes)",
        default=15,
        help="An urgent ticket still without a handler this many minutes after it was "
        "received is escalated to the team's supervisors.",
    )

    after_sales_compensation_threshold = fields.Monetary(
        string="Compensation approved by a supervisor up to",
        currency_field="currency_id",
        default=200.0,
        help="Compensation worth up to this amount (company currency) is approved by a "
        "supervisor; above it by a manager.",
    )
    after_sales_compensation_high_threshold = fields.Monetary(
        string="Compensation needing two managers above",
        currency_field="currency_id",
        default=2000.0,
        help="Compensation worth more than this amount (company currency) is approved "
        "by a manager and then by a second manager.",
    )
    after_sales_compensation_max_amount = fields.Monetary(
        string="Largest compensation",
        currency_field="currency_id",
        default=50000.0,
        help="No compensation may be requested above this amount (company currency): "
        "larger amounts are almost always typing mistakes.",
    )
    after_sales_followup_days = fields.Integer(
        string="Follow-up visit after (working days)",
        default=2,
        help="The handler calls the customer back this many working days after "
        "closing: 1 to 3.",
    )

    after_sales_portal_close_scope = fields.Selection(
        [
            ("partner", "The ticket's customer only"),
            ("commercial", "Anyone of the customer's company"),
        ],
        string="Who closes tickets from the portal",
        default="commercial",
        required=True,
        help="Who may confirm the result and close a ticket as solved from the "
        "customer portal: only the contact the ticket is for, or any contact of the "
        "same company (commercial entity).",
    )

    # ------------------------------------------------------------ issue 16: default
    # team and closing deadline (one block, to ease merging)
    after_sales_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Default after-sales team",
        domain="[('is_after_sales', '=', True)]",
        help="After-sales requests recorded without a team (mail to the helpdesk "
        "alias, a portal request about a product, the desk's intake by after-sales "
        "users) go to this team, so that they get the after-sales deadlines and "
        "alerts. Other tickets without a team stay without one.",
    )
    after_sales_closing_days = fields.Integer(
        string="Close after the customer's confirmation within (working days)",
        default=1,
        help="A ticket whose result the customer confirmed must be closed within this "
        "many working days (seed: 1), on the team's working calendar.",
    )

    @api.constrains("after_sales_team_id")
    def _check_after_sales_team_id(self):
        for company in self:
            team = company.after_sales_team_id
            if team and (not team.is_after_sales or team.company_id not in (company, False)):
                raise ValidationError(
                    self.env._(
                        "The default after-sales team of %(company)s must be an "
                        "after-sales team of that company, not %(team)s.",
                        company=company.name,
                        team=team.display_name,
                    )
                )

    @api.constrains("after_sales_closing_days", "after_sales_extension_max_days")
    def _check_after_sales_closing_days(self):
        for company in self:
            if company.after_sales_closing_days < 1 or company.after_sales_extension_max_days < 1:
                raise ValidationError(
                    self.env._(
                        "The closing deadline and the longest resolution time of complex "
                        "cases of %(company)s are at least one working day.",
                        company=company.name,
                    )
                )

    @api.constrains("after_sales_p1_assign_minutes")
    def _check_after_sales_p1_assign_minutes(self):
        for company in self:
            if company.after_sales_p1_assign_minutes < 1:
                raise ValidationError(
                    self.env._(
                        "An urgent ticket of %(company)s waits at least one minute for a "
                        "handler before it is escalated.",
                        company=company.name,
                    )
                )

    # ------------------------------------------------------------ end of issue 16 block

    # ---- Auto-archive of closed tickets (issue 16) ----
    after_sales_auto_archive_days = fields.Integer(
        string="Archive closed tickets after (days)",
        default=7,
        help="Closed after-sales tickets have their record sheet archived "
        "automatically this many days after closing (0: only by hand).",
    )

    @api.constrains("after_sales_auto_archive_days")
    def _check_after_sales_auto_archive_days(self):
        for company in self:
            if company.after_sales_auto_archive_days < 0:
                raise ValidationError(
                    self.env._(
                        "The days after which %(company)s archives closed tickets cannot "
                        "be negative; 0 turns the automatic archiving off.",
                        company=company.name,
                    )
                )

    # ---- end auto-archive ----

    @api.constrains("after_sales_followup_days")
    def _check_after_sales_followup_days(self):
        for company in self:
            if not 1 <= company.after_sales_followup_days <= 3:
                raise ValidationError(
                    self.env._(
                        "The follow-up visit of %(company)s must come 1 to 3 working days "
                        "after closing, not %(days)s.",
                        company=company.name,
                        days=company.after_sales_followup_days,
                    )
                )

    @api.constrains(
        "after_sales_warranty",
        "after_sales_return_days",
        "after_sales_exchange_days",
        "after_sales_refund_days",
        "after_sales_repeat_fault_days",
        "after_sales_failed_repairs",
    )
    def _check_after_sales_warranty_windows(self):
        for company in self:
            if min(
                company.after_sales_warranty,
                company.after_sales_return_days,
                company.after_sales_exchange_days,
                company.after_sales_refund_days,
                company.after_sales_repeat_fault_days,
            ) < 0:
                raise ValidationError(
                    self.env._(
                        "The default warranty, the return and exchange windows, the "
                        "refund time and the repeat-fault period of %(company)s cannot be "
                        "negative.",
                        company=company.name,
                    )
                )
            if company.after_sales_return_days > company.after_sales_exchange_days:
                raise ValidationError(
                    self.env._(
                        "The no-reason return window of %(company)s (%(return_days)s "
                        "days) cannot be longer than the quality exchange window "
                        "(%(exchange_days)s days): a fault that may be returned may "
                        "also be exchanged.",
                        company=company.name,
                        return_days=company.after_sales_return_days,
                        exchange_days=company.after_sales_exchange_days,
                    )
                )
            if company.after_sales_failed_repairs < 1:
                raise ValidationError(
                    self.env._(
                        "At least one failed repair must come before a return or an "
                        "exchange after the windows of %(company)s.",
                        company=company.name,
                    )
                )

    @api.constrains(
        "after_sales_compensation_threshold",
        "after_sales_compensation_high_threshold",
        "after_sales_compensation_max_amount",
    )
    def _check_after_sales_compensation_thresholds(self):
        for company in self:
            if not (
                0
                < company.after_sales_compensation_threshold
                < company.after_sales_compensation_high_threshold
                < company.after_sales_compensation_max_amount
            ):
                raise ValidationError(
                    self.env._(
                        "Compensation thresholds of %(company)s must increase: the "
                        "supervisor's limit (%(low)s), then the two-manager limit "
                        "(%(high)s), then the largest compensation (%(max)s), all above "
                        "zero.",
                        company=company.name,
                        low=company.after_sales_compensation_threshold,
                        high=company.after_sales_compensation_high_threshold,
                        max=company.after_sales_compensation_max_amount,
                    )
                )

    # ------------------------------------------------------------ the policy form
    # After-sales managers set the desk's policy (Helpdesk > Configuration >
    # After-Sales Policy) without Administration rights, as res.users lets every
    # user write its SELF_WRITEABLE_FIELDS: only these fields, only of their own
    # companies, everything else of the company stays the administrators'.
    @api.model
    def _get_after_sales_policy_fields(self):
        """Every ``after_sales_*`` field of the company is policy: the prefix is
        the addon's, the policy form shows them all (a test keeps both in step)."""
        return {name for name in self._fields if name.startswith("after_sales_")}

    def _is_after_sales_policy_write(self, vals):
        return (
            not self.env.su
            and vals
            and set(vals) <= self._get_after_sales_policy_fields()
            and self <= self.env.user.company_ids
            and self.env.user.has_group("helpdesk_after_sales.group_after_sales_manager")
        )

    def write(self, vals):
        if self._is_after_sales_policy_write(vals):
            _logger.info(
                "After-sales policy of %s changed by %s (uid %s): %s",
                self.mapped("name"),
                self.env.user.login,
                self.env.uid,
                sorted(vals),
            )
            return super(ResCompany, self.sudo()).write(vals)
        return super().write(vals)

    @api.model
    def action_open_after_sales_policy(self):
        """The current company's after-sales policy form."""
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_manager"):
            raise AccessError(
                self.env._("Only after-sales managers can change the after-sales policy.")
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("After-Sales Policy"),
            "res_model": "res.company",
            "res_id": self.env.company.id,
            "views": [
                (self.env.ref("helpdesk_after_sales.res_company_view_form_after_sales_policy").id, "form")
            ],
            "target": "current",
            "context": {"form_view_initial_mode": "edit"},
        }
