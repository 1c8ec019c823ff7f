# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime, time, timedelta

from odoo import api, fields, models

# Figures of the review: (report field, aggregate) in display order.
KPI_AGGREGATES = [
    ("ticket_count", "sum"),
    ("urgent_share", "avg"),
    ("response_on_time_rate", "avg"),
    ("resolution_on_time_rate", "avg"),
    ("response_hours", "avg"),
    ("resolution_hours", "avg"),
    ("breached_count", "sum"),
    ("in_warranty_share", "avg"),
    ("satisfied_rate", "avg"),
    ("dissatisfied_count", "sum"),
    ("reopen_rate", "avg"),
    ("compensation_approved_amount", "sum"),
    ("compensation_paid_amount", "sum"),
]


class ReportAfterSalesAnalysis(models.AbstractModel):
    """Figures of the after-sales analysis report (售后问题分析报告), all read from the
    SQL view with grouped queries, whatever the number of tickets."""

    _name = "report.helpdesk_after_sales.report_after_sales_analysis"
    _description = "After-sales analysis report"

    @api.model
    def _period_domain(self, date_from, date_to, teams, company_ids):
        domain = [
            ("date", ">=", datetime.combine(date_from, time.min)),
            ("date", "<", datetime.combine(date_to + timedelta(days=1), time.min)),
            ("company_id", "in", company_ids),
        ]
        if teams:
            domain.append(("team_id", "in", teams.ids))
        return domain

    @api.model
    def _kpis(self, domain):
        report = self.env["helpdesk.after.sales.report"]
        aggregates = [f"{name}:{agg}" for name, agg in KPI_AGGREGATES]
        [values] = report._read_group(domain, [], aggregates)
        return {name: value or 0 for (name, _agg), value in zip(KPI_AGGREGATES, values)}

    @api.model
    def _get_analysis(self, date_from, date_to, teams=None, company_ids=None, top=5):
        report = self.env["helpdesk.after.sales.report"]
        company_ids = company_ids or self.env.companies.ids
        teams = teams or self.env["helpdesk.ticket.team"]
        length = (date_to - date_from).days + 1
        previous_to = date_from - timedelta(days=1)
        previous_from = previous_to - timedelta(days=length - 1)
        domain = self._period_domain(date_from, date_to, teams, company_ids)
        current = self._kpis(domain)
        previous = self._kpis(self._period_domain(previous_from, previous_to, teams, company_ids))
        top_categories = report._read_group(
            domain, ["category_id"], ["ticket_count:sum"], order="ticket_count:sum desc", limit=top
        )
        top_models = report._read_group(
            domain + [("category_code", "=", "A"), ("product_id", "!=", False)],
            ["product_id"],
            ["ticket_count:sum"],
            order="ticket_count:sum desc",
            limit=top,
        )
        breached = report.search(domain + [("breached_count", ">", 0)], limit=50).ticket_id
        dissatisfied = report.search(
            domain + [("dissatisfied_count", ">", 0)], limit=50
        ).ticket_id
        improvements = self.env["helpdesk.after.sales.improvement"].search(
            [("state", "in", ("todo", "in_progress")), ("company_id", "in", company_ids)]
        )
        today = fields.Date.context_today(self)
        return {
            "date_from": date_from,
            "date_to": date_to,
            "previous_from": previous_from,
            "previous_to": previous_to,
            "teams": teams,
            "current": current,
            "previous": previous,
            "top_categories": top_categories,
            "top_models": top_models,
            "breached_tickets": breached,
            "dissatisfied_tickets": dissatisfied,
            "currency": self.env["res.company"].browse(company_ids[:1]).currency_id,
            "improvements": improvements,
            "overdue_improvements": improvements.filtered(lambda a: a._is_overdue(today)),
        }

    @api.model
    def _get_report_values(self, docids, data=None):
        wizards = self.env["helpdesk.after.sales.analysis.wizard"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "helpdesk.after.sales.analysis.wizard",
            "docs": wizards,
            "analyses": {
                wizard.id: self._get_analysis(
                    wizard.date_from,
                    wizard.date_to,
                    wizard.team_ids,
                    wizard.company_id.ids,
                )
                for wizard in wizards
            },
        }
