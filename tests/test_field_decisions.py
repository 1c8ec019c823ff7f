# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every field this addon adds is either the agent's to write or the server's.

Walks the registry: a new stored field on a model agents may write fails this
test until someone decides, here, that agents may write it, or lists it in the
model's ``_server_owned_fields`` (and sets it through a checked method)."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from ..compat import is_automatic_field
from .common import new_after_sales_users

MODULE = "helpdesk_after_sales"

# What an agent records by hand (over the form or the API), per model.
AGENT_WRITABLE = {
    "helpdesk.ticket": {
        # intake record
        "intake_date",
        "contact_phone",
        "contact_email",
        "customer_words",
        "product_model",
        "lot_id",
        "purchase_date",
        "fault_date",
        "symptoms",
        "customer_attempts",
        "expected_resolution",
        "evidence_ids",
        "serial_number",
        "partner_id",
        "product_id",
        # internal notes (helpdesk_mgmt's on 18.0, the addon's on 19.0: series/19.0)
        "notes",
        # classification
        "service_priority",
        "priority",
        # purchase established with proof
        "delivery_date",
        "improvement_action_ids",
        # the urgent ticket's plan (方案), recorded through action_record_plan
        "handling_plan",
        # closing the loop
        "solution",
        "result",
        "aftercare_advice",
        "customer_confirmation_by",
        "customer_confirmation_method",
        "customer_confirmation_date",
        # cause and responsibility, recorded when solving
        "root_cause_id",
        "responsible_department_id",
        # service complaints (class C)
        "origin_ticket_id",
        "complaint_apology",
        "complaint_corrective_action",
    },
    # The warehouse may correct the serial it receives.
    "rma": {"lot_id"},
    # The request's inputs, editable while it is a draft only (the model refuses
    # them once submitted; the approval works on what was submitted).
    "helpdesk.ticket.compensation": {
        "ticket_id",
        "partner_id",
        "compensation_type",
        "amount",
        "currency_id",
        "reason",
        "executor_id",
    },
    # issue 18, on-site visits: the parts the engineer used, recorded on the visit
    # (closed visits refuse them, see helpdesk_after_sales_visit_part.py).
    "fsm.order": {"after_sales_part_ids"},
    "helpdesk.after.sales.visit.part": {"order_id", "product_id", "quantity", "lot_id"},
}


def _owned(model):
    """The model's server-owned fields, over all the files extending it."""
    if hasattr(model, "_get_server_owned_fields"):
        return set(model._get_server_owned_fields())
    return set()


@tagged("post_install", "-at_install")
class TestFieldDecisions(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_after_sales_users(cls.env, "decisions")[0]

    def _agent_writable_candidates(self):
        """{model: {field}}: stored fields this addon defines on models the agent
        may write or create, that the ORM would let a caller set."""
        candidates = {}
        for model_name in self.env.registry:
            model = self.env[model_name]
            if model._abstract or model._transient or not model._auto:
                continue
            as_agent = model.with_user(self.agent)
            if not (as_agent.has_access("write") or as_agent.has_access("create")):
                continue
            for name, field in model._fields.items():
                if field._module != MODULE or is_automatic_field(field):
                    continue
                if not (field.store or field.inverse):
                    continue
                candidates.setdefault(model_name, set()).add(name)
        return candidates

    def test_every_field_an_agent_could_write_is_decided(self):
        undecided = {}
        for model_name, names in self._agent_writable_candidates().items():
            model = self.env[model_name]
            owned = _owned(model)
            left = names - owned - AGENT_WRITABLE.get(model_name, set())
            if left:
                undecided[model_name] = sorted(left)
        self.assertFalse(
            undecided,
            "Fields agents could write with no decision: add them to AGENT_WRITABLE in "
            f"this test or to the model's _server_owned_fields: {undecided}",
        )

    def test_decisions_name_real_fields_and_do_not_overlap(self):
        for model_name, names in AGENT_WRITABLE.items():
            model = self.env[model_name]
            self.assertFalse(names - set(model._fields), f"{model_name}: unknown fields")
            self.assertFalse(
                names & _owned(model),
                f"{model_name}: both the agent's and the server's",
            )

    def test_server_owned_fields_are_refused_to_the_agent(self):
        """The decision holds: each server-owned field of a model the agent may
        write is refused to them."""
        for model_name in self._agent_writable_candidates():
            model = self.env[model_name]
            owned = _owned(model)
            record = model.with_user(self.agent).search([], limit=1)
            if not owned or not record:
                continue
            for name in owned:
                field = model._fields[name]
                value = field.convert_to_write(record.sudo()[name], record)
                with self.subTest(model=model_name, field=name), self.assertRaisesRegex(
                    AccessError, "after-sales desk sets"
                ):
                    record.write({name: value})
