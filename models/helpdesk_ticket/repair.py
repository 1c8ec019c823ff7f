# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import Counter, defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError


class HelpdeskTicket(models.Model):
    """Repairs (维修): repair orders from the ticket, free in warranty or quoted outside it,
    and the 三包 rule of two failed repairs."""

    _inherit = "helpdesk.ticket"

    # Created by the desk's checked action.
    _server_owned_fields = (
        "repair_ids",
    )

    repeated_repair_failure = fields.Boolean(
        string="Repaired twice in warranty",
        compute="_compute_repeated_repair_failure",
        help="The same unit was already repaired twice under warranty for a quality "
        "fault: the customer may choose an exchange or a return.",
    )
    repair_ids = fields.One2many("repair.order", "helpdesk_ticket_id", string="Repairs")
    repair_count = fields.Integer(compute="_compute_repair_count")
    repair_summary = fields.Text(
        string="Repair progress",
        compute="_compute_repair_count",
        help="The ticket's repair orders and where they stand, for those who cannot "
        "open them.",
    )
    can_create_repair = fields.Boolean(
        string="Repair possible", compute="_compute_can_create_repair"
    )
    can_accept_repair_quote = fields.Boolean(
        string="Repair quote awaiting the customer", compute="_compute_can_create_repair"
    )

    @api.depends("lot_id", "warranty_state")
    def _compute_repeated_repair_failure(self):
        """三包: a unit in warranty whose same fault two warranty repairs did not fix.

        The fault is the category of the quality-fault (class A) ticket each repair
        was made for; the current ticket may be of any class (a customer asking for
        a return after the second failure files a class D ticket)."""
        in_warranty = self.filtered(lambda t: t.warranty_state == "in_warranty")
        failing_lots = set()
        if in_warranty.lot_id:
            # One query for all the tickets shown; the workshop's records are read
            # for agents who have no access to repairs.
            repairs = self.env["repair.order"].sudo().search(
                [
                    ("lot_id", "in", in_warranty.lot_id.ids),
                    ("state", "=", "done"),
                    ("under_warranty", "=", True),
                    ("helpdesk_ticket_id.category_code", "=", "A"),
                ]
            )
            counts = Counter(
                (repair.lot_id.id, repair.helpdesk_ticket_id.category_id.id)
                for repair in repairs
            )
            failing_lots = {lot_id for (lot_id, _fault), count in counts.items() if count >= 2}
        for ticket in self:
            ticket.repeated_repair_failure = (
                ticket in in_warranty and ticket.lot_id.id in failing_lots
            )

    @api.depends("repair_ids")
    def _compute_repair_count(self):
        ticket_ids = [ticket._origin.id for ticket in self if ticket._origin.id]
        repairs = self.env["repair.order"].sudo().search(
            [("helpdesk_ticket_id", "in", ticket_ids)], order="id"
        )
        states = dict(repairs._fields["state"]._description_selection(self.env))
        by_ticket = defaultdict(list)
        for repair in repairs:
            by_ticket[repair.helpdesk_ticket_id.id].append(
                self.env._(
                    "%(repair)s: %(state)s, %(charge)s",
                    repair=repair.name,
                    state=states.get(repair.state, repair.state),
                    charge=self.env._("free (warranty)")
                    if repair.under_warranty
                    else (
                        self.env._("paid, accepted by the customer")
                        if repair._is_after_sales_quote_accepted()
                        else self.env._("paid, quote awaiting the customer")
                    ),
                )
            )
        for ticket in self:
            lines = by_ticket.get(ticket._origin.id, [])
            ticket.repair_count = len(lines)
            ticket.repair_summary = "\n".join(lines) or False

    @api.depends(
        "closed",
        "category_code",
        "product_id",
        "lot_id",
        "repair_ids.state",
        "repair_ids.under_warranty",
    )
    def _compute_can_create_repair(self):
        for ticket in self:
            saved = bool(ticket._origin.id)
            ticket.can_create_repair = saved and ticket._get_repair_blocker() is None
            ticket.can_accept_repair_quote = (
                saved and not ticket.closed and bool(ticket._get_pending_repair_quotes())
            )

    def _get_repair_blocker(self):
        """Why no repair can be created from this ticket now, or None."""
        self.ensure_one()
        if not self.is_after_sales:
            return self._not_after_sales_message()
        if self.closed:
            return self.env._(
                "Ticket %(ticket)s is closed: reopen it to create a repair.",
                ticket=self.display_name,
            )
        if self.category_code not in ("A", "D"):
            return self.env._(
                "Repairs are for quality faults: classify ticket %(ticket)s as class A "
                "(or D when the customer accepts a repair instead of a return).",
                ticket=self.display_name,
            )
        if not self.product_id:
            return self.env._("Set the product before creating a repair.")
        if self.product_id.tracking == "serial" and not self.lot_id:
            return self.env._("Set the serial number before creating a repair.")
        ongoing = self.sudo().repair_ids.filtered(
            lambda r: r.state in ("draft", "confirmed", "under_repair")
        )
        if ongoing:
            return self.env._(
                "Repair %(repair)s of this ticket is not finished yet: follow it up "
                "rather than opening another.",
                repair=ongoing[0].name,
            )
        return None

    def _get_pending_repair_quotes(self):
        """Paid repairs of the ticket waiting for the customer's acceptance."""
        self.ensure_one()
        return self.sudo().repair_ids.filtered(
            lambda r: r.state == "draft" and r._needs_after_sales_quote_acceptance()
        )

    def _prepare_repair_values(self):
        self.ensure_one()
        # The repair's own sale order (repair.order.sale_order_id) is its quotation:
        # the customer's purchase is not linked there, or the parts would be added
        # to the original order.
        return {
            "product_id": self.product_id.id,
            "lot_id": self.lot_id.id,
            "partner_id": self.partner_id.id,
            "helpdesk_ticket_id": self.id,
            "under_warranty": self.warranty_state == "in_warranty",
            "company_id": (self.company_id or self.env.company).id,
            "internal_notes": self.symptoms,
        }

    def action_create_repair(self):
        """A repair order for the unit: free in warranty and confirmed at once,
        otherwise a quotation to execute once the customer accepts it."""
        self.ensure_one()
        self.check_access("write")
        blocker = self._get_repair_blocker()
        if blocker:
            raise UserError(blocker)
        # The repair belongs to the workshop: created for the agent, who need not be
        # a repair user; the chatter keeps who asked for it.
        repair = self.env["repair.order"].sudo().create(self._prepare_repair_values())
        if repair.under_warranty:
            # The customer's unit is not in our stock: no availability check applies.
            repair._action_repair_confirm()
            body = self.env._("Free warranty repair %(repair)s created.", repair=repair.name)
        else:
            body = self.env._(
                "Paid repair quotation %(repair)s created: execute it once the customer "
                "accepts the quote.",
                repair=repair.name,
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        if not repair.with_user(self.env.user).has_access("read"):
            return True
        return {
            "type": "ir.actions.act_window",
            "res_model": "repair.order",
            "res_id": repair.id,
            "view_mode": "form",
        }

    def action_accept_repair_quote(self):
        """The customer accepted the paid repair quote (by phone, mail, on site): the
        workshop may execute it."""
        self.ensure_one()
        self.check_access("write")
        quotes = self._get_pending_repair_quotes()
        if self.closed or not quotes:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has no repair quotation waiting for the customer.",
                    ticket=self.display_name,
                )
            )
        quotes._accept_after_sales_quote()
        self.message_post(
            body=self.env._(
                "The customer accepted repair quotation %(repairs)s: the workshop may "
                "execute it.",
                repairs=", ".join(quotes.mapped("name")),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_view_repairs(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("repair.action_repair_order_tree")
        action.update(domain=[("helpdesk_ticket_id", "=", self.id)], context={})
        return action
