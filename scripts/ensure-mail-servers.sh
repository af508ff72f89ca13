#!/usr/bin/env bash
# The desk e-mail tests (itsm/desk/mail/tests) run against a real IMAP server: Debian's dovecot,
# started by the test fixtures (itsm/core/testing/mailservers.py) as an unprivileged process in
# a temporary directory. The SMTP side is aiosmtpd, a Python dependency. Install dovecot when
# it is missing; ITSM_SKIP_MAIL_SERVERS=1 skips the install (and those tests).
set -euo pipefail
if [ "${ITSM_SKIP_MAIL_SERVERS:-0}" = "1" ]; then
  echo "ensure-mail-servers: ITSM_SKIP_MAIL_SERVERS=1, the mail server tests will be skipped"; exit 0
fi
if [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "ensure-mail-servers: installing Debian's dovecot-imapd (for the desk e-mail tests)…"
$SUDO apt-get update -qq || true
# --no-install-recommends: no system-wide services beyond dovecot itself; the package's own
# service is not needed (the tests start their own dovecot with their own configuration).
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  dovecot-core dovecot-imapd >/dev/null
test -x /usr/sbin/dovecot && test -x /usr/lib/dovecot/imap
