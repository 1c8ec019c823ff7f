#!/usr/bin/env python3
# Copyright 2026 helpdesk_after_sales contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Screenshot pages of a running Odoo (``make run``) as a logged-in user.

Usage: .venv/bin/python tools/screenshot.py [--login admin --password admin]
       [--base http://localhost:8069] OUT.png URL_PATH [OUT.png URL_PATH ...]

A URL_PATH may end with ``#click=CSS`` (repeatable, in order): once the page has
settled, each element is clicked and the page settles again, e.g. to open a wizard.

Drives Debian's headless Chromium over the DevTools protocol (websocket-client).
"""

import argparse
import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import websocket


def login(base, db, user, password):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/web/login").read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"login": user, "password": password, "csrf_token": csrf}
    if db:
        data["db"] = db
    opener.open(f"{base}/web/login", urllib.parse.urlencode(data).encode())
    session = next((c.value for c in jar if c.name == "session_id"), None)
    if not session:
        raise SystemExit("login failed")
    return session


class Chrome:
    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="shot-")
        self.proc = subprocess.Popen(
            [shutil.which("chromium") or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--hide-scrollbars",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=9333",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        page = None
        for _ in range(150):
            try:
                targets = json.load(urllib.request.urlopen("http://127.0.0.1:9333/json"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:  # noqa: BLE001 - Chromium is still starting
                time.sleep(0.2)
        if not page:
            raise SystemExit("Chromium did not start")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.msg_id = 0

    def call(self, method, **params):
        self.msg_id += 1
        self.ws.send(json.dumps({"id": self.msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.msg_id:
                return msg.get("result", {})

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8069")
    parser.add_argument("--db", default=None)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    parser.add_argument("--wait", type=float, default=4.0, help="seconds to let the page settle")
    parser.add_argument("shots", nargs="+", help="pairs: OUT.png URL_PATH")
    args = parser.parse_args()
    session = login(args.base, args.db, args.login, args.password)
    host = urllib.parse.urlparse(args.base).hostname
    chrome = Chrome(args.width, args.height)
    try:
        chrome.call("Network.enable")
        chrome.call("Network.setCookie", name="session_id", value=session, domain=host, path="/")
        chrome.call("Page.enable")
        for out, target in zip(args.shots[::2], args.shots[1::2]):
            path, *clicks = target.split("#click=")
            chrome.call("Page.navigate", url=args.base + path)
            time.sleep(args.wait)
            for selector in clicks:
                chrome.call(
                    "Runtime.evaluate",
                    expression=f"document.querySelector({json.dumps(selector)}).click()",
                )
                time.sleep(args.wait)
            data = chrome.call("Page.captureScreenshot", format="png")["data"]
            with open(out, "wb") as handle:
                handle.write(base64.b64decode(data))
            print(out)
    finally:
        chrome.close()


if __name__ == "__main__":
    main()
