#!/usr/bin/env bash
# Ingest throughput, twinpipe vs the Powertools peer (BatchProcessor + pydantic v2), on the same SQS event
# bytes in the same run (shared/specs/peer-benchmarks.md §1).
#
# Writes the benchmark events with `cargo run --example gen_ingest_event` into a temp dir (one SQS event of
# 100 records x 100 readings, and its "faults" variant), then runs the Rust side
# (functions/ingest/examples/ingest_throughput.rs: the handler on a current-thread runtime over
# DirObjectStore on tmpfs, and over an in-memory store) and the peer (ingest_peer.py: variants A and B),
# each with 1 untimed call, 3 warm-ups and the median of RUNS (default 20) calls, and prints a table of
# readings/s and the ratios Rust (from raw bytes) / peer (b, from raw bytes).
# The peer's venv is .venv-bench-ingest at the repository root (gitignored). `vmstat 2` runs alongside so
# that a busy machine shows in the output.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${RUNS:-20}"
venv="$root/.venv-bench-ingest"

if [ ! -x "$venv/bin/python" ]; then
    "$(command -v python3.11 || command -v python3)" -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/scripts/bench/requirements-ingest.txt"

tmp="$(mktemp -d)"
vmstat_pid=""
cleanup() {
    if [ -n "$vmstat_pid" ]; then kill "$vmstat_pid" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

cd "$root"
cargo build --quiet --release -p twinpipe-ingest --no-default-features \
    --example gen_ingest_event --example ingest_throughput
target_dir="$(cargo metadata --format-version 1 --no-deps | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
"$target_dir/release/examples/gen_ingest_event" "$tmp"
clean="$tmp/sqs-ingest-clean.json"
faults="$tmp/sqs-ingest-faults.json"

# Single-threaded peers (§0); Powertools and pydantic-core use one thread anyway.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
if command -v vmstat >/dev/null; then
    vmstat -n 2 >"$tmp/vmstat.txt" &
    vmstat_pid=$!
fi
rust_json="$("$target_dir/release/examples/ingest_throughput" "$clean" "$faults" "$runs")"
peer_json="$("$venv/bin/python" "$root/scripts/bench/ingest_peer.py" "$clean" "$faults" "$runs")"
if [ -n "$vmstat_pid" ]; then
    kill "$vmstat_pid" 2>/dev/null || true
    wait "$vmstat_pid" 2>/dev/null || true
    vmstat_pid=""
fi

echo "rust: $rust_json"
echo "peer: $peer_json"
"$venv/bin/python" - "$rust_json" "$peer_json" "$tmp/vmstat.txt" <<'PY'
import json, os, sys
rust, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])

def row(label, fig):
    print(f"  {label:<52} {fig['median_ms']:>9.2f} {fig['best_ms']:>9.2f} {fig['readings_per_s']:>12,}")

for ev in ("clean", "faults"):
    r, p = rust[ev], peer[ev]
    print(f"\n{ev} event ({r['input_bytes']:,} bytes, 10,000 readings, median and best of {rust['runs']})")
    print(f"  {'':<52} {'median ms':>9} {'best ms':>9} {'readings/s':>12}")
    row("rust, from raw bytes (DirObjectStore on tmpfs)", r["from_raw"])
    row("rust, decoded event (DirObjectStore on tmpfs)", r["decoded"])
    row("rust, from raw bytes (in-memory store)", r["from_raw_memory_store"])
    row("rust, decoded event (in-memory store)", r["decoded_memory_store"])
    for v in ("A", "B"):
        row(f"peer {v}, (b) handler(json.loads(raw))", p[v]["from_raw"])
        row(f"peer {v}, (a) handler(event_dict)", p[v]["decoded"])
    for store, key in (("tmpfs", "from_raw"), ("memory", "from_raw_memory_store")):
        ratios = {v: r[key]["readings_per_s"] / p[v]["from_raw"]["readings_per_s"] for v in ("B", "A")}
        verdict = "met" if ratios["B"] >= 20 else "NOT met"
        print(f"  ratio rust from raw ({store} store) / peer (b): "
              f"B {ratios['B']:.2f}x, A {ratios['A']:.2f}x   (target >= 20x vs B: {verdict})")

b = rust["clean_breakdown"]
print("\nrust, clean event, where the time goes (median ms of each part timed alone):")
for k in ("envelope_decode_only", "parse_validate_only", "parse_validate_serialise_key",
          "puts_only_sequential_100", "handler_from_raw_max_concurrency_1"):
    print(f"  {k:<40} {b[k]['median_ms']:>8.2f}  (cpu {b[k]['cpu_ms_per_call']} ms)")
print(f"\npeak RSS: rust {rust['peak_rss_mib']} MiB, peer {peer['peak_rss_mib']} MiB")

path = sys.argv[3]
if os.path.exists(path):
    rows = [l.split() for l in open(path) if l.split() and l.split()[0].isdigit()][1:]  # drop since-boot line
    if rows:
        idle = [int(x[14]) for x in rows]
        runq = [int(x[0]) for x in rows]
        print(f"machine during the run (vmstat 2, {len(rows)} samples): idle {min(idle)}-{max(idle)} % "
              f"(mean {sum(idle) / len(idle):.0f} %), run queue up to {max(runq)}; "
              "a quiet 2-core machine shows ~50 % idle for these single-threaded runs")
PY
