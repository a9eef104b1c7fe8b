#!/usr/bin/env bash
# Installs the Debian 12 packages customsdesk needs, if any is missing.
#   scripts/install-deps.sh run    what `make run` needs (compiler, libraries)
#   scripts/install-deps.sh test   also what `make test` needs (PostgreSQL server, Chromium, wrk)
# Uses apt-get as root, or through sudo. Prints nothing more than a line when all is present.
set -euo pipefail

mode=${1:-run}
build_pkgs=(
  g++ cmake ninja-build make pkg-config git ca-certificates tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libpugixml-dev libsodium-dev libspdlog-dev libfmt-dev
  libcli11-dev libhowardhinnant-date-dev libgtest-dev libgmock-dev libbenchmark-dev
  nodejs npm
)
# nodejs/npm: the build fetches the web UI's npm packages (pinned by package-lock.json) once; the
# server binary embeds them and needs no Node.js at run time.
test_pkgs=(postgresql postgresql-contrib python3 wrk chromium)

want=("${build_pkgs[@]}")
if [ "$mode" = test ]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    # nodejs/npm may come from elsewhere on a developer machine: accept them if on PATH.
    case "$p" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
