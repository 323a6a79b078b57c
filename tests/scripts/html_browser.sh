#!/bin/bash
# The HTML report in a real browser: Debian's chromium, headless, with a fresh profile,
# renders the report of the generated scenario (tools/gen_report_scenario.py). Checks:
#   - the DOM chromium built has the findings, the SVG charts with their titles, the
#     node-status tables, and the hostile NetBIOS name as text, not as markup;
#   - zero network requests, three ways:
#     1. statically: the HTML names no external resource (src/href/url()/@import, no
#        <script>, <link>, <iframe>, <object>) and carries a CSP of default-src 'none';
#     2. a proxy trap: chromium is pointed at a proxy this test runs on 127.0.0.1 that
#        records every request. Chromium itself still talks to its own services
#        (*.google.com, *.googleapis.com, *.gvt1.com: component updater, time, sign-in)
#        even with --disable-background-networking, for any page, about:blank included;
#        those are listed, not counted. Any other host fails the test. A control page with
#        an external image proves the trap sees page requests;
#     3. the console: chromium logs every fetch the page's CSP blocked; there must be none
#        (a control page with a CSP and an external image proves the message appears);
#   - a screenshot is saved as <build dir>/html-report.png (1280x2400) for people to look at.
# Skips (exit 77) when chromium is not installed (scripts/setup-deps.sh installs it).
set -u
SRC="${NETSEEN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
NETSEEN="${NETSEEN:-$SRC/build/release/netseen}"
BUILD="${NETSEEN_BINARY_DIR:-$SRC/build/release}"
CHROMIUM=$(command -v chromium || true)
if [ -z "$CHROMIUM" ]; then echo "SKIP: chromium is not installed (apt-get install chromium)"; exit 77; fi
if [ ! -x "$NETSEEN" ]; then echo "SKIP: $NETSEEN not built"; exit 77; fi
if [ ! -x /usr/bin/python3 ]; then echo "SKIP: /usr/bin/python3 missing"; exit 77; fi
TMP=$(mktemp -d)
PROXY_PID=""
cleanup() {
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
export TZ=UTC LC_ALL=C NETSEEN_DB=off
/usr/bin/python3 "$SRC/tools/gen_report_scenario.py" "$TMP" || exit 1
REPORT="$BUILD/html-report.html"
(cd "$TMP" && "$NETSEEN" analyze -q --no-db --explain --format html -o "$REPORT" scenario.pcap scenario.log) || {
  echo "FAIL: analyze --format html"; exit 1; }
(cd "$TMP" && "$NETSEEN" analyze -q --no-db --format json scenario.pcap scenario.log) > "$TMP/scenario.jsonl"

fail=0
# 1. Static: nothing in the file can name a resource elsewhere.
if grep -Eiq '(src|href|xlink:href|action|poster|srcset)[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(https?:|//|ftp:|file:)' "$REPORT"; then
  echo "FAIL: the report references an external resource"; fail=1
fi
if grep -Eiq 'url\([[:space:]]*["'"'"']?[[:space:]]*(https?:|//)|@import|<script|<link|<iframe|<object|<embed|<base' "$REPORT"; then
  echo "FAIL: the report contains a fetching construct (script, link, iframe, object, embed, base, url(), @import)"; fail=1
fi
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$REPORT" || { echo "FAIL: no CSP"; fail=1; }

# 2. Dynamic: a proxy trap on loopback records every connection chromium makes.
/usr/bin/python3 - "$TMP/proxy.port" "$TMP/proxy.log" <<'PY' &
import socket, sys, threading
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(64)
open(sys.argv[1], "w").write(str(srv.getsockname()[1]))
log = open(sys.argv[2], "a", buffering=1)
srv.settimeout(300)
def serve(c):
    c.settimeout(5)
    try:
        first = c.recv(4096).split(b"\r\n", 1)[0]
        log.write(first.decode("latin-1") + "\n")
        c.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    except OSError:
        log.write("(connection without a request line)\n")
    c.close()
while True:
    try:
        c, _ = srv.accept()
    except OSError:
        break
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
PROXY_PID=$!
for _ in $(seq 50); do [ -s "$TMP/proxy.port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/proxy.port" 2>/dev/null)
if [ -z "$PORT" ]; then echo "FAIL: proxy trap did not start"; exit 1; fi
browse() {  # profile dir, then chromium arguments
  local profile=$1
  shift
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --no-first-run --no-default-browser-check --disable-component-update --disable-sync \
    --user-data-dir="$profile" --proxy-server="http://127.0.0.1:$PORT" --proxy-bypass-list="<-loopback>" \
    --enable-logging=stderr --v=0 "$@"
}
browse "$(mktemp -d -p "$TMP")" --dump-dom "file://$REPORT" > "$TMP/dom.html" 2> "$TMP/chromium-dom.log"
browse "$(mktemp -d -p "$TMP")" --screenshot="$BUILD/html-report.png" --window-size=1280,2400 \
  "file://$REPORT" > /dev/null 2> "$TMP/chromium-shot.log"
sleep 0.5
# The host of each recorded request line ("GET http://host/…", "CONNECT host:443 …").
hosts() { sed -E -n 's#^[A-Z]+ (https?://)?([^/: ]+).*#\2#p' "$1" 2>/dev/null | sort -u; }
own='(^|\.)(google\.com|googleapis\.com|gvt1\.com|gstatic\.com|googleusercontent\.com)$'
touch "$TMP/proxy.log"
cp "$TMP/proxy.log" "$TMP/report-requests.log"
page_hosts=$(hosts "$TMP/report-requests.log" | grep -Ev "$own")
browser_hosts=$(hosts "$TMP/report-requests.log" | grep -E "$own" | tr '\n' ' ')
if [ -n "$page_hosts" ]; then
  echo "FAIL: network requests while chromium showed the report, to: $page_hosts"; fail=1
fi
if grep -q "Content Security Policy" "$TMP/chromium-dom.log" "$TMP/chromium-shot.log"; then
  echo "FAIL: the report tried to fetch something its CSP blocked:"; grep -h "Content Security Policy" "$TMP"/chromium-*.log | head -3
  fail=1
fi
# Controls: the trap sees a page that fetches (no CSP), the console shows a blocked fetch (CSP).
printf '<!DOCTYPE html><title>control</title><img src="http://netseen-test.invalid/x.png">' > "$TMP/control.html"
browse "$(mktemp -d -p "$TMP")" --dump-dom "file://$TMP/control.html" > /dev/null 2>&1
sleep 0.5
if ! hosts "$TMP/proxy.log" | grep -qx "netseen-test.invalid"; then
  echo "FAIL: the proxy trap did not see the control page's request; the zero-request check proves nothing"; fail=1
fi
printf '<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src %s"><title>c</title><img src="http://netseen-test.invalid/y.png">' "'none'" > "$TMP/control-csp.html"
browse "$(mktemp -d -p "$TMP")" --dump-dom "file://$TMP/control-csp.html" > /dev/null 2> "$TMP/chromium-control.log"
if ! grep -q "Content Security Policy" "$TMP/chromium-control.log"; then
  echo "FAIL: chromium logged no CSP message for the control page; the console check proves nothing"; fail=1
fi

# 3. The DOM chromium built.
[ -s "$TMP/dom.html" ] || { echo "FAIL: empty DOM dump"; tail -5 "$TMP/chromium-dom.log"; exit 1; }
/usr/bin/python3 - "$TMP/dom.html" "$TMP/scenario.jsonl" <<'PY' || fail=1
import json, re, sys
dom = open(sys.argv[1], encoding="utf-8", errors="replace").read()
rows = [json.loads(l) for l in open(sys.argv[2])]
findings = [r for r in rows if r["kind"] == "finding"]
assert findings, "the scenario must produce findings"
problems = []
for f in findings:
    if f">{f['id']}<" not in dom:
        problems.append(f"finding {f['id']} missing")
    if f["title"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") not in dom:
        problems.append(f"title of {f['id']} missing")
svgs = re.findall(r"<svg\b[^>]*>", dom)
if len(svgs) < 5:
    problems.append(f"{len(svgs)} SVG charts, want >= 5")
for s in svgs:
    if 'role="img"' not in s or "aria-labelledby" not in s:
        problems.append("an SVG chart without role/aria-labelledby: " + s[:80])
if dom.count("<title id=") < len(svgs) or dom.count("<desc id=") < len(svgs):
    problems.append("a chart without <title>/<desc>")
for section in ("summary", "findings", "timeline", "top", "regions", "netbios", "traffic"):
    if f'<section id="{section}"' not in dom:
        problems.append(f"section {section} missing")
for text in ("FILESRV", "Node-status tables", "Names learned", "00:16:3e:0a:0b:0c", "AFRINIC", "LACNIC",
             "Background from the knowledge base", "137/udp netbios-ns", "What matters most"):
    if text not in dom:
        problems.append(f"text '{text}' missing")
# The hostile NetBIOS name is text in the DOM, never an element.
if "&lt;i&gt;x&lt;/i&gt;&amp;" not in dom:
    problems.append("hostile name not shown escaped")
if re.search(r"<i>x</i>", dom):
    problems.append("hostile name became markup")
if problems:
    print("FAIL: " + "; ".join(problems))
    sys.exit(1)
print(f"DOM: {len(findings)} findings, {len(svgs)} SVG charts with title and desc, all sections, NetBIOS tables, hostile name escaped")
PY
if [ ! -s "$BUILD/html-report.png" ]; then echo "FAIL: no screenshot"; fail=1; fi
if [ $fail -eq 0 ]; then
  echo "ok: zero network requests from the report (proxy trap: no page request; the browser's own: ${browser_hosts:-none}); no CSP violation"
  echo "screenshot: $BUILD/html-report.png; report: $REPORT"
fi
exit $fail
