# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The 19.0 values of compat.py (this file replaces it in the 19.0 build)."""

# mail.thread._message_compute_author never raises on 19.0 (no raise_on_email).
COMPUTE_AUTHOR_NO_RAISE = {}

# res.groups hang off a res.groups.privilege, which is in the category.
GROUP_CATEGORY = "privilege_id.category_id"

# sale.order.line's unit of measure field.
SALE_LINE_UOM = "product_uom_id"


def is_automatic_field(field):
    """Whether the ORM made ``field`` itself (19.0's fields have no ``automatic``)."""
    from odoo.models import MAGIC_COLUMNS

    return field.name in MAGIC_COLUMNS or field.name == "display_name"


def is_scrap_move(move):
    """Whether the done stock ``move`` put the goods in a scrap location."""
    return move.location_dest_usage == "inventory"


def cron_run_in_test(case):
    """19.0's method_direct_trigger runs the job in a new cursor: in registry test
    mode it wraps the test's own."""
    return case.enter_registry_test_mode()
