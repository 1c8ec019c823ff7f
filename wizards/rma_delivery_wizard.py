# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class RmaDeliveryWizard(models.TransientModel):
    _inherit = "rma.delivery.wizard"

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        # The replacement agreed on the ticket is what the warehouse ships.
        rma = self.env["rma"].browse(self.env.context.get("active_ids") or [])
        if (
            values.get("type") == "replace"
            and len(rma) == 1
            and rma.replacement_product_id
        ):
            values["product_id"] = rma.replacement_product_id.id
            values["product_uom"] = rma.replacement_product_id.uom_id.id
        return values
