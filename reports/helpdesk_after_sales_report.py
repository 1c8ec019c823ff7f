# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.helpdesk_ticket_category import SERVICE_PRIORITIES


class HelpdeskAfterSalesReport(models.Model):
    """One row per ticket with what the weekly and monthly review measures. Rates are
    0/100 per ticket (empty when not measured yet) so that their average is the rate."""

    _name = "helpdesk.after.sales.report"
    _description = "After-sales analysis"
    _auto = False
    _rec_name = "ticket_id"
    _order = "date desc"
    # Pending writes to these fields are flushed before the view is read.
    _depends = {
        "helpdesk.ticket": [
            "intake_date",
            "company_id",
            "team_id",
            "user_id",
            "partner_id",
            "stage_id",
            "category_id",
            "category_code",
            "service_priority",
            "channel_id",
            "product_id",
            "product_model",
            "response_sla_state",
            "resolution_sla_state",
            "first_response_date",
            "warranty_state",
            "closed_date",
            "satisfaction",
            "reopen_count",
            "reassignment_count",
            "active",
            "root_cause_id",
            "responsible_department_id",
        ],
        "helpdesk.ticket.stage": ["closed"],
        "helpdesk.ticket.compensation": ["ticket_id", "state", "amount_company"],
    }

    ticket_id = fields.Many2one("helpdesk.ticket", readonly=True)
    date = fields.Datetime(string="Received on", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Handled by", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    stage_id = fields.Many2one("helpdesk.ticket.stage", readonly=True)
    category_id = fields.Many2one("helpdesk.ticket.category", readonly=True)
    category_code = fields.Selection(
        # The labels of the source field, translated (a copied list would stay English).
        selection=lambda self: self.env["ir.model.fields"].get_field_selection(
            "helpdesk.ticket.category", "code"
        ),
        string="Class",
        readonly=True,
    )
    service_priority = fields.Selection(
        SERVICE_PRIORITIES, string="Service priority", readonly=True
    )
    channel_id = fields.Many2one("helpdesk.ticket.channel", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    product_model = fields.Char(string="Model", readonly=True)
    root_cause_id = fields.Many2one(
        "helpdesk.ticket.root.cause", string="Root cause", readonly=True
    )
    responsible_department_id = fields.Many2one(
        "helpdesk.after.sales.department", string="Responsible department", readonly=True
    )
    is_closed = fields.Boolean(string="Closed", readonly=True)
    ticket_count = fields.Integer(string="Tickets", readonly=True, aggregator="sum")
    urgent_share = fields.Float(
        string="Urgent share (%)", readonly=True, aggregator="avg"
    )
    breached_count = fields.Integer(
        string="Breached tickets", readonly=True, aggregator="sum"
    )
    response_on_time_rate = fields.Float(
        string="Responded on time (%)", readonly=True, aggregator="avg"
    )
    resolution_on_time_rate = fields.Float(
        string="Resolved on time (%)", readonly=True, aggregator="avg"
    )
    in_warranty_share = fields.Float(
        string="In warranty (%)", readonly=True, aggregator="avg"
    )
    response_hours = fields.Float(
        string="Hours to respond", readonly=True, aggregator="avg"
    )
    resolution_hours = fields.Float(
        string="Hours to resolve", readonly=True, aggregator="avg"
    )
    satisfaction = fields.Selection(
        selection=lambda self: self.env["ir.model.fields"].get_field_selection(
            "helpdesk.ticket", "satisfaction"
        ),
        readonly=True,
    )
    satisfied_rate = fields.Float(
        string="Satisfied (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the rated tickets whose customer is satisfied.",
    )
    dissatisfied_count = fields.Integer(
        string="Dissatisfied customers", readonly=True, aggregator="sum"
    )
    reopen_rate = fields.Float(
        string="Reopened (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the tickets closed at least once that were reopened.",
    )
    reopen_count = fields.Integer(string="Reopenings", readonly=True, aggregator="sum")
    reassignment_count = fields.Integer(
        string="Reassignments",
        readonly=True,
        aggregator="sum",
        help="Changes of handler after the first assignment.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    compensation_approved_amount = fields.Monetary(
        string="Compensation approved",
        readonly=True,
        aggregator="sum",
        help="Approved compensation, paid or not, in the company currency.",
    )
    compensation_paid_amount = fields.Monetary(
        string="Compensation paid",
        readonly=True,
        aggregator="sum",
        help="Compensation given to the customer, in the company currency.",
    )

    def _select(self):
        return SQL(
            """
            t.id AS id,
            t.id AS ticket_id,
            t.intake_date AS date,
            t.company_id,
            t.team_id,
            t.user_id,
            t.partner_id,
            t.stage_id,
            t.category_id,
            t.category_code,
            t.service_priority,
            t.channel_id,
            t.product_id,
            t.product_model,
            t.root_cause_id,
            t.responsible_department_id,
            COALESCE(stage.closed, FALSE) AS is_closed,
            1 AS ticket_count,
            CASE WHEN t.service_priority = 'p1' THEN 100.0 ELSE 0.0 END AS urgent_share,
            CASE WHEN 'breached' IN (t.response_sla_state, t.resolution_sla_state)
                 THEN 1 ELSE 0 END AS breached_count,
            CASE t.response_sla_state WHEN 'met' THEN 100.0 WHEN 'breached' THEN 0.0
                 END AS response_on_time_rate,
            CASE t.resolution_sla_state WHEN 'met' THEN 100.0 WHEN 'breached' THEN 0.0
                 END AS resolution_on_time_rate,
            CASE t.warranty_state WHEN 'in_warranty' THEN 100.0
                 WHEN 'out_of_warranty' THEN 0.0 END AS in_warranty_share,
            EXTRACT(EPOCH FROM t.first_response_date - t.intake_date) / 3600.0
                AS response_hours,
            CASE WHEN stage.closed
                 THEN EXTRACT(EPOCH FROM t.closed_date - t.intake_date) / 3600.0
                 END AS resolution_hours,
            t.satisfaction,
            CASE t.satisfaction WHEN 'satisfied' THEN 100.0
                 WHEN 'neutral' THEN 0.0 WHEN 'dissatisfied' THEN 0.0
                 END AS satisfied_rate,
            CASE WHEN t.satisfaction = 'dissatisfied' THEN 1 ELSE 0 END
                AS dissatisfied_count,
            CASE WHEN COALESCE(t.reopen_count, 0) > 0 THEN 100.0
                 WHEN stage.closed THEN 0.0 END AS reopen_rate,
            COALESCE(t.reopen_count, 0) AS reopen_count,
            COALESCE(t.reassignment_count, 0) AS reassignment_count,
            company.currency_id,
            COALESCE(comp.approved_amount, 0.0) AS compensation_approved_amount,
            COALESCE(comp.paid_amount, 0.0) AS compensation_paid_amount
            """
        )

    def _from(self):
        return SQL(
            """
            helpdesk_ticket t
            LEFT JOIN helpdesk_ticket_stage stage ON stage.id = t.stage_id
            LEFT JOIN res_company company ON company.id = t.company_id
            LEFT JOIN (
                SELECT ticket_id,
                       SUM(amount_company) FILTER (WHERE state IN ('approved', 'done'))
                           AS approved_amount,
                       SUM(amount_company) FILTER (WHERE state = 'done') AS paid_amount
                  FROM helpdesk_ticket_compensation
              GROUP BY ticket_id
            ) comp ON comp.ticket_id = t.id
            """
        )

    def _where(self):
        # Only the after-sales teams' tickets: other teams are not measured here.
        return SQL("t.active AND t.is_after_sales")

    def _query(self):
        return SQL(
            "SELECT %s FROM %s WHERE %s", self._select(), self._from(), self._where()
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
