# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What differs between the Odoo series at run time and no rule of series/build.py
rewrites, in one place. These are the 18.0 values; the 19.0 build replaces this file
with series/19.0/compat.py (see README.md, Layout)."""

# mail.thread._message_compute_author: the keywords that make it return without an
# author's address instead of raising (19.0 never raises and has no such keyword).
COMPUTE_AUTHOR_NO_RAISE = {"raise_on_email": False}

# res.groups: the path from a group to its ir.module.category (19.0: through its
# res.groups.privilege).
GROUP_CATEGORY = "category_id"

# sale.order.line's unit of measure field (19.0: product_uom_id).
SALE_LINE_UOM = "product_uom"


def is_automatic_field(field):
    """Whether the ORM made ``field`` itself (id, create_uid, write_date, ...)."""
    return field.automatic


def is_scrap_move(move):
    """Whether the done stock ``move`` put the goods in a scrap location (19.0's moves
    have no ``scrapped``: a scrap location is of usage ``inventory``)."""
    return move.scrapped


def cron_run_in_test(case):
    """The context in which a test's ``ir.cron.method_direct_trigger()`` sees the
    test's transaction: 18.0 runs the job in the caller's cursor (nothing to do);
    19.0 runs it in a new cursor, which must wrap the test's (registry test mode)."""
    import contextlib

    return contextlib.nullcontext()
