"""Summarise a py-spy raw (collapsed-stack) profile written by http_throughput.py --profile-dir.

    .venv/bin/python benchmarks/profile_summary.py DIR/covernote-postgresql-quote.txt [--top 30] [--match covernote]

Prints, for the sampled server threads, the share of samples in which each function is on the stack
(inclusive) and at the top of the stack (self), optionally only for frames whose file matches --match.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", type=Path)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--match", default="", help="only list frames whose file contains this")
    args = ap.parse_args()
    inclusive: Counter[str] = Counter()
    self_: Counter[str] = Counter()
    total = 0
    for line in args.path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():  # a line of py-spy's own output, not a stack
            continue
        n = int(count)
        total += n
        seen = set()
        frames = stack.split(";")
        for raw in frames:
            m = FRAME.match(raw)
            key = raw if m is None else f"{m['func']} ({m['file'].split('site-packages/')[-1].split('src/')[-1]})"
            if key not in seen:
                seen.add(key)
                inclusive[key] += n
        m = FRAME.match(frames[-1])
        self_[frames[-1] if m is None else f"{m['func']} ({m['file'].split('site-packages/')[-1].split('src/')[-1]})"] += n
    print(f"{total} samples")
    print("inclusive:")
    for key, n in inclusive.most_common():
        if args.match in key:
            print(f"  {100 * n / total:5.1f}%  {key}")
            args.top -= 1
            if args.top <= 0:
                break
    print("self (top 25):")
    for key, n in self_.most_common(25):
        print(f"  {100 * n / total:5.1f}%  {key}")


if __name__ == "__main__":
    main()
