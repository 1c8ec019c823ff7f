# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """A follow-up visit marked done from the activity itself found no problem:
        its feedback is the outcome (a problem is recorded with the ticket's
        Follow-up button, which reopens the ticket)."""
        followup_type = self.env.ref(
            "helpdesk_after_sales.mail_activity_type_followup", raise_if_not_found=False
        )
        ticket_ids = []
        if followup_type:
            ticket_ids = [
                activity.res_id
                for activity in self
                if activity.res_model == "helpdesk.ticket"
                and activity.activity_type_id == followup_type
            ]
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if ticket_ids:
            tickets = self.env["helpdesk.ticket"].browse(ticket_ids).exists()
            tickets.filtered(lambda t: t.followup_state == "planned")._record_followup(
                "done", note=feedback, from_activity=True
            )
        return result
