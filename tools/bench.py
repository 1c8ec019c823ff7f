#!/usr/bin/env python3
# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark of the overdue-alert cron, the analysis, the dashboard and ticket creation.

Run through ``make bench`` (tools/dev.py prepares the scratch databases):
  bench.py --db DB --baseline-db DB [--sizes 1000 10000 100000 [1000000]]
           [--repeats 5] [--skip-create] [odoo options...]

For each size N it fills DB with N after-sales tickets by SQL (INSERT ... SELECT
generate_series, then VACUUM ANALYZE): all open below HISTORY_FROM, else 10 % open
and the rest closed over three years; DUE_SHARE of the open ones past a warning
point. It measures the cron's wall time and query count, an immediate second run
(nothing to do), the candidate-selection query alone (the floor), the analysis
aggregation and PDF for one month, and the after-sales dashboard's data for an agent
and a manager. Then creating 1,000 tickets through the ORM: on an after-sales team,
routed by five rules, and on the baseline database (only the dependencies) without
and with the same handlers given. Writes its sections of BENCHMARKS.md.
"""

import argparse
import os
import platform
import time
from datetime import datetime, timedelta
from pathlib import Path

from freezegun import freeze_time

import odoo
from odoo.tools import SQL

ROOT = Path(__file__).resolve().parent.parent


# From this size on the database holds the history a desk of that size has: 10 % of
# the tickets open (their intake in the last day, as in the smaller sizes), the rest
# closed over the past three years. Smaller sizes: every ticket open (the worst case
# for the cron, comparable with earlier runs).
HISTORY_FROM = 1_000_000
# Share of the open tickets past a warning point (an alert is due).
DUE_SHARE = 0.1
# Handlers of the bench team; the tickets are spread over them and nobody.
AGENTS = 10
LOGIN_PREFIX = "bench_agent_"


def has_addon(env):
    return "is_after_sales" in env["helpdesk.ticket.team"]._fields


def bench_users(env):
    """AGENTS internal users (after-sales agents where the addon is installed) and,
    with the addon, one after-sales manager: who the dashboard is measured for."""
    Users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True)
    groups = [env.ref("helpdesk_mgmt.group_helpdesk_user").id]
    if has_addon(env):
        groups.append(env.ref("helpdesk_after_sales.group_after_sales_agent").id)
    agents = Users.search([("login", "=like", LOGIN_PREFIX + "%")], order="id")
    for index in range(len(agents), AGENTS):
        agents |= Users.create(
            {
                "name": f"Bench agent {index}",
                "login": f"{LOGIN_PREFIX}{index}",
                "email": f"{LOGIN_PREFIX}{index}@example.com",
                "groups_id": [(6, 0, groups)],
            }
        )
    manager = Users.browse()
    if has_addon(env):
        manager = Users.search([("login", "=", "bench_manager")]) or Users.create(
            {
                "name": "Bench manager",
                "login": "bench_manager",
                "groups_id": [
                    (6, 0, [env.ref("helpdesk_after_sales.group_after_sales_manager").id])
                ],
            }
        )
    return agents, manager


def bench_team(env):
    """The bench team (an after-sales team where the addon is installed), staffed by
    the bench agents."""
    team = env["helpdesk.ticket.team"].search([("name", "=", "Bench")], limit=1)
    agents, _manager = bench_users(env)
    vals = {"use_sla": True, "user_ids": [(6, 0, agents.ids)]}
    if has_addon(env):
        vals["is_after_sales"] = True
    if team:
        team.write(vals)
        return team
    return env["helpdesk.ticket.team"].create(dict(vals, name="Bench"))


def bench_partners(env, count=200):
    Partner = env["res.partner"]
    partners = Partner.search([("name", "=like", "Bench customer %")])
    if len(partners) < count:
        partners |= Partner.create(
            [{"name": f"Bench customer {i}"} for i in range(len(partners), count)]
        )
    return partners


# The real clock, kept out of the module's globals: freezegun replaces every module
# attribute that is a clock function while the time is frozen (the cron runs).
CLOCK = {"perf_counter": time.perf_counter}


def timed(func):
    start = CLOCK["perf_counter"]()
    result = func()
    return CLOCK["perf_counter"]() - start, result


def vacuum_analyze(db, table):
    """VACUUM ANALYZE outside a transaction (a fresh connection in autocommit)."""
    conn = odoo.sql_db.db_connect(db)
    with conn.cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))


def fill(env, count, now):
    """Replace the tickets with ``count`` after-sales tickets of the bench team by
    SQL (the ORM would take hours at 1M): open ones (all of them below HISTORY_FROM,
    10 % from it on) with deadlines spread so that DUE_SHARE of them are past a
    warning point, the rest closed over three years. Spread over the bench agents
    and nobody, and 200 customers. Commits, then VACUUM ANALYZE."""
    cr = env.cr
    cr.execute("DELETE FROM helpdesk_ticket_alert")
    # helpdesk_mgmt's duplicate_id has no index: each deleted ticket's ON DELETE SET
    # NULL would scan the whole table (100,000 tickets: a quarter of an hour). A
    # scratch index for the emptying only.
    cr.execute(
        "CREATE INDEX IF NOT EXISTS bench_helpdesk_ticket_duplicate_id_idx"
        " ON helpdesk_ticket (duplicate_id) WHERE duplicate_id IS NOT NULL"
    )
    cr.execute("DELETE FROM helpdesk_ticket")
    cr.execute("DROP INDEX bench_helpdesk_ticket_duplicate_id_idx")
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
    done = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
    team = bench_team(env)
    agents, _manager = bench_users(env)
    partners = bench_partners(env)
    category = env.ref("helpdesk_after_sales.helpdesk_ticket_category_b")
    open_count = count if count < HISTORY_FROM else count // 10
    # Deadline = now + X days, X uniform over `span` days from -0.6: the response
    # warning (80 % of the way from the intake a day ago) has passed for X <= 0.25.
    span = 0.85 / DUE_SHARE
    common = dict(
        stage=stage.id,
        done=done.id,
        team=team.id,
        company=env.company.id,
        category=category.id,
        now=now,
        agents=agents.ids,
        nagents=len(agents) + 1,
        partners=partners.ids,
        npartners=len(partners),
    )
    # The history first, in the order it was received, then the open tickets (the
    # newest): a desk's table holds its tickets in the order they were recorded,
    # so a month's tickets lie together (drawn in random order they were spread
    # over the whole table, and every period's figures read most of it).
    if count > open_count:
        cr.execute(
            SQL(
                """
                INSERT INTO helpdesk_ticket
                       (number, name, description, stage_id, team_id, company_id, user_id,
                        partner_id, category_id, category_code, service_priority, priority,
                        active, is_after_sales, intake_date, response_sla_state,
                        response_deadline, resolution_sla_state, resolution_deadline,
                        closed_date, last_stage_update, kanban_state, sequence,
                        rating_status, create_uid, create_date, write_uid, write_date)
                SELECT 'BENCHC' || g, 'Closed bench ticket ' || g, '<p>bench</p>',
                       %(done)s, %(team)s, %(company)s,
                       (%(agents)s::int[])[mod(g, %(nagents)s - 1) + 1],
                       (%(partners)s::int[])[mod(g, %(npartners)s) + 1],
                       %(category)s, 'B', 'p3', '1', TRUE, TRUE,
                       d.intake, 'met', d.intake + interval '1 day', 'met',
                       d.intake + interval '3 days', d.intake + interval '2 days',
                       d.intake + interval '2 days', 'normal', 10, 'stage',
                       1, d.intake, 1, d.intake + interval '2 days'
                  FROM generate_series(1, %(count)s) g,
                       LATERAL (SELECT %(now)s - interval '3 days'
                                       - (g * 0 + random() * 1095) * interval '1 day'
                                       AS intake) d
              ORDER BY d.intake
                """,
                count=count - open_count,
                **common,
            )
        )
    cr.execute(
        SQL(
            """
            INSERT INTO helpdesk_ticket
                   (number, name, description, stage_id, team_id, company_id, user_id,
                    partner_id, category_id, category_code, service_priority, priority,
                    active, is_after_sales, intake_date, response_sla_state,
                    response_deadline, response_warning_date, resolution_sla_state,
                    resolution_deadline, resolution_warning_date, next_update_deadline,
                    next_update_warning_date, next_sla_deadline, kanban_state, sequence,
                    rating_status, create_uid, create_date, write_uid, write_date)
            SELECT 'BENCH' || g, 'Bench ticket ' || g, '<p>bench</p>', %(stage)s, %(team)s,
                   %(company)s, (%(agents)s::int[])[mod(g, %(nagents)s) + 1],
                   (%(partners)s::int[])[mod(g, %(npartners)s) + 1],
                   %(category)s, 'B', 'p3', '1', TRUE, TRUE,
                   d.intake, 'running', d.deadline, d.intake + (d.deadline - d.intake) * 0.8,
                   'running', d.deadline + interval '2 days',
                   d.intake + (d.deadline + interval '2 days' - d.intake) * 0.8,
                   d.deadline + interval '3 days', d.deadline + interval '2 days',
                   d.deadline, 'normal', 10, 'stage', 1, %(now)s, 1, %(now)s
              FROM generate_series(1, %(count)s) g,
                   LATERAL (SELECT %(now)s - interval '1 day' AS intake,
                                   %(now)s + (g * 0 + random() * %(span)s - 0.6)
                                       * interval '1 day' AS deadline) d
            """,
            count=open_count,
            span=span,
            **common,
        )
    )
    cr.commit()
    vacuum_analyze(cr.dbname, "helpdesk_ticket")
    env.invalidate_all()
    return open_count


def queries(env, func):
    before = env.cr.sql_log_count
    seconds, _result = timed(func)
    return seconds, env.cr.sql_log_count - before


def dashboard(env, user):
    """(seconds, queries) of the after-sales dashboard's data for ``user`` (issue 19):
    an agent sees their own figures, a manager also every figure per team and per
    agent. Measured warm (a second call: the page is opened many times a day)."""
    user_env = env(user=user)
    user_env["helpdesk.ticket"].get_after_sales_dashboard_data()  # warm the caches
    env.invalidate_all()
    return queries(user_env, lambda: user_env["helpdesk.ticket"].get_after_sales_dashboard_data())


def create_vals(env, prefix, routed=False, explicit_users=False):
    """1,000 tickets' values, of the bench customers: on the bench team, or
    (``routed``) without a team;
    ``explicit_users``: each with the handler and team the balanced rule gives (the
    dependencies alone doing what routing does, its notification included)."""
    team = bench_team(env)
    agents, _manager = bench_users(env)
    customers = bench_partners(env)
    vals = []
    for i in range(1000):
        values = {
            "name": f"{prefix} {i}",
            "description": "<p>x</p>",
            "partner_id": customers[i % len(customers)].id,
        }
        if not routed:
            values["team_id"] = team.id
        if explicit_users:
            values["user_id"] = agents[i % len(agents)].id
        vals.append(values)
    return vals


def send_due_acknowledgements(env):
    """The acknowledgement job's batches until nothing is due, without its commits
    (the bench rolls every measure back)."""
    Tickets = env["helpdesk.ticket"]
    sent = 0
    while batch := Tickets._send_next_acknowledgements(batch_size=10):
        sent += batch
    env.flush_all()
    return sent


def create_thousand(env, explicit_users=False, with_job=True):
    vals = create_vals(env, "Created", explicit_users=explicit_users)
    return timed_create(env, vals, with_job)


def timed_create(env, vals, with_job=True):
    """(seconds, queries) of creating ``vals`` in one transaction, and with the addon
    (``with_job``) the seconds its acknowledgement job then takes to send what the
    create queued (after the request, in a cron worker)."""
    env.flush_all()
    before = env.cr.sql_log_count
    seconds, _tickets = timed(lambda: (env["helpdesk.ticket"].create(vals), env.flush_all()))
    count = env.cr.sql_log_count - before
    job = 0.0
    if with_job and has_addon(env):
        job, _sent = timed(lambda: send_due_acknowledgements(env))
    env.cr.rollback()
    env.invalidate_all()
    return seconds, count, job


def create_thousand_routed(env, with_job=True):
    """The same 1,000 tickets recorded without a team, routed by five assignment rules:
    four on channels they do not match, the last balanced over the team of ten."""
    team = bench_team(env)
    channels = env["helpdesk.ticket.channel"].search([], limit=1)
    Rule = env["helpdesk.ticket.assignment.rule"]
    for index in range(5):
        Rule.create(
            {
                "name": f"Bench rule {index}",
                "sequence": index,
                "team_id": team.id,
                "method": "balanced",
                "channel_ids": [(6, 0, channels.ids)] if index < 4 else [],
            }
        )
    return timed_create(env, create_vals(env, "Routed", routed=True), with_job)


def open_env(db):
    registry = odoo.modules.registry.Registry(db)
    cr = registry.cursor()
    return cr, odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    except OSError:
        mem = "?"
    return f"{os.cpu_count()} cores, {mem} GiB RAM, {cpu}, PostgreSQL via Odoo {odoo.release.version}"


def write_section(name, text):
    """Replace (or append) the ``name`` section of BENCHMARKS.md: ``make bench`` and
    ``make load`` each keep theirs."""
    path = ROOT / "BENCHMARKS.md"
    begin, end = f"<!-- {name} -->\n", f"<!-- /{name} -->\n"
    content = path.read_text() if path.exists() else "# Benchmarks\n\n"
    block = begin + text.rstrip("\n") + "\n" + end
    if begin in content and end in content:
        head, rest = content.split(begin, 1)
        content = head + block + rest.split(end, 1)[1]
    else:
        content = content.rstrip("\n") + "\n\n" + block
    path.write_text(content)


def best_of(repeats, measures):
    """Run the (name, function) ``measures`` interleaved ``repeats`` times; the
    fastest (seconds, queries) of each, the machine being shared (noise only adds),
    the job seconds of the last round (the job, a minute of writes, runs only then,
    so that what it leaves for the disk to do weighs on no creation measured), and
    the seconds of every round, in order."""
    best, jobs, rounds = {}, {}, {}
    for round_ in range(repeats):
        last = round_ == repeats - 1
        for name, func in measures:
            seconds, count, job = func(last)
            rounds.setdefault(name, []).append(seconds)
            if name not in best or seconds < best[name][0]:
                best[name] = (seconds, count)
            if last:
                jobs[name] = job
    return {name: (*best[name], jobs[name], rounds[name]) for name in best}


def paired_ratio(create, name, base):
    """The median over the rounds of ``name``'s seconds to ``base``'s in the same
    round. The machine's speed drifts from minute to minute (a third between runs
    here); two measures taken a few seconds apart drift together, so their ratio
    round by round holds still where the fastest of each may come from different
    minutes."""
    ratios = sorted(a / b for a, b in zip(create[name][3], create[base][3], strict=True) if b)
    if not ratios:
        return 0
    middle = len(ratios) // 2
    return ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--baseline-db", required=True)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--repeats", type=int, default=5, help="creation runs per measure")
    parser.add_argument("--skip-create", action="store_true")
    args, odoo_args = parser.parse_known_args()
    odoo.tools.config.parse_config(odoo_args + ["--log-level=warn"])
    odoo.tools.config["db_name"] = args.db

    base_cr, base_env = open_env(args.baseline_db)
    cr, env = open_env(args.db)
    for cursor, environment in ((base_cr, base_env), (cr, env)):
        bench_team(environment)
        bench_partners(environment)
        cursor.commit()
    create = {}
    if not args.skip_create:
        create = best_of(
            args.repeats,
            [
                ("baseline", lambda job: create_thousand(base_env, with_job=job)),
                (
                    "baseline_users",
                    lambda job: create_thousand(base_env, explicit_users=True, with_job=job),
                ),
                ("addon", lambda job: create_thousand(env, with_job=job)),
                ("routed", lambda job: create_thousand_routed(env, with_job=job)),
            ],
        )
        print(f"create: {create}", flush=True)
    base_cr.close()

    model = env["helpdesk.ticket.alert"]
    agents, manager = bench_users(env)
    rows = []
    for size in args.sizes:
        now = datetime.now().replace(microsecond=0)
        fill_s, open_count = timed(lambda n=now, s=size: fill(env, s, n))
        print(f"{size}: filled in {fill_s:.0f} s", flush=True)
        at = now + timedelta(seconds=30)
        candidates = len(model._select_alert_candidates(at))
        floor, _count = queries(env, lambda n=at: model._select_alert_candidates(n))
        # Both runs at the same instant: the second one has truly nothing to do
        # (with the clock running, tickets reaching their warning point while the
        # first run works would be alerted by the second).
        with freeze_time(at):
            first, first_queries = queries(env, lambda: model._cron_overdue_alerts())
            env.flush_all()
            # The statistics autovacuum gathers on the alerts soon after: the idle
            # runs of the following hours plan with them (without, the planner
            # took the alert table for empty and the idle figure was too good).
            vacuum_analyze(cr.dbname, "helpdesk_ticket_alert")
            second, second_queries = queries(env, lambda: model._cron_overdue_alerts())
        month_start = (now - timedelta(days=30)).date()
        report = env["report.helpdesk_after_sales.report_after_sales_analysis"]
        aggregation, _figures = timed(
            lambda s=month_start: report._get_analysis(s, now.date())
        )
        wizard = env["helpdesk.after.sales.analysis.wizard"].create(
            {"date_from": month_start, "date_to": now.date()}
        )
        pdf, _content = timed(
            lambda w=wizard: env["ir.actions.report"]._render_qweb_pdf(
                "helpdesk_after_sales.action_report_after_sales_analysis", w.ids
            )
        )
        agent_board = dashboard(env, agents[0])
        manager_board = dashboard(env, manager)
        rows.append(
            (size, open_count, candidates, first, first_queries, second, second_queries,
             floor, aggregation, pdf, agent_board, manager_board)
        )
        cr.rollback()
        print(f"{size}: {rows[-1]}", flush=True)
    cr.close()

    header = (
        "| tickets | open | alerted | cron s | queries | s per 1k alerted | ratio to floor "
        "| idle cron s | queries | floor s | month aggregation s | month PDF s |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
    )
    lines = [
        f"| {n} | {opened} | {alerted} | {first:.2f} | {fq} | "
        f"{(first / alerted * 1000) if alerted else 0:.2f} | {first / floor if floor else 0:.1f} | "
        f"{second:.3f} | {sq} | {floor:.3f} | {agg:.3f} | {pdf:.2f} |"
        for n, opened, alerted, first, fq, second, sq, floor, agg, pdf, _a, _m in rows
    ]
    board_lines = [
        f"| {n} | {a[0]:.3f} | {a[1]} | {m[0]:.3f} | {m[1]} |"
        for n, _o, _al, _f, _fq, _s, _sq, _fl, _ag, _p, a, m in rows
    ]
    text = (
        f"Machine: {machine()}. Run: {datetime.now():%Y-%m-%d %H:%M}, "
        f"`make bench ARGS=\"{' '.join(['--sizes', *map(str, args.sizes)])}\"`.\n\n"
        "## Overdue-alert cron and analysis\n\n"
        f"Below {HISTORY_FROM:,} tickets every ticket is open; from it on 10 % are open "
        "and the rest closed over three years (a desk's history). About "
        f"{DUE_SHARE:.0%} of the open tickets are past a warning point. *Idle cron*: "
        "the second run, nothing left to do.\n\n" + header + "\n".join(lines) + "\n\n"
        "## After-sales dashboard (issue 19)\n\n"
        "`get_after_sales_dashboard_data()` warm, for an agent (their own figures: one "
        "count per figure, the queue) and a manager (also every figure per team and "
        "per agent: one grouped query per figure).\n\n"
        "| tickets | agent s | agent queries | manager s | manager queries |\n"
        "| ---: | ---: | ---: | ---: | ---: |\n" + "\n".join(board_lines) + "\n"
    )
    if rows:  # --sizes without a size: the creation only, the tables stay
        write_section("bench", text)
    if create:
        def ratio(name, base="baseline"):
            return create[name][0] / create[base][0] if create[base][0] else 0

        def ratios(name, base="baseline"):
            return f"{ratio(name, base):.2f} / {paired_ratio(create, name, base):.2f}"

        def rounds(name):
            return ", ".join(f"{seconds:.2f}" for seconds in create[name][3])

        create_text = (
            "## Creating 1,000 tickets through the ORM\n\n"
            f"{args.repeats} interleaved rounds (the machine is shared). *Seconds*: the "
            "fastest round. *Ratios*: of the fastest rounds, then the median of the "
            "ratios round by round (measures taken a few seconds apart share the "
            "machine's speed of the moment). *Then, in the job*: the seconds the "
            "acknowledgement job takes afterwards to send the customers' "
            "acknowledgements the create queued (a cron worker, after the request), "
            "timed in the last round only: its writes would weigh on the creations "
            "measured after it.\n\n"
            "| tickets | seconds | queries | ratios (fastest / round by round) | then, in the job |\n"
            "| --- | ---: | ---: | --- | ---: |\n"
            f"| only the dependencies, on a team | {create['baseline'][0]:.2f} | "
            f"{create['baseline'][1]} | 1 | |\n"
            f"| the addon, on an after-sales team | {create['addon'][0]:.2f} | "
            f"{create['addon'][1]} | {ratios('addon')} to the dependencies | "
            f"{create['addon'][2]:.2f} |\n"
            f"| the addon, without a team, routed by five rules (balanced over ten) | "
            f"{create['routed'][0]:.2f} | {create['routed'][1]} | **{ratios('routed')}** to "
            f"the dependencies on a team; {ratios('routed', 'baseline_users')} to "
            "the dependencies given the same team and handler | "
            f"{create['routed'][2]:.2f} |\n"
            f"| only the dependencies, team and handler given | "
            f"{create['baseline_users'][0]:.2f} | {create['baseline_users'][1]} | "
            f"{ratios('baseline_users')} to the dependencies on a team | |\n\n"
            "Seconds of each round, in order: dependencies on a team "
            f"{rounds('baseline')}; the addon on a team {rounds('addon')}; routed "
            f"{rounds('routed')}; dependencies given team and handler "
            f"{rounds('baseline_users')}.\n\n"
            "A ticket given a handler costs the dependencies themselves "
            f"{ratio('baseline_users'):.2f}× a ticket without one: mail's "
            "*assigned to you* notification to the handler (`_message_auto_subscribe_notify`, "
            "a message and a mail per ticket). Routing a batch tells each handler once, "
            "listing their tickets (a ticket routed alone gets mail's own notification), "
            "and makes them follow their tickets in one insert per handler.\n"
        )
        write_section("create", create_text)
    print((ROOT / "BENCHMARKS.md").read_text())


if __name__ == "__main__":
    main()
