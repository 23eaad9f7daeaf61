#!/usr/bin/env bash
# Writes the sample Board report (DOCX, PDF, chart PNG) to a directory and, when LibreOffice is
# available, converts the DOCX to PDF and the first page of each PDF to PNG for a person to look
# at. Run as root on a machine without LibreOffice, it installs libreoffice-writer-nogui first
# (set NO_INSTALL=1 to skip). Usage: scripts/render_sample.sh [DIR]  (default target/report-sample)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/report-sample}"
cargo run --quiet --example render_sample -- "$dir"

if { ! command -v soffice || ! command -v pdftoppm; } >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && [ -z "${NO_INSTALL:-}" ]; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui poppler-utils
fi
if command -v soffice >/dev/null 2>&1; then
  mkdir -p "$dir/libreoffice"
  # The DOCX as LibreOffice lays it out (Times New Roman if the machine has it).
  soffice --headless --convert-to pdf --outdir "$dir/libreoffice" "$dir/report.docx" >/dev/null
  # Every page of both PDFs as PNG (poppler's pdftoppm), for a person to look at.
  if command -v pdftoppm >/dev/null 2>&1; then
    pdftoppm -png -r 80 "$dir/libreoffice/report.pdf" "$dir/libreoffice/docx-page"
    pdftoppm -png -r 80 "$dir/report.pdf" "$dir/libreoffice/pdf-page"
  fi
else
  echo "soffice not found: only the generated files are in $dir" >&2
fi
ls -l "$dir" "$dir/libreoffice" 2>/dev/null || true
