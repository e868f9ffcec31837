#!/usr/bin/env bash
# Install the Debian packages tests need (Chromium for browser tests, WeasyPrint's libraries,
# poppler for looking at PDFs), but only when something is missing. Needs root for apt-get.
# `system-deps.sh bench` also brings the load generators the benchmarks use (wrk, pgbench).
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ "${1:-}" = "bench" ]; then
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  command -v pgbench >/dev/null 2>&1 || need+=(postgresql-contrib)
fi
for lib in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils; do
  dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
done
[ ${#need[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Missing packages ${need[*]} and not root: install them with apt-get." >&2; exit 1
  fi
fi
${SUDO:-} apt-get update -qq
DEBIAN_FRONTEND=noninteractive ${SUDO:-} apt-get install -y -qq "${need[@]}" >/dev/null
