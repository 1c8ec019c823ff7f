# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

# What a class C ticket states to the customer before it is closed.
COMPLAINT_CLOSING_FIELDS = ("complaint_apology", "complaint_corrective_action")


class HelpdeskTicket(models.Model):
    """Service complaints (服务投诉, class C): the ticket complained about and its
    handler, who follows the complaint; the apology and the corrective action
    stated to the customer, required to close (through
    ``_get_closing_required_fields``). A supervisor owns the complaint (see
    routing.py)."""

    _inherit = "helpdesk.ticket"

    origin_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Original ticket",
        index="btree_not_null",
        check_company=True,
        copy=False,
        tracking=True,
        help="The ticket this complaint is about: its handler follows the complaint.",
    )
    complaint_apology = fields.Text(
        string="Apology",
        copy=False,
        tracking=True,
        help="The apology made to the customer (致歉), required to close a complaint.",
    )
    complaint_corrective_action = fields.Text(
        string="Corrective action",
        copy=False,
        tracking=True,
        help="What the company changes so that it does not happen again (整改措施), as "
        "stated to the customer; required to close a complaint.",
    )

    @api.depends(*COMPLAINT_CLOSING_FIELDS, "category_code")
    def _compute_can_close(self):
        return super()._compute_can_close()

    # ------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets.filtered("origin_ticket_id")._follow_origin_handler()
        return tickets

    def write(self, vals):
        result = super().write(vals)
        if vals.get("origin_ticket_id"):
            self._follow_origin_handler()
        return result

    def _follow_origin_handler(self):
        """The agent who handled the original ticket follows the complaint."""
        for ticket in self:
            handler = ticket.origin_ticket_id.sudo().user_id
            if handler and handler.partner_id not in ticket.message_partner_ids:
                ticket.sudo().message_subscribe(partner_ids=handler.partner_id.ids)

    def _is_complaint(self, vals=None):
        """Whether the ticket is an after-sales complaint (class C); the category
        about to be written counts."""
        self.ensure_one()
        category = self.category_id
        if vals and "category_id" in vals:
            category = self.env["helpdesk.ticket.category"].browse(vals["category_id"])
        return self.is_after_sales and category.sudo().code == "C"

    def _get_closing_required_fields(self, vals=None):
        names = super()._get_closing_required_fields(vals)
        if self._is_complaint(vals):
            names += list(COMPLAINT_CLOSING_FIELDS)
        return names
