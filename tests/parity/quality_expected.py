"""Reference values for twinpipe-quality's parity test (crates/quality/tests/parity.rs).

Reads the generated data the Rust test writes (a JSON file) and prints, as JSON, what the reference
implementations compute on it: numpy / math.fsum for the column statistics, scipy for the two-sample KS
statistic, its asymptotic p-value (scipy.special.kolmogorov), the Wasserstein distance and the chi-squared
goodness-of-fit test, scikit-learn for every model-quality metric. The Rust results must match to 1e-9.

Two things here are ports of the spec rather than third-party code, because no reference library exists
in Python: the KLL sketch (quality-monitoring.md 2.4, Deequ's QuantileNonSample, written independently of
the Rust port from the spec's text) and the chi-squared regrouping of small categories (2.7.3). The
subsampling of the standard deviations follows 3.3 with the documented SplitMix64 / partial Fisher-Yates
draw, so both sides evaluate the metrics on the very same subsamples.

Where the reference is ill-defined, the Rust side documents its choice and the comparison follows it:
* precision_recall_curve appends a final (precision 1, recall 0) point that belongs to no threshold: dropped,
  and the rest reversed to descending thresholds;
* roc_curve / roc_auc_score with a single class: undefined (nan, or an error): Rust writes "NaN";
* precision with no predicted positive, recall with no actual positive: sklearn's zero_division=0;
* r2_score with fewer than two samples: nan.

Usage: python quality_expected.py INPUT.json
"""

import json
import math
import sys

import numpy as np
import scipy
import sklearn
from scipy import special, stats
from sklearn import metrics as skm

M64 = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & M64

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)


def subsamples(n, seed):
    if n < 200:
        return []
    k = round(0.8 * n)
    rng = SplitMix64(seed)
    out = []
    for _ in range(5):
        idx = list(range(n))
        for i in range(k):
            j = i + rng.next() % (n - i)
            idx[i], idx[j] = idx[j], idx[i]
        out.append(idx[:k])
    return out


def with_std(fn, arrays, subs):
    value = fn(*arrays)
    if not subs:
        return [value, None]
    vals = [fn(*[a[s] for a in arrays]) for s in subs]
    return [value, float(np.std(vals, ddof=1))]


# --- KLL sketch, from the spec's text -------------------------------------------------------------
class Kll:
    def __init__(self, k=2048, c=0.64):
        self.k, self.c = k, c
        self.levels = []  # [items, num_compress, offset]
        self.total = 0
        self.expand()

    def capacity(self, h):
        return 2 * (math.ceil(self.k * self.c**h / 2) + 1)

    def expand(self):
        self.levels.append([[], 0, 0])
        self.total = sum(self.capacity(h) for h in range(len(self.levels)))

    def actual(self):
        return sum(len(l[0]) for l in self.levels)

    def insert(self, x):
        self.levels[0][0].append(x)
        if self.actual() > self.total:
            self.condense()

    def condense(self):
        for h in range(len(self.levels)):
            if len(self.levels[h][0]) >= self.capacity(h):
                if h + 1 >= len(self.levels):
                    self.expand()
                items, nc, off = self.levels[h]
                n = len(items)
                even = n - n % 2
                if nc % 2 == 1:
                    off = 1 - off
                s = sorted(items[:even])
                out = s[off:even:2]
                self.levels[h] = [[items[-1]] if n % 2 == 1 else [], nc + 1, off]
                self.levels[h + 1][0].extend(out)
                return


def column_statistics(values):
    v = np.asarray(values, dtype=np.float64)
    lo, hi = float(v.min()), float(v.max())
    buckets = []
    for i in range(10):
        lower = lo + (hi - lo) * i / 10.0
        upper = lo + (hi - lo) * (i + 1) / 10.0
        inside = (v >= lower) & ((v <= upper) if i == 9 else (v < upper))
        buckets.append([lower, upper, int(inside.sum())])
    s = math.fsum(values)
    return {
        "count": len(values),
        "sum": s,
        "mean": s / len(values),
        "std_dev": float(np.std(v)),  # ddof=0: the population standard deviation
        "min": lo,
        "max": hi,
        "buckets": buckets,
    }


