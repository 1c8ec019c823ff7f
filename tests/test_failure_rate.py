# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from ..compat import SALE_LINE_UOM
from .common import MODULE, AfterSalesCase

ANALYSIS_REPORT = f"{MODULE}.action_report_after_sales_analysis"


@tagged("post_install", "-at_install")
class TestFailureRateAndCauses(AfterSalesCase):
    """The analysis ranks products by failure rate (quality faults per 100 units
    delivered in the period, from the real deliveries) and counts the tickets by root
    cause and responsible department."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.cause_manufacturing = ref(f"{MODULE}.helpdesk_ticket_root_cause_manufacturing")
        cls.cause_supplier = ref(f"{MODULE}.helpdesk_ticket_root_cause_supplier_part")
        cls.dept_production = ref(f"{MODULE}.helpdesk_after_sales_department_production")
        cls.dept_purchasing = ref(f"{MODULE}.helpdesk_after_sales_department_purchasing")
        Product = cls.env["product.product"]
        cls.scanner, cls.printer, cls.router = (
            Product.create({"name": name, "type": "consu", "is_storable": True})
            for name in ("Scanner S1 (rate)", "Printer P2 (rate)", "Router R3 (rate)")
        )
        cls.dozen = ref("uom.product_uom_dozen")

    def _deliver(self, product, quantity, uom=None):
        """``quantity`` of ``product`` (in ``uom``, units by default) sold to the
        customer and delivered now."""
        uom = uom or product.uom_id
        self._put_in_stock(product, uom._compute_quantity(quantity, product.uom_id))
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": quantity, SALE_LINE_UOM: uom.id}
                    )
                ],
            }
        )
        order.action_confirm()
        order.picking_ids.action_assign()
        self._validate_picking(order.picking_ids)
        self.assertEqual(order.picking_ids.state, "done")

    def _fault(self, product, **values):
        return self._create_ticket(
            name=f"{product.name} fails",
            category_id=self.category_a.id,
            product_id=product.id,
            symptoms="Stops after a minute",
            **values,
        )

    def _make_week(self):
        """Week of 5 January 2026, counted by hand:
        scanner: 10 units + 1 dozen = 22 delivered, 2 faults -> 9.09 per 100 units;
        printer: 3 + 1 = 4 delivered, 1 fault -> 25 per 100 units;
        router: not delivered this week, 1 fault -> no rate.
        Outside the week: 100 scanners the week before, 50 printers after."""
        with freeze_time("2025-12-29 09:00:00"):
            self._deliver(self.scanner, 100)
        with freeze_time("2026-01-05 09:00:00"):
            self._deliver(self.scanner, 10)
            self._deliver(self.printer, 3)
        with freeze_time("2026-01-07 09:00:00"):
            self._deliver(self.scanner, 1, self.dozen)
            self._deliver(self.printer, 1)
            self._deliver(self.router, 5)  # a router delivered but never failing
            scanner_1 = self._fault(self.scanner, root_cause_id=self.cause_manufacturing.id)
            scanner_2 = self._fault(self.scanner, root_cause_id=self.cause_manufacturing.id)
            printer_1 = self._fault(self.printer, root_cause_id=self.cause_supplier.id)
            usage = self._create_ticket(name="How to scan to e-mail")
        with freeze_time("2026-01-12 09:00:00"):
            self._deliver(self.printer, 50)
        # The router's fault: received this week, its delivery long before.
        with freeze_time("2026-01-08 09:00:00"):
            other = self.env["product.product"].create(
                {"name": "Old router (rate)", "type": "consu", "is_storable": True}
            )
            router_fault = self._fault(other)
        return scanner_1 | scanner_2 | printer_1 | usage | router_fault, other

    def _analysis(self):
        return self.env["report.helpdesk_after_sales.report_after_sales_analysis"]._get_analysis(
            date(2026, 1, 5), date(2026, 1, 11), teams=self.team
        )

    def test_failure_rate_from_the_deliveries(self):
        _tickets, old_router = self._make_week()
        rows = self._analysis()["failure_rates"]
        self.assertEqual(
            [(row["product"], row["tickets"], row["delivered"]) for row in rows],
            [(self.printer, 1, 4.0), (self.scanner, 2, 22.0), (old_router, 1, 0.0)],
            "ranked by rate, not by count; no delivery in the period comes last",
        )
        self.assertAlmostEqual(rows[0]["rate"], 25.0)
        self.assertAlmostEqual(rows[1]["rate"], 200 / 22)
        self.assertIsNone(rows[2]["rate"])
        # The count ranking is still there.
        self.assertEqual(self._analysis()["top_models"][0], (self.scanner, 2))

    def test_grouped_queries_whatever_the_number_of_products(self):
        self._make_week()
        Report = self.env["report.helpdesk_after_sales.report_after_sales_analysis"]
        domain = Report._period_domain(
            date(2026, 1, 5), date(2026, 1, 11), self.team, self.env.companies.ids
        ) + [("category_code", "=", "A"), ("product_id", "!=", False)]

        def queries():
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            rows = Report._failure_rates(
                domain, date(2026, 1, 5), date(2026, 1, 11), self.env.companies.ids, 10
            )
            return self.cr.sql_log_count - before, len(rows)

        few, products = queries()
        self.assertEqual(products, 3)
        self.assertGreater(few, 0)
        with freeze_time("2026-01-07 10:00:00"):
            for index in range(4):
                product = self.env["product.product"].create(
                    {"name": f"Extra {index} (rate)", "type": "consu", "is_storable": True}
                )
                self._deliver(product, index + 1)
                self._fault(product)
        self.env.flush_all()
        many, products = queries()
        self.assertEqual(products, 7)
        self.assertEqual(many, few, "no query per product")

    def test_causes_and_departments_with_their_share(self):
        self._make_week()
        analysis = self._analysis()
        self.assertEqual(analysis["current"]["ticket_count"], 5)
        Cause = self.env["helpdesk.ticket.root.cause"]
        Department = self.env["helpdesk.after.sales.department"]
        # Most frequent first; the tickets without a cause are a group of their own.
        self.assertEqual([count for _cause, count, _share in analysis["by_cause"]], [2, 2, 1])
        self.assertEqual(
            {record: (count, share) for record, count, share in analysis["by_cause"]},
            {
                self.cause_manufacturing: (2, 40.0),
                self.cause_supplier: (1, 20.0),
                Cause: (2, 40.0),
            },
        )
        # Departments proposed from the causes.
        self.assertEqual(
            {record: (count, share) for record, count, share in analysis["by_department"]},
            {
                self.dept_production: (2, 40.0),
                self.dept_purchasing: (1, 20.0),
                Department: (2, 40.0),
            },
        )
        # The pivot groups by them too.
        groups = dict(
            self.env["helpdesk.after.sales.report"]
            .with_user(self.manager)
            ._read_group([("team_id", "=", self.team.id)], ["root_cause_id"], ["ticket_count:sum"])
        )
        self.assertEqual(groups[self.cause_manufacturing], 2)

    def test_the_report_shows_rates_and_causes(self):
        self._make_week()
        wizard = (
            self.env["helpdesk.after.sales.analysis.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "date_from": date(2026, 1, 5),
                    "date_to": date(2026, 1, 11),
                    "team_ids": [Command.set(self.team.ids)],
                }
            )
        )
        html, _type = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html(ANALYSIS_REPORT, wizard.ids)
        )
        html = html.decode()
        for expected in (
            "Failure rate by product",
            "Printer P2 (rate)",
            "25.0 %",
            "9.09 %",
            "No delivery in the period",
            "Causes",
            "Manufacturing",
            "Supplier part",
            "Purchasing",
            "Not recorded",
            "40.0 %",
        ):
            self.assertIn(expected, html)
