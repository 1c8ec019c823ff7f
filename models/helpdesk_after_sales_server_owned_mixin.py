# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import AccessError


class HelpdeskAfterSalesServerOwnedMixin(models.AbstractModel):
    """Fields only the server writes: states, decisions, computed figures.

    Over the external API any user may call ``write``/``create`` with any values
    and context keys, so a readonly view attribute protects nothing. A model lists
    such fields in ``_server_owned_fields``; callers other than the superuser may
    neither write them nor pre-fill them through ``default_<field>`` context keys.
    The methods that set them legitimately check the caller and the state first,
    then write through ``sudo()``.
    """

    _name = "helpdesk.after.sales.server.owned.mixin"
    _description = "After-sales: fields only the server writes"

    # Field names of the inheriting model; extend with ``+`` in each concern.
    _server_owned_fields = ()

    def _check_server_owned_fields(self, fnames):
        if self.env.su:
            return
        forbidden = sorted(set(fnames) & set(self._server_owned_fields))
        if forbidden:
            labels = ", ".join(
                self._fields[name]._description_string(self.env) for name in forbidden
            )
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s are set by the after-sales desk itself, not "
                    "by hand: use the buttons and wizards meant for them.",
                    fields=labels,
                    model=self.env["ir.model"]._get(self._name).name,
                )
            )

    def _without_server_owned_defaults(self):
        """This recordset, its context stripped of defaults for server-owned fields."""
        owned = set(self._server_owned_fields)
        context = self.env.context
        if self.env.su or not any(
            key.startswith("default_") and key[8:] in owned for key in context
        ):
            return self
        # Keys removed, not overridden: the context is replaced as a whole.
        return self.with_env(
            self.env(
                context={
                    key: value
                    for key, value in context.items()
                    if not (key.startswith("default_") and key[8:] in owned)
                }
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_server_owned_fields(vals)
        return super(
            HelpdeskAfterSalesServerOwnedMixin, self._without_server_owned_defaults()
        ).create(vals_list)

    def write(self, vals):
        self._check_server_owned_fields(vals)
        return super().write(vals)