def regroup(expected, observed):
    """quality-monitoring.md 2.7.3 step 2, ties by category name."""
    expected, observed = dict(expected), dict(observed)
    while len(expected) >= 2:
        k = len(expected)
        threshold, max_below = (5.0, int(0.2 * k)) if k > 2 else (10.0, 0)
        if sum(1 for e in expected.values() if e < threshold) <= max_below:
            break
        smallest = min(sorted(expected), key=lambda c: expected[c])
        e_min, o_min = expected.pop(smallest), observed.pop(smallest, 0.0)
        nxt = min(sorted(expected), key=lambda c: expected[c])
        expected[nxt] += e_min
        observed[nxt] = observed.get(nxt, 0.0) + o_min
    return expected, observed


def chi_squared(baseline, current):
    sample_sum = sum(v for k, v in current.items() if k in baseline)
    total = sum(baseline.values())
    expected = {k: v / total * sample_sum for k, v in baseline.items()}
    observed = {k: float(current.get(k, 0.0)) for k in baseline}
    expected, observed = regroup(expected, observed)
    keys = sorted(expected)
    f_obs = np.array([observed.get(k, 0.0) for k in keys])
    f_exp = np.array([expected[k] for k in keys])
    f_exp = f_exp * f_obs.sum() / f_exp.sum()
    r = stats.chisquare(f_obs, f_exp)
    return {"statistic": float(r.statistic), "p_value": float(r.pvalue), "df": len(keys) - 1}


def binary_metrics(y, yhat, prob, subs):
    def confusion(y, p):
        tn, fp, fn, tp = skm.confusion_matrix(y, p, labels=[0, 1]).ravel()
        return tn, fp, fn, tp

    def rate(a, b):
        return a / b if b else 0.0

    fns = {
        "accuracy": lambda y, p: skm.accuracy_score(y, p),
        "precision": lambda y, p: skm.precision_score(y, p, zero_division=0),
        "recall": lambda y, p: skm.recall_score(y, p, zero_division=0),
        "true_positive_rate": lambda y, p: skm.recall_score(y, p, zero_division=0),
        "true_negative_rate": lambda y, p: rate(confusion(y, p)[0], confusion(y, p)[0] + confusion(y, p)[1]),
        "false_positive_rate": lambda y, p: rate(confusion(y, p)[1], confusion(y, p)[1] + confusion(y, p)[0]),
        "false_negative_rate": lambda y, p: rate(confusion(y, p)[2], confusion(y, p)[2] + confusion(y, p)[3]),
        "f0_5": lambda y, p: skm.fbeta_score(y, p, beta=0.5, zero_division=0),
        "f1": lambda y, p: skm.f1_score(y, p, zero_division=0),
        "f2": lambda y, p: skm.fbeta_score(y, p, beta=2, zero_division=0),
    }
    out = {name: with_std(fn, (y, yhat), subs) for name, fn in fns.items()}
    for name in ["recall", "precision", "accuracy", "f0_5", "f1", "f2"]:
        fn = fns[name]
        out[name + "_best_constant_classifier"] = with_std(lambda y: fn(y, np.ones_like(y)), (y,), subs)
    out["auc"] = with_std(lambda y, p: skm.roc_auc_score(y, p), (y, prob), subs)
    fpr, tpr, _ = skm.roc_curve(y, prob, drop_intermediate=False)
    precision, recall, _ = skm.precision_recall_curve(y, prob, drop_intermediate=False)
    tn, fp, fn, tp = confusion(y, yhat)
    return {
        "scalars": out,
        "confusion_matrix": {"0": {"0": int(tn), "1": int(fp)}, "1": {"0": int(fn), "1": int(tp)}},
        "roc": [fpr.tolist(), tpr.tolist()],
        "pr": [precision[:-1][::-1].tolist(), recall[:-1][::-1].tolist()],
    }


