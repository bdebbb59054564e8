#!/usr/bin/env python3
"""Turns a build/benchmark.sh run (results.tsv, folders.tsv, meta.txt, layers.md) into markdown.

    summarize.py OUTPUT_DIR > results.md

Medians over the repetitions; ratios are ours / SDK of the medians. The goals are issue 5's.
"""
import csv
import os
import statistics
import sys

STEPS = [
    # step, label, plain baseline step, time goal (ours/SDK at most), bytes goal (ours/SDK at most)
    ("cold", "cold publish, empty repository", "plain", 0.6, None),
    ("republish", "republish, no change", "plain", 0.25, 0.0),
    ("change", "one-line code change", "plain-change", 0.35, 0.02),
]


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def size(n):
    n = float(n)
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    if n >= 1e3:
        return f"{n / 1e3:.1f} KB"
    return f"{n:.0f} B"


def ratio(a, b, digits=2):
    if b == 0:
        return "n/a" if a == 0 else "inf"
    return f"{a / b:.{digits}f}x"


def percent(a, b):
    if b == 0:
        return "n/a" if a == 0 else "inf"
    r = 100.0 * a / b
    return f"{r:.0f}%" if r >= 10 else f"{r:.2g}%"


def median(rows, key):
    values = [float(r[key]) for r in rows]
    return statistics.median(values) if values else None


