# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.api import call_kw
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import MODULE, AfterSalesCase, new_user


@tagged("post_install", "-at_install")
class TestRootCause(AfterSalesCase):
    """Root cause and responsible department: recorded when solving, required to
    close the categories that say so (A and C as seeded), on every close path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.cause_manufacturing = ref(f"{MODULE}.helpdesk_ticket_root_cause_manufacturing")
        cls.cause_usage = ref(f"{MODULE}.helpdesk_ticket_root_cause_usage")
        cls.cause_logistics = ref(f"{MODULE}.helpdesk_ticket_root_cause_logistics")
        cls.dept_production = ref(f"{MODULE}.helpdesk_after_sales_department_production")
        cls.dept_logistics = ref(f"{MODULE}.helpdesk_after_sales_department_logistics")
        cls.dept_after_sales = ref(f"{MODULE}.helpdesk_after_sales_department_after_sales")
        cls.category_c_logistics = ref(f"{MODULE}.helpdesk_ticket_category_c_logistics")
        cls.product = cls.env["product.product"].create({"name": "Printer P1 (cause test)"})

    def _solved_without_cause(self, category, **values):
        """A ticket of ``category`` in progress, its result and the customer's
        confirmation recorded, but no root cause nor department."""
        values.setdefault("product_id", self.product.id)
        values.setdefault("symptoms", "Paper jams")
        values.setdefault("customer_words", "It jams all the time.")
        ticket = self._ticket_in_progress(category_id=category.id, **values)
        self._record_result(ticket, root_cause_id=False, responsible_department_id=False)
        self.assertFalse(ticket.root_cause_id)
        self.assertFalse(ticket.responsible_department_id)
        return ticket

    def _assert_still_open(self, ticket):
        ticket.invalidate_recordset()
        self.assertEqual(ticket.stage_id, self.stage_in_progress)
        self.assertFalse(ticket.closed_date)

    # ------------------------------------------------------------ required for A and C
    def test_seeded_flags_follow_the_classes(self):
        self.assertTrue(self.category_a.requires_root_cause)
        self.assertTrue(self.category_c.requires_root_cause)
        self.assertTrue(self.category_c_logistics.requires_root_cause, "sub-categories too")
        for category in (self.category_b, self.category_d, self.category_e):
            self.assertFalse(category.requires_root_cause, category.name)
        # A new category takes the default of its class.
        Category = self.env["helpdesk.ticket.category"]
        self.assertTrue(Category.create({"name": "Noise (test)", "code": "A"}).requires_root_cause)
        self.assertFalse(Category.create({"name": "Setup (test)", "code": "B"}).requires_root_cause)

    def test_closing_a_and_c_without_cause_is_refused_on_every_path(self):
        for category in (self.category_a, self.category_c, self.category_c_logistics):
            with self.subTest(category=category.complete_name):
                ticket = self._solved_without_cause(category)
                self.assertFalse(ticket.can_close)
                self.assertIn("Root cause", ticket.closing_missing)
                self.assertIn("Responsible department", ticket.closing_missing)
                # The button.
                with self.assertRaisesRegex(UserError, "fill in Root cause"):
                    ticket.with_user(self.agent).action_close()
                # A plain write of the stage (kanban, API).
                with self.assertRaisesRegex(
                    ValidationError, "fill in Root cause, Responsible department"
                ):
                    ticket.with_user(self.agent).write({"stage_id": self.stage_done.id})
                # The form.
                with self.assertRaisesRegex(ValidationError, "Responsible department"):
                    with Form(ticket.with_user(self.agent)) as form:
                        form.stage_id = self.stage_done
                self._assert_still_open(ticket)
                # A cause alone is not enough.
                ticket.with_user(self.agent).root_cause_id = self.cause_usage
                self.assertFalse(ticket.responsible_department_id, "usage has no usual one")
                with self.assertRaisesRegex(UserError, "fill in Responsible department"):
                    ticket.with_user(self.agent).action_close()
                self._assert_still_open(ticket)

    def test_closing_with_cause_and_department_in_the_form(self):
        ticket = self._solved_without_cause(self.category_a)
        with Form(ticket.with_user(self.agent)) as form:
            form.root_cause_id = self.cause_manufacturing
            # Proposed from the cause.
            self.assertEqual(form.responsible_department_id, self.dept_production)
            self.assertTrue(form.can_close)
            form.stage_id = self.stage_done
        self.assertTrue(ticket.closed)
        self.assertEqual(ticket.root_cause_id, self.cause_manufacturing)
        self.assertEqual(ticket.responsible_department_id, self.dept_production)
        # On the record sheet.
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            f"{MODULE}.action_report_ticket_record", ticket.ids
        )
        for expected in ("Root cause", "Manufacturing", "Responsible department", "Production"):
            self.assertIn(expected, html.decode())

    def test_closing_with_cause_through_the_stage_write_and_the_button(self):
        ticket = self._solved_without_cause(self.category_c)
        # Written with the closing stage in one go.
        ticket.with_user(self.agent).write(
            {
                "stage_id": self.stage_done.id,
                "root_cause_id": self.cause_logistics.id,
                "responsible_department_id": self.dept_after_sales.id,
            }
        )
        self.assertTrue(ticket.closed)
        self.assertEqual(ticket.responsible_department_id, self.dept_after_sales, "agent's choice")
        other = self._solved_without_cause(self.category_c_logistics)
        other.with_user(self.agent).write(
            {"root_cause_id": self.cause_usage.id, "responsible_department_id": self.dept_logistics.id}
        )
        other.with_user(self.agent).action_close()
        self.assertEqual(other.stage_id, self.stage_done)

    def test_changing_the_class_while_closing_counts(self):
        ticket = self._solved_without_cause(self.category_b)
        with self.assertRaisesRegex(ValidationError, "Root cause"):
            ticket.with_user(self.agent).write(
                {"stage_id": self.stage_done.id, "category_id": self.category_a.id}
            )
        self._assert_still_open(ticket)

    def test_other_classes_close_without_cause(self):
        for category in (self.category_b, self.category_d, self.category_e):
            with self.subTest(category=category.name):
                ticket = self._solved_without_cause(category)
                self.assertTrue(ticket.can_close)
                self.assertNotIn("Root cause", ticket.closing_missing or "")
                ticket.with_user(self.agent).action_close()
                self.assertEqual(ticket.stage_id, self.stage_done)

    def test_the_category_flag_decides_not_the_letter(self):
        self.category_a.with_user(self.manager).requires_root_cause = False
        ticket = self._solved_without_cause(self.category_a)
        ticket.with_user(self.agent).action_close()
        self.assertTrue(ticket.closed)
        self.category_b.with_user(self.manager).requires_root_cause = True
        ticket = self._solved_without_cause(self.category_b)
        with self.assertRaisesRegex(UserError, "Root cause"):
            ticket.with_user(self.agent).action_close()

    def test_portal_close_needs_the_cause(self):
        portal = new_user(self.env, "as_cause_portal", "portal", "Customer Zhou")
        ticket = self._solved_without_cause(self.category_a, partner_id=portal.partner_id.id)
        partner = portal.partner_id
        # As helpdesk_mgmt's /ticket/close does: the controller acts as superuser.
        self.assertIn(
            "has not recorded its result",
            ticket.sudo()._get_portal_close_blocker(self.stage_done, partner),
        )
        with self.assertRaisesRegex(UserError, "has not recorded its result"):
            ticket.sudo()._close_from_portal(self.stage_done, partner)
        self._assert_still_open(ticket)
        ticket.with_user(self.agent).write(self._root_cause_vals())
        self.assertTrue(ticket.sudo()._close_from_portal(self.stage_done, partner))
        self.assertTrue(ticket.closed)

    # ------------------------------------------------------------ the lists
    def test_agents_read_the_lists_managers_edit_them(self):
        Cause = self.env["helpdesk.ticket.root.cause"]
        Department = self.env["helpdesk.after.sales.department"]
        for user in (self.agent, self.supervisor):
            with self.subTest(user=user.login):
                self.assertIn(self.cause_manufacturing, Cause.with_user(user).search([]))
                self.assertIn(self.dept_production, Department.with_user(user).search([]))
                with self.assertRaises(AccessError):
                    self.cause_manufacturing.with_user(user).name = "Made wrong"
                with self.assertRaises(AccessError):
                    Cause.with_user(user).create({"name": "Weather", "code": "weather"})
                with self.assertRaises(AccessError):
                    self.dept_production.with_user(user).write({"active": False})
                with self.assertRaises(AccessError):
                    Department.with_user(user).create({"name": "Finance"})
                with self.assertRaises(AccessError):
                    self.cause_usage.with_user(user).unlink()
        # Nor over the API, nor by unticking the rule on a category.
        with self.assertRaises(AccessError):
            call_kw(
                Cause.with_user(self.agent),
                "write",
                [self.cause_manufacturing.ids, {"name": "Nobody's fault"}],
                {},
            )
        with self.assertRaises(AccessError):
            self.category_a.with_user(self.agent).requires_root_cause = False
        self.assertTrue(self.category_a.requires_root_cause)
        cause = Cause.with_user(self.manager).create(
            {"name": "Weather", "code": "weather", "department_id": self.dept_logistics.id}
        )
        cause.with_user(self.manager).active = False
        department = Department.with_user(self.manager).create({"name": "Finance"})
        department.with_user(self.manager).unlink()
        self.assertFalse(cause.active)

    def test_codes_are_unique_per_company(self):
        with self.assertRaises(Exception), self.cr.savepoint():
            self.env["helpdesk.ticket.root.cause"].create(
                {"name": "Design again", "code": "design", "company_id": self.env.company.id}
            ) | self.env["helpdesk.ticket.root.cause"].create(
                {"name": "Design twice", "code": "design", "company_id": self.env.company.id}
            )

    def test_causes_of_another_company(self):
        other = self.env["res.company"].create({"name": "Other Co (cause test)"})
        cause = self.env["helpdesk.ticket.root.cause"].create(
            {"name": "Other's cause", "code": "others", "company_id": other.id}
        )
        department = self.env["helpdesk.after.sales.department"].create(
            {"name": "Other's department", "company_id": other.id}
        )
        Cause = self.env["helpdesk.ticket.root.cause"].with_user(self.agent)
        self.assertNotIn(cause, Cause.search([]))
        self.assertIn(self.cause_manufacturing, Cause.search([]), "shared causes are seen")
        self.assertNotIn(
            department, self.env["helpdesk.after.sales.department"].with_user(self.agent).search([])
        )
        ticket = self._solved_without_cause(self.category_a)
        with self.assertRaises(UserError):
            ticket.write({"root_cause_id": cause.id, "responsible_department_id": department.id})
