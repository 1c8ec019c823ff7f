# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from functools import cache

from odoo import api, models
from odoo.exceptions import AccessError


@cache
def _server_owned_fields_of(model_class):
    """The union of ``_server_owned_fields`` over the model's classes: each file
    extending a model names the fields of its own concern."""
    return frozenset(
        name
        for klass in model_class.__mro__
        for name in vars(klass).get("_server_owned_fields", ())
    )


class ServerValues:
    """Server-owned fields of ``model`` that the desk itself adds to the values a
    caller creates records with, once the caller's own values are checked. Given
    in the context (``after_sales_server_values``) as this object: no caller's
    context (JSON over RPC) can carry one."""

    __slots__ = ("model", "fields")

    def __init__(self, model, fields):
        self.model = model
        self.fields = frozenset(fields)


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

    # Field names of the inheriting class; every class extending the model may
    # name its own (they add up, see _get_server_owned_fields).
    _server_owned_fields = ()

    def _get_server_owned_fields(self):
        return _server_owned_fields_of(type(self))

    def _check_server_owned_fields(self, fnames):
        if self.env.su:
            return
        owned = self._get_server_owned_fields()
        granted = self.env.context.get("after_sales_server_values")
        if isinstance(granted, ServerValues) and granted.model == self._name:
            owned -= granted.fields
        forbidden = sorted(set(fnames) & owned)
        if forbidden:
            labels = ", ".join(
                self._fields[name]._description_string(self.env) for name in forbidden
            )
            raise AccessError(
                self.env._(
                    "The after-sales desk sets these fields of %(model)s itself, not by "
                    "hand: %(fields)s. Use the buttons and wizards meant for them.",
                    fields=labels,
                    model=self.env["ir.model"]._get(self._name).name,
                )
            )

    def _without_server_owned_defaults(self):
        """This recordset, its context stripped of defaults for server-owned fields."""
        owned = self._get_server_owned_fields()
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
