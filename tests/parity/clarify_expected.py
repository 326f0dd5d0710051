"""Expected Clarify bias reports and NDCG scores, computed by the reference implementations.

Run with the pinned venv (tests/parity/setup.sh):

    .venv-parity/bin/python tests/parity/clarify_expected.py OUT_DIR

Writes, for every generated case, OUT_DIR/<case>/{dataset.csv, analysis_config.json, expected.json} and a
manifest OUT_DIR/cases.json, plus OUT_DIR/ndcg.json. expected.json is the analysis.json a Clarify job would
write, assembled from smclarify 0.5's `bias_report` exactly as twinpipe assembles it (one `bias_report` call
per stage and facet, on the dataset minus `excluded_columns`), or {"error": message} when smclarify raises
for the whole report. The Rust side (crates/clarify/tests/parity.rs) reads the same CSV and config and must
agree to 1e-9.

Everything is seeded: the same pins give the same files.
"""

import copy
import json
import logging
import os
import sys
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import ndcg_score
from smclarify.bias.report import (
    FacetColumn,
    LabelColumn,
    StageType,
    bias_report,
    label_value_or_threshold,
)

# smclarify logs a traceback for every metric it cannot compute; that is expected here.
logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")

SITES = ["plant_a", "plant_b", "plant_c", "plant_d"]


def base_frame(rng, n):
    """Sensor-flavoured data: a site facet, numeric features, a 0/1 label and an imperfect prediction."""
    site = rng.choice(SITES, n, p=[0.4, 0.3, 0.2, 0.1])
    temp = rng.normal(60, 8, n).round(3)
    rpm = rng.normal(1500, 50, n).round(2)
    age = rng.integers(18, 80, n)
    shift = rng.integers(0, 3, n)
    risk = 0.03 * (temp - 60) + 0.02 * (age - 45) + np.where(site == "plant_b", 0.6, 0.0)
    label = (risk + rng.normal(0, 0.8, n) > 0.3).astype(int)
    score = 1 / (1 + np.exp(-(risk + rng.normal(0, 0.5, n))))
    pred = (score > 0.5).astype(int)
    return pd.DataFrame(
        {
            "site": site,
            "temp_c": temp,
            "rpm": rpm,
            "age": age,
            "shift": shift,
            "failed": label,
            "pred": pred,
            "score": score.round(6),
            "score_pred": np.clip(score + rng.normal(0, 0.1, n), 0, 1).round(6),
        }
    )


