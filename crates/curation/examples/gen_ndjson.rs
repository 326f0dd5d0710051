//! Writes the benchmark data set (`twinpipe-bench-data`) to a file, so that the Rust example and the
//! pyarrow peer read the same bytes. Usage: `gen_ndjson OUT.ndjson [ROWS]` (default 1,000,000 rows).

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: gen_ndjson OUT.ndjson [ROWS]");
    let rows = args.next().map_or(1_000_000, |r| r.parse().expect("ROWS is a number"));
    let text = twinpipe_bench_data::ndjson(rows, twinpipe_bench_data::SEED);
    std::fs::write(&out, &text)?;
    eprintln!("wrote {rows} rows, {} bytes, to {out}", text.len());
    Ok(())
}
