#!/usr/bin/env bash
# The event management test with a real Prometheus Alertmanager
# (itsm/events/tests/test_alertmanager_real.py) runs Debian's prometheus-alertmanager, started
# by the test fixture (itsm/core/testing/alertmanager.py) as an unprivileged process in a
# temporary directory. Install it when it is missing; ITSM_SKIP_ALERTMANAGER=1 skips the
# install (and that test). Idempotent.
set -euo pipefail
if [ "${ITSM_SKIP_ALERTMANAGER:-0}" = "1" ]; then
  echo "ensure-alertmanager: ITSM_SKIP_ALERTMANAGER=1, the Alertmanager test will be skipped"; exit 0
fi
if [ -x /usr/bin/prometheus-alertmanager ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "ensure-alertmanager: installing Debian's prometheus-alertmanager (for the events tests)…"
$SUDO apt-get update -qq || true
# --no-install-recommends: the package's own service is not needed (the test starts its own
# Alertmanager with its own configuration and storage).
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  prometheus-alertmanager >/dev/null
# the package enables a system service on installation: it is not used, stop it when it runs
$SUDO systemctl stop prometheus-alertmanager >/dev/null 2>&1 || true
test -x /usr/bin/prometheus-alertmanager
