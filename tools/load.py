#!/usr/bin/env python3
# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Load test of the prefork server (issue 20), run through ``make load``.

  load.py --db DB --baseline-db DB --odoo-bin PATH --locust PATH
          [--workers 1 2 4] [--duration 45] [--users 12] [odoo options...]

Prepares both databases (agents, portal customers, an after-sales team where the
addon is installed, 100 tickets), then for each worker count starts
``odoo-bin --workers=N`` on a free loopback port against the database with only the
dependencies, then against the one with the addon, and drives each with Locust
headless (tools/locustfile.py: agents listing, opening, updating, noting and creating
tickets, customers on the portal), bounded in time; a short warm-up run first (the
workers load the registry). Writes the throughput, median and 95th-percentile
latency, the errors and the addon's ratios to BENCHMARKS.md.
"""

import argparse
import csv
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import odoo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (tools/bench.py: the bench team, users, BENCHMARKS.md)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-load"
AGENTS = 4
CUSTOMERS = 4


def prepare(db):
    """Accounts and tickets of the mix; the environment variables of the locustfile."""
    cr, env = bench.open_env(db)
    team = bench.bench_team(env)
    agents, _manager = bench.bench_users(env)
    agents = agents[:AGENTS]
    agents.write({"password": PASSWORD})
    for agent in agents.filtered(lambda user: not user.email):
        agent.email = f"{agent.login}@example.com"  # mail wants a sender's address
    Users = env["res.users"].with_context(no_reset_password=True)
    portal = env.ref("base.group_portal")
    customers = Users.search([("login", "=like", "bench_customer_%")], order="id")
    for index in range(len(customers), CUSTOMERS):
        customers |= Users.create(
            {
                "name": f"Bench portal customer {index}",
                "login": f"bench_customer_{index}",
                "email": f"bench_customer_{index}@example.com",
                "groups_id": [(6, 0, portal.ids)],
            }
        )
    customers.write({"password": PASSWORD})
    partners = customers.partner_id
    Ticket = env["helpdesk.ticket"]
    if Ticket.search_count([("name", "=like", "Load ticket %")]) < 100:
        Ticket.create(
            [
                {
                    "name": f"Load ticket {i}",
                    "description": "<p>The unit makes a noise.</p>",
                    "team_id": team.id,
                    "partner_id": partners[i % len(partners)].id,
                    "user_id": agents[i % len(agents)].id,
                }
                for i in range(100)
            ]
        )
    cr.commit()
    variables = {
        "LOAD_AGENTS": ",".join(agents.mapped("login")),
        "LOAD_CUSTOMERS": ",".join(customers.mapped("login")),
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_TEAM_ID": str(team.id),
        "LOAD_PARTNER_IDS": ",".join(map(str, partners.ids)),
    }
    cr.close()
    return variables


def open_sessions(port, variables, path):
    """Log every account of the mix in once, before the runs, and write their
    session ids to ``path`` (LOAD_SESSIONS): the simulated users reuse them, so no
    password is hashed while a run is measured (twelve logins are several seconds of
    a worker's CPU, which the requests of the first seconds used to queue behind)."""
    host = f"http://127.0.0.1:{port}"
    sessions = {}
    logins = variables["LOAD_AGENTS"].split(",") + variables["LOAD_CUSTOMERS"].split(",")
    for login in filter(None, logins):
        with urllib.request.urlopen(f"{host}/web/login", timeout=300) as response:
            cookie = response.headers.get("Set-Cookie", "")
            page = response.read().decode()
        token = re.search(r'name="csrf_token"\s+value="([^"]+)"', page)
        session_id = re.search(r"session_id=([^;]+)", cookie)
        data = urllib.parse.urlencode(
            {"login": login, "password": PASSWORD, "redirect": "",
             "csrf_token": token.group(1) if token else ""}
        ).encode()
        request = urllib.request.Request(f"{host}/web/login", data=data)
        if session_id:
            request.add_header("Cookie", f"session_id={session_id.group(1)}")
        opener = urllib.request.build_opener(NoRedirect)
        with opener.open(request, timeout=300) as response:
            cookie = response.headers.get("Set-Cookie", "")
            location = response.headers.get("Location", "")
        session_id = re.search(r"session_id=([^;]+)", cookie) or session_id
        if not session_id or "/web/login" in location:
            raise SystemExit(f"{login} could not log in")
        sessions[login] = session_id.group(1)
    Path(path).write_text(json.dumps(sessions))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """The login answers with a redirect carrying the session cookie: kept as is."""

    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_303 = http_error_302


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(1)
    return False


# odoo-bin with a stand-in for the long-polling (gevent) process: the mix does not
# use the bus, and in this virtualenv ``odoo-bin gevent`` stops at start (gevent's
# plugin entry point does not find zope.interface), which the prefork server would
# respawn every second, skewing the measure.
SERVE = """
import subprocess, sys
from pathlib import Path
sys.argv = sys.argv[1:]
sys.path.insert(0, str(Path(sys.argv[0]).parent))
import odoo
from odoo.service import server
def long_polling_spawn(self):
    idle = [sys.executable, "-c", "import time; time.sleep(86400)"]
    self.long_polling_pid = subprocess.Popen(idle).pid
server.PreforkServer.long_polling_spawn = long_polling_spawn
odoo.cli.main()
"""


def start_server(args, odoo_args, db, workers):
    port, gevent_port = free_port(), free_port()
    cmd = [
        sys.executable, "-c", SERVE, args.odoo_bin, *odoo_args, "-d", db, f"--db-filter=^{db}$",
        f"--workers={workers}", "--http-interface=127.0.0.1", f"--http-port={port}",
        # One cron worker, as deployed: with the addon it sends the customers'
        # acknowledgements the recorded tickets trigger, during the run.
        f"--gevent-port={gevent_port}", "--max-cron-threads=1", "--log-level=warn",
        "--no-database-list", "--limit-time-real=300", "--limit-time-cpu=120",
    ]
    server = subprocess.Popen(cmd, start_new_session=True)
    if not wait_up(f"http://127.0.0.1:{port}/web/login"):
        stop_server(server)
        raise SystemExit(f"odoo-bin --workers={workers} on {db} did not answer")
    return server, port


def stop_server(server):
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def locust(args, port, variables, seconds, prefix):
    env = dict(os.environ, **variables)
    cmd = [
        args.locust, "-f", str(ROOT / "tools" / "locustfile.py"), "--headless",
        "-H", f"http://127.0.0.1:{port}", "-u", str(args.users),
        "-r", str(args.users), "-t", f"{seconds}s", "--stop-timeout", "10",
        "--csv", prefix, "--only-summary", "--loglevel", "WARNING",
    ]
    subprocess.run(cmd, env=env, check=False, stdout=subprocess.DEVNULL)
    if prefix.endswith("warmup"):
        return None
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]

    def number(value):
        return float(value) if value not in ("", "N/A") else 0.0

    return {
        "rps": number(total["Requests/s"]),
        "median": number(total["50%"]),
        "p95": number(total["95%"]),
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "by_name": {
            name: (int(row["Request Count"]), int(row["Failure Count"]), number(row["50%"]))
            for name, row in rows.items()
            if name != "Aggregated"
        },
    }


