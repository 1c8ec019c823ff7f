# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

TECHNICIAN_GROUP = "helpdesk_after_sales.group_after_sales_technician"
AGENT_GROUP = "helpdesk_after_sales.group_after_sales_agent"
# What a technician (not an agent) records on their own visit by hand; the rest
# (arrival, signature, completion) goes through the checked methods below.
TECHNICIAN_WRITABLE = frozenset({"resolution", "after_sales_part_ids"})


class FsmOrder(models.Model):
    """On-site visits (上门服务) planned from an after-sales ticket: the unit and the
    fault, the engineer's arrival, work and parts, the customer's signature, and the
    visit fee of an out-of-warranty visit with the customer's acceptance."""

    _name = "fsm.order"
    _inherit = ["fsm.order", "helpdesk.after.sales.server.owned.mixin"]

    # Set when the desk plans the visit (wizard) and by the checked methods; the
    # signature through the sign wizard, which checks the visit first.
    _server_owned_fields = (
        "after_sales_visit",
        "after_sales_product_id",
        "after_sales_lot_id",
        "after_sales_fault",
        "after_sales_under_warranty",
        "after_sales_fee",
        "after_sales_fee_accepted_date",
        "after_sales_fee_accepted_by_id",
        "after_sales_arrival_date",
        "after_sales_report_done",
        "signature",
        "signed_by",
        "signed_on",
    )

    after_sales_visit = fields.Boolean(
        string="After-sales visit",
        readonly=True,
        copy=False,
        index=True,
        help="Planned from an after-sales ticket: completed only with the customer's "
        "signature, and part of the ticket's closing proof.",
    )
    after_sales_product_id = fields.Many2one(
        "product.product", string="Product", readonly=True, copy=False
    )
    after_sales_lot_id = fields.Many2one(
        "stock.lot", string="Unit (serial)", readonly=True, copy=False
    )
    after_sales_fault = fields.Text(
        string="Fault", readonly=True, copy=False, help="The fault as the ticket records it."
    )
    after_sales_under_warranty = fields.Boolean(
        string="Free visit (warranty)", readonly=True, copy=False
    )
    after_sales_currency_id = fields.Many2one(related="company_id.currency_id")
    after_sales_fee = fields.Monetary(
        string="Visit fee",
        currency_field="after_sales_currency_id",
        readonly=True,
        copy=False,
        help="Quoted to the customer for an out-of-warranty visit; the engineer goes "
        "once the customer accepts it. In-warranty visits are free.",
    )
    after_sales_fee_accepted_date = fields.Datetime(
        string="Fee accepted on", readonly=True, copy=False
    )
    after_sales_fee_accepted_by_id = fields.Many2one(
        "res.users", string="Acceptance recorded by", readonly=True, copy=False
    )
    after_sales_arrival_date = fields.Datetime(
        string="Arrived on", readonly=True, copy=False, tracking=True
    )
    after_sales_part_ids = fields.One2many(
        "helpdesk.after.sales.visit.part", "order_id", string="Parts used"
    )
    after_sales_report_done = fields.Boolean(
        string="Visit report complete",
        compute="_compute_after_sales_report_done",
        store=True,
        help="Completed with the engineer's arrival, the work done and the customer's "
        "signature.",
    )

    @api.depends("stage_id", "after_sales_arrival_date", "signature", "resolution")
    def _compute_after_sales_report_done(self):
        completed = self.env.ref("fieldservice.fsm_stage_completed")
        for order in self:
            order.after_sales_report_done = bool(
                order.after_sales_visit
                and order.stage_id == completed
                and order.after_sales_arrival_date
                and order.signature
                and html2plaintext(order.resolution or "").strip()
            )

    # ------------------------------------------------------------ guards
    def _is_after_sales_technician_only(self):
        user = self.env.user
        return (
            not self.env.su
            and user.has_group(TECHNICIAN_GROUP)
            and not user.has_group(AGENT_GROUP)
        )

    def write(self, vals):
        if self._is_after_sales_technician_only():
            forbidden = set(vals) - TECHNICIAN_WRITABLE
            if forbidden:
                raise AccessError(
                    self.env._(
                        "A technician records the work done and the parts used on "
                        "their visits; arrival, signature and completion have their "
                        "own buttons. Not allowed: %(fields)s.",
                        fields=", ".join(sorted(forbidden)),
                    )
                )
            self._check_after_sales_editable()
        if (
            not self.env.su
            and vals.get("stage_id")
            and vals["stage_id"] == self.env.ref("fieldservice.fsm_stage_completed").id
            and self.filtered("after_sales_visit")
        ):
            # Completing an after-sales visit is a checked action (signature...).
            raise UserError(
                self.env._(
                    "Complete after-sales visit %(visit)s with its Done button: it "
                    "checks the arrival, the work done and the customer's signature.",
                    visit=", ".join(self.filtered("after_sales_visit").mapped("name")),
                )
            )
        return super().write(vals)

    def _check_after_sales_editable(self):
        """A completed or cancelled visit's report is the proof: no more changes."""
        closed = self.filtered(lambda o: o.after_sales_visit and o.is_closed)
        if closed:
            raise UserError(
                self.env._(
                    "Visit %(visit)s is closed: its report is part of the ticket's "
                    "proof and can no longer change.",
                    visit=", ".join(closed.mapped("name")),
                )
            )

    def _check_after_sales_engineer(self):
        """The visit's engineer, or a dispatcher of the desk, acts on it."""
        self.ensure_one()
        self.check_access("write")
        user = self.env.user
        if self.env.su or user.has_group(AGENT_GROUP):
            return
        if self.person_id.partner_id != user.partner_id:
            raise AccessError(
                self.env._(
                    "Visit %(visit)s is assigned to %(engineer)s: only they or the "
                    "after-sales desk record it.",
                    visit=self.name,
                    engineer=self.person_id.sudo().name,
                )
            )

    # ------------------------------------------------------------ paid visits
    # The acceptance rule of paid repairs (see repair_order.py), for visits.
    def _is_after_sales_quote_accepted(self):
        self.ensure_one()
        return bool(self.after_sales_fee_accepted_date)

    def _needs_after_sales_quote_acceptance(self):
        """An out-of-warranty visit is made only once the customer accepted its fee."""
        self.ensure_one()
        return bool(
            self.after_sales_visit
            and not self.after_sales_under_warranty
            and self.after_sales_fee
            and not self._is_after_sales_quote_accepted()
        )

    def _accept_after_sales_quote(self):
        self.sudo().write(
            {
                "after_sales_fee_accepted_date": fields.Datetime.now(),
                "after_sales_fee_accepted_by_id": self.env.user.id,
            }
        )

    # ------------------------------------------------------------ the visit
    def _get_after_sales_visit_blocker(self):
        """Why the engineer cannot act on this visit now, or None."""
        self.ensure_one()
        if not self.after_sales_visit:
            return self.env._(
                "Order %(visit)s was not planned from an after-sales ticket.",
                visit=self.name,
            )
        if self.is_closed:
            return self.env._("Visit %(visit)s is already closed.", visit=self.name)
        if self._needs_after_sales_quote_acceptance():
            return self.env._(
                "Visit %(visit)s is a paid visit: the customer has not accepted its "
                "fee yet. Record the acceptance on the ticket first.",
                visit=self.name,
            )
        return None

    def _get_after_sales_done_blocker(self):
        """Why the visit cannot be completed now, or None."""
        blocker = self._get_after_sales_visit_blocker()
        if blocker:
            return blocker
        missing = []
        if not self.after_sales_arrival_date:
            missing.append(self.env._("the arrival"))
        if not html2plaintext(self.resolution or "").strip():
            missing.append(self.env._("the work done"))
        if not self.signature:
            missing.append(self.env._("the customer's signature"))
        if missing:
            return self.env._(
                "Visit %(visit)s cannot be completed yet: record %(missing)s.",
                visit=self.name,
                missing=", ".join(missing),
            )
        return None

    def _post_after_sales_trace(self, body):
        """The visit's step, on the visit and on its ticket."""
        for order in self.sudo():
            order.message_post(body=body, subtype_xmlid="mail.mt_note")
            if order.ticket_id:
                order.ticket_id.message_post(body=body, subtype_xmlid="mail.mt_note")

    def action_after_sales_arrive(self):
        """The engineer is at the customer's: the arrival time is recorded."""
        for order in self:
            order._check_after_sales_engineer()
            blocker = order._get_after_sales_visit_blocker()
            if blocker:
                raise UserError(blocker)
            if order.after_sales_arrival_date:
                raise UserError(
                    self.env._(
                        "The arrival at visit %(visit)s is already recorded.",
                        visit=order.name,
                    )
                )
            now = fields.Datetime.now()
            vals = {"after_sales_arrival_date": now}
            if not order.date_start:
                vals["date_start"] = now
            order.sudo().write(vals)
            order._post_after_sales_trace(
                self.env._(
                    "Visit %(visit)s: %(engineer)s arrived at the customer's.",
                    visit=order.name,
                    engineer=order.person_id.sudo().name or self.env.user.name,
                )
            )
        return True

    def _after_sales_record_signature(self, signed_by, signature):
        """The customer signs the visit report (the sign wizard)."""
        self.ensure_one()
        self._check_after_sales_engineer()
        blocker = self._get_after_sales_visit_blocker()
        if blocker:
            raise UserError(blocker)
        if not signature or not (signed_by or "").strip():
            raise UserError(
                self.env._("The customer signs and writes their name to sign the visit report.")
            )
        self.sudo().write(
            {
                "signed_by": signed_by.strip(),
                "signed_on": fields.Datetime.now(),
                "signature": signature,
            }
        )

    def action_after_sales_done(self):
        """Done with signature: the visit report (arrival, work, parts, signature) is
        complete and becomes part of the ticket's closing proof."""
        for order in self:
            order._check_after_sales_engineer()
            blocker = order._get_after_sales_done_blocker()
            if blocker:
                raise UserError(blocker)
            vals = {"stage_id": self.env.ref("fieldservice.fsm_stage_completed").id}
            if not order.date_end:
                vals["date_end"] = fields.Datetime.now()
            order.sudo().with_context(bypass_order_completed_stage=True).write(vals)
            order._post_after_sales_trace(
                self.env._(
                    "Visit %(visit)s done: work recorded and report signed by "
                    "%(customer)s.",
                    visit=order.name,
                    customer=order.signed_by,
                )
            )
        return True

    def action_complete(self):
        """fieldservice's Complete button: an after-sales visit completes only through
        its checks."""
        visits = self.filtered("after_sales_visit")
        if visits:
            visits.action_after_sales_done()
            rest = self - visits
            return super(FsmOrder, rest).action_complete() if rest else True
        return super().action_complete()

    def action_after_sales_sign(self):
        """Open the signature pad for this visit."""
        self.ensure_one()
        self._check_after_sales_engineer()
        blocker = self._get_after_sales_visit_blocker()
        if blocker:
            raise UserError(blocker)
        action = self.env["ir.actions.actions"]._for_xml_id(
            "fieldservice.fsm_order_sign_wizard_action"
        )
        action["context"] = {"active_id": self.id, "active_model": "fsm.order"}
        return action

    def _get_after_sales_visit_report_values(self):
        """The visit report as the record sheet and the visit report print it, read
        for users who may not open the visit."""
        self.ensure_one()
        order = self.sudo()
        return {
            "name": order.name,
            "engineer": order.person_id.name or "",
            "window_start": order.scheduled_date_start,
            "window_end": order.scheduled_date_end,
            "arrival": order.after_sales_arrival_date,
            "done_on": order.date_end if order.after_sales_report_done else False,
            "stage": order.stage_id.name,
            "unit": order.after_sales_lot_id.name or "",
            "fault": order.after_sales_fault or "",
            "work": html2plaintext(order.resolution or "").strip(),
            "parts": [
                {
                    "product": part.product_id.display_name,
                    "quantity": part.quantity,
                    "uom": part.product_uom_id.name or "",
                    "lot": part.lot_id.name or "",
                }
                for part in order.after_sales_part_ids
            ],
            "charge": self.env._("Free (warranty)")
            if order.after_sales_under_warranty
            else self.env._("Paid"),
            "fee": order.after_sales_fee,
            "currency": order.after_sales_currency_id,
            "signed_by": order.signed_by or "",
            "signed_on": order.signed_on,
            "signature": order.signature,
        }
