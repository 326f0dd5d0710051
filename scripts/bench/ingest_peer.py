"""The Powertools peer of twinpipe's ingest benchmark (see ingest.sh and shared/specs/peer-benchmarks.md §1).

Runs the two handlers of §1 on the SQS events written by `cargo run --example gen_ingest_event`:
- variant A, the idiomatic Powertools parser: `BatchProcessor(model=ReadingsMessage)` where the body is
  `Json[list[Reading]]`, so one bad reading fails the whole message;
- variant B, per-reading validation: bad readings are quarantined and only a body that is not a JSON
  array fails the message (closer to twinpipe's ingest).
Each reading is validated with pydantic v2 and dumped to NDJSON into an in-memory sink (the stand-in for the
S3 puts). Per event and variant: 1 untimed call (its response is checked), 3 warm-ups, then RUNS timed calls
of (a) `handler(event_dict)` on an event decoded before the clock starts and (b) `handler(json.loads(raw))`
from the raw bytes; median and best, as readings/s = 10,000 / time. The sinks are cleared between calls,
outside the clock. Prints one JSON object.

Usage: python ingest_peer.py CLEAN.json FAULTS.json [RUNS]
"""

import json
import resource
import statistics
import sys
import time
from importlib.metadata import version

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Json, TypeAdapter, ValidationError

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel

READINGS = 10_000
WARM_UPS = 3


class Reading(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    asset_id: str = Field(min_length=1)
    sensor_id: str = Field(min_length=1)
    ts: AwareDatetime
    value: float
    unit: str = Field(min_length=1)


READING = TypeAdapter(Reading)
SINK, QUARANTINE = [], []  # stand in for the S3 puts to raw/ and quarantine/


# Variant A (idiomatic Powertools parser): one bad reading fails the whole message.
class ReadingsMessage(SqsRecordModel):
    body: Json[list[Reading]]


proc_a = BatchProcessor(event_type=EventType.SQS, model=ReadingsMessage)


def handle_a(record: ReadingsMessage):
    SINK.append(b"".join(READING.dump_json(r) + b"\n" for r in record.body))


def handler_a(event, context=None):
    return process_partial_response(event=event, record_handler=handle_a, processor=proc_a, context=context)


# Variant B (per-reading validation): bad readings are quarantined, and only a body that is not a JSON
# array fails the message. This is closer to what twinpipe's ingest does.
proc_b = BatchProcessor(event_type=EventType.SQS)


def handle_b(record: SQSRecord):
    items = json.loads(record.body)
    if not isinstance(items, list):
        raise ValueError("body is not a JSON array")
    out = []
    for it in items:
        try:
            out.append(READING.dump_json(READING.validate_python(it)))
        except ValidationError:
            QUARANTINE.append(it)
    SINK.append(b"\n".join(out) + b"\n")


def handler_b(event, context=None):
    return process_partial_response(event=event, record_handler=handle_b, processor=proc_b, context=context)


def clear_sinks():
    SINK.clear()
    QUARANTINE.clear()


def timed(runs, prepare, call):
    """3 warm-ups, then `runs` timed calls; `prepare` runs before each call, outside the clock."""
    for _ in range(WARM_UPS):
        call(prepare())
        clear_sinks()
    times = []
    for _ in range(runs):
        arg = prepare()
        start = time.perf_counter()
        call(arg)
        times.append(time.perf_counter() - start)
        clear_sinks()
    median, best = statistics.median(times), min(times)
    return {
        "median_ms": round(median * 1e3, 3),
        "best_ms": round(best * 1e3, 3),
        "readings_per_s": round(READINGS / median),
        "best_readings_per_s": round(READINGS / best),
    }


def first_call(handler, raw):
    """The untimed first call: its response and sinks, checked against §1's expectations."""
    clear_sinks()
    event = json.loads(raw)
    response = handler(event)
    failures = [f["itemIdentifier"] for f in response["batchItemFailures"]]
    outcome = {
        "batch_item_failures": len(failures),
        "sink_objects": len(SINK),
        "sink_ndjson_bytes": sum(len(b) for b in SINK),
        "sink_lines": sum(b.count(b"\n") for b in SINK),
        "quarantined_readings": len(QUARANTINE),
    }
    clear_sinks()
    return outcome, failures, event


def main() -> None:
    clean_path, faults_path = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    report = {
        "impl": f"aws-lambda-powertools {version('aws-lambda-powertools')} + pydantic {version('pydantic')}"
        f" (pydantic-core {version('pydantic-core')})",
        "python": sys.version.split()[0],
        "runs": runs,
        "readings": READINGS,
    }
    for name, path in (("clean", clean_path), ("faults", faults_path)):
        with open(path, "rb") as f:
            raw = f.read()
        section = {"input_bytes": len(raw)}
        for variant, handler in (("A", handler_a), ("B", handler_b)):
            outcome, failures, event = first_call(handler, raw)
            ids = [r["messageId"] for r in event["Records"]]
            if name == "clean":
                ok = outcome["batch_item_failures"] == 0 and outcome["sink_lines"] == READINGS
            elif variant == "A":
                # 10 messages with a bad reading + the non-JSON one fail whole.
                expected = {ids[i] for i in range(5, 100, 10)} | {ids[17]}
                ok = set(failures) == expected and outcome["sink_lines"] == READINGS - 11 * 100
            else:
                # Only the non-JSON body fails; the 10 bad readings are quarantined.
                ok = (
                    failures == [ids[17]]
                    and outcome["quarantined_readings"] == 10
                    and outcome["sink_lines"] == READINGS - 100 - 10
                )
            if not ok:
                raise SystemExit(f"{name}/{variant}: unexpected outcome {outcome}")
            outcome["ok"] = ok
            section[variant] = {
                "first_call": outcome,
                # (a) the event already decoded, as the Lambda runtime hands it to Python. A fresh dict per
                # call, decoded outside the clock, so that no call sees state left by the previous one.
                "decoded": timed(runs, lambda: json.loads(raw), handler),
                # (b) from the raw invoke payload: the fair figure against a Rust handler.
                "from_raw": timed(runs, lambda: raw, lambda r: handler(json.loads(r))),
            }
        report[name] = section
    report["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
