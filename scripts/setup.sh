#!/usr/bin/env bash
# Installs what Mắt Thần needs on Debian/Ubuntu and builds it. Idempotent and quick when done before.
#   scripts/setup.sh          the service: ffmpeg, redis-server, the RTSP simulator's GStreamer packages
#   scripts/setup.sh --test   also what the tests use: mosquitto (and its clients), unzip, postgresql (the
#                             tests and bench:history start private servers from its binaries), chromium
#                             (the dashboard's browser tests drive /usr/bin/chromium with playwright-core),
#                             docker-compose (the client only: the deploy test checks the compose file)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(ffmpeg redis-server python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly)
# unzip: the evidence-export tests unpack an export and check it with sha256sum -c, as police would.
# docker-compose: the deploy test validates deploy/docker-compose.yml with `docker-compose config` (the
# client only, no engine); without it that test skips.
[[ "${1:-}" == "--test" ]] && packages+=(mosquitto mosquitto-clients unzip postgresql chromium docker-compose)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else say "need root to run: $*"; exit 1
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
  command -v apt-get >/dev/null || { say "apt-get not found; install by hand: ${missing[*]}"; exit 1; }
  say "installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The service runs its own redis-server and MQTT broker, and the tests their own PostgreSQL; the system
  # services these packages start would only hold ports (1883 above all) that the demo's embedded broker wants.
  if [[ -d /run/systemd/system ]]; then
    for svc in redis-server mosquitto postgresql; do
      if printf '%s\n' "${missing[@]}" | grep -qx "$svc"; then
        as_root systemctl disable --now "$svc.service" >/dev/null 2>&1 || true
        say "disabled the system $svc service we just installed (the service and tests start their own)"
      fi
    done
  fi
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 20)); then say "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none))"; exit 1; fi

# npm ci only when the lock file changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.lock-hash || "$(cat node_modules/.lock-hash)" != "$lock_hash" ]]; then
  say "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.lock-hash
fi

say "building (tsc → dist/)"
npm run --silent build