def main():
    out = sys.argv[1]
    meta = {}
    if os.path.exists(os.path.join(out, "meta.txt")):
        for line in open(os.path.join(out, "meta.txt")):
            k, _, v = line.rstrip("\n").partition("=")
            meta[k] = v
    results = read_tsv(os.path.join(out, "results.tsv"))
    folders = read_tsv(os.path.join(out, "folders.tsv"))

    p = print
    p(f"Run {meta.get('run_id', '?')} on {meta.get('date', '?')}: {meta.get('cores', '?')} cores "
      f"({meta.get('cpu', '?')}), {meta.get('memory_gib', '?')} GiB, {meta.get('os', '?')}, "
      f".NET SDK {meta.get('sdk', '?')}. Containers.Build: {meta.get('source', '?')}, package {meta.get('package', '?')}. "
      f"{meta.get('reps', '?')} repetition(s), medians. Registry: {meta.get('registry', '?')}. "
      f"Whole run: {meta.get('elapsed_seconds', '?')} s.")
    p()
    loads = [float(r["load1"]) for r in results if r.get("load1")]
    busy = [float(r["busy"]) for r in results if r.get("busy")]
    if loads:
        line = (f"Before each publish, the 1-minute load average was {statistics.mean(loads):.2f} on average "
                f"(max {max(loads):.2f}) on {meta.get('cores', '?')} cores")
        if busy:
            line += (f", and other processes kept the CPU {statistics.mean(busy):.0f}% busy on average "
                     f"(max {max(busy):.0f}%) in the half second before")
        noisy = (statistics.mean(busy) > 20) if busy else statistics.mean(loads) > float(meta.get("cores", "2")) / 2
        p(line + "." + (" Something else was running: take the timings as rough." if noisy else ""))
    p()

    cases = []
    for r in results:
        key = (r["app"], r["case"])
        if key not in cases:
            cases.append(key)

    for app, case in cases:
        rows = [r for r in results if r["app"] == app and r["case"] == case]
        pick = lambda tool, step: [r for r in rows if r["tool"] == tool and r["step"] == step]
        rid = ("no RuntimeIdentifier (each tool's default)" if case == "portable"
               else f"ContainerRuntimeIdentifiers {case.replace('+', ';')} (one index, framework-dependent)" if "+" in case
               else f"-r {case} (framework-dependent)")
        p(f"### {app}, {rid}")
        p()
        fold = [f for f in folders if f["app"] == app and f["case"] == case]
        if fold:
            parts = []
            for tool, name in (("ours", "ours"), ("sdk", "SDK")):
                fs = [f for f in fold if f["tool"] == tool]
                if fs:
                    parts.append(f"{name}: {size(statistics.median(float(f['bytes']) for f in fs))} in "
                                 f"{int(statistics.median(int(f['files']) for f in fs))} files ({fs[0]['path'].split('/', 2)[-1]})")
            p("Publish folder: " + "; ".join(parts) + ".")
            p()
        p("| scenario | plain `dotnet publish` | SDK PublishContainer | ours PublishImage | ours/SDK time | "
          "over plain publish: SDK / ours | SDK uploaded | ours uploaded | ours/SDK bytes | goal (issue 5) |")
        p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for step, label, plain_step, time_goal, bytes_goal in STEPS:
            ours, sdk, plain = pick("ours", step), pick("sdk", step), pick("plain", plain_step)
            if not ours or not sdk:
                continue
            t_ours, t_sdk = median(ours, "seconds"), median(sdk, "seconds")
            b_ours, b_sdk = median(ours, "uploaded"), median(sdk, "uploaded")
            t_plain = median(plain, "seconds")
            checks = [f"time ≤ {time_goal}x: {'met' if t_ours <= time_goal * t_sdk else 'NOT met'}"]
            if bytes_goal == 0.0:
                checks.append(f"nothing uploaded: {'met' if b_ours == 0 else 'NOT met'}")
            elif bytes_goal is not None:
                checks.append(f"bytes ≤ {bytes_goal:.0%}: {'met' if b_ours <= bytes_goal * b_sdk else 'NOT met'}")
            p(f"| {label} | {t_plain:.2f} s | {t_sdk:.2f} s | {t_ours:.2f} s | **{ratio(t_ours, t_sdk)}** | "
              f"{t_sdk - t_plain:+.2f} s / {t_ours - t_plain:+.2f} s | "
              f"{size(b_sdk)} | {size(b_ours)} | **{percent(b_ours, b_sdk)}** | {'; '.join(checks)} |")
        p()
        # What each pushed on top of the base.
        p("App layers pushed on top of the base (compressed sizes, cold publish of each repetition):")
        p()
        for tool, name in (("sdk", "SDK"), ("ours", "ours")):
            layer_sets = [r["app_layers"] for r in pick(tool, "cold")]
            shown = "; ".join(" + ".join(size(s) for s in ls.split(",") if s) or "none" for ls in layer_sets)
            p(f"- {name}: {shown}")
        p()
        # Reproducibility.
        p("| reproducible? | SDK | ours |")
        p("| --- | --- | --- |")
        same_copy, across = {}, {}
        for tool in ("sdk", "ours"):
            cold = {r["rep"]: r["digest"] for r in pick(tool, "cold")}
            again = {r["rep"]: r["digest"] for r in pick(tool, "republish")}
            equal = sum(1 for rep in cold if again.get(rep) == cold[rep])
            same_copy[tool] = f"{'yes' if equal == len(cold) else 'no'} ({equal} of {len(cold)} repetitions)"
            distinct = len(set(cold.values()))
            across[tool] = (f"{'yes' if distinct == 1 else 'no'} ({distinct} distinct digest{'s' if distinct != 1 else ''} "
                            f"from {len(cold)} copies)")
        p(f"| same manifest digest, publish twice in one copy | {same_copy['sdk']} | {same_copy['ours']} |")
        p(f"| same manifest digest across copies (other path, other time) | {across['sdk']} | {across['ours']} |")
        inputs = {}
        for tool in ("sdk", "ours"):
            contents = [f.get("content") for f in fold if f["tool"] == tool and f.get("content")]
            if contents:
                distinct = len(set(contents))
                inputs[tool] = (f"{'yes' if distinct == 1 else 'no'} ({distinct} distinct content{'s' if distinct != 1 else ''} "
                                f"from {len(contents)} copies)")
        if inputs:
            p(f"| (the input) publish folder identical across copies | {inputs.get('sdk', '?')} | {inputs.get('ours', '?')} |")
        p()
        summaries = [r for r in rows if r["tool"] == "ours" and r.get("summary") and r["rep"] == "1"]
        if summaries:
            p("<details><summary>What ours printed (repetition 1)</summary>")
            p()
            for r in summaries:
                p(f"- {r['step']}: `{r['summary']}`")
            p()
            p("</details>")
            p()

    layers = os.path.join(out, "layers.md")
    if os.path.exists(layers) and os.path.getsize(layers) > 0:
        p("### Layer writing (BenchmarkDotNet, build/benchmarks/LayerWriting)")
        p()
        p("One gzipped tar of the whole publish folder per operation, file system cache warm. Goal (issue 5): "
          "LayerWriter at least 0.85x the throughput of the bare SharpZipLib tar + GZipStream(Fastest) pass, with "
          "memory that does not grow with the folder's size. 'Allocated in total' counts garbage too (BenchmarkDotNet's "
          "MemoryDiagnoser); the peaks are sampled every 5 ms during one more run of each method. "
          f"Load average (1, 5, 15 min) before it: {meta.get('load_before_layers', '?')}.")
        p()
        p(open(layers).read().rstrip())
        p()


if __name__ == "__main__":
    main()
