#!/usr/bin/env bash
# Segmentation speed side by side: jieba-rs as shanzhi uses it (HMM off, the district's words
# added) against the jieba Python package with the same settings, on the same texts, in one run.
# Installs the reference (jieba 0.42.1 from PyPI) into a virtual environment under target/.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/bench-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet jieba==0.42.1
dump=$(mktemp -d)
trap 'rm -rf "$dump"' EXIT
SHANZHI_BENCH_DUMP="$dump" cargo bench -q -p shanzhi-text --bench text 2>/dev/null | grep -E "segmentation only|wrote"
"$venv/bin/python" - "$dump" <<'PY'
import sys, time, logging
import jieba
jieba.setLogLevel(logging.WARNING)
dump = sys.argv[1]
for word in open(f"{dump}/words.txt", encoding="utf-8").read().split("\n"):
    if word:
        jieba.add_word(word, freq=50000)
texts = open(f"{dump}/texts.txt", encoding="utf-8").read().split("\n")
jieba.lcut(texts[0], HMM=False)  # load the dictionary before timing
rounds = 3
started = time.perf_counter()
n = 0
for _ in range(rounds):
    for t in texts:
        n += len(jieba.lcut(t, HMM=False))
elapsed = time.perf_counter() - started
print(f"jieba (Python) segmentation only: {rounds * len(texts) / elapsed:.0f} records/s ({n})")
PY
