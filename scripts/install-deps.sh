#!/usr/bin/env bash
# Installs the Debian 12 packages customsdesk needs, if any is missing.
#   scripts/install-deps.sh run    what `make run` needs (compiler, libraries)
#   scripts/install-deps.sh test   also what `make test` needs (PostgreSQL server, Chromium, wrk, Postfix)
# Uses apt-get as root, or through sudo. Prints nothing more than a line when all is present.
set -euo pipefail

mode=${1:-run}
build_pkgs=(
  g++ cmake ninja-build make pkg-config git ca-certificates tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libpugixml-dev libsodium-dev libspdlog-dev libfmt-dev
  libcli11-dev libhowardhinnant-date-dev libgtest-dev libgmock-dev libbenchmark-dev libgmime-3.0-dev
  nodejs npm
)
# nodejs/npm: the build fetches the web UI's npm packages (pinned by package-lock.json) once; the
# server binary embeds them and needs no Node.js at run time.
# postfix: the throwaway mail server of the mail tests (scripts/mail-test-server.sh); installed with
# "No configuration" so the system instance neither asks questions nor starts delivering mail.
test_pkgs=(postgresql postgresql-contrib python3 wrk chromium postfix)

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
if [[ " ${missing[*]} " == *" postfix "* ]]; then
  echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
