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
        # A first window for the longest request: its working days with their
        # weekends, and a few days more. Most deadlines are a few days away, and
        # reading the intervals is the cost (per day read). A request running past
        # the window (a long holiday such as the Spring Festival) is planned again
        # in a window twice, then four times as long; only then by plan_hours.
        longest = max(hours for _index, _start, hours in forward)
        days = 4 + math.ceil(longest / (self.hours_per_day or 8.0) * 7 / 5)
        for _attempt in range(3):
            forward = self._plan_forward_in_window(forward, days, results)
            if not forward:
                return results
            days *= 2
        for index, start, hours in forward:
            results[index] = self.plan_hours(hours, start.replace(tzinfo=None), compute_leaves=True)
        return results

    def _plan_forward_in_window(self, requests, days, results):
        """Plan the (index, aware start, hours) ``requests`` in the work intervals
        from the earliest start to ``days`` after the latest, into ``results``; the
        requests that run past the window, for a longer one."""
        first = min(start for _index, start, _hours in requests)
        last = max(start for _index, start, _hours in requests)
        intervals = [
            (begin, end)
            for begin, end, _meta in self._work_intervals_batch(
                first, last + timedelta(days=days), resources=self.env["resource.resource"]
            )[False]
        ]
        ends = [end for _begin, end in intervals]
        past_window = []
        for index, start, hours in requests:
            planned = self._walk_work_intervals(intervals, ends, start, hours)
            if planned is None:
                past_window.append((index, start, hours))
            else:
                results[index] = planned.astimezone(pytz.utc).replace(tzinfo=None)
        return past_window

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
