#!/usr/bin/env python3
# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Multi-worker and replica harness (issue 20), run by ``tools/dev.py test``.

Given a database on a primary PostgreSQL with a streaming replica (both throwaway,
made by dev.py, both logging every statement), it

1. adds its fixtures with ``odoo-bin shell`` (the test suite's own AfterSalesFixtures);
2. starts ``odoo-bin --workers=2 --max-cron-threads=2`` with the replica options on a
   free port;
3. fires pairs of real HTTP requests at the same moment (two threads behind a
   barrier, one requests.Session per user) and checks the database afterwards:
   one approval and one credit note for two managers approving together, each
   overdue alert raised once by two runs of the alert job together, one RMA for
   the same serial returned from two sessions, one reopening for a rating link
   submitted twice; no user ever sees a serialization failure (Odoo retries them);
4. reads the dashboard, the analysis (pivot and PDF) and the record sheet PDF, and
   proves they ran on the replica: between two marker statements, the replica's
   statement log holds the request's queries and the primary's does not (the
   replica logs them because it is the server that executed them: a standby
   in recovery cannot take writes), and the analysis figures read through Odoo
   equal the primary's.

Prints ``PASS: ...``/``FAIL: ...`` lines and a closing ``concurrency: N passed,
M failed`` line. Run with the virtualenv's Python (it needs requests)."""

import argparse
import json
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

# Run inside ``odoo-bin shell`` (``env`` is given): the fixtures, committed.
SETUP = r"""
import json
from odoo import fields
from odoo.addons.helpdesk_after_sales.tests.common import (
    COMPENSATION_THRESHOLDS, AfterSalesFixtures, new_user,
)


class Fixtures(AfterSalesFixtures):
    def assertEqual(self, first, second, msg=None):
        assert first == second, msg or f"{first!r} != {second!r}"


Fixtures.env = env
fx = Fixtures()
Fixtures._setup_desk("conc", "After-sales (concurrency)")
Fixtures.customer = env["res.partner"].create(
    {"name": "Concurrency Customer", "email": "conc@example.com"}
)
manager_2 = new_user(env, "as_conc_manager_2", "manager", "Manager Sun")
env.company.write(COMPENSATION_THRESHOLDS)
env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:%(port)s")

# A compensation a manager approves alone (between the two thresholds).
ticket = fx._ticket_in_progress(name="Concurrency: compensation")
compensation = fx._request_compensation(ticket, 500.0)
compensation.with_user(fx.agent).action_submit()
assert compensation.state == "to_approve", compensation.state

# A serial delivered to the customer, and the ticket about it.
product = Fixtures._create_serial_product("Concurrency purifier", "CONC-1", 1000.0, 12)
lot = env["stock.lot"].create({"name": "CONC-SN-1", "product_id": product.id})
Fixtures._put_in_stock(product, 1.0, lot=lot)
order, _delivery = Fixtures._sell_and_deliver_lines([(product, 1, 900.0)])
return_ticket = fx._create_ticket(
    name="Concurrency: return", category_id=fx.category_d.id, product_id=product.id,
    lot_id=lot.id,
)

# A closed ticket waiting for its rating.
rated = fx._closed_ticket(name="Concurrency: rating")
token = rated.sudo().rating_ids.filtered(lambda r: not r.consumed).access_token

# Tickets whose customer update is overdue (breached, or escalated past 4 hours),
# and a second scheduled action running the same alert job.
overdue = env["helpdesk.ticket"]
for index in range(40):
    overdue |= fx._create_ticket(name=f"Concurrency: overdue {index}", user_id=fx.agent.id)
env.flush_all()
env.cr.execute(
    "UPDATE helpdesk_ticket SET next_update_deadline = (now() at time zone 'utc') "
    " - make_interval(hours => CASE WHEN mod(id, 2) = 0 THEN 1 ELSE 6 END), "
    " next_update_warning_date = (now() at time zone 'utc') - interval '8 hours' "
    " WHERE id IN %%s",
    [tuple(overdue.ids)],
)
cron = env.ref("helpdesk_after_sales.ir_cron_after_sales_overdue_alerts")
later = fields.Datetime.add(fields.Datetime.now(), days=30)
cron.write({"nextcall": later, "active": True})
cron_2 = cron.copy({"name": "Concurrency: overdue alerts, second run", "nextcall": later})
env.cr.commit()
print("HARNESS_JSON=" + json.dumps({
    "compensation": compensation.id, "return_ticket": return_ticket.id, "lot": lot.id,
    "rated_ticket": rated.id, "token": token, "crons": [cron.id, cron_2.id],
    "overdue": overdue.ids, "ticket": ticket.id,
}))
"""


class Harness:
    def __init__(self, args):
        self.args = args
        self.odoo = json.loads(args.odoo_cmd)
        self.base = f"http://127.0.0.1:{args.http_port}"
        self.passed = self.failed = 0
        self.server = None

    # ------------------------------------------------------------ plumbing
    def check(self, name, ok, detail=""):
        print(f"{'PASS' if ok else 'FAIL'}: {name}" + (f" ({detail})" if detail and not ok else ""),
              flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok

    def psql(self, sql, port=None):
        proc = subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-F", "|", "-h", "127.0.0.1", "-p",
             str(port or self.args.primary_port), "-U", self.args.db_user, "-d", self.args.db,
             "-c", sql], capture_output=True, text=True, check=False)
        if proc.returncode:
            raise RuntimeError(proc.stderr)
        return proc.stdout.strip()

    def setup(self):
        proc = subprocess.run(
            [*self.odoo[:2], "shell", *self.odoo[2:], "-d", self.args.db, "--no-http", "--log-level=warn",
             "--max-cron-threads=0"],
            input=SETUP % {"port": self.args.http_port}, capture_output=True, text=True,
            check=False)
        found = re.search(r"^HARNESS_JSON=(.*)$", proc.stdout, re.M)
        if not found:
            sys.stdout.write((proc.stdout + proc.stderr)[-6000:])
            raise SystemExit("the harness fixtures could not be created")
        self.ids = json.loads(found.group(1))

    def start_server(self):
        self.server_log = Path(self.args.work_dir) / "odoo.log"
        self.server = subprocess.Popen(
            [*self.odoo, "-d", self.args.db, f"--db-filter=^{re.escape(self.args.db)}$",
             f"--http-port={self.args.http_port}", "--http-interface=127.0.0.1",
             f"--logfile={self.server_log}", "--log-level=info", "--workers=2",
             "--max-cron-threads=2", "--db_maxconn=16", "--limit-time-real=300",
             f"--db_replica_host=127.0.0.1", f"--db_replica_port={self.args.replica_port}"])
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if requests.get(f"{self.base}/web/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise SystemExit("the multi-worker server did not answer")

    def stop_server(self):
        if self.server and self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.server.kill()

    def session(self, login=None):
        session = requests.Session()
        if login:
            response = session.post(
                f"{self.base}/web/session/authenticate",
                json={"jsonrpc": "2.0", "method": "call",
                      "params": {"db": self.args.db, "login": login, "password": login}},
                timeout=120)
            uid = (response.json().get("result") or {}).get("uid")
            if not uid:
                raise SystemExit(f"{login} could not log in: {response.text[:500]}")
        return session

    def call(self, session, model, method, args=(), kwargs=None, button=False):
        """A call_kw/call_button as the web client makes it: (status, result, error)."""
        path = "call_button" if button else "call_kw"
        response = session.post(
            f"{self.base}/web/dataset/{path}/{model}/{method}",
            json={"jsonrpc": "2.0", "method": "call",
                  "params": {"model": model, "method": method, "args": list(args),
                             "kwargs": kwargs or {}}},
            timeout=300)
        try:
            body = response.json()
        except ValueError:
            return response.status_code, None, {"message": response.text[:500]}
        error = body.get("error")
        if error:
            data = error.get("data") or {}
            error = {"name": data.get("name", ""), "message": data.get("message", "")}
        return response.status_code, body.get("result"), error

    @staticmethod
    def at_once(*calls):
        """Run the callables at the same moment; [(result, seconds, exception)]."""
        barrier = threading.Barrier(len(calls))
        results = [None] * len(calls)

        def run(index, func):
            barrier.wait()
            started = time.time()
            try:
                results[index] = (func(), time.time() - started, None)
            except Exception as exc:  # pylint: disable=broad-except
                results[index] = (None, time.time() - started, exc)

        threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    def no_serialization_error(self, name, outcomes):
        """No user sees a concurrency error: Odoo retried it (or it did not happen)."""
        shown = [str(o) for o in outcomes
                 if re.search(r"serializ|concurrent update|deadlock|LockNotAvailable", str(o), re.I)
                 or (isinstance(o, tuple) and o and o[0] == 500)]
        return self.check(f"{name}: no serialization error shown to a user", not shown,
                          "; ".join(shown)[:800])

    # ------------------------------------------------------------ scenarios
    def scenario_compensation(self):
        comp = self.ids["compensation"]
        sessions = [self.session("as_conc_manager"), self.session("as_conc_manager_2")]
        refunds_before = int(self.psql("SELECT count(*) FROM account_move WHERE move_type = 'out_refund'"))
        wizards = []
        for session in sessions:
            _status, wizard, error = self.call(
                session, "helpdesk.ticket.compensation.approval.wizard", "create",
                [{"decision": "approve", "comment": "Agreed."}],
                {"context": {"active_model": "helpdesk.ticket.compensation",
                             "active_id": comp, "active_ids": [comp]}})
            if error:
                return self.check("compensation: the managers open the approval wizard", False,
                                  str(error))
            wizards.append(wizard)
        results = self.at_once(*[
            (lambda s=session, w=wizard: self.call(
                s, "helpdesk.ticket.compensation.approval.wizard", "action_confirm", [[w]],
                button=True))
            for session, wizard in zip(sessions, wizards)])
        outcomes = [r[0] for r in results]
        ok = [o for o in outcomes if o and not o[2]]
        refused = [o for o in outcomes if o and o[2] and "UserError" in o[2]["name"]]
        self.check("compensation: two managers approving at once: one approval, the other "
                   "told it is already decided", len(ok) == 1 and len(refused) == 1,
                   repr(outcomes))
        state, approvals = self.psql(
            "SELECT c.state, (SELECT count(*) FROM tier_review r WHERE r.model = "
            f"'helpdesk.ticket.compensation' AND r.res_id = c.id AND r.status = 'approved') "
            f"FROM helpdesk_ticket_compensation c WHERE c.id = {comp}").split("|")
        refunds = int(self.psql("SELECT count(*) FROM account_move WHERE move_type = 'out_refund'"))
        self.check("compensation: approved once, one credit note",
                   state == "approved" and approvals == "1" and refunds - refunds_before == 1,
                   f"state {state}, approved reviews {approvals}, "
                   f"credit notes {refunds - refunds_before}")
        self.no_serialization_error("compensation", outcomes + [r[2] for r in results])

    def scenario_alerts(self):
        sessions = [self.session("admin"), self.session("admin")]
        since = self.psql("SELECT (now() at time zone 'utc')::text")
        results = self.at_once(*[
            (lambda s=session, c=cron: self.call(s, "ir.cron", "method_direct_trigger", [[c]],
                                                 button=True))
            for session, cron in zip(sessions, self.ids["crons"])])
        outcomes = [r[0] for r in results]
        self.check("alerts: both runs of the alert job succeed",
                   all(o and not o[2] for o in outcomes), repr(outcomes))
        overdue = ",".join(map(str, self.ids["overdue"]))
        alerts = self.psql(
            f"SELECT count(*), count(DISTINCT (ticket_id, kind, level)) FROM helpdesk_ticket_alert "
            f"WHERE ticket_id IN ({overdue})").split("|")
        activities = self.psql(
            "SELECT count(*), count(DISTINCT (res_id, summary, user_id)) FROM mail_activity "
            f"WHERE res_model = 'helpdesk.ticket' AND create_date >= '{since}'").split("|")
        notes = self.psql(
            "SELECT count(*), count(DISTINCT (res_id, body)) FROM mail_message "
            f"WHERE model = 'helpdesk.ticket' AND create_date >= '{since}' "
            "AND body LIKE '%%deadline missed%%'").split("|")
        # 40 tickets: 20 breached (1 alert), 20 escalated (breached and escalated).
        self.check("alerts: two runs at once raise each alert once (alerts, activities, "
                   "chatter notes)",
                   int(alerts[0]) >= 60 and alerts[0] == alerts[1]
                   and int(activities[0]) > 0 and activities[0] == activities[1]
                   and int(notes[0]) >= 40 and notes[0] == notes[1],
                   f"alerts {alerts}, activities {activities}, notes {notes}")
        overlap = min(r[1] for r in results)
        print(f"  alert runs took {results[0][1]:.1f}s and {results[1][1]:.1f}s "
              f"(started together; overlap at least {overlap:.1f}s)")
        self.no_serialization_error("alerts", outcomes + [r[2] for r in results])

    def scenario_return(self):
        ticket = self.ids["return_ticket"]
        sessions = [self.session("as_conc_agent"), self.session("as_conc_supervisor")]
        context = {"active_model": "helpdesk.ticket", "active_id": ticket, "active_ids": [ticket]}
        wizards = []
        for session in sessions:
            _status, wizard, error = self.call(
                session, "helpdesk.ticket.return.wizard", "create", [{}], {"context": context})
            if error:
                return self.check("return: both sessions open the return wizard", False,
                                  str(error))
            wizards.append(wizard)
        results = self.at_once(*[
            (lambda s=session, w=wizard: self.call(
                s, "helpdesk.ticket.return.wizard", "action_confirm", [[w]],
                {"context": context}, button=True))
            for session, wizard in zip(sessions, wizards)])
        outcomes = [r[0] for r in results]
        rmas = self.psql(f"SELECT count(*) FROM rma WHERE lot_id = {self.ids['lot']} "
                         "AND state != 'cancelled'")
        ok = [o for o in outcomes if o and not o[2]]
        refused = [o for o in outcomes if o and o[2] and "UserError" in o[2]["name"]]
        self.check("return: the same serial returned from two sessions at once gives one RMA, "
                   "the other session is told it is already returned",
                   rmas == "1" and len(ok) == 1 and len(refused) == 1,
                   f"RMAs {rmas}, outcomes {outcomes!r}")
        self.no_serialization_error("return", outcomes + [r[2] for r in results])

    def scenario_rating(self):
        token = self.ids["token"]
        sessions, csrf = [], []
        for _index in range(2):
            session = self.session()
            page = session.get(f"{self.base}/rate/{token}/1", timeout=120)
            found = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
            if page.status_code != 200 or not found:
                return self.check("rating: the rating page opens", False,
                                  f"{page.status_code} {page.text[:300]}")
            sessions.append(session)
            csrf.append(found.group(1))
        results = self.at_once(*[
            (lambda s=session, t=csrf_token: s.post(
                f"{self.base}/rate/{token}/submit_feedback",
                data={"rate": 1, "feedback": "Still broken.", "csrf_token": t}, timeout=300))
            for session, csrf_token in zip(sessions, csrf)])
        statuses = [r[0].status_code if r[0] is not None else repr(r[2]) for r in results]
        self.check("rating: both submissions answered without an error page",
                   statuses == [200, 200], repr(statuses))
        reopen, closed, ratings = self.psql(
            "SELECT t.reopen_count, s.closed, (SELECT count(*) FROM rating_rating r WHERE "
            "r.res_model = 'helpdesk.ticket' AND r.res_id = t.id AND r.consumed) "
            "FROM helpdesk_ticket t JOIN helpdesk_ticket_stage s ON s.id = t.stage_id "
            f"WHERE t.id = {self.ids['rated_ticket']}").split("|")
        self.check("rating: a link submitted twice at once applies once (reopened once)",
                   reopen == "1" and closed == "f" and ratings == "1",
                   f"reopen_count {reopen}, closed {closed}, consumed ratings {ratings}")
        bodies = [r[0].text if r[0] is not None else "" for r in results]
        self.no_serialization_error("rating", [(s,) for s in statuses] + bodies
                                    + [r[2] for r in results])

    # ------------------------------------------------------------ replica
    def wait_replica(self):
        lsn = self.psql("SELECT pg_current_wal_lsn()")
        for _attempt in range(100):
            if self.psql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn",
                         port=self.args.replica_port) == "t":
                return
            time.sleep(0.1)

    def log_window(self, func):
        """Run ``func`` between marker statements on both servers; returns (result,
        primary's log lines, replica's log lines) of the window."""
        marker = uuid.uuid4().hex
        for port in (self.args.primary_port, self.args.replica_port):
            self.psql(f"SELECT 'has-begin-{marker}'", port=port)
        result = func()
        time.sleep(0.5)
        for port in (self.args.primary_port, self.args.replica_port):
            self.psql(f"SELECT 'has-end-{marker}'", port=port)
        time.sleep(0.5)
        windows = []
        for log in (self.args.primary_log, self.args.replica_log):
            text = Path(log).read_text(errors="replace")
            begin, end = text.rfind(f"has-begin-{marker}"), text.rfind(f"has-end-{marker}")
            windows.append(text[begin:end] if 0 <= begin < end else "")
        return result, windows[0], windows[1]

    def on_replica(self, name, pattern, func):
        result, primary, replica = self.log_window(func)
        on_replica = re.search(pattern, replica) is not None
        on_primary = re.search(pattern, primary) is not None
        self.check(f"replica: {name} runs on the replica, not on the primary",
                   on_replica and not on_primary,
                   f"seen on the replica: {on_replica}, on the primary: {on_primary}")
        return result

    def scenario_replica(self):
        self.check("replica: the replica is a standby in recovery",
                   self.psql("SELECT pg_is_in_recovery()", port=self.args.replica_port) == "t")
        session = self.session("as_conc_manager")
        self.wait_replica()
        groups = self.on_replica(
            "the analysis pivot (read_group)", r'FROM "helpdesk_after_sales_report"',
            lambda: self.call(session, "helpdesk.after.sales.report", "read_group",
                              [[], ["ticket_count:sum", "breached_count:sum"], ["team_id"]],
                              {"lazy": False}))
        status, result, error = groups
        through_odoo = sorted(
            ((g["team_id"] or [None])[0], g["ticket_count"], g["breached_count"])
            for g in (result or []))
        on_primary = sorted(
            (int(team) if team else None, int(count), int(breached))
            for team, count, breached in (
                line.split("|") for line in self.psql(
                    "SELECT team_id, sum(ticket_count), sum(breached_count) "
                    "FROM helpdesk_after_sales_report GROUP BY team_id").splitlines() if line))
        self.check("replica: the analysis figures read through the replica equal the primary's",
                   not error and through_odoo == on_primary and bool(on_primary),
                   f"{error or ''} odoo {through_odoo} primary {on_primary}")
        self.on_replica(
            "the dashboard", r'ORDER BY "helpdesk_ticket"\."next_sla_deadline"',
            lambda: self.call(session, "helpdesk.ticket", "get_after_sales_dashboard_data"))
        pdf = self.on_replica(
            "the record sheet PDF", r"'helpdesk_after_sales\.report_ticket_record'",
            lambda: session.get(f"{self.base}/report/pdf/helpdesk_after_sales.report_ticket_record/"
                                f"{self.ids['ticket']}", timeout=300))
        self.check("replica: the record sheet PDF is served",
                   pdf.status_code == 200 and pdf.content.startswith(b"%PDF"),
                   f"{pdf.status_code} {pdf.text[:200]}")
        _status, wizard, error = self.call(
            session, "helpdesk.after.sales.analysis.wizard", "create", [{}])
        self.wait_replica()
        pdf = self.on_replica(
            "the analysis report PDF", r"'helpdesk_after_sales\.report_after_sales_analysis'",
            lambda: session.get(
                f"{self.base}/report/pdf/helpdesk_after_sales.report_after_sales_analysis/"
                f"{wizard}", timeout=300))
        self.check("replica: the analysis report PDF is served",
                   not error and pdf.status_code == 200 and pdf.content.startswith(b"%PDF"),
                   f"{error} {pdf.status_code} {pdf.text[:200]}")
        fallbacks = [line for line in self.server_log.read_text(errors="replace").splitlines()
                     if "retrying with a read/write cursor" in line]
        self.check("replica: no read-only request had to fall back to the primary",
                   not fallbacks, "\n".join(fallbacks[-5:]))

    def run(self):
        started = time.time()
        self.setup()
        print(f"  fixtures ready in {time.time() - started:.0f}s", flush=True)
        self.start_server()
        try:
            for scenario in (self.scenario_compensation, self.scenario_alerts,
                             self.scenario_return, self.scenario_rating, self.scenario_replica):
                offset = self.server_log.stat().st_size
                try:
                    scenario()
                except Exception as exc:  # pylint: disable=broad-except
                    self.check(f"{scenario.__name__} ran", False, repr(exc))
                with self.server_log.open(errors="replace") as log:
                    log.seek(offset)
                    retried = log.read().count("could not serialize access")
                # The race happened and Odoo retried the loser (0: no collision).
                print(f"  {scenario.__name__}: {retried} serialization failure(s) retried "
                      "by Odoo", flush=True)
        finally:
            self.stop_server()
        # A serialization failure is logged ("bad query", then the error) before
        # Odoo retries it: expected. Any other error fails the run.
        errors, lines = [], self.server_log.read_text(errors="replace").splitlines()
        for index, line in enumerate(lines):
            if not re.search(r" (ERROR|CRITICAL) ", line):
                continue
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if "bad query" in line and "could not serialize access" in following:
                continue
            errors.append(line[:300])
        self.check("the server logged no error other than retried serialization failures",
                   not errors, "\n  ".join(errors[-20:]))
        print(f"concurrency: {self.passed} passed, {self.failed} failed "
              f"in {time.time() - started:.0f}s", flush=True)
        return 1 if self.failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--db-user", default="odoo")
    parser.add_argument("--primary-port", required=True)
    parser.add_argument("--replica-port", required=True)
    parser.add_argument("--primary-log", required=True)
    parser.add_argument("--replica-log", required=True)
    parser.add_argument("--http-port", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--odoo-cmd", required=True, help="odoo-bin and its options, as JSON")
    raise SystemExit(Harness(parser.parse_args()).run())


if __name__ == "__main__":
    main()
