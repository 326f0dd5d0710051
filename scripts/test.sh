#!/usr/bin/env bash
# The whole test suite of twinpipe: what a developer runs before pushing and what CI runs (.ci/run).
#
#   ./scripts/test.sh                      # everything
#   ./scripts/test.sh -p twinpipe-aws      # extra arguments go to `cargo test` (-p narrows the run)
#
# The AWS adapters are tested against a real S3/SQS/SNS/EventBridge API, not a mocked client: a moto
# server on 127.0.0.1, started here for this run only and stopped when the script exits, however it exits.
# The sequence follows shared/specs/aws-local-testing.md §4:
#   0. on a whole run (no arguments): cargo fmt --check and cargo clippy -D warnings;
#   1. a venv with the pinned moto (scripts/requirements-moto.txt), created or refreshed when needed;
#   2. the server on a port the kernel picks (-p 0), read back from its log, so parallel runs never collide;
#   3. readiness through GET /moto-api/ while checking the process is alive;
#   4. the SDK pointed at it through the environment only (production code keeps load_from_env());
#   5. the pinned reference implementations of the parity tests (.venv-parity, tests/parity/setup.sh);
#   6. cargo test.
# Progress goes to stderr, prefixed with "test.sh:", so it stands out from cargo's output.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv-moto"
REQUIREMENTS="$ROOT/scripts/requirements-moto.txt"
# The venv remembers which requirements it was built from, so a bumped pin rebuilds it.
VENV_STAMP="$VENV/.requirements.sha256"

say() { printf 'test.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# --- 0. formatting and lints (whole runs only), before anything is started ---------------------------
if [ "$#" -eq 0 ]; then
  say "checking formatting (cargo fmt --check) and lints (cargo clippy -D warnings) ..."
  cargo fmt --all --check || die "formatting differs: run cargo fmt --all"
  cargo clippy --workspace --all-targets --all-features --locked --quiet -- -D warnings || die "clippy found problems (above)"
fi

# --- 1. moto in its own venv -------------------------------------------------------------------------
wanted_stamp="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/moto_server" ] || [ "$(cat "$VENV_STAMP" 2>/dev/null || true)" != "$wanted_stamp" ]; then
  command -v python3 >/dev/null || die "python3 is needed to run the local AWS API (moto); install it first"
  say "installing the local AWS API (moto, pinned in scripts/requirements-moto.txt) into .venv-moto/ ..."
  started=$SECONDS
  rm -rf "$VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$wanted_stamp" >"$VENV_STAMP"
  say "moto installed in $((SECONDS - started)) s"
fi

command -v curl >/dev/null || die "curl is needed to check that the local AWS API is up; install it first"

# --- 2. start the server, cleanup on every exit ------------------------------------------------------
MOTO_LOG="$(mktemp "${TMPDIR:-/tmp}/twinpipe-moto.XXXXXX")"
MOTO_PID=""
CARGO_PID=""
cleanup() {
  if [ -n "$CARGO_PID" ]; then
    # The whole process group: cargo, the test binaries and any rustc it started.
    kill -TERM -- "-$CARGO_PID" 2>/dev/null || true
    wait "$CARGO_PID" 2>/dev/null || true
  fi
  if [ -n "$MOTO_PID" ]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  rm -f "$MOTO_LOG"
}
trap cleanup EXIT
# Route Ctrl-C and TERM through the EXIT trap, so neither the server nor the tests outlive the script.
trap 'exit 130' INT TERM

say "starting moto server on 127.0.0.1 (kernel-chosen port) ..."
"$VENV/bin/moto_server" -H 127.0.0.1 -p 0 >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!

# --- 3. readiness ------------------------------------------------------------------------------------
PORT=""
for _ in $(seq 1 200); do # up to ~20 s; it is usually ready in under a second
  if ! kill -0 "$MOTO_PID" 2>/dev/null; then
    cat "$MOTO_LOG" >&2
    MOTO_PID=""
    die "moto server exited before it was ready (its log is above)"
  fi
  PORT="$(grep -oE 'Running on http://127\.0\.0\.1:[0-9]+' "$MOTO_LOG" | grep -oE '[0-9]+$' | head -n1 || true)"
  if [ -n "$PORT" ] && curl -fsS -o /dev/null "http://127.0.0.1:$PORT/moto-api/" 2>/dev/null; then
    break
  fi
  PORT=""
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$MOTO_LOG" >&2; die "moto server did not become ready within 20 s (its log is above)"; }
say "moto server ready at http://127.0.0.1:$PORT (pid $MOTO_PID)"

# --- 4. point the SDK at it, and nowhere else ---------------------------------------------------------
# 127.0.0.1, never localhost: S3 would otherwise address <bucket>.localhost (spec §3).
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
# A developer's own profile, instance metadata or session token must not leak into the tests.
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_REGION
# Tells the AWS tests a local API is there; without it they skip locally and fail under CI.
export TWINPIPE_MOTO=1

# --- 5. the parity references (numpy, scipy, scikit-learn, smclarify), pinned, installed once --------------
"$ROOT/tests/parity/setup.sh" >/dev/null || die "could not install the parity references (tests/parity/setup.sh)"

# --- 6. the tests --------------------------------------------------------------------------------------
# The whole workspace by default. cargo lets --workspace override -p, so a run narrowed with
# -p/--package (before any `--`) drops it.
scope=(--workspace)
for arg in "$@"; do
  case "$arg" in
    --) break ;;
    -p* | --package | --package=*) scope=() ;;
  esac
done
say "running: cargo test ${scope[*]:+${scope[*]} }--locked $*"
started=$SECONDS
# In the background and in its own process group (set -m), then waited for: bash runs a trap only
# between foreground commands, so this is what lets a TERM stop the tests at once, and cleanup stop all
# of cargo's children with one signal. `wait` returns cargo's status, and set -e exits with it.
set -m
cargo test "${scope[@]}" --locked "$@" &
CARGO_PID=$!
set +m
wait "$CARGO_PID"
CARGO_PID=""
say "cargo test passed in $((SECONDS - started)) s"
