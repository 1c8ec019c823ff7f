# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

MAIL_IN_OPERATION = "helpdesk_after_sales.rma_operation_mail_in_repair"
# The unit is with the company, or on its way in or out.
MAIL_IN_OPEN_STATES = ("draft", "confirmed", "received", "waiting_return")


class HelpdeskTicket(models.Model):
    """Mail-in repairs (寄修): the customer sends the unit in, the warehouse receives it
    through an RMA of the operation "Mail-in repair", and ships the same unit back once
    repaired (rma's "Return to customer"). The days the unit spends with the company
    extend its warranty as warranty repairs do (see ``_days_in_repair``)."""

    _inherit = "helpdesk.ticket"

    # Created by the checked actions; the dates come from the warehouse's moves.
    _server_owned_fields = ("mail_in_rma_id", "unit_received_date", "unit_returned_date")

    mail_in_rma_id = fields.Many2one(
        "rma",
        string="Mail-in RMA",
        compute="_compute_mail_in_rma_id",
        store=True,
        help="The RMA receiving the customer's unit for a mail-in repair and shipping "
        "it back (the latest one of this ticket).",
    )
    unit_received_date = fields.Datetime(
        string="Unit received on",
        compute="_compute_unit_dates",
        store=True,
        # "Unit with us" searches the received units not returned yet.
        index="btree_not_null",
        help="When the warehouse received the customer's unit for the mail-in repair "
        "(the receipt's done date).",
    )
    unit_returned_date = fields.Datetime(
        string="Unit returned on",
        compute="_compute_unit_dates",
        store=True,
        help="When the repaired unit was shipped back to the customer (the return "
        "delivery's done date).",
    )
    can_mail_in = fields.Boolean(
        string="Mail-in repair possible", compute="_compute_can_mail_in"
    )
    can_return_unit = fields.Boolean(
        string="Unit can go back", compute="_compute_can_mail_in"
    )

    @api.depends("rma_ids.operation_id", "rma_ids.state")
    def _compute_mail_in_rma_id(self):
        # The operation's id without env.ref's existence query: a new ticket has no
        # RMA to compare (its rma_ids are known empty), and this runs on every create.
        operation_id = self.env["ir.model.data"]._xmlid_to_res_id(
            MAIL_IN_OPERATION, raise_if_not_found=False
        )
        for ticket in self:
            rmas = ticket.rma_ids.filtered(
                lambda r: operation_id
                and r.operation_id.id == operation_id
                and r.state != "cancelled"
            )
            ticket.mail_in_rma_id = rmas.sorted("id")[-1:]

    @api.depends(
        "mail_in_rma_id.reception_move_id.state",
        "mail_in_rma_id.reception_move_id.date",
        "mail_in_rma_id.delivery_move_ids.state",
        "mail_in_rma_id.delivery_move_ids.date",
        "mail_in_rma_id.delivered_qty_done",
    )
    def _compute_unit_dates(self):
        for ticket in self:
            received, returned = ticket.mail_in_rma_id._get_mail_in_dates()
            ticket.unit_received_date = received
            ticket.unit_returned_date = returned

    @api.depends(
        "closed",
        "product_id",
        "lot_id",
        "partner_id",
        "rma_ids.state",
        "repair_ids.state",
    )
    def _compute_can_mail_in(self):
        for ticket in self:
            saved = bool(ticket._origin.id)
            ticket.can_mail_in = saved and ticket._get_mail_in_blocker() is None
            ticket.can_return_unit = saved and ticket._get_unit_return_blocker() is None

    # ------------------------------------------------------------ checks
    @api.depends("mail_in_rma_id.state")
    def _compute_can_close(self):
        return super()._compute_can_close()

    def _get_closing_obstacle(self):
        """The ticket is not solved while the customer's unit is on its way to us,
        with us or not shipped back yet."""
        obstacle = super()._get_closing_obstacle()
        rma = self.sudo().mail_in_rma_id
        if obstacle or rma.state not in MAIL_IN_OPEN_STATES:
            return obstacle
        return self.env._(
            "Ticket %(ticket)s cannot be closed while its mail-in repair %(rma)s is open: "
            "ship the customer's unit back with \"Return the unit\" first, or cancel the "
            "RMA if the unit never came.",
            ticket=self.display_name,
            rma=rma.name,
        )

    def _get_mail_in_blocker(self):
        """Why the unit cannot be received for a mail-in repair now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it to receive the unit for a mail-in "
                "repair.",
                ticket=self.display_name,
            )
        if not self.partner_id:
            return self.env._(
                "Set the customer of ticket %(ticket)s: the unit comes from and goes back "
                "to them.",
                ticket=self.display_name,
            )
        if not self.product_id:
            return self.env._("Set the product before receiving the unit for a mail-in repair.")
        if self.product_id.type != "consu":
            return self.env._(
                "%(product)s is not a physical product: there is no unit to receive.",
                product=self.product_id.display_name,
            )
        if self.product_id.tracking == "serial" and not self.lot_id:
            return self.env._(
                "Set the serial number before receiving the unit for a mail-in repair: "
                "the warehouse receives and ships back that unit."
            )
        open_rma = self._get_open_mail_in_rmas()[:1]
        if open_rma:
            return self.env._(
                "The unit is already in mail-in repair %(rma)s (ticket %(ticket)s): "
                "follow it up rather than opening another.",
                rma=open_rma.name,
                ticket=open_rma.ticket_id.display_name,
            )
        return None

    def _get_open_mail_in_rmas(self):
        """The open mail-in RMAs of this ticket, and of its unit (serial) on any
        ticket."""
        self.ensure_one()
        operation = self.env.ref(MAIL_IN_OPERATION, raise_if_not_found=False)
        if not operation:
            return self.env["rma"]
        domain = [("ticket_id", "=", self._origin.id or 0)]
        if self.lot_id:
            domain = ["|", ("lot_id", "=", self.lot_id.id)] + domain
        return (
            self.env["rma"]
            .sudo()
            .search(
                [("operation_id", "=", operation.id), ("state", "in", MAIL_IN_OPEN_STATES)]
                + domain,
                order="id desc",
            )
        )

    def _get_unit_return_blocker(self):
        """Why the unit received for the mail-in repair cannot go back to the customer
        now, or None."""
        self.ensure_one()
        rma = self.sudo().mail_in_rma_id
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it to return the unit.",
                ticket=self.display_name,
            )
        if not rma:
            return self.env._(
                "Ticket %(ticket)s has no mail-in repair: there is no unit to return.",
                ticket=self.display_name,
            )
        if rma.state == "waiting_return":
            return self.env._(
                "The unit of mail-in repair %(rma)s is already being shipped back: "
                "%(pickings)s.",
                rma=rma.name,
                pickings=", ".join(rma.delivery_move_ids.picking_id.mapped("name")),
            )
        if rma.state in ("draft", "confirmed"):
            return self.env._(
                "The unit of mail-in repair %(rma)s has not been received yet: the "
                "warehouse validates its receipt first.",
                rma=rma.name,
            )
        if rma.state != "received":
            return self.env._(
                "Mail-in repair %(rma)s is over: the unit has gone back already.",
                rma=rma.name,
            )
        unfinished = self.sudo().repair_ids.filtered(
            lambda r: r.state in ("draft", "confirmed", "under_repair")
            and (not r.lot_id or r.lot_id == rma.lot_id)
        )
        if unfinished:
            return self.env._(
                "Repair %(repair)s of the unit is not finished: return the unit once it "
                "is repaired (or cancel the repair if the customer declined the quote).",
                repair=unfinished[0].name,
            )
        return None

    # ------------------------------------------------------------ actions
    def _get_mail_in_delivered_move(self):
        """The done delivery of this unit to the customer, if the ticket's sale or
        delivery holds it: the RMA refers to it (origin, order, serial)."""
        self.ensure_one()
        moves = self._get_delivered_moves().filtered(
            lambda m: m.product_id == self.product_id
        )
        if self.lot_id:
            moves = moves.filtered(lambda m: self.lot_id in m.move_line_ids.lot_id)
        return moves[:1]

    def _prepare_mail_in_rma_vals(self):
        self.ensure_one()
        move = self._get_mail_in_delivered_move().sudo()
        order = move.sale_line_id.order_id
        partner = order.partner_id or self.partner_id
        company = self.company_id or self.env.company
        vals = {
            "partner_id": partner.id,
            "partner_invoice_id": (order.partner_invoice_id or partner).id,
            "partner_shipping_id": (order.partner_shipping_id or partner).id,
            "origin": ", ".join(filter(None, [self.number, order.name])),
            "company_id": company.id,
            "product_id": self.product_id.id,
            "product_uom_qty": 1.0,
            "product_uom": self.product_id.uom_id.id,
            "lot_id": self.lot_id.id,
            "operation_id": self.env.ref(MAIL_IN_OPERATION).id,
            "ticket_id": self.id,
            "user_id": (self.user_id or self.env.user).id,
            "after_sales_reason": "quality",
            "after_sales_under_warranty": self.warranty_state == "in_warranty",
            "description": self.symptoms or False,
        }
        if move:
            vals.update(
                order_id=order.id,
                picking_id=move.picking_id.id,
                move_id=move.id,
                product_uom=move.product_uom.id,
            )
        return vals

    def action_mail_in_repair(self):
        """The customer sends the unit in: an RMA "Mail-in repair" whose receipt the
        warehouse validates when the parcel arrives."""
        self.ensure_one()
        self.check_access("write")
        blocker = self._get_mail_in_blocker()
        if blocker:
            raise UserError(blocker)
        # Checked above (see rma's server-owned fields); the receipt is the
        # warehouse's document: agents need no stock rights.
        rma = self.env["rma"].sudo().create(self._prepare_mail_in_rma_vals())
        rma.action_confirm()
        self.message_post(
            body=self.env._(
                "Mail-in repair %(rma)s started for %(unit)s: the warehouse receives the "
                "unit (%(receipt)s), and ships it back once repaired.",
                rma=rma.name,
                unit=rma._get_mail_in_unit_label(),
                receipt=rma.reception_move_id.picking_id.name or "-",
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_return_mail_in_unit(self):
        """The repaired unit goes back: rma's return to the customer, delivered by the
        warehouse."""
        self.ensure_one()
        self.check_access("write")
        blocker = self._get_unit_return_blocker()
        if blocker:
            raise UserError(blocker)
        rma = self.sudo().mail_in_rma_id
        rma.create_return(fields.Datetime.now(), rma.product_uom_qty, rma.product_uom)
        self.message_post(
            body=self.env._(
                "Return of %(unit)s to the customer started (mail-in repair %(rma)s): "
                "%(pickings)s.",
                unit=rma._get_mail_in_unit_label(),
                rma=rma.name,
                pickings=", ".join(rma.delivery_move_ids.picking_id.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True
