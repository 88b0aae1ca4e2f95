#!/usr/bin/env python3
"""Starts an installed yc-desktop through tauri-driver + WebKitWebDriver (as tests/e2e does, with a
plain W3C WebDriver client from the standard library), waits for its login screen, checks it shows
the workstation's name and its staff, and saves a screenshot. Run it on a display (xvfb-run).

    launch-check.py APP DATA_DIR EXPECTED_NAME SCREENSHOT.png
    launch-check.py APP - EXPECTED_TEXT SCREENSHOT.png --first-run

DATA_DIR `-` starts the app without --data, as the desktop entry does (its default directory
under XDG_DATA_HOME). With --first-run the screen expected is the first-run wizard (no store yet),
its card containing EXPECTED_TEXT, and no login form.

Exit status 0 when the expected screen came up, 1 otherwise (with the reason and, if the app got
that far, a screenshot of the moment)."""

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
TIMEOUT = 60.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def send(method, url, body=None, timeout=120):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.load(r)["value"]
    except urllib.error.HTTPError as e:
        v = json.load(e).get("value", {})
        raise RuntimeError(f"{method} {url} → {e.code}: {v.get('error')} {v.get('message')}") from None


def main(app, data, expected_name, shot, mode=None):
    first_run = mode == "--first-run"
    screen, card_css = ("[data-test=first-run]", ".first-run-card") if first_run else ("[data-test=login-submit]", ".login-card")
    what = "first-run wizard" if first_run else "login screen"
    port, native = free_port(), free_port()
    driver = subprocess.Popen(
        ["tauri-driver", "--port", str(port), "--native-port", str(native)],
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # own process group: ending it ends WebKitWebDriver and the app
    )
    base = f"http://127.0.0.1:{port}"
    sid = None
    try:
        until = time.monotonic() + TIMEOUT
        caps = {"capabilities": {"alwaysMatch": {"browserName": "wry",
                                                 "tauri:options": {"application": app, "args": [] if data == "-" else ["--data", data]}}}}
        t0 = time.monotonic()
        while True:  # tauri-driver listens before its WebKitWebDriver does: retry dropped connections
            try:
                sid = send("POST", f"{base}/session", caps, timeout=TIMEOUT)["sessionId"]
                break
            except (TimeoutError, socket.timeout):
                raise RuntimeError(f"no window after {TIMEOUT:.0f} s: the app did not start (its error is above)") from None
            except (urllib.error.URLError, ConnectionError) as e:
                if isinstance(getattr(e, "reason", None), (TimeoutError, socket.timeout)):
                    raise RuntimeError(f"no window after {TIMEOUT:.0f} s: the app did not start") from None
                if time.monotonic() > until:
                    raise RuntimeError("tauri-driver did not answer") from None
                time.sleep(0.25)
        url = f"{base}/session/{sid}"

        def find(css):
            els = send("POST", f"{url}/elements", {"using": "css selector", "value": css})
            return [e[ELEMENT] for e in els]

        def screenshot(path):
            script = "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));"
            send("POST", f"{url}/execute/async", {"script": script, "args": []})
            png = base64.b64decode(send("GET", f"{url}/screenshot"))
            with open(path, "wb") as f:
                f.write(png)

        send("POST", f"{url}/window/rect", {"width": 1366, "height": 768})
        while not find(screen):
            if time.monotonic() > until:
                screenshot(shot)
                raise RuntimeError(f"no {what} after {TIMEOUT:.0f} s (screenshot: {shot})")
            time.sleep(0.1)
        # The card names the workstation (or the wizard's title) once the shell has answered.
        card = ""
        while expected_name not in card:
            card = send("GET", f"{url}/element/{find(card_css)[0]}/text")
            if time.monotonic() > until:
                screenshot(shot)
                raise RuntimeError(f"the {what} does not say {expected_name!r}: {card!r}")
            time.sleep(0.1)
        if first_run and find("[data-test=login-submit]"):
            screenshot(shot)
            raise RuntimeError("a login form beside the first-run wizard")
        print(f"{what} after {time.monotonic() - t0:.1f} s: {' '.join(card.split())}")
        screenshot(shot)
        print(f"screenshot: {shot}")
        title = send("GET", f"{url}/title")
        print(f"window title: {title}")
        return 0
    except Exception as e:  # noqa: BLE001 - every failure is reported the same way
        print(f"FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    finally:
        if sid:
            try:
                send("DELETE", f"{base}/session/{sid}")
            except Exception:
                pass
        try:
            os.killpg(driver.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        driver.wait()


if __name__ == "__main__":
    if len(sys.argv) not in (5, 6) or (len(sys.argv) == 6 and sys.argv[5] != "--first-run"):
        raise SystemExit(__doc__)
    sys.exit(main(*sys.argv[1:]))