def multiclass_metrics(y, yhat, subs):
    labels = sorted(set(y) | set(yhat))

    def weighted(kind, beta=1.0):
        def fn(y, p):
            p_, r_, f_, _ = skm.precision_recall_fscore_support(
                y, p, beta=beta, average="weighted", zero_division=0, labels=sorted(set(y) | set(p))
            )
            return {"precision": p_, "recall": r_, "f": f_}[kind]

        return fn

    fns = {
        "accuracy": lambda y, p: skm.accuracy_score(y, p),
        "weighted_recall": weighted("recall"),
        "weighted_precision": weighted("precision"),
        "weighted_f0_5": weighted("f", 0.5),
        "weighted_f1": weighted("f", 1.0),
        "weighted_f2": weighted("f", 2.0),
    }
    out = {name: with_std(fn, (y, yhat), subs) for name, fn in fns.items()}
    values, counts = np.unique(y, return_counts=True)  # sorted labels: argmax picks the smallest on ties
    constant = values[int(np.argmax(counts))]
    for name, fn in fns.items():
        out[name + "_best_constant_classifier"] = with_std(
            lambda y: fn(y, np.full_like(y, constant)), (y,), subs
        )
    cm = skm.confusion_matrix(y, yhat, labels=labels)
    matrix = {a: {p: int(cm[i][j]) for j, p in enumerate(labels)} for i, a in enumerate(labels)}
    return {"scalars": out, "confusion_matrix": matrix}


def regression_metrics(y, yhat, subs):
    fns = {
        "mae": skm.mean_absolute_error,
        "mse": skm.mean_squared_error,
        "rmse": lambda y, p: math.sqrt(skm.mean_squared_error(y, p)),
        "r2": skm.r2_score,
    }
    return {"scalars": {name: with_std(fn, (y, yhat), subs) for name, fn in fns.items()}}


def main():
    data = json.load(open(sys.argv[1]))
    seed = data["seed"]
    base, cur = data["numeric"]["baseline"], data["numeric"]["current"]
    en = len(base) * len(cur) / (len(base) + len(cur))
    ks = stats.ks_2samp(base, cur)
    kll = Kll()
    for x in data["kll_stream"]:
        kll.insert(x)
    cat_b, cat_c = data["categorical"]["baseline"], data["categorical"]["current"]
    nb, mc = sum(cat_b.values()), sum(cat_c.values())
    linf = max(abs(cat_c.get(k, 0) / mc - cat_b.get(k, 0) / nb) for k in set(cat_b) | set(cat_c))
    reg, bi, mu = data["regression"], data["binary"], data["multiclass"]
    y_reg, yhat_reg = np.array(reg["y"]), np.array(reg["yhat"])
    y_bin, yhat_bin, p_bin = np.array(bi["y"]), np.array(bi["yhat"]), np.array(bi["prob"])
    y_mc, yhat_mc = np.array(mu["y"]), np.array(mu["yhat"])
    print(
        json.dumps(
            {
                "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__},
                "statistics": column_statistics(base),
                "ks_statistic": float(ks.statistic),
                "ks_p_value_asymptotic": float(special.kolmogorov(math.sqrt(en) * ks.statistic)),
                "wasserstein": float(stats.wasserstein_distance(base, cur)),
                "kll_levels": [level[0] for level in kll.levels],
                "categorical_linf": linf,
                "chi_squared": chi_squared(cat_b, cat_c),
                "regression": regression_metrics(y_reg, yhat_reg, subsamples(len(y_reg), seed)),
                "binary": binary_metrics(y_bin, yhat_bin, p_bin, subsamples(len(y_bin), seed)),
                "multiclass": multiclass_metrics(y_mc, yhat_mc, subsamples(len(y_mc), seed)),
            }
        )
    )


if __name__ == "__main__":
    main()
