# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
import threading
from datetime import datetime, time, timedelta

import psycopg2
import pytz
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)


class HelpdeskTicket(models.Model):
    """Archive (归档): the record sheet stored on the closed ticket, the retention period,
    the lock on archived tickets, and the daily archiving of tickets closed some days
    ago (company setting)."""

    _inherit = "helpdesk.ticket"

    # Set by the archive action only.
    _server_owned_fields = (
        "archive_date",
        "retention_date",
    )

    archive_date = fields.Date(
        string="Archived on", readonly=True, copy=False, index=True, tracking=True
    )
    retention_date = fields.Date(
        string="Keep until",
        readonly=True,
        copy=False,
        help="The archived record may not be deleted before this date.",
    )
    improvement_action_ids = fields.Many2many(
        "helpdesk.after.sales.improvement",
        "helpdesk_after_sales_improvement_ticket_rel",
        "ticket_id",
        "improvement_id",
        string="Improvement actions",
        copy=False,
    )

    # ------------------------------------------------------------ CRUD
    def write(self, vals):
        self._check_archive_lock(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_retained(self):
        today = fields.Date.context_today(self)
        retained = self.filtered(lambda t: t.retention_date and t.retention_date > today)
        if retained:
            raise UserError(
                self.env._(
                    "Archived tickets are kept until their retention date: %(tickets)s "
                    "cannot be deleted before %(date)s.",
                    tickets=", ".join(retained.mapped("display_name")),
                    date=max(retained.mapped("retention_date")),
                )
            )

    @api.model
    def _archive_writable_fields(self):
        """What may still change on an archived ticket: messages, activities,
        ratings and alerts, which live beside the record rather than in it."""
        return {
            name
            for name in self._fields
            if name.startswith(("message_", "activity_", "rating_", "website_message"))
        } | {"kanban_state", "color", "sequence"}

    def _check_archive_lock(self, vals):
        archived = self.filtered("archive_date")
        if not archived or self.env.su:
            return
        if self.env.user.has_group("helpdesk_after_sales.group_after_sales_manager"):
            return
        if set(vals) - self._archive_writable_fields():
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is archived: only an after-sales manager can "
                    "change it.",
                    ticket=archived[0].display_name,
                )
            )

    def action_archive_record(self):
        """Archive the record sheet (归档) of closed tickets: the PDF is stored on the
        ticket, the retention period starts and the ticket is locked."""
        if not self.env.user.has_group("helpdesk_after_sales.group_after_sales_agent"):
            raise AccessError(
                self.env._("Only the after-sales desk archives record sheets.")
            )
        self.check_access("write")
        if self - self._after_sales_only():
            raise UserError((self - self._after_sales_only())[0]._not_after_sales_message())
        not_closed = self.filtered(lambda t: not t.closed)
        if not_closed:
            raise UserError(
                self.env._(
                    "Only closed tickets can be archived; close %(tickets)s first.",
                    tickets=", ".join(not_closed.mapped("display_name")),
                )
            )
        to_archive = self.filtered(lambda t: not t.archive_date)
        if not to_archive:
            return True
        today = fields.Date.context_today(self)
        for company, tickets in to_archive.grouped("company_id").items():
            years = (company or self.env.company).after_sales_retention_years
            tickets.sudo().write(
                {
                    "archive_date": today,
                    "retention_date": today + relativedelta(years=years),
                }
            )
        # The report saves itself as an attachment of each archived ticket (once).
        self.env["ir.actions.report"]._render_qweb_pdf(
            "helpdesk_after_sales.action_report_ticket_record", to_archive.ids
        )
        for ticket in to_archive:
            ticket.message_post(
                body=self.env._(
                    "Record sheet archived; kept until %(date)s.",
                    date=ticket.retention_date,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    # automatic archiving
    @api.model
    def _auto_archive_domain(self, company, today):
        """Closed after-sales tickets of ``company`` not archived yet, closed at least
        the company's number of days ago, in calendar days of the job's time zone
        (its user's, as ``today`` is): with 7, a ticket closed on the 1st is archived
        from the 8th."""
        days = company.after_sales_auto_archive_days
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        local_cutoff = datetime.combine(today - timedelta(days=days - 1), time.min)
        cutoff = tz.localize(local_cutoff).astimezone(pytz.utc).replace(tzinfo=None)
        return [
            ("company_id", "=", company.id),
            ("is_after_sales", "=", True),
            ("stage_id.closed", "=", True),
            ("archive_date", "=", False),
            ("closed_date", "<", cutoff),
        ]

    @api.model
    def _cron_auto_archive_records(self, batch_size=50):
        """Archive the record sheets of the tickets closed the company's number of
        days ago (0: off), through the archive button's own path
        (``action_archive_record``: the stored PDF, retention, lock and chatter
        note). Batches are committed outside tests; a ticket that fails is logged,
        left as it is and retried at the next run."""
        today = fields.Date.context_today(self)
        companies = self.env["res.company"].search([("after_sales_auto_archive_days", ">", 0)])
        batches = []
        for company in companies:
            ids = self.search(self._auto_archive_domain(company, today), order="id").ids
            batches += [
                (company, ids[start : start + batch_size])
                for start in range(0, len(ids), batch_size)
            ]
        total = sum(len(ids) for _company, ids in batches)
        testing = getattr(threading.current_thread(), "testing", False)
        done = 0
        for company, ids in batches:
            self.with_company(company).browse(ids)._auto_archive_batch()
            done += len(ids)
            self.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
            if not testing:
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _auto_archive_batch(self):
        """Archive these tickets at once; if that fails, one by one, skipping (and
        logging) those that fail."""
        try:
            with self.env.cr.savepoint():
                self.action_archive_record()
            return
        except psycopg2.errors.SerializationFailure:
            raise  # another worker: Odoo retries the job
        except Exception:  # pylint: disable=broad-except
            self.env.invalidate_all()
        for ticket in self:
            try:
                with self.env.cr.savepoint():
                    ticket.action_archive_record()
            except psycopg2.errors.SerializationFailure:
                raise
            except Exception:  # pylint: disable=broad-except
                self.env.invalidate_all()
                _logger.exception(
                    "Automatic archiving of ticket %s failed; it is retried at the next run.",
                    ticket.id,
                )
