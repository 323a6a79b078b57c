#!/bin/bash
# Progress goes to stderr only when stderr is a terminal: with a pseudo-terminal on stderr
# (stdout still a pipe) analyze shows "read X of Y (N%), R records/s, ETA m:ss" and erases
# it at the end; piped, or with --quiet, stderr stays silent; stdout is the same bytes in
# every case.
set -u
SRC="${NETSEEN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
NETSEEN="${NETSEEN:-$SRC/build/release/netseen}"
if [ ! -x "$NETSEEN" ]; then echo "SKIP: $NETSEEN not built"; exit 77; fi
if [ ! -x /usr/bin/python3 ]; then echo "SKIP: /usr/bin/python3 missing"; exit 77; fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# The same 64 MB capture given six times, one thread: reading takes several progress
# intervals (0.2 s) even on a fast machine (one 64 MB pass alone can finish in 0.1 s).
/usr/bin/python3 "$SRC/tools/gen_capture.py" "$TMP/big.pcap" --size-mb 64 --seed 5 2>/dev/null || exit 1
NETSEEN_DB=off timeout 300 /usr/bin/python3 - "$NETSEEN" "$TMP/big.pcap" <<'PY'
import os, pty, subprocess, sys, threading

exe, pcap = sys.argv[1], sys.argv[2]
args = [exe, "analyze", "--no-db", "--no-color", "--threads", "1"] + [pcap] * 6

def with_tty_stderr(extra):
    master, slave = pty.openpty()
    p = subprocess.Popen(args + extra, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    out = []
    t = threading.Thread(target=lambda: out.append(p.stdout.read()))
    t.start()
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        err += chunk
    p.wait(timeout=240)
    t.join(timeout=240)
    os.close(master)
    return p.returncode, out[0], err

rc, out_tty, err_tty = with_tty_stderr([])
assert rc == 0, rc
text = err_tty.decode("utf-8", "replace")
assert "netseen: read" in text and "records/s" in text, repr(text[:300])
assert " of " in text and "%" in text and "ETA" in text, repr(text[:300])
assert text.endswith("\r\x1b[K"), "the progress line is erased at the end: " + repr(text[-40:])
updates = text.count("\r\x1b[Knetseen: read")
assert updates >= 1, updates

piped = subprocess.run(args, capture_output=True, stdin=subprocess.DEVNULL, timeout=240)
assert piped.returncode == 0
assert b"netseen: read" not in piped.stderr and b"\r" not in piped.stderr, piped.stderr[:200]
assert piped.stdout == out_tty, "stdout differs between a terminal stderr and a piped one"
assert b"\r" not in out_tty and b"netseen: read" not in out_tty

rc, out_q, err_q = with_tty_stderr(["--quiet"])
assert rc == 0 and b"netseen: read" not in err_q, err_q[:200]
assert out_q == out_tty
print(f"progress: {updates} updates on a terminal, none piped or with --quiet; stdout identical ({len(out_tty)} bytes)")
PY
