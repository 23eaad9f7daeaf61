#!/usr/bin/env bash
# Writes the sample Board report (DOCX, PDF, chart PNG) to a directory and, when LibreOffice is
# available, converts the DOCX to PDF and the first page of each PDF to PNG for a person to look
# at. Run as root on a machine without LibreOffice, it installs libreoffice-writer-nogui first
# (set NO_INSTALL=1 to skip). Usage: scripts/render_sample.sh [DIR]  (default target/report-sample)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/report-sample}"
cargo run --quiet --example render_sample -- "$dir"

if ! command -v soffice >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && [ -z "${NO_INSTALL:-}" ]; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui
fi
if command -v soffice >/dev/null 2>&1; then
  mkdir -p "$dir/libreoffice"
  # The DOCX as LibreOffice lays it out (Times New Roman if the machine has it).
  soffice --headless --convert-to pdf --outdir "$dir/libreoffice" "$dir/report.docx" >/dev/null
  # First page of each PDF as PNG (LibreOffice's Draw import renders page 1).
  soffice --headless --convert-to png --outdir "$dir/libreoffice" "$dir/libreoffice/report.pdf" >/dev/null
  mv "$dir/libreoffice/report.png" "$dir/libreoffice/report-docx-page1.png"
  cp "$dir/report.pdf" "$dir/libreoffice/report-pdf.pdf"
  soffice --headless --convert-to png --outdir "$dir/libreoffice" "$dir/libreoffice/report-pdf.pdf" >/dev/null
  mv "$dir/libreoffice/report-pdf.png" "$dir/libreoffice/report-pdf-page1.png"
else
  echo "soffice not found: only the generated files are in $dir" >&2
fi
ls -l "$dir" "$dir/libreoffice" 2>/dev/null || true