def acknowledgements_due(db):
    """Tickets still waiting for their acknowledgement once a run is over: whether
    the cron worker kept up (None without the addon)."""
    with odoo.sql_db.db_connect(db).cursor() as cr:
        cr.execute(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'helpdesk_ticket'"
            " AND column_name = 'acknowledgement_due'"
        )
        if not cr.fetchone():
            return None
        cr.execute("SELECT count(*) FROM helpdesk_ticket WHERE acknowledgement_due")
        return cr.fetchone()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--baseline-db", required=True)
    parser.add_argument("--odoo-bin", required=True)
    parser.add_argument("--locust", required=True)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--duration", type=int, default=45, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=15, help="seconds, not counted")
    parser.add_argument("--users", type=int, default=12, help="simulated users")
    args, odoo_args = parser.parse_known_args()
    odoo.tools.config.parse_config(odoo_args + ["--log-level=warn"])

    variables = {db: prepare(db) for db in (args.baseline_db, args.db)}
    results = {}
    tmp = Path(tempfile.mkdtemp(prefix="has-load-"))
    for workers in args.workers:
        for db in (args.baseline_db, args.db):
            server, port = start_server(args, odoo_args, db, workers)
            try:
                sessions = tmp / f"{db}-{workers}-sessions.json"
                open_sessions(port, variables[db], sessions)
                variables[db]["LOAD_SESSIONS"] = str(sessions)
                locust(args, port, variables[db], args.warmup, str(tmp / "warmup"))
                prefix = str(tmp / f"{db}-{workers}")
                results[db, workers] = locust(args, port, variables[db], args.duration, prefix)
            finally:
                stop_server(server)
            results[db, workers]["ack_due"] = acknowledgements_due(db)
            print(f"{db} --workers={workers}: {results[db, workers]}", flush=True)

    command = (
        f"make load ARGS=\"--workers {' '.join(map(str, args.workers))} "
        f"--duration {args.duration} --users {args.users}\""
    )
    lines = []
    for workers in args.workers:
        base, addon = results[args.baseline_db, workers], results[args.db, workers]
        for label, res in (("only the dependencies", base), ("with the addon", addon)):
            due = "" if res.get("ack_due") is None else res["ack_due"]
            lines.append(
                f"| {workers} | {label} | {res['rps']:.1f} | {res['median']:.0f} | "
                f"{res['p95']:.0f} | {res['requests']} | {res['errors']} | {due} |"
            )
        throughput = base["rps"] / addon["rps"] if addon["rps"] else 0
        median = addon["median"] / base["median"] if base["median"] else 0
        p95 = addon["p95"] / base["p95"] if base["p95"] else 0
        lines.append(
            f"| {workers} | **addon's cost (ratio)** | {throughput:.2f} | {median:.2f} | "
            f"{p95:.2f} | | | |"
        )
    names = sorted({n for res in results.values() for n in res["by_name"]})
    detail = [
        f"| {name} | "
        + " | ".join(
            "{} / {} / {:.0f}".format(*results[db, args.workers[-1]]["by_name"].get(name, (0, 0, 0)))
            for db in (args.baseline_db, args.db)
        )
        + " |"
        for name in names
    ]
    text = (
        "## Load: the prefork server under a mix of agents and customers (issue 20)\n\n"
        f"Machine: {bench.machine()}. Run: {datetime.now():%Y-%m-%d %H:%M}, `{command}`.\n\n"
        f"Locust {args.users} simulated users (3 agents to 1 portal customer, 0.5 to 2 s "
        "between actions): agents list open tickets, open one, update its description, "
        "log a note, record a ticket (weights 4, 4, 2, 1, 1) through the web client's "
        "JSON-RPC; customers list their tickets, open one, submit a request on the "
        f"portal (3, 3, 1). {args.duration} s per run after a {args.warmup} s warm-up, "
        "`odoo-bin --workers=N` on the loopback, each database with 100 tickets. The "
        "accounts (4 agents, 4 customers) log in once before the warm-up and the "
        "simulated users reuse their sessions: no password is hashed (most of a second "
        "of a worker's CPU) while a run is measured. "
        "The ratio row: the dependencies' throughput over the addon's, the addon's "
        "latencies over the dependencies' (target ≤ 1.3). The machine is shared: "
        "compare the two rows of one worker count (measured one after the other), "
        "not across runs.\n\n"
        "Each server has one cron worker. With the addon it sends the customers' "
        "acknowledgements after the requests that recorded the tickets (the job they "
        "trigger), during the run: *acks due* counts those still waiting when the run "
        "ended.\n\n"
        "| workers | database | requests/s | median ms | 95 % ms | requests | errors "
        "| acks due |\n"
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n" + "\n".join(lines) + "\n\n"
        f"Per request at {args.workers[-1]} workers (requests / errors / median ms):\n\n"
        "| request | only the dependencies | with the addon |\n| --- | --- | --- |\n"
        + "\n".join(detail) + "\n"
    )
    bench.write_section("load", text)
    print(text)


if __name__ == "__main__":
    main()
