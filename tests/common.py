# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The fixtures every test class shares, TransactionCase and HttpCase alike: one user
factory, one team set-up, one way to sell and deliver a serial unit."""
from odoo import Command, fields

from odoo.tests import Form, TransactionCase, new_test_user

MODULE = "helpdesk_after_sales"
ROLES = (("agent", "Agent Li"), ("supervisor", "Supervisor Wang"), ("manager", "Manager Zhang"))
# The one group each role of the tests holds.
ROLE_GROUPS = {
    "agent": f"{MODULE}.group_after_sales_agent",
    "supervisor": f"{MODULE}.group_after_sales_supervisor",
    "manager": f"{MODULE}.group_after_sales_manager",
    "portal": "base.group_portal",
    "internal": "base.group_user",
    "helpdesk_user": "helpdesk_mgmt.group_helpdesk_user",
    "technician": "stock.group_stock_user",
    "accountant": "account.group_account_invoice",
}
# The company's compensation approval thresholds, pinned for the tests.
COMPENSATION_THRESHOLDS = {
    "after_sales_compensation_threshold": 200.0,
    "after_sales_compensation_high_threshold": 2000.0,
    "after_sales_compensation_max_amount": 50000.0,
}


def new_user(env, login, role, name=None, extra_groups=(), **values):
    """A user holding only ``role``'s group (the password is the login).
    ``extra_groups`` only where the test says why the role is not enough."""
    groups = ",".join((ROLE_GROUPS[role], *extra_groups))
    if name:
        values["name"] = name
    return new_test_user(env, login=login, groups=groups, **values)


def new_after_sales_users(env, prefix):
    """(agent, supervisor, manager): one user per role, with only that role's group,
    logins ``as_<prefix>_<role>`` (the password is the login)."""
    return tuple(new_user(env, f"as_{prefix}_{role}", role, name) for role, name in ROLES)


class AfterSalesFixtures:
    """Fixtures for the TransactionCase and HttpCase classes. ``_setup_desk`` gives
    the class ``agent``, ``supervisor``, ``manager``, ``team``, the categories and the
    stages; the class provides ``customer``."""

    # ------------------------------------------------------------ desk
    @classmethod
    def _setup_desk(cls, prefix, team_name, led=True, **team_values):
        """The three role users (logins ``as_<prefix>_<role>``) and their after-sales
        team; ``led``: the supervisor leads it (and is a member), else only the agent
        is in it."""
        cls.agent, cls.supervisor, cls.manager = new_after_sales_users(cls.env, prefix)
        cls._setup_references()
        cls.team = cls._create_team(
            team_name, cls.agent, leader=cls.supervisor if led else None, **team_values
        )

    @classmethod
    def _setup_references(cls):
        ref = cls.env.ref
        for code in "abcde":
            setattr(cls, f"category_{code}", ref(f"{MODULE}.helpdesk_ticket_category_{code}"))
        for stage in ("new", "in_progress", "awaiting", "done", "cancelled", "rejected"):
            setattr(cls, f"stage_{stage}", ref(f"helpdesk_mgmt.helpdesk_ticket_stage_{stage}"))

    @classmethod
    def _create_team(cls, name, members=None, leader=None, **values):
        """An after-sales team of ``members``; ``leader`` leads it and is a member."""
        members = members or cls.env["res.users"]
        if leader:
            members |= leader
            values["user_id"] = leader.id
        vals = {"name": name, "is_after_sales": True, "user_ids": [Command.set(members.ids)]}
        vals.update(values)
        return cls.env["helpdesk.ticket.team"].create(vals)

    @classmethod
    def _create_office_calendar(cls):
        """Monday-Friday 8-12 and 13-17 (UTC)."""
        return cls.env["resource.calendar"].create(
            {
                "name": "Office hours (test)",
                "tz": "UTC",
                "company_id": cls.env.company.id,
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"Day {day} {period}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for hour_from, hour_to, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )

    @classmethod
    def _setup_second_reviewers(cls, prefix):
        """A second supervisor and a second manager (logins ``as_<prefix>_<role>_2``),
        and the company's approval thresholds pinned."""
        cls.supervisor_2 = new_user(
            cls.env, f"as_{prefix}_supervisor_2", "supervisor", "Supervisor Zhao"
        )
        cls.manager_2 = new_user(cls.env, f"as_{prefix}_manager_2", "manager", "Manager Sun")
        cls.env.company.write(COMPENSATION_THRESHOLDS)

    # ------------------------------------------------------------ tickets
    @classmethod
    def _create_ticket(cls, user=None, **values):
        vals = {
            "name": "Printer does not start",
            "description": "<p>Nothing happens when the power button is pressed.</p>",
            "team_id": cls.team.id,
            "partner_id": cls.customer.id,
            "category_id": cls.category_b.id,
        }
        vals.update(values)
        return cls.env["helpdesk.ticket"].with_user(user or cls.agent).create(vals)

    def _send_due_acknowledgements(self):
        """Run the acknowledgement job as the scheduler would, once the request that
        recorded the tickets is over; returns how many due tickets it handled."""
        return self.env["helpdesk.ticket"]._cron_send_acknowledgements()

    def _acknowledgements(self, ticket):
        """The acknowledgements posted on ``ticket``: comments of the desk (the
        company) whose subject names the ticket."""
        return ticket.message_ids.filtered(
            lambda m: m.message_type == "comment"
            and m.author_id == ticket.company_id.partner_id
            and ticket.number in (m.subject or "")
        )

    def _fault_ticket(self, **values):
        """A class A fault of the test class's unit: its ``printer`` with the serial
        ``lot``."""
        vals = {
            "category_id": self.category_a.id,
            "product_id": self.printer.id,
            "lot_id": self.lot.id,
            "symptoms": "Paper jam",
        }
        vals.update(values)
        return self._create_ticket(**vals)

    @classmethod
    def _record_result(cls, ticket, user=None, **values):
        """Fill in what closing a ticket as solved needs: solution, result, handler
        and the customer's confirmation (who, how, when), and the root cause and
        responsible department where the category requires them (A and C), and a
        complaint's apology and corrective action (C)."""
        vals = {
            "solution": "Replaced the power board on site.",
            "result": "The printer starts and prints normally.",
            "customer_confirmation_by": ticket.partner_id.name or "Customer",
            "customer_confirmation_method": "phone",
            "customer_confirmation_date": fields.Datetime.now(),
        }
        if ticket.category_id.requires_root_cause:
            vals.update(cls._root_cause_vals())
        if ticket.category_id.code == "C":
            # Class C also states its apology and corrective action (issue 18).
            vals.update(
                complaint_apology="We apologised to the customer by phone.",
                complaint_corrective_action="The team reviewed the case and its procedure.",
            )
        if not ticket.user_id:
            vals["user_id"] = (user or cls.agent).id
        vals.update(values)
        ticket.with_user(user or cls.agent).write(vals)
        return ticket

    @classmethod
    def _root_cause_vals(cls, code="manufacturing", department="production"):
        """A seeded root cause and responsible department, as write values."""
        ref = cls.env.ref
        return {
            "root_cause_id": ref(f"{MODULE}.helpdesk_ticket_root_cause_{code}").id,
            "responsible_department_id": ref(
                f"{MODULE}.helpdesk_after_sales_department_{department}"
            ).id,
        }

    def _ticket_in_progress(self, **values):
        """A ticket of the agent's (by default), moved to In Progress by the agent."""
        values.setdefault("user_id", self.agent.id)
        ticket = self._create_ticket(**values)
        ticket.with_user(self.agent).stage_id = self.stage_in_progress
        return ticket

    def _closed_ticket(self, **values):
        """A ticket in progress, solved and closed by the agent: the closing sends
        the satisfaction request."""
        ticket = self._ticket_in_progress(**values)
        self._record_result(ticket)
        ticket.with_user(self.agent).action_close()
        self.assertEqual(ticket.stage_id, self.stage_done)
        return ticket

    def _request_compensation(self, ticket, amount, compensation_type="credit_note", user=None):
        """``user`` (the agent) requests compensation from the ticket, in the form;
        the compensation is returned as the system reads it."""
        user = user or self.agent
        action = ticket.with_user(user).action_request_compensation()
        with Form.from_action(self.env(user=user), action) as form:
            form.compensation_type = compensation_type
            form.amount = amount
            form.reason = "Casing scratched in transport; customer keeps the product."
        return self.env["helpdesk.ticket.compensation"].browse(form.record.id)

    # ------------------------------------------------------------ sales and stock
    @classmethod
    def _create_serial_product(cls, name, code, list_price, warranty_months=0):
        """A storable product tracked by serial number, with ``warranty_months`` of
        warranty (none: the category's or the company's applies)."""
        vals = {
            "name": name,
            "default_code": code,
            "type": "consu",
            "is_storable": True,
            "tracking": "serial",
            "list_price": list_price,
        }
        if warranty_months:
            vals.update(warranty=warranty_months, warranty_type="month")
        return cls.env["product.product"].create(vals)

    @classmethod
    def _warehouse(cls, company=None):
        company = company or cls.env.company
        return cls.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)

    @classmethod
    def _put_in_stock(cls, product, quantity=1.0, lot=None, company=None):
        company = company or cls.env.company
        cls.env["stock.quant"].with_company(company)._update_available_quantity(
            product, cls._warehouse(company).lot_stock_id, quantity, lot_id=lot
        )

    @classmethod
    def _validate_picking(cls, picking):
        """What the warehouse does: everything picked, validated without SMS nor
        backorder questions."""
        picking.move_ids.picked = True
        picking.with_context(skip_sms=True, skip_backorder=True).button_validate()

    @classmethod
    def _sell_and_deliver_lines(cls, lines, partner=None, company=None):
        """A confirmed sale to ``partner`` (the customer) of ``lines``
        [(product, quantity, price unit or None)], delivered now from stock:
        (order, delivery)."""
        company = company or cls.env.company
        order_lines = []
        for product, quantity, price_unit in lines:
            line = {"product_id": product.id, "product_uom_qty": quantity}
            if price_unit is not None:
                line["price_unit"] = price_unit
            order_lines.append(Command.create(line))
        order = (
            cls.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": (partner or cls.customer).id,
                    "company_id": company.id,
                    "warehouse_id": cls._warehouse(company).id,
                    "order_line": order_lines,
                }
            )
        )
        order.action_confirm()
        delivery = order.picking_ids
        delivery.action_assign()
        cls._validate_picking(delivery)
        return order, delivery

    @classmethod
    def _sell_and_deliver(cls, product, lot=None, partner=None, price_unit=None, company=None):
        """One unit of ``product`` (the serial ``lot``) put in stock, sold to
        ``partner`` (the customer) and delivered now: (order, delivery)."""
        cls._put_in_stock(product, 1, lot=lot, company=company)
        return cls._sell_and_deliver_lines([(product, 1, price_unit)], partner, company)


class AfterSalesCase(AfterSalesFixtures, TransactionCase):
    """A team working Monday-Friday 8-12 and 13-17 (UTC), with SLA, an agent, a
    supervisor leading the team and a manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._create_office_calendar()
        cls._setup_desk(
            "test", "After-sales (test)", use_sla=True, resource_calendar_id=cls.calendar.id
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Chen Customer", "phone": "+86 10 1234 5678", "email": "chen@example.com"}
        )
