# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, fields

from odoo.tests import TransactionCase, new_test_user

MODULE = "helpdesk_after_sales"
ROLES = (("agent", "Agent Li"), ("supervisor", "Supervisor Wang"), ("manager", "Manager Zhang"))


def new_after_sales_users(env, prefix):
    """(agent, supervisor, manager): one user per role, with only that role's group,
    logins ``as_<prefix>_<role>`` (the password is the login)."""
    return tuple(
        new_test_user(
            env, login=f"as_{prefix}_{role}", name=name, groups=f"{MODULE}.group_after_sales_{role}"
        )
        for role, name in ROLES
    )


class AfterSalesTicketMixin:
    """Ticket helpers for the TransactionCase and HttpCase classes; the class
    provides ``team``, ``customer``, ``agent`` and ``category_b``."""

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

    @classmethod
    def _record_result(cls, ticket, user=None, **values):
        """Fill in what closing a ticket as solved needs: solution, result, handler
        and the customer's confirmation (who, how, when)."""
        vals = {
            "solution": "Replaced the power board on site.",
            "result": "The printer starts and prints normally.",
            "customer_confirmation_by": ticket.partner_id.name or "Customer",
            "customer_confirmation_method": "phone",
            "customer_confirmation_date": fields.Datetime.now(),
        }
        if not ticket.user_id:
            vals["user_id"] = (user or cls.agent).id
        vals.update(values)
        ticket.with_user(user or cls.agent).write(vals)
        return ticket


class AfterSalesCase(AfterSalesTicketMixin, TransactionCase):
    """A team working Monday-Friday 8-12 and 13-17 (UTC), with SLA, an agent, a
    supervisor leading the team and a manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent, cls.supervisor, cls.manager = new_after_sales_users(cls.env, "test")
        cls.calendar = cls.env["resource.calendar"].create(
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
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "After-sales (test)",
                "is_after_sales": True,
                "use_sla": True,
                "resource_calendar_id": cls.calendar.id,
                "user_id": cls.supervisor.id,
                "user_ids": [Command.set((cls.agent | cls.supervisor).ids)],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Chen Customer", "phone": "+86 10 1234 5678", "email": "chen@example.com"}
        )
        cls.category_a = cls.env.ref(f"{MODULE}.helpdesk_ticket_category_a")
        cls.category_b = cls.env.ref(f"{MODULE}.helpdesk_ticket_category_b")
        cls.category_c = cls.env.ref(f"{MODULE}.helpdesk_ticket_category_c")
        cls.category_d = cls.env.ref(f"{MODULE}.helpdesk_ticket_category_d")
        cls.category_e = cls.env.ref(f"{MODULE}.helpdesk_ticket_category_e")
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_in_progress = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
        cls.stage_awaiting = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_awaiting")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
