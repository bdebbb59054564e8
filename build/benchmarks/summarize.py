#!/usr/bin/env python3
"""Turns a build/benchmark.sh run (results.tsv, folders.tsv, meta.txt, layers.md) into markdown.

    summarize.py OUTPUT_DIR > results.md

Medians over the repetitions; ratios are ours / SDK of the medians. The goals are issue 5's. Groups (the
"group" column; rows without one are "default"): default (cold, republish, change), fleet (a fresh runner),
small (many small files), big (one big file); then the app layers each tool pushed on a cold publish, every
case side by side.
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
    values = [float(r[key]) for r in rows if r.get(key) not in (None, "")]
    return statistics.median(values) if values else None


def group_of(r):
    return r.get("group") or "default"


def layers_total(r):
    return sum(int(s) for s in (r.get("app_layers") or "").split(",") if s)


def median_layers(rows):
    totals = [layers_total(r) for r in rows]
    return statistics.median(totals) if totals else None


def mib(kib):
    return "?" if kib is None else f"{kib / 1024:.0f} MiB"


def secs(t):
    return "?" if t is None else f"{t:.2f} s"


def over(t, plain):
    return "?" if t is None or plain is None else f"{t - plain:+.2f} s"


def step_ratio(a, b, digits=2):
    """ours/SDK of two image steps (a publish minus its plain publish); n/a when the SDK's is not positive."""
    if a is None or b is None:
        return "?"
    if b <= 0:
        return "n/a (the SDK's step is not above the plain publish)"
    return f"{a / b:.{digits}f}x"


def maybe_ratio(a, b):
    return "?" if a is None or b is None else ratio(a, b)


def rid_text(case):
    return ("no RuntimeIdentifier (each tool's default)" if case == "portable"
            else f"ContainerRuntimeIdentifiers {case.replace('+', ';')} (one index, framework-dependent)" if "+" in case
            else f"-r {case} (framework-dependent)")


def main():
    out = sys.argv[1]
    meta = {}
    if os.path.exists(os.path.join(out, "meta.txt")):
        for line in open(os.path.join(out, "meta.txt")):
            k, _, v = line.rstrip("\n").partition("=")
            meta[k] = v
    all_results = read_tsv(os.path.join(out, "results.tsv"))
    results = [r for r in all_results if group_of(r) == "default"]
    folders = read_tsv(os.path.join(out, "folders.tsv"))

    p = print
    p(f"Run {meta.get('run_id', '?')} on {meta.get('date', '?')}: {meta.get('cores', '?')} cores "
      f"({meta.get('cpu', '?')}), {meta.get('memory_gib', '?')} GiB, {meta.get('os', '?')}, "
      f".NET SDK {meta.get('sdk', '?')}. Containers.Build: {meta.get('source', '?')}, package {meta.get('package', '?')}. "
      f"{meta.get('reps', '?')} repetition(s), medians. Registry: {meta.get('registry', '?')}. "
      f"Whole run: {meta.get('elapsed_seconds', '?')} s.")
    p()
    loads = [float(r["load1"]) for r in all_results if r.get("load1")]
    busy = [float(r["busy"]) for r in all_results if r.get("busy")]
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
        p(f"### {app}, {rid_text(case)}")
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
        l_sdk, l_ours = median_layers(pick("sdk", "cold")), median_layers(pick("ours", "cold"))
        if l_sdk is not None and l_ours is not None:
            p(f"- in all (median): SDK {size(l_sdk)}, ours {size(l_ours)}: **{ratio(l_ours, l_sdk)}** ours/SDK")
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

    fleet(all_results, meta)
    scale(all_results, folders, meta)
    layer_sizes(all_results)

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


def cases_of(rows):
    cases = []
    for r in rows:
        key = (r["app"], r["case"])
        if key not in cases:
            cases.append(key)
    return cases


