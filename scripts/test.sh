#!/usr/bin/env bash
# One command: install, build, type-check and run every test against real ffmpeg, Redis, Mosquitto
# the RTSP simulator and PostgreSQL (each test file starts its own on free loopback ports), and the
# dashboard in Debian's Chromium (test/e2e).
# The last line is the count: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test || { echo "0 passed, 1 failed"; exit 1; }
npm run --silent typecheck || { echo "0 passed, 1 failed"; exit 1; }

(($#)) || set -- test/unit test/integration test/e2e
log=$(mktemp)
npx tap "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# -a: a test's output may hold bytes that would make grep call the log binary and print no line.
summary=$(grep -a -E '^# \{ total:' "$log" | tail -n 1)
rm -f "$log"
field() { sed -nE "s/.*[ {]$1: ([0-9]+).*/\1/p" <<<"$summary"; }
pass=$(field pass); fail=$(field fail); skip=$(field skip)
if [[ -z "$summary" ]]; then pass=0; fail=1; fi
if [[ $status -ne 0 && ${fail:-0} -eq 0 ]]; then fail=1; fi
echo "${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
exit "$status"
