# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare, float_round


class HelpdeskTicket(models.Model):
    """Returns and exchanges (退换货), the goods: the delivered items that may go back
    and the RMAs the wizards create under the policy."""

    _inherit = "helpdesk.ticket"

    # Created by the desk's checked wizards only.
    _server_owned_fields = ("rma_ids", "refund_deadline", "refund_warning_date")

    rma_ids = fields.One2many("rma", "ticket_id", string="RMAs")
    rma_count = fields.Integer(string="RMA count", compute="_compute_rma_count")
    can_return = fields.Boolean(compute="_compute_can_return_exchange")
    can_exchange = fields.Boolean(compute="_compute_can_return_exchange")
    refund_deadline = fields.Datetime(
        string="Refund due by",
        compute="_compute_refund_deadline",
        store=True,
        # Cleared once refunded: the partial index holds the open refund deadlines.
        index="btree_not_null",
        help="The customer is refunded within the company's refund time (7 days by "
        "default) of the receipt of the returned goods; cleared once the credit note "
        "is posted.",
    )
    refund_warning_date = fields.Datetime(
        string="Refund warning on",
        compute="_compute_refund_deadline",
        store=True,
        help="When the refund deadline's warning is raised.",
    )

    @api.depends("rma_ids")
    def _compute_rma_count(self):
        ticket_ids = [ticket._origin.id for ticket in self if ticket._origin.id]
        counts = {}
        if ticket_ids:
            counts = dict(
                self.env["rma"]._read_group(
                    [("ticket_id", "in", ticket_ids)], ["ticket_id"], ["__count"]
                )
            )
        for ticket in self:
            ticket.rma_count = counts.get(ticket._origin, 0)

    @api.depends(
        "rma_ids.state",
        "rma_ids.operation_id.action_create_refund",
        "rma_ids.reception_move_id.state",
        "rma_ids.reception_move_id.date",
        "rma_ids.refund_id.state",
        "company_id.after_sales_refund_days",
        "company_id.after_sales_warning_ratio",
    )
    def _compute_refund_deadline(self):
        """The refund (退款) is due ``after_sales_refund_days`` (7) calendar days after
        the earliest receipt of returned goods not refunded yet."""
        for ticket in self:
            received = [
                date
                for date in (rma._get_after_sales_refund_due_from() for rma in ticket.rma_ids)
                if date
            ]
            if not received:
                ticket.refund_deadline = ticket.refund_warning_date = False
                continue
            company = ticket.company_id or self.env.company
            days = company.after_sales_refund_days
            ratio = company.after_sales_warning_ratio or 0.8
            ticket.refund_deadline = min(received) + timedelta(days=days)
            ticket.refund_warning_date = min(received) + timedelta(days=days * ratio)

    @api.depends("stage_id.closed", "sale_order_id", "picking_id")
    def _compute_can_return_exchange(self):
        for ticket in self:
            blocker = ticket._get_rma_blocker() if ticket._origin.id else True
            ticket.can_return = ticket.can_exchange = blocker is None

    def _get_rma_blocker(self):
        """Why nothing can be returned or exchanged from this ticket now, or None.
        The policy (windows, warranty) is checked apart: a supervisor may override it."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it to return or exchange goods.",
                ticket=self.display_name,
            )
        if not (self.sale_order_id or self.picking_id):
            return self.env._(
                "Link ticket %(ticket)s to the customer's sale order or delivery first.",
                ticket=self.display_name,
            )
        if not self._get_rma_candidates():
            return self.env._(
                "Everything delivered for ticket %(ticket)s was already returned or is "
                "being returned.",
                ticket=self.display_name,
            )
        return None

    def _get_delivered_moves(self):
        """The done customer deliveries of the ticket's sale (or delivery)."""
        self.ensure_one()
        ticket = self.sudo()
        if ticket.sale_order_id:
            moves = ticket.sale_order_id.order_line.move_ids
        else:
            moves = ticket.picking_id.move_ids
        return moves.filtered(
            lambda m: m.state == "done"
            and m.picking_code == "outgoing"
            and m.location_dest_id.usage == "customer"
        )

    def _get_rma_candidates(self):
        """What the customer may still send back: one entry per delivered move, or
        per serial number for serial-tracked products, with the quantity delivered
        minus what was already returned or is in an RMA (draft ones included)."""
        self.ensure_one()
        moves = self._get_delivered_moves()
        if not moves:
            return []
        rmas = self.env["rma"].sudo().search(
            [("move_id", "in", moves.ids), ("state", "!=", "cancelled")]
        )
        # A unit back from its mail-in repair is the customer's again (while with us,
        # it is not returned nor exchanged).
        rmas = rmas.filtered(
            lambda r: not (r._is_after_sales_mail_in() and r._get_mail_in_dates()[1])
        )
        candidates = []
        for move in moves:
            move_rmas = rmas.filtered(lambda r, m=move: r.move_id == m)
            # Plain returns (stock return wizard); RMA receipts are counted as RMAs.
            returns = move.returned_move_ids.filtered(
                lambda r: r.state != "cancel" and not r.rma_receiver_ids
            )
            uom = move.product_uom
            taken = sum(
                rma.product_uom._compute_quantity(rma.product_uom_qty, uom)
                for rma in move_rmas
            ) + sum(
                ret.product_uom._compute_quantity(ret.quantity or ret.product_uom_qty, uom)
                for ret in returns
            )
            returnable = float_round(move.quantity - taken, precision_rounding=uom.rounding)
            if float_compare(returnable, 0.0, precision_rounding=uom.rounding) <= 0:
                continue
            if move.product_id.tracking == "serial":
                lots = (
                    move.move_line_ids.lot_id
                    - move_rmas.lot_id
                    - returns.move_line_ids.lot_id
                )
                # RMAs made elsewhere may not name their serial: the count still holds
                # (the ticket's own serial first).
                lots = lots.sorted(lambda lot: lot != self.lot_id)
                for lot in lots[: int(returnable)]:
                    candidates.append(
                        self._prepare_rma_candidate(move, lot=lot, quantity=1.0)
                    )
                continue
            candidates.append(self._prepare_rma_candidate(move, quantity=returnable))
        return candidates

    def _prepare_rma_candidate(self, move, lot=False, quantity=0.0):
        sale_line = move.sale_line_id
        return {
            "move": move,
            "lot": lot or self.env["stock.lot"],
            "product": move.product_id,
            "uom": move.product_uom,
            "quantity": quantity,
            "sale_line": sale_line,
            "price_unit": sale_line.price_unit if sale_line else move.product_id.lst_price,
        }

    def _is_rma_candidate_for_ticket(self, candidate):
        """Whether the ticket is about this delivered item (proposed first)."""
        self.ensure_one()
        if self.lot_id:
            return candidate["lot"] == self.lot_id
        if self.sale_line_id:
            return candidate["sale_line"] == self.sale_line_id
        if self.product_id:
            return candidate["product"] == self.product_id
        return False

    def _check_rma_lines(self, lines):
        """Every requested line is a delivered item still returnable, in quantity."""
        self.ensure_one()
        candidates = {
            (c["move"].id, c["lot"].id): c for c in self._get_rma_candidates()
        }
        if not lines:
            raise UserError(self.env._("Choose at least one item and its quantity."))
        requested = {}
        for line in lines:
            key = (line["move"].id, line["lot"].id)
            requested[key] = requested.get(key, 0.0) + line["quantity"]
        for key, quantity in requested.items():
            candidate = candidates.get(key)
            line = next(li for li in lines if (li["move"].id, li["lot"].id) == key)
            label = line["product"].display_name + (
                f" ({line['lot'].sudo().name})" if line["lot"] else ""
            )
            if not candidate:
                raise UserError(
                    self.env._(
                        "%(item)s was not delivered for this ticket's order, or it was "
                        "already returned.",
                        item=label,
                    )
                )
            rounding = candidate["uom"].rounding
            if (
                float_compare(quantity, 0.0, precision_rounding=rounding) <= 0
                or float_compare(quantity, candidate["quantity"], precision_rounding=rounding)
                > 0
            ):
                raise UserError(
                    self.env._(
                        "%(item)s: %(quantity)s requested, but only %(returnable)s "
                        "%(uom)s delivered and not yet returned.",
                        item=label,
                        quantity=quantity,
                        returnable=candidate["quantity"],
                        uom=candidate["uom"].name,
                    )
                )

    def _get_rma_policy_items(self, lines):
        """[(product, sale line)] of the returned lines, for the exemption from
        no-reason returns, from the delivered moves (checked), not the caller's
        products."""
        moves = [line["move"].sudo() for line in lines]
        return [(move.product_id, move.sale_line_id) for move in moves]

    def _prepare_rma_vals(self, line, operation, reason, note=False, exception=False):
        self.ensure_one()
        move = line["move"]
        # Agents need no sales rights to return what was sold.
        move = move.sudo()
        order = move.sale_line_id.order_id or self.sudo().sale_order_id
        partner = order.partner_id or self.partner_id
        return {
            "partner_id": partner.id,
            "partner_invoice_id": (order.partner_invoice_id or partner).id,
            "partner_shipping_id": (order.partner_shipping_id or partner).id,
            "origin": ", ".join(filter(None, [self.number, order.name])),
            "company_id": move.company_id.id,
            "order_id": order.id,
            "picking_id": move.picking_id.id,
            "move_id": move.id,
            "product_id": move.product_id.id,
            "product_uom_qty": line["quantity"],
            "product_uom": move.product_uom.id,
            "lot_id": line["lot"].id,
            "operation_id": operation.id,
            "ticket_id": self.id,
            "user_id": (self.user_id or self.env.user).id,
            "after_sales_reason": reason,
            "replacement_product_id": line.get("replacement_product", move.product_id).id
            if operation == self.env.ref("rma.rma_operation_replace")
            else False,
            "policy_exception": exception or False,
            "description": note or False,
        }

    def _create_after_sales_rmas(self, kind, lines, reason, note=False, justification=False,
                                 refund=True):
        """Return (``kind="return"``) or exchange (``"exchange"``) delivered items:
        one confirmed RMA per line, so the warehouse gets the receipt.

        ``lines``: dicts with ``move``, ``lot``, ``product``, ``quantity`` and, for an
        exchange, ``replacement_product``."""
        self.ensure_one()
        blocker = self._get_rma_blocker()
        if blocker:
            raise UserError(blocker)
        self._check_rma_lines(lines)
        self._lock_returned_moves(lines)
        items = self._get_rma_policy_items(lines)
        policy = (
            self._get_return_policy_blocker(reason, items)
            if kind == "return"
            else self._get_exchange_policy_blocker(reason, items)
        )
        exception = self._accept_policy_exception(policy, justification)
        if kind == "exchange":
            operation = self.env.ref("rma.rma_operation_replace")
        elif refund:
            operation = self.env.ref("rma.rma_operation_refund")
        else:
            operation = self.env.ref("helpdesk_after_sales.rma_operation_return_no_refund")
        # Checked above: the ticket, the policy and the lines (see rma's server-owned
        # fields).
        rmas = (
            self.env["rma"]
            .sudo()
            .create(
                [
                    self._prepare_rma_vals(line, operation, reason, note, exception)
                    for line in lines
                ]
            )
            .with_env(self.env)
        )
        # The receipt is the warehouse's document: agents need no stock rights.
        rmas.sudo().action_confirm()
        self._post_rmas_started(kind, rmas, reason, refund, policy, exception)
        return rmas

    def _lock_returned_moves(self, lines):
        """Serialize the returns of the same delivered items (issue 20): two sessions
        returning one serial at the same moment must give one RMA. The moves' rows
        are updated in place (no value changes): the second transaction waits for
        the first, then fails to serialize (REPEATABLE READ) and Odoo retries it on a
        fresh snapshot, where the first one's RMA makes the item already returned.
        A mere ``FOR UPDATE`` would not do: a lock alone is no conflict for the
        second transaction's older snapshot."""
        move_ids = tuple({line["move"].id for line in lines})
        if move_ids:
            self.env.cr.execute(
                SQL("UPDATE stock_move SET write_date = write_date WHERE id IN %s", move_ids)
            )

    def _post_rmas_started(self, kind, rmas, reason, refund, policy, exception):
        """The chatter line of a return or exchange started from the ticket."""
        reason_label = dict(self.env["rma"]._fields["after_sales_reason"]._description_selection(
            self.env
        )).get(reason)
        items = ", ".join(
            f"{rma.name}: {rma.product_id.display_name}"
            + (f" ({rma.lot_id.name})" if rma.lot_id else "")
            + f" x {rma.product_uom_qty:g}"
            + (
                f" -> {rma.replacement_product_id.display_name}"
                if kind == "exchange" and rma.replacement_product_id != rma.product_id
                else ""
            )
            for rma in rmas.sudo()
        )
        if kind == "exchange":
            body = self.env._(
                "Exchange started (%(reason)s): %(items)s. The warehouse receives the "
                "returned goods, then ships the replacement.",
                reason=reason_label,
                items=items,
            )
        elif refund:
            body = self.env._(
                "Return with refund started (%(reason)s): %(items)s. The refund follows "
                "the receipt of the goods.",
                reason=reason_label,
                items=items,
            )
        else:
            body = self.env._(
                "Return without refund started (%(reason)s): %(items)s.",
                reason=reason_label,
                items=items,
            )
        if exception:
            body = self.env._(
                "%(body)s Outside the policy (%(policy)s); exception accepted by "
                "%(user)s: %(justification)s",
                body=body,
                policy=policy,
                user=self.env.user.name,
                justification=exception,
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def action_open_return_wizard(self):
        self.ensure_one()
        blocker = self._get_rma_blocker()
        if blocker:
            raise UserError(blocker)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_after_sales.helpdesk_ticket_return_wizard_action"
        ) | {"context": {"active_model": self._name, "active_id": self.id}}

    def action_open_exchange_wizard(self):
        self.ensure_one()
        blocker = self._get_rma_blocker()
        if blocker:
            raise UserError(blocker)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_after_sales.helpdesk_ticket_exchange_wizard_action"
        ) | {"context": {"active_model": self._name, "active_id": self.id}}

    def action_view_rmas(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("rma.rma_action")
        action.update(
            domain=[("ticket_id", "=", self.id)],
            context={"default_ticket_id": self.id},
        )
        return action
