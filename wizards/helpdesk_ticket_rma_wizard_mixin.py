# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from ..models.rma import RMA_REASONS


class HelpdeskTicketRmaWizardMixin(models.AbstractModel):
    """What the return and exchange wizards share: the ticket, the delivered items
    still returnable, the reason and the policy check."""

    _name = "helpdesk.ticket.rma.wizard.mixin"
    _description = "Return or exchange from a ticket (common part)"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="ticket_id.partner_id", string="Customer")
    reason = fields.Selection(RMA_REASONS, required=True)
    note = fields.Text(string="Details", help="What the customer reports about the goods.")
    policy_blocker = fields.Text(
        string="Outside the policy", compute="_compute_policy_blocker"
    )
    is_supervisor = fields.Boolean(compute="_compute_is_supervisor")
    justification = fields.Text(
        string="Exception justification",
        help="Required outside the policy: why a supervisor accepts it anyway.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "helpdesk.ticket":
            values.setdefault("ticket_id", self.env.context.get("active_id"))
        ticket = self.env["helpdesk.ticket"].browse(values.get("ticket_id"))
        if ticket and "line_ids" in fields_list:
            values["line_ids"] = [
                Command.create(vals) for vals in self._prepare_line_vals_list(ticket)
            ]
        return values

    @api.model
    def _prepare_line_vals_list(self, ticket):
        candidates = ticket._get_rma_candidates()
        concerned = [c for c in candidates if ticket._is_rma_candidate_for_ticket(c)]
        # Propose the item the ticket is about; when it says nothing, the only one.
        proposed = concerned or (candidates if len(candidates) == 1 else [])
        return [
            self._prepare_line_vals(
                candidate, proposed=any(candidate is p for p in proposed)
            )
            for candidate in candidates
        ]

    @api.model
    def _prepare_line_vals(self, candidate, proposed=False):
        return {
            "move_id": candidate["move"].id,
            "lot_id": candidate["lot"].id,
            "product_id": candidate["product"].id,
            "uom_id": candidate["uom"].id,
            "returnable_qty": candidate["quantity"],
            "quantity": candidate["quantity"] if proposed else 0.0,
            "price_unit": candidate["price_unit"],
        }

    @api.depends("ticket_id")  # so that the form's first onchange computes it
    @api.depends_context("uid")
    def _compute_is_supervisor(self):
        is_supervisor = self.env.user.has_group(
            "helpdesk_after_sales.group_after_sales_supervisor"
        )
        for wizard in self:
            wizard.is_supervisor = is_supervisor

    def _compute_policy_blocker(self):
        raise NotImplementedError()

    def _get_selected_lines(self):
        return self.line_ids.filtered(
            lambda line: float_compare(
                line.quantity, 0.0, precision_rounding=line.uom_id.rounding or 0.001
            )
            > 0
        )

    def _get_policy_items(self):
        """[(product, sale line)] chosen, for the policy; None (the ticket's product)
        while nothing is chosen."""
        lines = self._get_selected_lines()
        if not lines:
            return None
        return [(line.product_id, line.move_id.sudo().sale_line_id) for line in lines]

    def _prepare_rma_lines(self):
        """The wizard's choice in the shape the ticket's business method takes."""
        return [line._prepare_rma_line() for line in self._get_selected_lines()]

    def _action_view_rmas(self, rmas):
        action = self.env["ir.actions.act_window"]._for_xml_id("rma.rma_action")
        if len(rmas) == 1:
            action.update(res_id=rmas.id, view_mode="form", views=[(False, "form")])
        else:
            action["domain"] = [("id", "in", rmas.ids)]
        action["context"] = {}
        return action


class HelpdeskTicketRmaWizardLineMixin(models.AbstractModel):
    _name = "helpdesk.ticket.rma.wizard.line.mixin"
    _description = "Delivered item of a return or exchange (common part)"

    move_id = fields.Many2one("stock.move", string="Delivery move", readonly=True)
    picking_id = fields.Many2one(
        related="move_id.picking_id", string="Delivery", related_sudo=True
    )
    lot_id = fields.Many2one("stock.lot", string="Serial number", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True)
    returnable_qty = fields.Float(
        string="Returnable", digits="Product Unit of Measure", readonly=True,
        help="Delivered and not yet returned nor in another return.",
    )
    quantity = fields.Float(digits="Product Unit of Measure")
    price_unit = fields.Float(
        string="Unit price", digits="Product Price", readonly=True,
        help="Price the customer paid for one unit.",
    )

    @api.constrains("quantity", "returnable_qty")
    def _check_quantity(self):
        for line in self:
            rounding = line.uom_id.rounding or 0.001
            if float_compare(line.quantity, 0.0, precision_rounding=rounding) < 0:
                raise ValidationError(
                    self.env._("%(product)s: the quantity cannot be negative.",
                               product=line.product_id.display_name)
                )
            if line.lot_id and float_compare(line.quantity, 1.0, precision_rounding=rounding) > 0:
                raise ValidationError(
                    self.env._(
                        "Serial number %(lot)s is one unit.", lot=line.lot_id.sudo().name
                    )
                )
            if float_compare(line.quantity, line.returnable_qty, precision_rounding=rounding) > 0:
                raise ValidationError(
                    self.env._(
                        "%(product)s: at most %(returnable)s can be returned (delivered "
                        "and not yet returned).",
                        product=line.product_id.display_name,
                        returnable=line.returnable_qty,
                    )
                )

    def _prepare_rma_line(self):
        self.ensure_one()
        return {
            "move": self.move_id,
            "lot": self.lot_id,
            "product": self.product_id,
            "quantity": self.quantity,
        }
