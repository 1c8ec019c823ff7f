# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64

from odoo import api, models


class FsmOrderSignWizard(models.TransientModel):
    _inherit = "fsm.order.sign.wizard"

    @api.model_create_multi
    def create(self, vals_list):
        wizards = super().create(vals_list)
        # Only for a visit the caller may record (its engineer, or the desk).
        wizards.order_id.filtered("after_sales_visit").check_access("write")
        return wizards

    def action_sign(self):
        """fieldservice's signature pad: an after-sales visit's signature is
        recorded through its checks (its engineer, open, fee accepted)."""
        visits = self.filtered("order_id.after_sales_visit")
        for wizard in visits:
            order = wizard.order_id
            order._after_sales_record_signature(wizard.signed_by, wizard.signature)
            order.sudo().message_post(
                body=self.env._("Visit report signed by %(customer)s.", customer=order.signed_by),
                subtype_xmlid="mail.mt_note",
                attachments=[("signature.png", base64.b64decode(order.sudo().signature))],
            )
        rest = self - visits
        if rest:
            return super(FsmOrderSignWizard, rest).action_sign()
        return True
