#!/usr/bin/env bash
# The Debian/Ubuntu packages the test suite needs, in one place for `npm test` (test/run.sh) and CI:
#   chromium            the Playwright e2e suite runs in Debian's Chromium (never a downloaded browser)
#   dbus gnome-keyring  a private D-Bus session with a real Secret Service for the keychain tests
#   libsecret-1-dev     headers keytar (an optional dependency) compiles against; without them npm skips it
#
# system-deps.sh missing   prints the missing packages (nothing when all are there, or when not on dpkg)
# system-deps.sh install   installs them when missing, as root with apt-get; otherwise prints the one
#                          command to run and exits 1
set -u
PACKAGES="chromium dbus gnome-keyring libsecret-1-dev"

missing() {
  command -v dpkg-query >/dev/null 2>&1 || return 0
  local out="" p
  for p in $PACKAGES; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || out="$out $p"
  done
  echo "${out# }"
}

case "${1:-}" in
  missing) missing ;;
  install)
    need=$(missing)
    [ -z "$need" ] && exit 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "installing system packages the tests need: $need"
      export DEBIAN_FRONTEND=noninteractive
      # shellcheck disable=SC2086
      apt-get install -y -q $need >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null; } || {
        echo "apt-get could not install: $need" >&2; exit 1; }
    else
      echo "The tests need these system packages: $need. Install them, then run the tests again:" >&2
      echo "  sudo apt-get install -y $need && npm install && npm test" >&2
      exit 1
    fi ;;
  *) echo "usage: $0 missing|install" >&2; exit 2 ;;
esac
