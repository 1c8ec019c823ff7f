# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..product_category import WARRANTY_UNITS

# The frozen warranty result and the purchase it rests on: written only by the warranty
# check and a supervisor's override; the purchase and delivery dates stay the agent's
# to correct, with proof.
WARRANTY_FIELDS = (
    "warranty_state",
    "warranty_end_date",
    "warranty_length",
    "warranty_length_unit",
    "warranty_checked_date",
    "warranty_override_reason",
    "sale_order_id",
    "sale_line_id",
    "picking_id",
    "purchase_date_source",
)


class HelpdeskTicket(models.Model):
    """Warranty (保修): the purchase found from the real sale and delivery of the serial, and
    the warranty result frozen on the ticket; only the check and a supervisor's override
    write it."""

    _inherit = "helpdesk.ticket"

    _server_owned_fields = WARRANTY_FIELDS

    sale_order_id = fields.Many2one(
        "sale.order", string="Sale order", readonly=True, copy=False, index="btree_not_null"
    )
    sale_line_id = fields.Many2one("sale.order.line", readonly=True, copy=False)
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", readonly=True, copy=False, index="btree_not_null"
    )
    delivery_date = fields.Date(
        string="Received by the customer",
        copy=False,
        help="The day the customer received the goods: the return and exchange "
        "windows start the day after. Filled from the delivery; correct it when the "
        "customer signed for the goods later.",
    )
    purchase_date_source = fields.Selection(
        [
            ("delivery", "Delivery found"),
            ("sale", "Sale order found"),
            ("manual", "Entered with proof"),
        ],
        string="Purchase established by",
        readonly=True,
        copy=False,
    )
    warranty_state = fields.Selection(
        [
            ("in_warranty", "In warranty"),
            ("out_of_warranty", "Out of warranty"),
            ("unknown", "Unknown"),
        ],
        string="Warranty",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    warranty_end_date = fields.Date(string="Warranty ends on", readonly=True, copy=False)
    warranty_length = fields.Integer(string="Warranty applied", readonly=True, copy=False)
    warranty_length_unit = fields.Selection(
        WARRANTY_UNITS, string="Warranty unit applied", readonly=True, copy=False
    )
    warranty_checked_date = fields.Datetime(
        string="Warranty checked on", readonly=True, copy=False
    )
    warranty_override_reason = fields.Text(readonly=True, copy=False)
    purchase_proof_missing = fields.Boolean(
        string="Proof of purchase missing",
        compute="_compute_purchase_proof_missing",
        help="The purchase date was entered by hand and no receipt or invoice is "
        "attached as evidence.",
    )
    recommended_resolution = fields.Selection(
        [
            ("free_repair", "Free repair"),
            ("paid_repair", "Paid repair quote"),
            ("return", "Return"),
            ("exchange", "Exchange"),
            ("guidance", "Guidance"),
        ],
        compute="_compute_recommended_resolution",
        help="A suggestion from the class, the warranty and the windows; the agent decides.",
    )

    @api.depends("purchase_date_source", "evidence_ids")
    def _compute_purchase_proof_missing(self):
        for ticket in self:
            ticket.purchase_proof_missing = (
                ticket.purchase_date_source == "manual" and not ticket.evidence_ids
            )

    @api.depends(
        "category_code",
        "warranty_state",
        "return_window_end",
        "exchange_window_end",
        "repeated_repair_failure",
        "product_id",
        "sale_line_id",
    )
    def _compute_recommended_resolution(self):
        for ticket in self:
            ticket.recommended_resolution = ticket._recommend_resolution()

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        for ticket, vals in zip(tickets, vals_list, strict=True):
            if ticket.product_id and ticket.is_after_sales:
                ticket._apply_warranty_check(entered=self.WARRANTY_CHECK_TRIGGERS & set(vals))
        return tickets

    def write(self, vals):
        after_sales = self._after_sales_only()
        result = super().write(vals)
        # The warranty is checked again when what it rests on changes. The check's own
        # writes (as superuser, with the key) do not loop; a caller's key alone is no
        # way around the re-check.
        triggers = self.WARRANTY_CHECK_TRIGGERS & set(vals)
        own_check = self.env.su and self.env.context.get("after_sales_warranty_check")
        if triggers and not own_check:
            after_sales.filtered(
                lambda t: t.product_id or t.warranty_state
            )._apply_warranty_check(entered=triggers)
        return result

    def _recommend_resolution(self):
        """What the policy suggests (三包, see ``_get_remedy_blockers``); the agent
        decides with the customer."""
        if self.category_code in ("B", "C", "E"):
            return "guidance"
        if self.category_code not in ("A", "D"):
            return False
        today = fields.Date.context_today(self)
        if self.category_code == "D" and "return" in self._get_allowed_remedies(
            "no_reason", today
        ):
            return "return"
        quality = self._get_allowed_remedies("quality", today)
        if "exchange" in quality:
            return "exchange"
        if self.warranty_state == "in_warranty":
            return "free_repair"
        if self.warranty_state == "out_of_warranty":
            return "paid_repair"
        # Unknown warranty: establish the purchase first.
        return False

    @api.constrains("purchase_date", "delivery_date")
    def _check_delivery_after_purchase(self):
        for ticket in self:
            if (
                ticket.purchase_date
                and ticket.delivery_date
                and ticket.delivery_date < ticket.purchase_date
            ):
                raise ValidationError(
                    self.env._(
                        "Ticket %(ticket)s: the customer cannot have received the goods "
                        "(%(received)s) before buying them (%(bought)s).",
                        ticket=ticket.display_name,
                        received=ticket.delivery_date,
                        bought=ticket.purchase_date,
                    )
                )

    WARRANTY_CHECK_TRIGGERS = frozenset(
        {"product_id", "lot_id", "purchase_date", "delivery_date", "partner_id"}
    )

    def _find_purchase(self):
        """The customer's delivered purchase of this unit, in the ticket's company: the
        done outgoing move line of the serial to the customer, else the customer's
        delivered sale order line of the product. Returns (sale line, delivery
        picking), either possibly empty."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        company = self.company_id or self.env.company
        if not (customer and self.product_id):
            return self.env["sale.order.line"], self.env["stock.picking"]
        if self.lot_id:
            domain = [
                ("lot_id", "=", self.lot_id.id),
                ("state", "=", "done"),
                ("picking_code", "=", "outgoing"),
                ("picking_partner_id", "child_of", customer.id),
                ("company_id", "=", company.id),
            ]
            # The unit shipped back after a mail-in repair is no new purchase.
            mail_in = self.env.ref(
                "helpdesk_after_sales.rma_operation_mail_in_repair", raise_if_not_found=False
            )
            if mail_in:
                domain.append(("move_id.rma_id", "not any", [("operation_id", "=", mail_in.id)]))
            move_line = self.env["stock.move.line"].search(
                domain,
                order="date desc, id desc",
                limit=1,
            )
            return move_line.move_id.sale_line_id, move_line.picking_id
        sale_line = self.env["sale.order.line"].search(
            [
                ("order_partner_id", "child_of", customer.id),
                ("product_id", "=", self.product_id.id),
                ("state", "=", "sale"),
                ("qty_delivered", ">", 0),
                ("company_id", "=", company.id),
            ],
            order="id desc",
            limit=1,
        )
        picking = sale_line.move_ids.filtered(
            lambda m: m.state == "done" and m.picking_code == "outgoing"
        ).picking_id.sorted("date_done", reverse=True)[:1]
        return sale_line, picking

    def _get_warranty_terms(self):
        """(length, unit) from the product, else its category, else the company."""
        self.ensure_one()
        template = self.product_id.product_tmpl_id
        if template.warranty:
            return template.warranty, template.warranty_type or "month"
        category = self.product_id.categ_id
        if category.after_sales_warranty:
            return category.after_sales_warranty, category.after_sales_warranty_type
        company = self.company_id or self.env.company
        return company.after_sales_warranty, company.after_sales_warranty_type

    def _days_in_repair(self, since):
        """Calendar days this unit spent with the company since ``since`` (the
        purchase), which do not count against the warranty: warranty repairs (from
        their confirmation to their end, or until now for the one under way) and
        mail-in repairs in warranty (from the receipt of the unit to its return to
        the customer, or until now while it is with us). A day in several of these
        periods (a repair order during a mail-in repair) counts once."""
        self.ensure_one()
        if not self.lot_id:
            return 0
        periods = self._get_unit_periods_with_us()
        days = 0
        reached = None  # the end of the periods counted so far
        for started, ended in sorted(periods):
            if since and started < since:
                continue
            if reached and started < reached:
                started = reached
            if ended > started:
                days += (ended - started).days
                reached = ended
        return days

    def _get_unit_periods_with_us(self):
        """[(first day, day after the last)] of the unit's stays with the company
        that extend its warranty, in the user's dates."""
        self.ensure_one()
        now = fields.Datetime.now()
        periods = []
        repairs = self.env["repair.order"].sudo().search(
            [
                ("lot_id", "=", self.lot_id.id),
                ("under_warranty", "=", True),
                ("state", "in", ("confirmed", "under_repair", "done")),
                ("repair_confirmed_date", "!=", False),
            ]
        )
        for repair in repairs:
            periods.append(
                (
                    fields.Date.context_today(self, repair.repair_confirmed_date),
                    fields.Date.context_today(self, repair.repair_done_date or now),
                )
            )
        operation = self.env.ref(
            "helpdesk_after_sales.rma_operation_mail_in_repair", raise_if_not_found=False
        )
        if operation:
            rmas = self.env["rma"].sudo().search(
                [
                    ("lot_id", "=", self.lot_id.id),
                    ("operation_id", "=", operation.id),
                    ("after_sales_under_warranty", "=", True),
                    ("state", "!=", "cancelled"),
                ]
            )
            for rma in rmas:
                received, returned = rma._get_mail_in_dates()
                if received:
                    periods.append(
                        (
                            fields.Date.context_today(self, received),
                            fields.Date.context_today(self, returned or now),
                        )
                    )
        return periods

    def _prepare_warranty_values(self, entered=()):
        """The purchase and the warranty result, as of now, to freeze on the ticket.

        ``entered``: the dates the agent has just typed in; they are kept where the
        sale does not give them. Dates found from a sale that no longer matches the
        ticket (another serial, another customer) are dropped."""
        self.ensure_one()
        values = {"warranty_checked_date": fields.Datetime.now(), "warranty_override_reason": False}
        # Agents need not be salespeople or warehouse users to have the purchase checked.
        sale_line, picking = self.sudo()._find_purchase()
        values.update(
            sale_line_id=sale_line.id,
            sale_order_id=sale_line.order_id.id,
            picking_id=picking.id,
        )
        found_before = self.purchase_date_source
        if picking.date_done:
            shipped = fields.Date.context_today(self, picking.date_done)
            # The customer may have signed for the goods later than they were shipped:
            # a date the agent entered for this same delivery stands.
            keep_received = "delivery_date" in entered or (
                self.picking_id == picking and self.delivery_date
            )
            values.update(
                purchase_date=shipped,
                delivery_date=self.delivery_date if keep_received else shipped,
                purchase_date_source="delivery",
            )
        elif sale_line:
            values.update(
                purchase_date=fields.Date.context_today(self, sale_line.order_id.date_order),
                purchase_date_source="sale",
            )
            if found_before == "delivery" and "delivery_date" not in entered:
                values["delivery_date"] = False
        else:
            purchase_date, delivery_date = self.purchase_date, self.delivery_date
            if found_before in ("delivery", "sale"):
                if "purchase_date" not in entered:
                    purchase_date = values["purchase_date"] = False
                if "delivery_date" not in entered:
                    delivery_date = values["delivery_date"] = False
            values["purchase_date_source"] = (
                "manual" if (purchase_date or delivery_date) else False
            )
        start = values.get("purchase_date", self.purchase_date) or values.get(
            "delivery_date", self.delivery_date
        )
        length, unit = self._get_warranty_terms()
        values.update(warranty_length=length, warranty_length_unit=unit)
        if not (start and self.product_id):
            values.update(warranty_state="unknown", warranty_end_date=False)
            return values
        units = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
        end = (
            start
            + relativedelta(**{units.get(unit or "month", "months"): length})
            + timedelta(days=self._days_in_repair(start))
        )
        today = fields.Date.context_today(self)
        values.update(
            warranty_end_date=end,
            warranty_state="in_warranty" if today <= end else "out_of_warranty",
        )
        return values

    def _apply_warranty_check(self, entered=()):
        """Find the purchase and freeze the warranty result (no access check: the
        callers have checked the ticket may be written)."""
        for ticket in self._after_sales_only():
            overridden = ticket.warranty_override_reason
            values = ticket._prepare_warranty_values(entered)
            # The frozen fields are written as superuser, the only way past
            # _server_owned_fields; tracking still names the user.
            ticket.sudo().with_context(after_sales_warranty_check=True).write(values)
            if overridden:
                ticket.message_post(
                    body=self.env._(
                        "A new warranty check replaced the supervisor's override "
                        "(%(reason)s): the warranty is now %(state)s.",
                        reason=overridden,
                        state=ticket._get_warranty_state_label(),
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def _get_warranty_state_label(self, state=None):
        self.ensure_one()
        state = state or self.warranty_state
        return dict(self._fields["warranty_state"]._description_selection(self.env)).get(
            state, ""
        )

    def action_check_warranty(self):
        """Find the purchase and freeze the warranty result on the ticket."""
        self.check_access("write")
        self._check_archive_lock(dict.fromkeys(WARRANTY_FIELDS))
        self._apply_warranty_check()
        return True

    def _override_warranty(self, state, end_date, reason):
        """A supervisor corrects the frozen warranty result, with the reason logged."""
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_supervisor"):
            raise UserError(
                self.env._("Only an after-sales supervisor can override the warranty result.")
            )
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for overriding the warranty result."))
        if state == "in_warranty" and not end_date:
            raise UserError(
                self.env._("Give the day the warranty ends when you set a unit in warranty.")
            )
        self.check_access("write")
        self._check_archive_lock(dict.fromkeys(WARRANTY_FIELDS))
        for ticket in self:
            ticket.sudo().with_context(after_sales_warranty_check=True).write(
                {
                    "warranty_state": state,
                    "warranty_end_date": end_date,
                    "warranty_override_reason": reason,
                }
            )
            ticket.message_post(
                body=self.env._(
                    "Warranty result overridden to %(state)s (until %(date)s). Reason: %(reason)s",
                    state=ticket._get_warranty_state_label(state),
                    date=end_date or "-",
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def action_view_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }

    def action_view_delivery(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.picking",
            "res_id": self.picking_id.id,
            "view_mode": "form",
        }
