#!/usr/bin/env bash
# Copies the browser tests' screenshots (test-artifacts/screenshots/, made by `npx tap test/e2e`) to
# docs/screenshots/ for the README, as 96-colour PNGs (about a third of the size; ffmpeg does it).
set -euo pipefail
cd "$(dirname "$0")/.."
src=test-artifacts/screenshots
[[ -d $src ]] || { echo "no $src: run the e2e tests first (npx tap test/e2e)" >&2; exit 1; }
mkdir -p docs/screenshots
for f in "$src"/*.png; do
  ffmpeg -v error -y -i "$f" -vf 'split[a][b];[a]palettegen=max_colors=96:stats_mode=full[p];[b][p]paletteuse=dither=none' "docs/screenshots/$(basename "$f")"
done
du -ch docs/screenshots/*.png | tail -n 1
