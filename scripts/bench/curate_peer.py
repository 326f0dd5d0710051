"""The pyarrow peer of twinpipe's curation benchmark (see curate.sh).

Reads the NDJSON file produced by `cargo run --example gen_ndjson` into memory, then times
`pyarrow.json.read_json` + `pyarrow.parquet.write_table`, end to end and single-threaded, with zstd and
with snappy: one warm-up, then the median of RUNS timed runs. Prints JSON with rows/s.

Usage: python curate_peer.py IN.ndjson [RUNS]
"""

import json
import statistics
import sys
import time

import pyarrow as pa
import pyarrow.json as pj
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("asset_id", pa.string()),
        ("sensor_id", pa.string()),
        ("ts", pa.timestamp("ms", tz="UTC")),
        ("value", pa.float64()),
        ("unit", pa.string()),
    ]
)


def run_once(data: bytes, compression: str) -> int:
    table = pj.read_json(
        pa.BufferReader(data),
        read_options=pj.ReadOptions(use_threads=False),
        parse_options=pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="error"),
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=compression)
    sink.getvalue()
    return table.num_rows


def main() -> None:
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    with open(path, "rb") as f:
        data = f.read()
    report = {"impl": f"pyarrow {pa.__version__}", "input_bytes": len(data)}
    for compression in ("zstd", "snappy"):
        rows = run_once(data, compression)  # warm-up
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            run_once(data, compression)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        report["rows"] = rows
        report[f"{compression}_median_s"] = median
        report[f"{compression}_rows_per_s"] = round(rows / median)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
