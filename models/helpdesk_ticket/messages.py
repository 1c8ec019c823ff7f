# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import formataddr, html2plaintext

from ...compat import COMPUTE_AUTHOR_NO_RAISE


class HelpdeskTicket(models.Model):
    """Customer messages (标准用语): what the desk writes to the customer goes out from the
    desk's address and never with a forbidden phrase (不知道, 没办法)."""

    _inherit = "helpdesk.ticket"

    # the desk's address
    def _get_desk_email_from(self):
        """The after-sales desk's address: the team's mail alias, else the company's."""
        ticket = self[:1]
        team = ticket.team_id.sudo()
        if team.alias_email:
            return formataddr((team.name, team.alias_email))
        company = (ticket.company_id or self.env.company).sudo()
        return company.email_formatted or False

    def _message_compute_author(self, author_id=None, email_from=None, raise_on_email=True):
        """A user without an email address still handles tickets: what they send
        goes out from the desk's address (they stay the author)."""
        author_id, email_from = super()._message_compute_author(
            author_id, email_from, **COMPUTE_AUTHOR_NO_RAISE
        )
        if not email_from:
            email_from = self._get_desk_email_from()
        if not email_from and raise_on_email and not self.env.su:
            raise UserError(
                self.env._(
                    "Unable to send the message: give the after-sales team a mail alias "
                    "or the company an email address."
                )
            )
        return author_id, email_from

    # standard phrases: the forbidden-phrase guard
    def _is_customer_facing_post(self, kwargs):
        """Whether message_post(**kwargs) sends a message from the desk to the
        customer: internal notes, system messages and the customer's own words
        (portal, rating, a message logged on the customer's behalf) are not."""
        if self.env.user.share:
            return False
        if kwargs.get("message_type", "notification") not in ("comment", "email_outgoing"):
            return False
        if kwargs.get("is_internal"):
            return False
        subtype_id = kwargs.get("subtype_id")
        if kwargs.get("subtype_xmlid"):
            subtype_id = self.env["ir.model.data"]._xmlid_to_res_id(kwargs["subtype_xmlid"])
        # Without a subtype mail posts a note.
        if not subtype_id or self.env["mail.message.subtype"].browse(subtype_id).internal:
            return False
        if kwargs.get("author_id"):
            author = self.env["res.partner"].sudo().browse(kwargs["author_id"])
            users = author.user_ids
            if users and all(user.share for user in users):
                return False
            if author.commercial_partner_id & self.partner_id.commercial_partner_id:
                return False
        return True

    def _check_forbidden_phrases(self, body, subject=None):
        """Refuse a customer-facing text (body and subject) with a forbidden phrase."""
        text = html2plaintext(body or "") if body else ""
        text = "%s\n%s" % (subject or "", text)
        if not text.strip() or not self._after_sales_only():
            return
        phrases = self.env["helpdesk.ticket.forbidden.phrase"]
        for company in self.company_id or self.env.company:
            phrase = phrases._find_in(text, company)
            if phrase:
                raise UserError(phrase._refusal_message())

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        if self._is_customer_facing_post(kwargs):
            self._check_forbidden_phrases(kwargs.get("body"), kwargs.get("subject"))
        return super().message_post(**kwargs)

    def _message_update_content(self, message, *args, **kwargs):
        # The body: positional on 18.0, keyword-only on 19.0.
        body = kwargs["body"] if "body" in kwargs else args[0]
        if (
            message.message_type in ("comment", "email_outgoing")
            and message.subtype_id
            and not message.subtype_id.internal
            and not message.is_internal
            and any(not user.share for user in message.author_id.sudo().user_ids)
        ):
            self._check_forbidden_phrases(body)
        return super()._message_update_content(message, *args, **kwargs)
