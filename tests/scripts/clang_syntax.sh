#!/usr/bin/env bash
# The sources compile with clang as well as with gcc. `make fuzz` (the libFuzzer harnesses)
# builds with Debian's clang 14, which nothing else in `make check` runs: a lambda naming a
# structured binding (gcc and clang 16 take it, clang 14 does not) and a signedness
# conversion only clang's -Wconversion reports broke that build unnoticed. So: clang++
# -fsyntax-only over every file of src/ and fuzz/ with the release build's own flags and
# warnings as errors (gcc-only warning options dropped). Runs in the release build only.
set -u
command -v clang++ >/dev/null 2>&1 || { echo "SKIP: clang++ is not installed (make setup installs it)"; exit 77; }
db="$NETSEEN_BINARY_DIR/compile_commands.json"
[ -f "$db" ] || { echo "no compile database at $db"; exit 1; }
if grep -q -- "-fsanitize" "$db"; then
  echo "SKIP: checked once, in the release build"
  exit 77
fi
exec /usr/bin/python3 - "$db" "$NETSEEN_SOURCE_DIR" <<'PY'
import concurrent.futures, json, os, shlex, subprocess, sys

db, src = sys.argv[1], os.path.realpath(sys.argv[2])
gcc_only = {"-Wduplicated-cond", "-Wduplicated-branches", "-Wlogical-op", "-Wno-maybe-uninitialized", "-Wno-restrict"}
jobs = []
for e in json.load(open(db)):
    f = os.path.realpath(os.path.join(e["directory"], e["file"]))
    rel = os.path.relpath(f, src)
    if not (rel.startswith("src/") or rel.startswith("fuzz/")):
        continue
    args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
    while args and os.path.basename(args[0]) in ("ccache", "sccache", "distcc"):
        args = args[1:]  # a compiler launcher: the compiler comes next
    out, skip = ["clang++", "-fsyntax-only"], False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MT", "-MF"):
            skip = True
            continue
        if a in ("-c", "-MD") or a in gcc_only or a == f or a == e["file"]:
            continue
        out.append(a)
    jobs.append((rel, e["directory"], out + [f]))

def check(job):
    rel, cwd, cmd = job
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return rel, r.returncode, r.stderr

failed = 0
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
    for rel, rc, err in ex.map(check, sorted(jobs)):
        if rc != 0:
            failed += 1
            print(f"clang++ rejects {rel}:\n{err[:4000]}")
if not jobs:
    print("no src/ or fuzz/ files in the compile database")
    sys.exit(1)
print(f"clang++ -fsyntax-only: {len(jobs) - failed} of {len(jobs)} files of src/ and fuzz/ accepted")
sys.exit(1 if failed else 0)
PY
