# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
import unicodedata

from odoo import api, fields, models


def normalize_phrase_text(text):
    """Compatibility forms folded (NFKC: full-width letters, ligatures), invisible
    format characters (zero-width spaces and joiners) removed, case folded,
    straight apostrophes, single spaces: "Ｉ Don’t\u200b  know" matches "i don't know"."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    text = text.replace("\u2019", "'").replace("\u2018", "'").casefold()
    return re.sub(r"\s+", " ", text).strip()


def _contains_phrase(text, needle):
    """Whether normalised ``text`` contains normalised ``needle``. Chinese is
    written without spaces, so spaces slipped between its characters do not hide a
    phrase that has none ("不 知 道")."""
    if needle in text:
        return True
    if " " not in needle and not needle.isascii():
        return needle in text.replace(" ", "")
    return False


class HelpdeskTicketForbiddenPhrase(models.Model):
    """Words agents never write to a customer (seeds: 不知道, 没办法): always name
    the path forward instead."""

    _name = "helpdesk.ticket.forbidden.phrase"
    _description = "Phrase never written to a customer"
    _order = "name"

    name = fields.Char(string="Phrase", required=True)
    suggestion = fields.Text(
        string="Say instead",
        translate=True,
        help="Shown to the agent whose message is refused.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "This phrase is already forbidden for this company.",
        )
    ]

    @api.model
    def _find_in(self, text, company):
        """The first active phrase of ``company`` (or of every company) that
        ``text`` contains, ignoring case; an empty recordset if none."""
        text = normalize_phrase_text(text)
        if not text:
            return self.browse()
        # Whoever posts (not only after-sales users) is checked against the list.
        phrases = self.sudo().search([("company_id", "in", [False, company.id])])
        for phrase in phrases:
            needle = normalize_phrase_text(phrase.name)
            if needle and _contains_phrase(text, needle):
                return phrase
        return self.browse()

    def _refusal_message(self):
        self.ensure_one()
        message = self.env._(
            "This message to the customer contains “%(phrase)s”. Do not leave the "
            "customer without a way forward: name the next step instead (who does "
            "what, and by when). Internal notes are not checked.",
            phrase=self.name,
        )
        suggestion = self.sudo().suggestion
        if suggestion:
            message = "%s\n%s" % (
                message,
                self.env._("Suggestion: %(suggestion)s", suggestion=suggestion),
            )
        return message