def cases():
    """(name, frame, config) for every case; configs are Clarify analysis configs."""
    methods_all = {"pre_training_bias": {"methods": "all"}, "post_training_bias": {"methods": "all"}}
    numeric = ["temp_c", "rpm", "age", "shift", "failed", "pred"]
    for seed in range(4):
        rng = np.random.default_rng(seed)
        df = base_frame(rng, 300 + 100 * seed)
        yield f"binary_facet_s{seed}", df[["site"] + numeric], {
            "headers": ["site"] + numeric,
            "label": "failed",
            "label_values_or_threshold": [1],
            "facet": [{"name_or_index": "site", "value_or_threshold": ["plant_b"]}],
            "predicted_label": "pred",
            "group_variable": "shift",
            "excluded_columns": [],
            "methods": methods_all,
        }
        # No facet value: one report per site; the site column is text, so FT must be computed on the
        # remaining numeric columns only (site is the facet and is dropped).
        yield f"one_vs_all_s{seed}", df[["site"] + numeric], {
            "label": 5,
            "label_values_or_threshold": [1],
            "facet": [{"name_or_index": 0}],
            "predicted_label": "pred",
            "group_variable": "shift",
            "methods": methods_all,
        }
        yield f"multi_value_facet_s{seed}", df[["site"] + numeric], {
            "headers": ["site"] + numeric,
            "label": "failed",
            "label_values_or_threshold": ["1"],
            "facet": [{"name_or_index": "site", "value_or_threshold": ["plant_a", "plant_c"]}],
            "predicted_label": "pred",
            "methods": methods_all,
        }
        # Continuous facet (age, integers with many distinct values) with a threshold, continuous label
        # (score, float) with a threshold; the predictions are floats too.
        yield f"continuous_s{seed}", df[["temp_c", "rpm", "age", "shift", "score", "score_pred"]], {
            "headers": ["temp_c", "rpm", "age", "shift", "score", "score_pred"],
            "label": "score",
            "label_values_or_threshold": [0.55],
            "facet": [{"name_or_index": "age", "value_or_threshold": [40]}, {"name_or_index": "temp_c", "value_or_threshold": ["62.5"]}],
            "predicted_label": "score_pred",
            "group_variable": "shift",
            "methods": methods_all,
        }
        # Text labels and two facets; site stays a (text) feature for the shift facet, so FT errors there.
        text = df[["site", "temp_c", "shift", "failed", "pred"]].copy()
        text["failed"] = np.where(text["failed"] == 1, "yes", "no")
        text["pred"] = np.where(text["pred"] == 1, "yes", "no")
        yield f"text_labels_s{seed}", text, {
            "label": "failed",
            "label_values_or_threshold": ["yes"],
            "facet": [{"name_or_index": "shift", "value_or_threshold": [0]}, {"name_or_index": "site", "value_or_threshold": ["plant_d"]}],
            "predicted_label": "pred",
            "group_variable": "site",
            "methods": {"pre_training_bias": {"methods": ["CI", "DPL", "KL", "CDDL"]}, "post_training_bias": {"methods": ["DI", "FT", "TE", "CDDPL"]}},
        }
    rng = np.random.default_rng(99)
    small = base_frame(rng, 40)[["temp_c", "age", "failed", "pred"]]
    # 40 rows of 0/1: the label counts as continuous and [1] selects nothing (spec §4.1 trap).
    yield "forty_row_trap", small, {
        "label": "failed",
        "label_values_or_threshold": [1],
        "facet": [{"name_or_index": "age", "value_or_threshold": [50]}],
        "methods": {"pre_training_bias": {"methods": "all"}},
    }
    df = base_frame(np.random.default_rng(7), 250)[["site", "temp_c", "shift", "failed", "pred"]]
    yield "facet_value_never_occurs", df, {
        "label": "failed",
        "label_values_or_threshold": [1],
        "facet": [{"name_or_index": "site", "value_or_threshold": ["plant_z"]}],
        "predicted_label": "pred",
        "group_variable": "shift",
        "methods": methods_all,
    }
    single = df.copy()
    single["failed"] = 0
    yield "single_class_label", single, {
        "label": "failed",
        "label_values_or_threshold": [1],
        "facet": [{"name_or_index": "site", "value_or_threshold": ["plant_b"]}],
        "predicted_label": "pred",
        "group_variable": "shift",
        "methods": methods_all,
    }
    yield "one_row", df.head(1), {
        "label": "failed",
        "label_values_or_threshold": [int(df["failed"].iloc[0])],
        "facet": [{"name_or_index": "site", "value_or_threshold": [df["site"].iloc[0]]}],
        "predicted_label": "pred",
        "methods": methods_all,
    }
    yield "one_row_pre_training", df.head(1), {
        "label": "failed",
        "label_values_or_threshold": [1],
        "facet": [{"name_or_index": "site"}],
        "methods": {"pre_training_bias": {"methods": "all"}},
    }
    typed = df.copy()
    typed["alarm"] = typed["temp_c"] > 62
    # Values of another type than the column: "1" for an integer facet, 1.0 for an integer label, true for
    # a boolean facet; a boolean column is also a numeric feature for FT.
    yield "converted_values", typed, {
        "label": "failed",
        "label_values_or_threshold": [1.0],
        "facet": [{"name_or_index": "shift", "value_or_threshold": ["1"]}, {"name_or_index": "alarm", "value_or_threshold": [True]}],
        "predicted_label": "pred",
        "group_variable": "shift",
        "excluded_columns": ["site"],
        "methods": methods_all,
    }
    gaps = df.copy()
    gaps.loc[gaps.index[::17], "temp_c"] = np.nan
    yield "missing_features", gaps, {
        "label": "failed",
        "label_values_or_threshold": [1],
        "facet": [{"name_or_index": "site", "value_or_threshold": ["plant_b"]}],
        "predicted_label": "pred",
        "excluded_columns": ["shift"],
        "methods": {"post_training_bias": {"methods": ["FT", "DPPL"]}},
    }
    all_negative = df.copy()
    all_negative["pred"] = 0
    yield "no_positive_prediction", all_negative, {
        "label": "failed",
        "label_values_or_threshold": [1],
        "facet": [{"name_or_index": "site", "value_or_threshold": ["plant_b"]}],
        "predicted_label": "pred",
        "methods": methods_all,
    }


