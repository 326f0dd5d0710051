#!/usr/bin/env bash
# Builds every Lambda function of the workspace for deployment, with cargo-lambda, in one cargo invocation
# (so the shared dependency graph, the AWS SDK above all, is compiled once).
#
#   ./scripts/package.sh             # x86-64 → target/lambda/<function>/bootstrap
#   ./scripts/package.sh --arm64     # aarch64 (Graviton) instead
#   ./scripts/package.sh --zip       # also target/lambda/<function>/bootstrap.zip, ready to upload
#   ./scripts/package.sh -- --timings   # arguments after -- go to `cargo lambda build`
#
# Steps:
#   1. a venv (.venv-lambda/) with the pinned cargo-lambda and zig (scripts/requirements-lambda.txt),
#      created or refreshed when needed; its bin/ goes first on PATH;
#   2. the functions: every binary of a package under functions/ (from `cargo metadata`);
#   3. `cargo lambda build --release --x86-64|--arm64 --locked -p <package>…`, linked with zig; the
#      bootstraps need glibc ≥ 2.29, so deploy them on the provided.al2023 runtime (provided.al2 has 2.26);
#   4. with --zip, the same command with `--output-format zip` (nothing recompiles; it zips the bootstraps);
#   5. a table of each bootstrap (and zip) with its size and `file` output.
# [profile.release] sets panic = "unwind": cargo-lambda would otherwise build with panic=abort, and a panic
# would kill the function instead of being reported as a handler error (shared/specs/aws-local-testing.md §7).
# Progress goes to stderr, prefixed with "package.sh:"; the table goes to stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/.venv-lambda"
REQUIREMENTS="$ROOT/scripts/requirements-lambda.txt"
VENV_STAMP="$VENV/.requirements.sha256"

say() { printf 'package.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
usage() { sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

arch_flag=--x86-64
zip=0
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --arm64) arch_flag=--arm64 ;;
    --x86-64) arch_flag=--x86-64 ;;
    --zip) zip=1 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

# --- 1. cargo-lambda in its own venv -------------------------------------------------------------------
wanted_stamp="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/cargo-lambda" ] || [ "$(cat "$VENV_STAMP" 2>/dev/null || true)" != "$wanted_stamp" ]; then
  command -v python3 >/dev/null || die "python3 is needed to install cargo-lambda; install it first"
  say "installing cargo-lambda and zig (pinned in scripts/requirements-lambda.txt) into .venv-lambda/ ..."
  started=$SECONDS
  rm -rf "$VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$wanted_stamp" >"$VENV_STAMP"
  say "cargo-lambda installed in $((SECONDS - started)) s"
fi
export PATH="$VENV/bin:$PATH"

# --- 2. the functions: package and binary names of everything under functions/ ------------------------
# "<package> <binary>" per line. The functions' binaries need their default `lambda` feature, which
# -p <package> enables.
mapfile -t functions < <(
  cargo metadata --no-deps --format-version 1 --locked | "$VENV/bin/python3" -c '
import json, os, sys
meta = json.load(sys.stdin)
functions = os.path.join(meta["workspace_root"], "functions") + os.sep
for package in meta["packages"]:
    if package["manifest_path"].startswith(functions):
        for target in package["targets"]:
            if "bin" in target["kind"]:
                print(package["name"], target["name"])
'
)
[ "${#functions[@]}" -gt 0 ] || die "no Lambda function found under functions/"
packages=()
seen=" "
for f in "${functions[@]}"; do
  case "$seen" in *" ${f%% *} "*) continue ;; esac
  seen+="${f%% *} "
  packages+=(-p "${f%% *}")
done

# --- 3. the build ----------------------------------------------------------------------------------------
# Stale artifacts must not pass for fresh ones in the table below.
for f in "${functions[@]}"; do rm -f "target/lambda/${f##* }/bootstrap" "target/lambda/${f##* }/bootstrap.zip"; done
build=(cargo lambda build --release "$arch_flag" --locked "${packages[@]}" "${extra[@]}")
say "running: ${build[*]}"
started=$SECONDS
"${build[@]}"
if [ "$zip" = 1 ]; then
  # --output-format zip writes bootstrap.zip only, no bootstrap; run after the binary build, it compiles
  # nothing and just zips what was built.
  say "running: ${build[*]} --output-format zip"
  "${build[@]}" --output-format zip
fi
say "built in $((SECONDS - started)) s"

# --- 4. what was built -----------------------------------------------------------------------------------
artifacts=(bootstrap)
[ "$zip" = 1 ] && artifacts+=(bootstrap.zip)
printf '%-40s %9s  %s\n' "artifact" "size (MB)" "file"
for f in "${functions[@]}"; do
  for artifact in "${artifacts[@]}"; do
    path="target/lambda/${f##* }/$artifact"
    [ -f "$path" ] || die "$path was not produced"
    bytes=$(stat -c %s "$path")
    if command -v file >/dev/null; then kind=$(file -b "$path"); else kind="(install 'file' to see the format)"; fi
    printf '%-40s %9s  %s\n' "$path" "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')" "$kind"
  done
done
