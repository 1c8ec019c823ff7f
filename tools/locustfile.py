# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The mix of ``make load`` (issue 20): agents working the helpdesk in the web client
(list, open, update, note, create tickets through JSON-RPC as the web client calls
them) and customers on the portal (their tickets, one ticket, a new request).

Run by tools/load.py (headless, bounded in time, against a server on the loopback).
Accounts: LOAD_AGENTS and LOAD_CUSTOMERS (comma-separated logins), LOAD_PASSWORD;
LOAD_TEAM_ID the team agents record tickets on, LOAD_PARTNER_IDS their customers;
LOAD_SESSIONS a JSON file of session ids by login, opened by tools/load.py before the
runs: simulated users reuse them and log in only for a login it lacks.
"""

import itertools
import json
import os
import random
import re

import requests
from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-load")
AGENTS = itertools.cycle(os.environ.get("LOAD_AGENTS", "").split(","))
CUSTOMERS = itertools.cycle(os.environ.get("LOAD_CUSTOMERS", "").split(","))
TEAM_ID = int(os.environ.get("LOAD_TEAM_ID", "0")) or False
PARTNER_IDS = [int(p) for p in os.environ.get("LOAD_PARTNER_IDS", "").split(",") if p]
CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
CATEGORY = re.compile(r'<option[^>]*value="(\d+)"[^>]*>[^<]*</option>')
TICKET_LINK = re.compile(r'href="/my/ticket/(\d+)')
SESSIONS = {}
if os.environ.get("LOAD_SESSIONS") and os.path.exists(os.environ["LOAD_SESSIONS"]):
    with open(os.environ["LOAD_SESSIONS"]) as sessions_file:
        SESSIONS = json.load(sessions_file)
# What the web client's list and form of tickets ask for (a subset of the fields).
LIST_SPEC = {
    "number": {},
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "team_id": {"fields": {"display_name": {}}},
    "stage_id": {"fields": {"display_name": {}}},
    "priority": {},
    "create_date": {},
}
FORM_SPEC = dict(LIST_SPEC, description={}, category_id={"fields": {"display_name": {}}})


class OdooUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    accounts = None

    def on_start(self):
        # Logging in is not part of the measured mix (a password hash costs a good
        # second of CPU): the session tools/load.py opened for this login before the
        # runs, else one logged in here with a session of its own, its cookie handed
        # over (outside the statistics, but it loads the server during the run).
        self.login = next(self.accounts)
        if SESSIONS.get(self.login):
            self.client.cookies.set("session_id", SESSIONS[self.login])
            return
        session = requests.Session()
        page = session.get(f"{self.host}/web/login", timeout=300)
        token = CSRF.search(page.text)
        response = session.post(
            f"{self.host}/web/login",
            data={
                "login": self.login,
                "password": PASSWORD,
                "csrf_token": token and token.group(1),
                "redirect": "",
            },
            timeout=300,
        )
        if "/web/login" in response.url:
            raise RuntimeError(f"{self.login} could not log in")
        self.client.cookies.update(session.cookies)


class Agent(OdooUser):
    """An agent in the web client: mostly reading the queue and tickets, some
    updates and notes, a new ticket now and then."""

    weight = 3
    accounts = AGENTS

    def on_start(self):
        super().on_start()
        self.ticket_ids = []
        self.list_tickets()

    def call(self, model, method, args, kwargs=None, name=None):
        response = self.client.post(
            f"/web/dataset/call_kw/{model}/{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": random.randint(1, 10**9),
                "params": {"model": model, "method": method, "args": args,
                           "kwargs": kwargs or {}},
            },
            name=name or f"{model}.{method}",
            catch_response=True,
        )
        with response:
            payload = response.json() if response.ok else {}
            if "error" in payload:
                response.failure(payload["error"].get("data", {}).get("message", "error"))
                return None
            return payload.get("result")

    @task(4)
    def list_tickets(self):
        result = self.call(
            "helpdesk.ticket",
            "web_search_read",
            [],
            {
                "domain": [["stage_id.closed", "=", False]],
                "specification": LIST_SPEC,
                "limit": 80,
                "order": "id desc",
            },
            name="agent: list open tickets",
        )
        if result:
            self.ticket_ids = [record["id"] for record in result["records"]]

    @task(4)
    def open_ticket(self):
        if self.ticket_ids:
            self.call(
                "helpdesk.ticket",
                "web_read",
                [[random.choice(self.ticket_ids)]],
                {"specification": FORM_SPEC},
                name="agent: open a ticket",
            )

    @task(2)
    def update_ticket(self):
        if self.ticket_ids:
            self.call(
                "helpdesk.ticket",
                "web_save",
                [[random.choice(self.ticket_ids)],
                 {"description": f"<p>Checked by phone, call {random.randint(1, 999)}.</p>"}],
                {"specification": FORM_SPEC},
                name="agent: update a ticket",
            )

    @task(1)
    def note_ticket(self):
        if self.ticket_ids:
            self.call(
                "helpdesk.ticket",
                "message_post",
                [[random.choice(self.ticket_ids)]],
                {"body": "Called the customer back.", "message_type": "comment",
                 "subtype_xmlid": "mail.mt_note"},
                name="agent: log a note",
            )

    @task(1)
    def create_ticket(self):
        vals = {
            "name": f"No power after update {random.randint(1, 10**6)}",
            "description": "<p>The unit does not start since the update.</p>",
            "partner_id": random.choice(PARTNER_IDS) if PARTNER_IDS else False,
            "team_id": TEAM_ID,
        }
        result = self.call(
            "helpdesk.ticket", "web_save", [[], vals], {"specification": {"number": {}}},
            name="agent: create a ticket",
        )
        if result:
            self.ticket_ids.append(result[0]["id"])


class Customer(OdooUser):
    """A customer on the portal: their tickets, one of them, a new request."""

    weight = 1
    accounts = CUSTOMERS

    def on_start(self):
        super().on_start()
        self.ticket_ids = []
        self.my_tickets()

    @task(3)
    def my_tickets(self):
        page = self.client.get("/my/tickets", name="portal: my tickets")
        if page.ok:
            self.ticket_ids = [int(i) for i in TICKET_LINK.findall(page.text)] or self.ticket_ids

    @task(3)
    def my_ticket(self):
        if self.ticket_ids:
            self.client.get(
                f"/my/ticket/{random.choice(self.ticket_ids)}", name="portal: one ticket"
            )

    @task(1)
    def submit_ticket(self):
        form = self.client.get("/new/ticket", name="portal: new ticket form")
        token = CSRF.search(form.text)
        category = CATEGORY.search(form.text)
        data = {
            "csrf_token": token and token.group(1),
            "subject": "The screen stays black",
            "description": "Since yesterday the screen stays black after start.",
        }
        if category:
            data["category"] = category.group(1)
        with self.client.post(
            "/submitted/ticket", data=data, name="portal: submit a ticket",
            catch_response=True,
        ) as response:
            if response.ok and "/my/ticket/" not in response.url:
                response.failure(f"not created: ended on {response.url}")
