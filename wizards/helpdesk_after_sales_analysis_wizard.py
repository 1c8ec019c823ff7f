# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class HelpdeskAfterSalesAnalysisWizard(models.TransientModel):
    _name = "helpdesk.after.sales.analysis.wizard"
    _description = "Print the after-sales analysis of a period"

    date_from = fields.Date(required=True, default=lambda self: self._default_date_from())
    date_to = fields.Date(required=True, default=lambda self: self._default_date_to())
    team_ids = fields.Many2many(
        "helpdesk.ticket.team", string="Teams", domain=[("is_after_sales", "=", True)]
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    @api.model
    def _default_date_to(self):
        today = fields.Date.context_today(self)
        return today - timedelta(days=today.weekday() + 1)  # last Sunday

    @api.model
    def _default_date_from(self):
        return self._default_date_to() - timedelta(days=6)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The period must start before it ends."))

    def action_print(self):
        self.ensure_one()
        return self.env.ref(
            "helpdesk_after_sales.action_report_after_sales_analysis"
        ).report_action(self)

    @api.model
    def _cron_send_weekly_analysis(self):
        """Mail last week's analysis PDF to each company's after-sales managers."""
        managers_group = self.env.ref("helpdesk_after_sales.group_after_sales_manager")
        managers = managers_group.users.filtered(lambda u: u.email and not u.share)
        for company in managers.company_ids:
            company_managers = managers.filtered(lambda u, c=company: c in u.company_ids)
            wizard = self.with_company(company).create({"company_id": company.id})
            pdf, _type = self.env["ir.actions.report"].with_company(company)._render_qweb_pdf(
                "helpdesk_after_sales.action_report_after_sales_analysis", wizard.ids
            )
            name = self.env._(
                "After-sales analysis %(date_from)s - %(date_to)s",
                date_from=wizard.date_from,
                date_to=wizard.date_to,
            )
            attachment = self.env["ir.attachment"].create(
                {
                    "name": f"{name}.pdf",
                    "datas": base64.b64encode(pdf),
                    "mimetype": "application/pdf",
                    "res_model": "res.company",
                    "res_id": company.id,
                }
            )
            self.env["mail.mail"].sudo().create(
                {
                    "subject": name,
                    "body_html": self.env._(
                        "<p>Last week's after-sales analysis is attached.</p>"
                    ),
                    "email_from": company.email_formatted or self.env.user.email_formatted,
                    "recipient_ids": [fields.Command.set(company_managers.partner_id.ids)],
                    "attachment_ids": [fields.Command.set(attachment.ids)],
                }
            )
