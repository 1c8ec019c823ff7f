#!/usr/bin/env python3
# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark of the overdue-alert cron, the analysis view and ticket creation.

Run through ``make bench`` (tools/dev.py prepares the scratch databases):
  bench.py --db DB --baseline-db DB [--sizes 1000 10000 100000] [odoo options...]

For each size N it fills DB with N open tickets by batched SQL inserts (deadlines
spread so that about 10 % need an alert), then measures the cron's wall time and
query count, an immediate second run, the candidate-selection query alone (the
floor), the analysis aggregation and PDF for one month, the after-sales dashboard's
data for a manager (every figure, per team and per agent), and creating 1,000 tickets
through the ORM against the baseline database that has only the dependencies.
"""

import argparse
import os
import platform
import time
from datetime import datetime, timedelta
from pathlib import Path

import odoo
from odoo.tools import SQL

ROOT = Path(__file__).resolve().parent.parent


def bench_team(env):
    team = env["helpdesk.ticket.team"].search([("name", "=", "Bench")], limit=1)
    return team or env["helpdesk.ticket.team"].create({"name": "Bench", "use_sla": True})


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def fill(env, count, now):
    """Replace the tickets with ``count`` open ones; about 10 % past their warning."""
    cr = env.cr
    cr.execute("DELETE FROM helpdesk_ticket_alert")
    cr.execute("DELETE FROM helpdesk_ticket")
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")
    team = bench_team(env)
    category = env.ref("helpdesk_after_sales.helpdesk_ticket_category_b")
    # Deadlines spread over 10 days ahead, 1 % of them already missed; warning points
    # at 80 % of the way: about 10 % of the tickets are due an alert.
    cr.execute(
        SQL(
            """
            INSERT INTO helpdesk_ticket
                   (number, name, description, stage_id, team_id, company_id,
                    category_id, category_code, service_priority, priority, active,
                    intake_date, response_sla_state, response_deadline,
                    response_warning_date, resolution_sla_state, resolution_deadline,
                    resolution_warning_date, next_update_deadline,
                    next_update_warning_date, kanban_state, sequence, rating_status,
                    create_uid, create_date, write_uid, write_date)
            SELECT 'BENCH' || g, 'Bench ticket ' || g, '<p>bench</p>', %(stage)s, %(team)s,
                   %(company)s, %(category)s, 'B', 'p3', '1', TRUE,
                   d.intake, 'running', d.deadline, d.intake + (d.deadline - d.intake) * 0.8,
                   'running', d.deadline + interval '2 days',
                   d.intake + (d.deadline + interval '2 days' - d.intake) * 0.8,
                   d.deadline + interval '3 days', d.deadline + interval '2 days',
                   'normal', 10, 'stage', 1, %(now)s, 1, %(now)s
              FROM generate_series(1, %(count)s) g,
                   LATERAL (SELECT %(now)s - interval '1 day' AS intake,
                                   %(now)s + (g * 0 + random() * 10 - 0.1) * interval '1 day'
                                       - interval '12 hours' AS deadline) d
            """,
            stage=stage.id,
            team=team.id,
            company=env.company.id,
            category=category.id,
            count=count,
            now=now,
        )
    )
    cr.execute("ANALYZE helpdesk_ticket")
    env.invalidate_all()


def queries(env, func):
    before = env.cr.sql_log_count
    seconds, _result = timed(func)
    return seconds, env.cr.sql_log_count - before


def dashboard(env):
    """(seconds, queries) of the after-sales dashboard's data for the admin (a
    manager: every figure, per team and per agent), the filled tickets spread over
    the admin and nobody, on the after-sales bench team (issue 19)."""
    team = bench_team(env)
    team.is_after_sales = True
    env.flush_all()
    env.cr.execute(
        SQL(
            """
            UPDATE helpdesk_ticket
               SET is_after_sales = TRUE,
                   user_id = CASE WHEN mod(id, 2) = 0 THEN %(admin)s END,
                   next_sla_deadline = LEAST(response_deadline, resolution_deadline)
             WHERE team_id = %(team)s
            """,
            admin=env.ref("base.user_admin").id,
            team=team.id,
        )
    )
    env.invalidate_all()
    admin_env = env(user=env.ref("base.user_admin"))
    admin_env["helpdesk.ticket"].get_after_sales_dashboard_data()  # warm the caches
    env.invalidate_all()
    return queries(admin_env, lambda: admin_env["helpdesk.ticket"].get_after_sales_dashboard_data())


def create_thousand(env):
    team = bench_team(env)
    env.flush_all()
    vals = [
        {"name": f"Created {i}", "description": "<p>x</p>", "team_id": team.id}
        for i in range(1000)
    ]
    seconds, _tickets = timed(lambda: (env["helpdesk.ticket"].create(vals), env.flush_all()))
    env.cr.rollback()
    return seconds


def create_thousand_routed(env):
    """The same 1,000 tickets recorded without a team, routed by five assignment rules:
    four on channels they do not match, the last balanced over a team of ten."""
    team = bench_team(env)
    users = env["res.users"].search([("share", "=", False)], limit=10)
    team.write({"is_after_sales": True, "user_ids": [(6, 0, users.ids)]})
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
    env.flush_all()
    vals = [{"name": f"Routed {i}", "description": "<p>x</p>"} for i in range(1000)]
    seconds, _tickets = timed(lambda: (env["helpdesk.ticket"].create(vals), env.flush_all()))
    env.cr.rollback()
    return seconds


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--baseline-db", required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    args, odoo_args = parser.parse_known_args()
    odoo.tools.config.parse_config(odoo_args + ["--log-level=warn"])
    odoo.tools.config["db_name"] = args.db

    cr, env = open_env(args.baseline_db)
    baseline_create = create_thousand(env)
    cr.close()

    cr, env = open_env(args.db)
    model = env["helpdesk.ticket.alert"]
    addon_create = create_thousand(env)
    routed_create = create_thousand_routed(env)
    rows = []
    for size in args.sizes:
        now = datetime.now().replace(microsecond=0)
        fill(env, size, now)
        candidates = len(model._select_alert_candidates(now))
        floor, _count = queries(env, lambda n=now: model._select_alert_candidates(n))
        first, first_queries = queries(env, lambda: model._cron_overdue_alerts())
        env.flush_all()
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
        board, board_queries = dashboard(env)
        rows.append(
            (size, candidates, first, first_queries, second, second_queries, floor,
             aggregation, pdf, board, board_queries)
        )
        cr.rollback()
        print(f"{size}: done", flush=True)
    cr.close()

    header = (
        "| open tickets | alerted | cron s | queries | s per 1k alerted | ratio to floor "
        "| second run s | queries | floor s | month aggregation s | month PDF s "
        "| dashboard s | queries |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |\n"
    )
    lines = [
        f"| {n} | {alerted} | {first:.2f} | {fq} | "
        f"{(first / alerted * 1000) if alerted else 0:.2f} | {first / floor if floor else 0:.1f} | "
        f"{second:.3f} | {sq} | {floor:.3f} | {agg:.3f} | {pdf:.2f} | {board:.3f} | {bq} |"
        for n, alerted, first, fq, second, sq, floor, agg, pdf, board, bq in rows
    ]
    ratio = addon_create / baseline_create if baseline_create else 0
    routed_ratio = routed_create / baseline_create if baseline_create else 0
    text = (
        "# Benchmarks\n\n"
        f"Machine: {machine()}. Run: {datetime.now():%Y-%m-%d %H:%M}.\n\n"
        "## Overdue-alert cron and analysis\n\n" + header + "\n".join(lines) + "\n\n"
        "## Creating 1,000 tickets through the ORM\n\n"
        f"| with the addon | only the dependencies | create-ratio |\n| ---: | ---: | ---: |\n"
        f"| {addon_create:.2f} s | {baseline_create:.2f} s | {ratio:.2f} |\n\n"
        "Recorded without a team and routed by five assignment rules (balanced):\n\n"
        f"| with the addon and five rules | only the dependencies | create-ratio |\n"
        f"| ---: | ---: | ---: |\n"
        f"| {routed_create:.2f} s | {baseline_create:.2f} s | {routed_ratio:.2f} |\n"
    )
    print(text)
    (ROOT / "BENCHMARKS.md").write_text(text)


if __name__ == "__main__":
    main()
