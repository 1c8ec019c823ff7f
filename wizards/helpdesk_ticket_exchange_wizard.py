# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models


class HelpdeskTicketExchangeWizard(models.TransientModel):
    _name = "helpdesk.ticket.exchange.wizard"
    _inherit = "helpdesk.ticket.rma.wizard.mixin"
    _description = "Exchange delivered goods from a ticket"

    line_ids = fields.One2many(
        "helpdesk.ticket.exchange.wizard.line", "wizard_id", string="Delivered items"
    )
    reason = fields.Selection(default="quality")
    currency_id = fields.Many2one(related="ticket_id.company_id.currency_id")
    price_difference = fields.Monetary(
        string="Price difference",
        compute="_compute_price_difference",
        help="What the replacements cost more (or less) than the returned goods; "
        "settle it with the customer.",
    )

    @api.depends("ticket_id", "reason", "line_ids.quantity")
    def _compute_policy_blocker(self):
        for wizard in self:
            wizard.policy_blocker = (
                wizard.ticket_id._get_exchange_policy_blocker(
                    wizard.reason, wizard._get_policy_items()
                )
                if wizard.ticket_id
                else False
            )

    @api.depends("line_ids.price_difference")
    def _compute_price_difference(self):
        for wizard in self:
            wizard.price_difference = sum(wizard.line_ids.mapped("price_difference"))

    def action_confirm(self):
        self.ensure_one()
        rmas = self.ticket_id._create_after_sales_rmas(
            "exchange",
            self._prepare_rma_lines(),
            self.reason,
            note=self.note,
            justification=self.justification,
        )
        if self.price_difference:
            self.ticket_id.message_post(
                body=self.env._(
                    "Price difference of the exchange: %(amount)s.",
                    amount=self.currency_id.format(self.price_difference),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return self._action_view_rmas(rmas)


class HelpdeskTicketExchangeWizardLine(models.TransientModel):
    _name = "helpdesk.ticket.exchange.wizard.line"
    _inherit = "helpdesk.ticket.rma.wizard.line.mixin"
    _description = "Delivered item to exchange"

    wizard_id = fields.Many2one(
        "helpdesk.ticket.exchange.wizard", required=True, ondelete="cascade"
    )
    replacement_product_id = fields.Many2one(
        "product.product",
        string="Replacement",
        compute="_compute_replacement_product_id",
        store=True,
        readonly=False,
        domain="[('type', '=', 'consu')]",
        help="The same product, or another one.",
    )
    replacement_price = fields.Float(
        string="Replacement price", digits="Product Price", compute="_compute_replacement_price"
    )
    price_difference = fields.Float(
        string="Price difference", digits="Product Price", compute="_compute_replacement_price"
    )

    @api.depends("product_id")
    def _compute_replacement_product_id(self):
        for line in self:
            if not line.replacement_product_id:
                line.replacement_product_id = line.product_id

    @api.depends("replacement_product_id", "quantity", "price_unit", "move_id")
    def _compute_replacement_price(self):
        for line in self:
            product = line.replacement_product_id
            if product == line.product_id:
                price = line.price_unit
            else:
                order = line.move_id.sudo().sale_line_id.order_id
                price = (
                    order.pricelist_id._get_product_price(product, line.quantity or 1.0)
                    if order.pricelist_id
                    else product.lst_price
                )
            line.replacement_price = price
            line.price_difference = (price - line.price_unit) * line.quantity

    def _prepare_rma_line(self):
        return dict(super()._prepare_rma_line(), replacement_product=self.replacement_product_id)
