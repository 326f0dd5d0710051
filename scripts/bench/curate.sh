#!/usr/bin/env bash
# Curation throughput, twinpipe vs pyarrow, on the same NDJSON bytes in the same run.
#
# Generates ROWS (default 1,000,000) rows with `cargo run --example gen_ndjson` into a temp dir, then
# runs the Rust side (examples/curate_throughput.rs: parse + normalise + partition + dedupe + Parquet) and
# the peer (curate_peer.py: pyarrow read_json + write_table), both single-threaded, one warm-up and the
# median of RUNS (default 10) each, with zstd and with snappy, and prints both plus the ratio.
# The peer's venv is .venv-bench-curate at the repository root (gitignored).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
rows="${ROWS:-1000000}"
runs="${RUNS:-10}"
venv="$root/.venv-bench-curate"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/scripts/bench/requirements-curate.txt"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
data="$tmp/readings.ndjson"

cd "$root"
cargo build --quiet --release -p twinpipe-curation --example gen_ndjson --example curate_throughput
target_dir="$(cargo metadata --format-version 1 --no-deps | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
"$target_dir/release/examples/gen_ndjson" "$data" "$rows"

rust_json="$("$target_dir/release/examples/curate_throughput" "$data" "$runs")"
peer_json="$("$venv/bin/python" "$root/scripts/bench/curate_peer.py" "$data" "$runs")"

echo "rust: $rust_json"
echo "peer: $peer_json"
"$venv/bin/python" - "$rust_json" "$peer_json" <<'PY'
import json, sys
rust, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ratios = {f"{c}_ratio": round(rust[f"{c}_rows_per_s"] / peer[f"{c}_rows_per_s"], 3) for c in ("zstd", "snappy")}
print("ratio (rust / pyarrow, rows/s): " + json.dumps(ratios))
PY
