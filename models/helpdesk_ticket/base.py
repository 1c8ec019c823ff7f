# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class HelpdeskTicket(models.Model):
    """The ticket as the after-sales desk extends it, one concern per file of this
    package. Every concern lists the fields only the desk writes in its own
    ``_server_owned_fields`` (see helpdesk.after.sales.server.owned.mixin), and the
    records a ticket links to belong to its company."""

    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "helpdesk.after.sales.server.owned.mixin"]
    _check_company_auto = True

    def _get_closing_required_fields(self, vals=None):
        """Names of the fields the ticket needs before it is closed as solved; the
        values about to be written (``vals``) count. Each concern adds its own
        (closing.py the result and confirmation, cause.py the root cause)."""
        return []

    def _get_closing_obstacle(self):
        """Why the ticket's work is not over yet whatever its fields say, or None.
        Each concern adds its own (mail_in.py: the customer's unit still with us)."""
        self.ensure_one()
        return None
