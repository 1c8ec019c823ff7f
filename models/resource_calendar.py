# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import math
from bisect import bisect_right
from datetime import timedelta

import pytz

from odoo import models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _plan_hours_batch(self, requests):
        """``plan_hours(hours, start, compute_leaves=True)`` for many (start, hours)
        pairs at once: the calendar's work intervals (leaves included) are read once
        for the whole batch instead of once per deadline, which is what creating
        tickets in bulk spends most of its time on. Naive UTC in and out, like
        plan_hours; a request the read window cannot answer goes to plan_hours."""
        self.ensure_one()
        results = [False] * len(requests)
        forward = []
        for index, (start, hours) in enumerate(requests):
            if not start:
                continue
            if hours < 0:
                results[index] = self.plan_hours(hours, start, compute_leaves=True)
            else:
                forward.append((index, pytz.utc.localize(start), hours))
        if not forward:
            return results
        first = min(start for _index, start, _hours in forward)
        last = max(start for _index, start, _hours in forward)
        # Room for weekends and long holidays (Spring Festival) after the latest start.
        longest = max(hours for _index, _start, hours in forward)
        days = 14 + 3 * math.ceil(longest / (self.hours_per_day or 8.0))
        intervals = [
            (begin, end)
            for begin, end, _meta in self._work_intervals_batch(
                first, last + timedelta(days=days), resources=self.env["resource.resource"]
            )[False]
        ]
        ends = [end for _begin, end in intervals]
        for index, start, hours in forward:
            planned = self._walk_work_intervals(intervals, ends, start, hours)
            if planned is None:
                planned = self.plan_hours(hours, start.replace(tzinfo=None), compute_leaves=True)
            else:
                planned = planned.astimezone(pytz.utc).replace(tzinfo=None)
            results[index] = planned
        return results

    @staticmethod
    def _walk_work_intervals(intervals, ends, start, hours):
        """The moment ``hours`` working hours after ``start``, or None past the last
        interval."""
        for begin, end in intervals[bisect_right(ends, start) :]:
            begin = max(begin, start)
            interval_hours = (end - begin).total_seconds() / 3600
            if hours <= interval_hours:
                return begin + timedelta(hours=hours)
            hours -= interval_hours
        return None
