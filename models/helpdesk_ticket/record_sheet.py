# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import format_amount


class HelpdeskTicket(models.Model):
    """What the record sheet (售后问题处理记录表) and the ticket show about the
    documents of other apps (delivery, repair orders): read on the server for that
    purpose only, so that agents without Inventory, Sales or Repair rights see the
    reference, state and dates they need, and nothing more."""

    _inherit = "helpdesk.ticket"

    # The first assignee, recorded by the server.
    _server_owned_fields = ("received_by_id",)

    received_by_id = fields.Many2one(
        "res.users",
        string="Received by",
        readonly=True,
        copy=False,
        help="The agent who took the ticket: its first assignee, not the user "
        "or mail gateway that created the record.",
    )
    sale_order_summary = fields.Char(
        string="Sale", compute="_compute_purchase_summaries", compute_sudo=True
    )
    delivery_summary = fields.Char(
        string="Delivery status", compute="_compute_purchase_summaries", compute_sudo=True
    )

    @api.depends("sale_order_id", "picking_id")
    def _compute_purchase_summaries(self):
        # compute_sudo: the sale and the delivery belong to Sales and Inventory.
        for ticket in self:
            order, picking = ticket.sale_order_id, ticket.picking_id
            # bool(): an empty recordset would be stored as the text "sale.order()"
            ticket.sale_order_summary = bool(order) and self.env._(
                "%(order)s of %(date)s, %(amount)s",
                order=order.name,
                date=fields.Date.to_string(order.date_order and order.date_order.date()),
                amount=format_amount(self.env, order.amount_total, order.currency_id),
            )
            states = dict(picking._fields["state"]._description_selection(self.env))
            ticket.delivery_summary = bool(picking) and self.env._(
                "%(picking)s: %(state)s, %(date)s",
                picking=picking.name,
                state=states.get(picking.state, picking.state),
                date=fields.Datetime.to_string(picking.date_done or picking.scheduled_date),
            )

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        # Assigned when recorded: not a default handler (helpdesk_mgmt's creator).
        assigned = [ticket.id for ticket, vals in zip(tickets, vals_list, strict=True)
                    if vals.get("user_id")]
        tickets.browse(assigned)._record_received_by()
        return tickets

    def write(self, vals):
        unreceived = self.filtered(lambda t: not t.received_by_id) if vals.get("user_id") else None
        result = super().write(vals)
        if unreceived:
            unreceived._record_received_by()
        return result

    def _record_received_by(self):
        """The first assignee took the ticket; a later reassignment keeps it (a
        server-owned field, see _server_owned_fields)."""
        for user, tickets in self.filtered(
            lambda t: t.user_id and not t.received_by_id
        ).grouped("user_id").items():
            tickets.sudo().write({"received_by_id": user.id})

    # ------------------------------------------------------------ record sheet
    def _get_record_sheet_repairs(self):
        """The ticket's repair orders as the record sheet lists them (reference,
        charge, state, dates), read for agents who cannot open repairs."""
        self.ensure_one()
        repairs = self.env["repair.order"].sudo().search(
            [("helpdesk_ticket_id", "=", self.id)], order="id"
        )
        states = dict(repairs._fields["state"]._description_selection(self.env))
        return [
            {
                "name": repair.name,
                "charge": self.env._("Free (warranty)")
                if repair.under_warranty
                else self.env._("Paid"),
                "state": states.get(repair.state, repair.state),
                "confirmed_on": repair.repair_confirmed_date,
                "done_on": repair.repair_done_date,
            }
            for repair in repairs
        ]
