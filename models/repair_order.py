# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.exceptions import UserError


class RepairOrder(models.Model):
    _inherit = "repair.order"

    helpdesk_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="After-sales ticket",
        index="btree_not_null",
        copy=False,
        check_company=True,
    )
    repair_confirmed_date = fields.Datetime(
        string="Repair confirmed on",
        readonly=True,
        copy=False,
        help="From then on the unit is with the workshop (repair or waiting for parts).",
    )
    repair_done_date = fields.Datetime(
        string="Repaired on",
        readonly=True,
        copy=False,
        help="When the repair ended: days in repair do not count against the warranty.",
    )
    after_sales_quote_accepted_date = fields.Datetime(
        string="Quote accepted on",
        readonly=True,
        copy=False,
        help="When the customer accepted this paid repair, as recorded on the ticket.",
    )
    after_sales_quote_accepted_by_id = fields.Many2one(
        "res.users", string="Acceptance recorded by", readonly=True, copy=False
    )

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            # Each step of a ticket's repair shows on the ticket, for agents who
            # cannot open repairs; the workshop user moving it may not read tickets.
            states = dict(self._fields["state"]._description_selection(self.env))
            for repair in self.sudo().filtered("helpdesk_ticket_id"):
                repair.helpdesk_ticket_id.message_post(
                    body=self.env._(
                        "Repair %(repair)s (%(product)s): %(state)s.",
                        repair=repair.name,
                        product=repair.product_id.display_name,
                        state=states.get(repair.state, repair.state),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return res

    # ------------------------------------------------------------ paid quotes
    def _is_after_sales_quote_accepted(self):
        """The customer accepted the quote: recorded on the ticket, or by confirming
        the repair's quotation (its own sale order)."""
        self.ensure_one()
        # The workshop may have no sales rights.
        return bool(
            self.after_sales_quote_accepted_date or self.sudo().sale_order_id.state == "sale"
        )

    def _needs_after_sales_quote_acceptance(self):
        """A paid repair of an after-sales ticket is executed only once the customer
        accepted its quote (seed: 保外 -> paid repair after the customer confirms)."""
        self.ensure_one()
        return bool(
            self.helpdesk_ticket_id
            and not self.under_warranty
            and not self._is_after_sales_quote_accepted()
        )

    def _accept_after_sales_quote(self):
        """Record the customer's acceptance and hand the repair to the workshop."""
        self.write(
            {
                "after_sales_quote_accepted_date": fields.Datetime.now(),
                "after_sales_quote_accepted_by_id": self.env.user.id,
            }
        )
        self._action_repair_confirm()

    # ------------------------------------------------------------ workflow
    def _action_repair_confirm(self):
        waiting = self.filtered(
            lambda r: r.state == "draft" and r._needs_after_sales_quote_acceptance()
        )
        if waiting:
            raise UserError(
                self.env._(
                    "Repair %(repairs)s is a paid repair quote: execute it once the "
                    "customer accepts it. Confirm its quotation, or record the "
                    "acceptance on after-sales ticket %(tickets)s.",
                    repairs=", ".join(waiting.mapped("name")),
                    tickets=", ".join(waiting.sudo().helpdesk_ticket_id.mapped("display_name")),
                )
            )
        res = super()._action_repair_confirm()
        self.filtered(lambda r: r.state == "confirmed" and not r.repair_confirmed_date).write(
            {"repair_confirmed_date": fields.Datetime.now()}
        )
        return res

    def action_repair_done(self):
        res = super().action_repair_done()
        self.filtered(lambda r: r.state == "done" and not r.repair_done_date).write(
            {"repair_done_date": fields.Datetime.now()}
        )
        return res
