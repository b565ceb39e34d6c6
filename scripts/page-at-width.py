#!/usr/bin/env python3
"""Opens a page in headless Chromium at a given viewport width (narrower
than the 500 px window minimum of headless Chromium) through the DevTools
protocol over a pipe (--remote-debugging-pipe: JSON messages ending in NUL
on file descriptors 3 and 4; no network port, no third-party module):

    page-at-width.py URL WIDTH HEIGHT OUT.png OUT.html [chromium flags...]

Emulates a phone-like viewport (Emulation.setDeviceMetricsOverride with
mobile: true, so <meta name=viewport> applies), loads URL, waits for the
load event and a moment of script time, writes the DOM (outerHTML) to
OUT.html and a screenshot of the viewport to OUT.png. Console messages are
printed to stderr as `:CONSOLE ...` lines (as --enable-logging does).
Exits 1 when Chromium does not answer within 60 s.
"""
import base64, json, os, subprocess, sys, time

url, width, height, png, html = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
flags = sys.argv[6:]

to_chrome_r, to_chrome_w = os.pipe()
from_chrome_r, from_chrome_w = os.pipe()


def child_fds():
    # Through fresh copies: dup2 onto the same number would keep the
    # close-on-exec flag os.pipe() sets.
    r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
    os.dup2(r, 3)
    os.dup2(w, 4)


proc = subprocess.Popen(
    ["chromium", "--headless", "--remote-debugging-pipe", *flags, "about:blank"],
    pass_fds=(3, 4), preexec_fn=child_fds,
    stdout=subprocess.DEVNULL, stderr=open(os.environ.get("CHROMIUM_LOG", os.devnull), "a"),
)
os.close(to_chrome_r)
os.close(from_chrome_w)
buf = b""
next_id = 0
deadline = time.monotonic() + 60


def read_message():
    global buf
    while b"\0" not in buf:
        if time.monotonic() > deadline:
            raise TimeoutError("chromium did not answer in 60 s")
        chunk = os.read(from_chrome_r, 65536)
        if not chunk:
            raise EOFError("chromium closed the pipe")
        buf += chunk
    msg, buf = buf.split(b"\0", 1)
    return json.loads(msg)


def send(method, params=None, session=None, wait=True):
    """Sends a command; returns its result, printing console events met."""
    global next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params or {}}
    if session:
        msg["sessionId"] = session
    os.write(to_chrome_w, json.dumps(msg).encode() + b"\0")
    while wait:
        m = read_message()
        if m.get("method") == "Runtime.consoleAPICalled":
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in m["params"]["args"])
            print(f":CONSOLE {m['params']['type']}: {args}", file=sys.stderr)
        if m.get("method") == "Runtime.exceptionThrown":
            print(f":CONSOLE exception: {m['params']['exceptionDetails'].get('text')}", file=sys.stderr)
        if m.get("id") == next_id:
            if "error" in m:
                raise RuntimeError(f"{method}: {m['error']}")
            return m.get("result", {})


def wait_event(name, session):
    while True:
        m = read_message()
        if m.get("method") == name and m.get("sessionId") == session:
            return m


try:
    target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        send(f"{domain}.enable", session=session)
    send("Emulation.setDeviceMetricsOverride",
         {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True}, session)
    send("Page.navigate", {"url": url}, session)
    wait_event("Page.loadEventFired", session)
    time.sleep(1.0)
    dom = send("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                    "returnByValue": True}, session)["result"]["value"]
    with open(html, "w", encoding="utf-8") as f:
        f.write(dom)
    shot = send("Page.captureScreenshot", {"format": "png"}, session)["data"]
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot))
    send("Browser.close", wait=False)
except (TimeoutError, EOFError, RuntimeError) as e:
    print(f"page-at-width: {e}", file=sys.stderr)
    proc.kill()
    sys.exit(1)
finally:
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
