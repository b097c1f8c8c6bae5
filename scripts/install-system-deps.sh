#!/usr/bin/env bash
# Installs the system packages the tests need, from Debian with apt-get:
#   chromium    the browser tests (tests/test_browser.py)
#   bubblewrap  the sandbox around every student's kernel while grading (mgcourse.grader.sandbox)
#   postgresql  the gradebook on a real PostgreSQL server (tests/test_postgres.py starts a
#               throwaway server from /usr/lib/postgresql/<version>/bin on 127.0.0.1)
# Installs only what is missing and does nothing when everything is present.
set -euo pipefail

missing=()
if ! command -v chromium >/dev/null 2>&1; then
  missing+=(chromium)
fi
if ! command -v bwrap >/dev/null 2>&1; then
  missing+=(bubblewrap)
fi
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  missing+=(postgresql)
fi
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "The tests need Debian's ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}'" \
    "or 'sudo bash scripts/install-system-deps.sh'." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
command -v chromium >/dev/null || { echo "chromium is still missing" >&2; exit 1; }
command -v bwrap >/dev/null || { echo "bubblewrap is still missing" >&2; exit 1; }
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
  || { echo "postgresql is still missing (no /usr/lib/postgresql/*/bin/initdb)" >&2; exit 1; }
echo "installed: ${missing[*]}"
