#!/usr/bin/env bash
# One command: install, build, and run the service. With no cameras configured it starts three
# simulated RTSP cameras in which someone walks by every 20 seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/cli/mat-than.js demo "$@"
