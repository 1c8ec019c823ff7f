# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError


class HelpdeskTicketReassignWizard(models.TransientModel):
    """Hand a ticket to another member of its team, saying why: the reason goes to
    the reassignment history and the chatter. Changing the handler field directly
    records the change without a reason."""

    _name = "helpdesk.ticket.reassign.wizard"
    _description = "Reassign an after-sales ticket"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True)
    team_user_ids = fields.Many2many(related="ticket_id.user_ids")
    user_id = fields.Many2one(
        "res.users",
        string="New handler",
        required=True,
        domain="[('share', '=', False), ('id', 'in', team_user_ids)]",
    )
    reason = fields.Text(required=True)

    @api.constrains("reason")
    def _check_reason(self):
        if any(not (wizard.reason or "").strip() for wizard in self):
            raise UserError(self.env._("Say why the ticket changes hands."))

    def action_reassign(self):
        self.ensure_one()
        ticket = self.ticket_id
        ticket.check_access("write")
        if self.user_id == ticket.user_id:
            raise UserError(
                self.env._("%(user)s already handles this ticket.", user=self.user_id.name)
            )
        if ticket.team_id and self.user_id not in ticket.team_id.user_ids:
            raise UserError(
                self.env._(
                    "%(user)s is not a member of team %(team)s: choose a member, or "
                    "change the team first.",
                    user=self.user_id.name,
                    team=ticket.team_id.name,
                )
            )
        previous = ticket.user_id
        reason = self.reason.strip()
        ticket._write_handler({"user_id": self.user_id.id}, reason=reason)
        ticket.message_post(
            body=escape(
                self.env._(
                    "Reassigned from %(old)s to %(new)s. Reason: %(reason)s",
                    old=previous.name or "-",
                    new=self.user_id.name,
                    reason=reason,
                )
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
