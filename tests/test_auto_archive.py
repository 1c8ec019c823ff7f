# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import date

from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged

from ..compat import cron_run_in_test
from .common import MODULE, AfterSalesCase

ARCHIVE_LOGGER = f"odoo.addons.{MODULE}.models.helpdesk_ticket.archive"


@tagged("post_install", "-at_install")
class TestAutoArchive(AfterSalesCase):
    """Closed tickets are archived N days after closing (company setting, 7 by
    default, 0: off) by a daily cron going through the archive button's path."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref(f"{MODULE}.ir_cron_after_sales_auto_archive")

    def _closed_on(self, moment, **values):
        with freeze_time(moment):
            return self._closed_ticket(**values)

    def _run_cron(self, moment):
        """The scheduled job, as its own user, at ``moment``."""
        with freeze_time(moment), cron_run_in_test(self):
            self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def test_default_is_seven_days(self):
        self.assertEqual(self.env["res.company"].create({"name": "New Co"}).after_sales_auto_archive_days, 7)
        self.assertTrue(self.cron.active)
        self.assertEqual((self.cron.interval_number, self.cron.interval_type), (1, "days"))

    def test_archived_on_day_n_not_before(self):
        self.env.company.after_sales_auto_archive_days = 7
        # Days are the job's (its user's time zone): closed on Tuesday 3 March, 00:00
        # in Beijing, Monday 16:00 UTC.
        self.cron.user_id.tz = "Asia/Shanghai"
        ticket = self._closed_on("2026-03-02 16:00:00")
        open_ticket = self._ticket_in_progress()
        # Day 6 after closing, 23:59 in Beijing: not yet.
        self._run_cron("2026-03-09 15:59:00")
        self.assertFalse(ticket.archive_date)
        # Day 7, 00:30 in Beijing: archived, through the button's path.
        self._run_cron("2026-03-09 16:30:00")
        self.assertEqual(ticket.archive_date, date(2026, 3, 10))
        self.assertEqual(ticket.retention_date, date(2029, 3, 10))
        notes = ticket.message_ids.filtered(lambda m: "Record sheet archived" in (m.body or ""))
        self.assertEqual(len(notes), 1, "the chatter note of the archive button")
        self.assertFalse(open_ticket.archive_date, "open tickets are never archived")
        # Locked as a hand-archived ticket is.
        with self.assertRaisesRegex(Exception, "archived"):
            ticket.with_user(self.agent).name = "Changed"
        # A second run has nothing to do.
        messages = ticket.message_ids
        self._run_cron("2026-03-10 16:30:00")
        self.assertEqual(ticket.message_ids, messages)

    def test_in_batches(self):
        self.env.company.after_sales_auto_archive_days = 7
        tickets = self._closed_on("2026-03-02 10:00:00") | self._closed_on("2026-03-02 11:00:00")
        tickets |= self._closed_on("2026-03-03 10:00:00")
        with freeze_time("2026-03-09 12:00:00"):
            self.env["helpdesk.ticket"].with_user(self.cron.user_id).with_context(
                tz="UTC"
            )._cron_auto_archive_records(batch_size=1)
        self.assertEqual(tickets.mapped("archive_date"), [date(2026, 3, 9)] * 2 + [False])

    def test_the_setting_sets_the_delay(self):
        self.env.company.after_sales_auto_archive_days = 1
        self.cron.user_id.tz = "UTC"
        ticket = self._closed_on("2026-03-02 23:00:00")
        self._run_cron("2026-03-02 23:59:00")
        self.assertFalse(ticket.archive_date, "not on the day of closing")
        self._run_cron("2026-03-03 00:01:00")
        self.assertEqual(ticket.archive_date, date(2026, 3, 3))

    def test_zero_turns_it_off(self):
        self.env.company.after_sales_auto_archive_days = 0
        ticket = self._closed_on("2026-03-02 10:00:00")
        self._run_cron("2026-06-02 10:00:00")
        self.assertFalse(ticket.archive_date)
        # By hand it still works.
        ticket.with_user(self.agent).action_archive_record()
        self.assertTrue(ticket.archive_date)

    def test_manager_sets_it_in_the_settings(self):
        settings = Form(self.env["res.config.settings"])
        settings.after_sales_auto_archive_days = 14
        settings.save().execute()
        self.assertEqual(self.env.company.after_sales_auto_archive_days, 14)
        with self.assertRaises(ValidationError):
            self.env.company.after_sales_auto_archive_days = -1

    def test_a_failing_ticket_is_logged_and_skipped(self):
        """A company whose retention cannot be computed (a year beyond 9999) fails
        to archive its tickets; the other company's are archived all the same."""
        other = self.env["res.company"].create(
            {"name": "Far Future Co", "after_sales_retention_years": 9000}
        )
        other_team = self.env["helpdesk.ticket.team"].create(
            {"name": "After-sales (far future)", "is_after_sales": True, "company_id": other.id}
        )
        with freeze_time("2026-03-02 10:00:00"):
            failing = self.env["helpdesk.ticket"].create(
                {
                    "name": "Closed elsewhere",
                    "description": "<p>x</p>",
                    "company_id": other.id,
                    "team_id": other_team.id,
                    "partner_id": self.customer.id,
                    "category_id": self.category_b.id,
                    "user_id": self.env.user.id,
                    "stage_id": self.stage_done.id,
                    "solution": "Explained.",
                    "result": "Understood.",
                    "customer_confirmation_by": "Chen",
                    "customer_confirmation_method": "phone",
                    "customer_confirmation_date": "2026-03-02 09:00:00",
                }
            )
        self.assertTrue(failing.closed_date)
        ticket = self._closed_on("2026-03-02 10:00:00")
        with self.assertLogs(ARCHIVE_LOGGER, level="ERROR") as logs:
            self._run_cron("2026-03-20 01:00:00")
        self.assertIn(f"ticket {failing.id} failed", logs.output[0])
        self.assertFalse(failing.archive_date)
        self.assertEqual(ticket.archive_date, date(2026, 3, 20))
