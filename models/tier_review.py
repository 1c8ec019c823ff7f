# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import AccessError


class TierReview(models.Model):
    _inherit = "tier.review"

    # base_tier_validation lets every internal user create, write and delete any
    # review. The reviews of these models decide money: they are created and
    # decided only by the models' own approval flow, which checks the reviewer and
    # then writes as superuser. Reviews of other models keep the upstream rules.
    _after_sales_protected_models = ("helpdesk.ticket.compensation",)

    def _check_after_sales_review_change(self, model_names):
        if self.env.su or not set(model_names) & set(self._after_sales_protected_models):
            return
        raise AccessError(
            self.env._(
                "Reviews of compensation requests are requested by submitting the "
                "request and decided with its Approve and Reject buttons, not changed "
                "by hand."
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        default_model = self.env.context.get("default_model")
        self._check_after_sales_review_change(
            {vals.get("model", default_model) for vals in vals_list}
        )
        return super().create(vals_list)

    def write(self, vals):
        self._check_after_sales_review_change(
            set(self.sudo().mapped("model")) | {vals.get("model")}
        )
        return super().write(vals)

    def unlink(self):
        self._check_after_sales_review_change(set(self.sudo().mapped("model")))
        return super().unlink()