def column_name(frame, ref):
    return frame.columns[ref] if isinstance(ref, int) else ref


def analysis(frame, config):
    """The analysis.json of `frame` under `config`, from smclarify."""
    label = column_name(frame, config["label"])
    values = config["label_values_or_threshold"]
    pred = column_name(frame, config["predicted_label"]) if "predicted_label" in config else None
    group = column_name(frame, config["group_variable"]) if "group_variable" in config else None
    excluded = [column_name(frame, c) for c in config.get("excluded_columns", [])]
    features = frame.drop(columns=excluded)
    out = {"version": "1.0"}
    stages = [
        ("pre_training_bias_metrics", "pre_training_bias", StageType.PRE_TRAINING),
        ("post_training_bias_metrics", "post_training_bias", StageType.POST_TRAINING),
    ]
    for key, section, stage in stages:
        if section not in config["methods"]:
            continue
        methods = config["methods"][section]["methods"]
        methods = ["all"] if methods == "all" else methods
        facets = {}
        for facet in config["facet"]:
            name = column_name(frame, facet["name_or_index"])
            facets[name] = bias_report(
                features,
                FacetColumn(name, copy.deepcopy(facet.get("value_or_threshold"))),
                LabelColumn(label, frame[label], copy.deepcopy(values)),
                stage,
                LabelColumn(pred, frame[pred], copy.deepcopy(values)) if pred else None,
                methods,
                group_variable=frame[group] if group else None,
            )
        out[key] = {
            "label": label,
            "label_value_or_threshold": label_value_or_threshold(frame[label], copy.deepcopy(values)),
            "facets": facets,
        }
    return out


def write_case(out_dir, name, frame, config):
    case_dir = os.path.join(out_dir, name)
    os.makedirs(case_dir, exist_ok=True)
    config = {"dataset_type": "text/csv", **config}
    headers = config.get("headers")
    frame.to_csv(os.path.join(case_dir, "dataset.csv"), index=False, header=headers is None)
    # Read back exactly as a Clarify job does, so both sides see the same parsed values.
    path = os.path.join(case_dir, "dataset.csv")
    parsed = pd.read_csv(path, header=None, names=headers) if headers else pd.read_csv(path)
    try:
        expected = analysis(parsed, config)
    except Exception as exc:  # smclarify raised for the whole report
        expected = {"error": str(exc)}
    with open(os.path.join(case_dir, "analysis_config.json"), "w") as f:
        json.dump(config, f, indent=1)
    with open(os.path.join(case_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def ndcg_cases():
    rng = np.random.default_rng(5)
    out = []
    for m in (3, 5, 8, 20):
        for _ in range(5):
            names = [f"f{i}" for i in range(m)]
            base = rng.gamma(2.0, 0.05, m)
            live = np.abs(base + rng.normal(0, 0.04, m))
            out.append(
                {
                    "baseline": dict(zip(names, base.tolist())),
                    "current": dict(zip(names, live.tolist())),
                    "ndcg": float(ndcg_score([base], [live])),
                }
            )
    return out


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    names = []
    for name, frame, config in cases():
        write_case(out_dir, name, frame, config)
        names.append(name)
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(names, f)
    with open(os.path.join(out_dir, "ndcg.json"), "w") as f:
        json.dump(ndcg_cases(), f)


if __name__ == "__main__":
    main()
