# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class HelpdeskAfterSalesCachedConfigMixin(models.AbstractModel):
    """Desk configuration that every ticket creation reads (routing rules, urgency
    keywords): read through ``tools.ormcache`` once per worker, not queried on each
    create. Any change clears the registry's cache, and Odoo signals the clearing
    to the other workers at the end of the transaction, as for record rules."""

    _name = "helpdesk.after.sales.cached.config.mixin"
    _description = "After-sales: configuration cached by every worker"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
