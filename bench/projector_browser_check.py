"""End-to-end check in a real browser: a phone submits, a facilitator approves, the projector.

Drives headless Chromium through the DevTools protocol over a pipe (standard library only, no
WebDriver): a 390 px "phone" tab joins by code at /live and submits a proposal; the facilitator
(over HTTP) finds it waiting in the moderation queue and approves it; a desktop projector tab,
opened before the approval, must show it without a reload (checked with a marker set on the
page's window before approving). Prints the approval-to-screen latency and saves screenshots.

    python bench/projector_browser_check.py --url http://127.0.0.1:5103 --code DEMA42
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from live_session import Facilitator, check_local


class Browser:
    """A headless Chromium spoken to with DevTools protocol messages on fds 3 and 4."""

    def __init__(self, binary: str) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        self.profile = tempfile.mkdtemp(prefix="consult-chromium-")
        flags = (
            "--headless --no-sandbox --disable-gpu --disable-background-networking "
            "--disable-component-update --disable-sync --no-first-run --remote-debugging-pipe"
        )
        # Chromium reads the protocol on fd 3 and writes it on fd 4: the shell wires them.
        command = (
            f'exec "$0" {flags} --user-data-dir="$1" about:blank '
            f"3<&{to_chrome_r} 4>&{from_chrome_w}"
        )
        self.process = subprocess.Popen(
            ["sh", "-c", command, binary, self.profile],
            pass_fds=(to_chrome_r, from_chrome_w),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer, self._next_id = b"", 0

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def _read(self) -> dict:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def tab(self, width: int, height: int, mobile: bool) -> "Tab":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        tab = Tab(self, session["sessionId"])
        tab.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        return tab

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Tab:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser, self.session = browser, session

    def call(self, method: str, params: dict | None = None) -> dict:
        return self.browser.send(method, params, self.session)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def goto(self, url: str, timeout: float = 15.0) -> None:
        self.call("Page.navigate", {"url": url})
        self.wait_for(
            "document.readyState === 'complete' && location.href !== 'about:blank'", timeout
        )

    def wait_for(self, expression: str, timeout: float) -> float | None:
        """Seconds until `expression` is true in the page, or None on timeout."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.evaluate(expression):
                return time.perf_counter() - started
            time.sleep(0.02)
        return None

    def screenshot(self, path: str) -> None:
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        Path(path).write_bytes(base64.b64decode(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5103")
    parser.add_argument("--code", default="DEMA42")
    parser.add_argument("--email", default="facilitatore@example.org")
    parser.add_argument("--password", default="consult-demo")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--screenshots", default="/tmp")
    args = parser.parse_args()
    check_local(args.url)
    facilitator = Facilitator(args.url, args.code, args.email, args.password)
    browser = Browser(args.chromium)
    try:
        run_check(args, browser, facilitator)
    finally:
        browser.close()


def run_check(args, browser: Browser, facilitator: Facilitator) -> None:
    marker = "browser" + uuid.uuid4().hex[:8]
    phone = browser.tab(390, 844, mobile=True)
    phone.goto(f"{args.url}/live")
    phone.evaluate(
        f"document.getElementById('code').value = '{args.code.lower()}';"
        "document.querySelector('form.live-form, main form').submit()"
    )
    assert phone.wait_for(f"location.pathname === '/live/{args.code}'", 10), "join by code failed"
    phone.wait_for("document.readyState === 'complete'", 10)
    phone.evaluate(
        f"document.getElementById('text').value = 'Proposta dal telefono {marker}: più "
        "centri diurni aperti anche il sabato.';"
        "document.getElementById('consent').checked = true;"
        "document.querySelector('form.live-form').submit()"
    )
    assert phone.wait_for("!!document.querySelector('.alert-success')", 10), "no thank-you message"
    phone.screenshot(f"{args.screenshots}/consult-phone-after-submit.png")
    item_id = next(
        (i for i in facilitator.pending_ids(marker) if marker in _item_text(facilitator, i)), None
    )
    assert item_id is not None, "the proposal is not waiting in the moderation queue"

    projector = browser.tab(1600, 900, mobile=False)
    cookies = [
        {"name": c.name, "value": c.value, "url": args.url} for c in facilitator.client.cookies.jar
    ]
    projector.call("Network.enable")
    projector.call("Network.setCookies", {"cookies": cookies})
    projector.goto(f"{args.url}/live/{args.code}/proiettore")
    assert projector.evaluate(f"!document.getElementById('proiettore-{item_id}')"), (
        "shown too early"
    )
    projector.evaluate("window.__consultMarker = 42")
    time.sleep(1.5)  # let the EventSource connect, as a projector does long before approvals
    started = time.perf_counter()
    assert facilitator.approve(item_id) == 303, "approval refused"
    waited = projector.wait_for(
        f"!!document.getElementById('proiettore-{item_id}') && window.__consultMarker === 42", 10
    )
    projector.screenshot(f"{args.screenshots}/consult-projector-after-approval.png")
    if waited is None:
        sys.exit("FAILED: the approved proposal did not reach the projector without a reload")
    total = time.perf_counter() - started
    projector.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
    )
    projector.goto(f"{args.url}/facilitatore/sessioni/{facilitator.session_id}/moderazione")
    projector.screenshot(f"{args.screenshots}/consult-moderation-queue.png")
    print(
        f"OK: phone joined {args.code}, proposal #{item_id} waited in the queue, approval "
        f"reached the projector without a reload in {total * 1000:.0f} ms"
    )


def _item_text(facilitator: Facilitator, item_id: int) -> str:
    page = facilitator.client.get(f"/facilitatore/sessioni/{facilitator.session_id}/moderazione")
    start = page.text.find(f'id="proposta-{item_id}"')
    return page.text[start : start + 2000]


if __name__ == "__main__":
    main()
