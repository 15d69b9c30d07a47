#!/bin/sh
# Installs the Debian packages Tremplin needs to build, run and test, when
# some are missing: with apt-get when run as root, otherwise it prints the
# exact command to run and stops. Used by `make run`, `make test` and CI.
set -eu

# Build and run.
PKGS="build-essential pkg-config gettext libmicrohttpd-dev libsqlite3-dev libpq-dev
libcmark-dev libjansson-dev libsodium-dev libcurl4-openssl-dev"
# Tests: unit tests, PostgreSQL, browser.
PKGS="$PKGS libcmocka-dev postgresql chromium python3-aiosmtpd sqlite3"
# make fuzz (libFuzzer) and make bench.
PKGS="$PKGS clang libclang-rt-14-dev wrk nginx-light"
# `sh tools/install-deps.sh security` (make security): only the scanners, never installed by make test or CI.
if [ "${1:-}" = security ]; then PKGS="sqlmap wapiti sqlite3"; fi
# Node.js runs the black-box and browser tests; Debian's is used when none is installed.
command -v node >/dev/null 2>&1 || PKGS="$PKGS nodejs npm"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "Tremplin needs these Debian packages:$missing"
	echo "Install them with:"
	echo "  sudo apt-get install -y$missing"
	exit 1
fi
echo "Installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
