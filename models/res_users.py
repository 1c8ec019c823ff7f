# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

# What the routing reads of a handler; after-sales managers set them (see write).
ROUTING_USER_FIELDS = ("after_sales_capacity", "after_sales_unavailable")


class ResUsers(models.Model):
    """A handler's capacity and availability for the balanced assignment rules."""

    _inherit = "res.users"

    after_sales_capacity = fields.Integer(
        string="Open ticket limit",
        groups="base.group_user",
        help="Balanced assignment skips this handler once they hold this many open "
        "tickets. 0: no limit.",
    )
    after_sales_unavailable = fields.Boolean(
        string="Unavailable for new tickets",
        groups="base.group_user",
        help="On leave or busy elsewhere: assignment rules skip this handler. The "
        "handler may set it on their own preferences.",
    )

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + ["after_sales_unavailable"]

    @api.constrains("after_sales_capacity")
    def _check_after_sales_capacity(self):
        if any(user.after_sales_capacity < 0 for user in self):
            raise ValidationError(
                self.env._("An open ticket limit is a number of tickets, 0 for no limit.")
            )

    def write(self, vals):
        # After-sales managers plan their desk: they set the handlers' capacity and
        # availability, and nothing else of a user, without the users' access rights.
        if (
            vals
            and not self.env.su
            and set(vals) <= set(ROUTING_USER_FIELDS)
            and self.env.user.has_group("helpdesk_after_sales.group_after_sales_manager")
            and not self.has_access("write")
        ):
            if self.filtered(lambda u: u.share or not (u.company_ids & self.env.user.company_ids)):
                raise AccessError(
                    self.env._(
                        "You may set the capacity and availability of the internal "
                        "users of your companies only."
                    )
                )
            return super(ResUsers, self.sudo()).write(vals)
        return super().write(vals)