def fleet(all_results, meta):
    """Group "fleet": a fresh clone publishing to a repository that already holds its image."""
    p = print
    rows_all = [r for r in all_results if group_of(r) == "fleet"]
    for app, case in cases_of(rows_all):
        rows = [r for r in rows_all if r["app"] == app and r["case"] == case]
        pick = lambda tool, step: [r for r in rows if r["tool"] == tool and r["step"] == step]
        plain, sdk, ours = pick("plain", "plain-fresh"), pick("sdk", "fresh"), pick("ours", "fresh")
        if not (plain and sdk and ours):
            continue
        seeds = {r["tool"]: r["digest"] for r in rows if r["step"] == "seed"}
        p(f"### Fresh runner: {app}, {rid_text(case)}")
        p()
        p("The registry already holds each tool's image (its own repository, published once, untimed, from another "
          "clone). Each repetition publishes a fresh clone of the same commit (no `obj/` or `bin/`: restore, build, "
          "no layer cache; the SDK with an empty cache folder) to that repository; the baseline is a plain "
          f"`dotnet publish` of another fresh clone. {len(ours)} repetition(s), medians.")
        p()
        p("| fresh clone, registry already holds the image | wall | over plain publish | peak memory | uploaded | "
          "downloaded | manifest digest |")
        p("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        t_plain = median(plain, "seconds")
        p(f"| plain `dotnet publish` | {secs(t_plain)} | | {mib(median(plain, 'peak_kib'))} | | | |")
        for tool, name, rs in (("sdk", "SDK PublishContainer", sdk), ("ours", "ours PublishImage", ours)):
            same = sum(1 for r in rs if r["digest"] == seeds.get(tool))
            digest = (f"the image already there ({same} of {len(rs)})" if same == len(rs)
                      else f"new: {len(rs) - same} of {len(rs)} differ from the image already there")
            p(f"| {name} | {secs(median(rs, 'seconds'))} | {over(median(rs, 'seconds'), t_plain)} | "
              f"{mib(median(rs, 'peak_kib'))} | {size(median(rs, 'uploaded'))} | {size(median(rs, 'downloaded'))} | {digest} |")
        t_sdk, t_ours = median(sdk, "seconds"), median(ours, "seconds")
        p(f"| **ours/SDK** | **{ratio(t_ours, t_sdk)}** | **{step_ratio(t_ours - t_plain, t_sdk - t_plain)}** | "
          f"{maybe_ratio(median(ours, 'peak_kib'), median(sdk, 'peak_kib'))} | "
          f"{percent(median(ours, 'uploaded'), median(sdk, 'uploaded'))} | | |")
        p()
        p(f"The image step's cost over a plain publish of a fresh clone: SDK {over(t_sdk, t_plain)}, ours "
          f"{over(t_ours, t_plain)} (ours/SDK {step_ratio(t_ours - t_plain, t_sdk - t_plain)}). Uploaded by ours: "
          f"{size(median(ours, 'uploaded'))} ({'nothing, as it should be' if median(ours, 'uploaded') == 0 else 'NOT nothing'}).")
        p()
        printed = [r for r in ours if r.get("summary")][:1]
        if printed:
            p(f"<details><summary>What ours printed (fresh clone, repetition {printed[0]['rep']})</summary>")
            p()
            p(f"`{printed[0]['summary']}`")
            p()
            p("</details>")
            p()


def scale(all_results, folders, meta):
    """Groups "small" and "big": generated console apps, base dotnet/runtime:10.0."""
    p = print
    for group in ("small", "big"):
        rows = [r for r in all_results if group_of(r) == group]
        if not rows:
            continue
        app, case = rows[0]["app"], rows[0]["case"]
        pick = lambda tool, step: [r for r in rows if r["tool"] == tool and r["step"] == step]
        plain, sdk, cold, warm = pick("plain", "plain"), pick("sdk", "cold"), pick("ours", "cold"), pick("ours", "warm")
        if not (plain and sdk and cold):
            continue
        fold = [f for f in folders if f["app"] == app and f["case"] == case]
        if group == "small":
            p(f"### {int(meta.get('small_files', '0')):,} small files: {app}, -r {case}, base dotnet/runtime:10.0")
            p()
            p(f"A generated console app whose publish folder holds {int(meta.get('small_files', '0')):,} files of "
              f"{meta.get('small_file_bytes', '?').replace('-', '–')} bytes in {meta.get('small_folders', '?')} folders "
              "(`<None Include=\"content/**\" CopyToPublishDirectory=\"PreserveNewest\" />`), one copy per tool, "
              "published once untimed; the plain publish is incremental (the files are only checked). The SDK and ours "
              "with an empty layer cache (`obj/containers` removed) publish to a new repository each; ours with the "
              f"layer cache warm publishes again to that repository. {len(cold)} repetition(s), medians.")
        else:
            p(f"### One big file: {app}, -r {case}, base dotnet/runtime:10.0")
            p()
            p(f"A generated console app with one file of {int(meta.get('big_file_mb', '0')):,} MiB in its publish folder "
              "(1 MiB blocks, alternately pseudo-random and repeated text lines), published once untimed; the plain "
              "publish is incremental. Each tool publishes to a new repository with no layer cache (ours: "
              "`obj/containers` removed; the SDK: an empty cache folder). "
              f"{len(cold)} repetition(s), medians.")
        p()
        if fold:
            f = fold[0]
            p(f"Publish folder: {size(f['bytes'])} in {int(f['files']):,} files ({f['path']}).")
            p()
        t_plain = median(plain, "seconds")
        steps = [("plain `dotnet publish` (incremental)", plain),
                 ("SDK PublishContainer, new repository", sdk),
                 ("ours PublishImage, empty layer cache, new repository", cold)]
        if warm:
            steps.append(("ours PublishImage, layer cache warm, same repository", warm))
        p("| step | wall | image step (over plain publish) | peak memory | uploaded | app layers (compressed) |")
        p("| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, rs in steps:
            is_plain = rs is plain
            p(f"| {label} | {secs(median(rs, 'seconds'))} | {'' if is_plain else over(median(rs, 'seconds'), t_plain)} | "
              f"{mib(median(rs, 'peak_kib'))} | {'' if is_plain else size(median(rs, 'uploaded'))} | "
              f"{'' if is_plain else size(median_layers(rs))} |")
        p()
        t_sdk, m_sdk = median(sdk, "seconds"), median(sdk, "peak_kib")
        p("| ours/SDK | wall | image step | peak memory | uploaded | app layers |")
        p("| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, rs in (("ours, empty layer cache", cold), ("ours, layer cache warm", warm)):
            if not rs:
                continue
            t = median(rs, "seconds")
            p(f"| {label} | {ratio(t, t_sdk)} | **{step_ratio(t - t_plain, t_sdk - t_plain)}** | "
              f"**{maybe_ratio(median(rs, 'peak_kib'), m_sdk)}** | {percent(median(rs, 'uploaded'), median(sdk, 'uploaded'))} | "
              f"{ratio(median_layers(rs), median_layers(sdk))} |")
        p()


def layer_sizes(all_results):
    """The app layers each tool pushed on a cold publish (compressed, the base's layers left out), every case."""
    p = print
    lines = []
    for group, step in (("default", "cold"), ("small", "cold"), ("big", "cold")):
        rows = [r for r in all_results if group_of(r) == group and r["step"] == step]
        for app, case in cases_of(rows):
            sdk = [r for r in rows if r["app"] == app and r["case"] == case and r["tool"] == "sdk"]
            ours = [r for r in rows if r["app"] == app and r["case"] == case and r["tool"] == "ours"]
            if sdk and ours:
                l_sdk, l_ours = median_layers(sdk), median_layers(ours)
                n_sdk = statistics.median(len([s for s in r["app_layers"].split(",") if s]) for r in sdk)
                n_ours = statistics.median(len([s for s in r["app_layers"].split(",") if s]) for r in ours)
                lines.append(f"| {app}, {case if group == 'default' else case + ' (' + group + ' group)'} | "
                             f"{size(l_sdk)} ({n_sdk:.0f}) | {size(l_ours)} ({n_ours:.0f}) | **{ratio(l_ours, l_sdk, 3)}** |")
    if not lines:
        return
    p("### App layers against the SDK's (cold publish)")
    p()
    p("What each tool pushed on top of the base, compressed, in all (the pushed manifest's layers less the base "
      "image's; for an index, its first platform), median over the repetitions; the number of layers in brackets.")
    p()
    p("| case | SDK app layers | ours app layers | ours/SDK |")
    p("| --- | ---: | ---: | ---: |")
    for line in lines:
        p(line)
    p()


if __name__ == "__main__":
    main()
