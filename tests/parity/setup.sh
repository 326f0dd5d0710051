#!/usr/bin/env bash
# Creates or refreshes .venv-parity (the reference implementations of the parity tests) from
# tests/parity/requirements.txt. Idempotent: a venv built from the same requirements is left alone; a
# changed pin rebuilds it. Prints the venv's python path on stdout.
#
#   tests/parity/setup.sh            # then e.g. .venv-parity/bin/python tests/parity/clarify_expected.py
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv-parity"
REQUIREMENTS="$ROOT/tests/parity/requirements.txt"
STAMP="$VENV/.requirements.sha256"
PYTHON="${PARITY_PYTHON:-python3.11}"

say() { printf 'parity setup: %s\n' "$*" >&2; }

command -v "$PYTHON" >/dev/null || PYTHON=python3
wanted="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null || true)" != "$wanted" ]; then
  say "installing the pinned reference implementations into .venv-parity/ (about a minute) ..."
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" || { say "error: $PYTHON -m venv failed (on Debian: apt-get install python3-venv)"; exit 1; }
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$wanted" >"$STAMP"
  say "done"
fi
echo "$VENV/bin/python"
