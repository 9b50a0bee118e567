#!/usr/bin/env bash
# Starts a local CUPS scheduler with the two queues the receipt crate's tests
# print to; run as root before `cargo test`. Idempotent: running it again
# leaves a running scheduler and the queues as they should be.
#
#   PDF      cups-pdf: an "office printer" that writes each job to ~/PDF/
#   THERMAL  a raw queue to socket://127.0.0.1:$RECEIPT_THERMAL_PORT, where
#            the test listens like a network thermal printer
#
# Needs the Debian packages cups cups-client cups-bsd printer-driver-cups-pdf.
set -euo pipefail

port="${RECEIPT_THERMAL_PORT:-19100}"

running() { lpstat -r 2>/dev/null | grep -q "scheduler is running"; }

if ! running; then
  # cupsd puts itself in the background once it listens.
  cupsd
fi
for _ in $(seq 1 120); do
  running && break
  sleep 0.5
done
running || { echo "cups-test-setup: cupsd did not start" >&2; exit 1; }

lpadmin -p PDF -E -v cups-pdf:/ -P /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd
# No model: a raw queue, so ESC/POS bytes reach the printer unfiltered. A job
# that finds no listener is retried, not the queue stopped.
lpadmin -p THERMAL -E -v "socket://127.0.0.1:${port}" -o printer-error-policy=retry-job
cupsenable PDF THERMAL
cupsaccept PDF THERMAL
lpstat -v
