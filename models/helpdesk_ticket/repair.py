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
        string="Failed repairs in warranty",
        compute="_compute_repeated_repair_failure",
        help="Warranty repairs of the same fault on this unit failed as often as the "
        "company's rule asks (two by default): the customer may choose an exchange or "
        "a return.",
    )
    failed_repair_count = fields.Integer(
        string="Failed warranty repairs",
        compute="_compute_repeated_repair_failure",
        help="Warranty repairs of one fault on this unit after which the same fault "
        "came back within the company's repeat-fault period (30 days by default).",
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

    @api.depends(
        "lot_id",
        "warranty_state",
        "category_id",
        "intake_date",
        "company_id.after_sales_repeat_fault_days",
        "company_id.after_sales_failed_repairs",
    )
    def _compute_repeated_repair_failure(self):
        """三包: repairs of the same fault that did not fix it.

        A *failed repair* is a done warranty repair (``under_warranty``) made for a
        class A ticket, after which a later class A ticket of the same category (the
        *fault*) on the same unit (serial number) was received (``intake_date``) at
        most ``after_sales_repeat_fault_days`` (30) calendar days after the repair's
        completion (``repair_done_date``): received on the day of completion or up to
        day 30 counts, day 31 does not (the repair held). The ticket computed is such
        a later ticket too, saved or not.

        ``failed_repair_count`` is the most failed repairs of one fault on the
        ticket's unit; ``repeated_repair_failure`` holds in warranty from
        ``after_sales_failed_repairs`` (2) of them: the customer may then choose a
        return or an exchange. The ticket may be of any class (the customer asking
        for the return after the second failure may file a class D ticket).

        Two queries for all the tickets (their repairs, their repeats), whatever
        their number; the workshop's records are read for agents without access to
        repairs."""
        lots = self.lot_id
        failed = Counter()
        if lots:
            repairs = self.env["repair.order"].sudo().search_fetch(
                [
                    ("lot_id", "in", lots.ids),
                    ("state", "=", "done"),
                    ("under_warranty", "=", True),
                    ("repair_done_date", "!=", False),
                    ("helpdesk_ticket_id.category_code", "=", "A"),
                ],
                ["lot_id", "helpdesk_ticket_id", "repair_done_date", "company_id"],
            )
            # Every class A report of these units: (id, intake) by (lot, fault).
            reports = defaultdict(dict)
            for ticket in (
                self.env["helpdesk.ticket"]
                .sudo()
                .with_context(active_test=False)
                .search_fetch(
                    [("lot_id", "in", lots.ids), ("category_code", "=", "A")],
                    ["lot_id", "category_id", "intake_date"],
                )
            ):
                reports[ticket.lot_id.id, ticket.category_id.id][ticket.id] = (
                    ticket.intake_date
                )
            for ticket in self:  # as they are now, maybe unsaved
                if ticket.lot_id and ticket.category_code == "A" and ticket.intake_date:
                    key = (ticket.lot_id.id, ticket.category_id.id)
                    reports[key][ticket._origin.id or ticket.id] = ticket.intake_date
            for repair in repairs:
                fault = repair.helpdesk_ticket_id.sudo().category_id
                key = (repair.lot_id.id, fault.id)
                done = repair.repair_done_date
                done_day = fields.Date.context_today(self, done)
                period = repair.company_id.after_sales_repeat_fault_days
                if any(
                    report_id != repair.helpdesk_ticket_id.id
                    and intake >= done
                    and (fields.Date.context_today(self, intake) - done_day).days <= period
                    for report_id, intake in reports[key].items()
                ):
                    failed[key] += 1
        for ticket in self:
            company = ticket.company_id or self.env.company
            count = max(
                (n for (lot_id, _fault), n in failed.items() if lot_id == ticket.lot_id.id),
                default=0,
            )
            ticket.failed_repair_count = count
            ticket.repeated_repair_failure = (
                ticket.warranty_state == "in_warranty"
                and count >= max(company.after_sales_failed_repairs, 1)
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
