#!/usr/bin/env python3
# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""What each request of ``make load`` costs on its own (issue 20).

  load_requests.py BASELINE_DB ADDON_DB [odoo options...]    (env: REPEAT=15, ONLY=text)

The two databases as ``make load`` prepares them (tools/load.py ``prepare``), each
served by ``odoo-bin --workers=1``, both up at once; every request of the mix (and the
logins and landing pages the mix leaves out) is sent one at a time, alternately to
each server, so that the shared machine's load falls on both alike. Prints the median
and the fastest time of each request on each database and the addon's ratio. Under
``make load`` most of a request's latency is time queued behind other requests; this
is the time the server spends on it.
"""

import ast
import os
import random
import re
import statistics
import sys
import time
import types
from pathlib import Path

import requests

import odoo

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (tools/load.py: the accounts and the server)

CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
TICKET_LINK = re.compile(r'href="/my/ticket/(\d+)')
CATEGORY = re.compile(r'<option[^>]*value="(\d+)"[^>]*>[^<]*</option>')


def locust_specs():
    """LIST_SPEC and FORM_SPEC of tools/locustfile.py (which imports Locust, installed
    in a virtualenv of its own)."""
    tree = ast.parse((Path(__file__).resolve().parent / "locustfile.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "LIST_SPEC":
            list_spec = ast.literal_eval(node.value)
    form_spec = dict(list_spec, description={}, category_id={"fields": {"display_name": {}}})
    return list_spec, form_spec


LIST_SPEC, FORM_SPEC = locust_specs()


class Desk:
    """One database, its server, an agent's and a customer's sessions."""

    def __init__(self, db, odoo_args):
        self.db = db
        self.variables = load.prepare(db)
        odoo_bin = os.environ.get("ODOO_BIN") or str(
            Path(odoo.__file__).resolve().parent.parent / "odoo-bin"
        )
        self.server, port = load.start_server(
            types.SimpleNamespace(odoo_bin=odoo_bin), odoo_args, db, 1
        )
        self.host = f"http://127.0.0.1:{port}"
        self.agents = self.variables["LOAD_AGENTS"].split(",")
        self.customers = self.variables["LOAD_CUSTOMERS"].split(",")
        self.agent = self.login(self.agents[0])
        self.customer = self.login(self.customers[0])
        self.partner_ids = [int(p) for p in self.variables["LOAD_PARTNER_IDS"].split(",")]
        self.ticket_ids = []
        self.my_ticket_ids = []
        self.form = ""

    def login(self, login):
        session = requests.Session()
        token = CSRF.search(session.get(f"{self.host}/web/login").text)
        response = session.post(
            f"{self.host}/web/login",
            data={"login": login, "password": load.PASSWORD, "redirect": "",
                  "csrf_token": token and token.group(1)},
        )
        if "/web/login" in response.url:
            raise SystemExit(f"{login} could not log in")
        return session

    def call(self, method, args, kwargs):
        response = self.agent.post(
            f"{self.host}/web/dataset/call_kw/helpdesk.ticket/{method}",
            json={"jsonrpc": "2.0", "method": "call", "id": 1,
                  "params": {"model": "helpdesk.ticket", "method": method, "args": args,
                             "kwargs": kwargs}},
        ).json()
        if "error" in response:
            raise SystemExit(response["error"])
        return response["result"]

    def get(self, session, path):
        response = session.get(f"{self.host}{path}")
        response.raise_for_status()
        return response.text

    # the requests
    def login_agent(self):
        self.login(self.agents[1])

    def login_customer(self):
        self.login(self.customers[1])

    def webclient(self):
        self.get(self.agent, "/odoo")

    def portal_home(self):
        self.get(self.customer, "/my")

    def list_tickets(self):
        result = self.call("web_search_read", [], {
            "domain": [["stage_id.closed", "=", False]], "specification": LIST_SPEC,
            "limit": 80, "order": "id desc"})
        self.ticket_ids = [record["id"] for record in result["records"]]

    def open_ticket(self):
        self.call("web_read", [[random.choice(self.ticket_ids)]], {"specification": FORM_SPEC})

    def update_ticket(self):
        self.call("web_save", [[random.choice(self.ticket_ids)], {
            "description": f"<p>Checked by phone, call {random.randint(1, 999)}.</p>"}],
            {"specification": FORM_SPEC})

    def note_ticket(self):
        self.call("message_post", [[random.choice(self.ticket_ids)]], {
            "body": "Called the customer back.", "message_type": "comment",
            "subtype_xmlid": "mail.mt_note"})

    def create_ticket(self):
        self.call("web_save", [[], {
            "name": f"No power after update {random.randint(1, 10**6)}",
            "description": "<p>The unit does not start since the update.</p>",
            "partner_id": random.choice(self.partner_ids),
            "team_id": int(self.variables["LOAD_TEAM_ID"])}], {"specification": {"number": {}}})

    def my_tickets(self):
        page = self.get(self.customer, "/my/tickets")
        self.my_ticket_ids = [int(i) for i in TICKET_LINK.findall(page)] or self.my_ticket_ids

    def my_ticket(self):
        self.get(self.customer, f"/my/ticket/{random.choice(self.my_ticket_ids)}")

    def new_ticket_form(self):
        self.form = self.get(self.customer, "/new/ticket")

    def submit_ticket(self):
        token, category = CSRF.search(self.form), CATEGORY.search(self.form)
        data = {"csrf_token": token and token.group(1), "subject": "The screen stays black",
                "description": "Since yesterday the screen stays black after start."}
        if category:
            data["category"] = category.group(1)
        response = self.customer.post(f"{self.host}/submitted/ticket", data=data)
        if "/my/ticket/" not in response.url:
            raise SystemExit(f"portal ticket not created: ended on {response.url}")


REQUESTS = [
    ("login (agent, not in the mix)", "login_agent"),
    ("login (customer, not in the mix)", "login_customer"),
    ("agent: web client /odoo", "webclient"),
    ("portal: home /my", "portal_home"),
    ("agent: list open tickets", "list_tickets"),
    ("agent: open a ticket", "open_ticket"),
    ("agent: update a ticket", "update_ticket"),
    ("agent: log a note", "note_ticket"),
    ("agent: create a ticket", "create_ticket"),
    ("portal: my tickets", "my_tickets"),
    ("portal: one ticket", "my_ticket"),
    ("portal: new ticket form", "new_ticket_form"),
    ("portal: submit a ticket", "submit_ticket"),
]


def main():
    baseline_db, addon_db, odoo_args = sys.argv[1], sys.argv[2], sys.argv[3:]
    odoo.tools.config.parse_config(odoo_args + ["--log-level=warn"])
    repeat = int(os.environ.get("REPEAT", "15"))
    only = os.environ.get("ONLY", "")
    chosen = [(name, method) for name, method in REQUESTS if only in name]
    desks = []
    try:
        desks = [Desk(baseline_db, odoo_args), Desk(addon_db, odoo_args)]
        for desk in desks:  # warm: each worker's registry and caches
            for _name, method in REQUESTS:
                getattr(desk, method)()
        times = {(desk.db, name): [] for desk in desks for name, _method in chosen}
        for turn in range(repeat):
            for name, method in chosen:
                for desk in desks if turn % 2 else desks[::-1]:
                    start = time.perf_counter()
                    getattr(desk, method)()
                    times[desk.db, name].append((time.perf_counter() - start) * 1000)
        print("| request | dependencies ms (median / fastest) | addon ms | ratio (median / fastest) |")
        print("| --- | ---: | ---: | ---: |")
        for name, _method in chosen:
            base, addon = times[baseline_db, name], times[addon_db, name]
            base_median, addon_median = statistics.median(base), statistics.median(addon)
            print(
                f"| {name} | {base_median:.0f} / {min(base):.0f} | "
                f"{addon_median:.0f} / {min(addon):.0f} | "
                f"{addon_median / base_median:.2f} / {min(addon) / min(base):.2f} |"
            )
    finally:
        for desk in desks:
            load.stop_server(desk.server)


if __name__ == "__main__":
    main()
