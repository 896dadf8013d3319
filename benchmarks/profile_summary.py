"""Summarise a py-spy raw (collapsed-stack) profile written by http_throughput.py --profile-dir.

    .venv/bin/python benchmarks/profile_summary.py DIR/covernote-postgresql-quote.txt [--top 30] [--match covernote]

Prints, for the sampled server threads, the share of samples in which each function is on the stack
(inclusive) and at the top of the stack (self), optionally only for frames whose file matches --match.
With --layers it prints instead where the time goes by layer: each sample is charged to the layer of the
innermost frame that belongs to one (the standard library's frames are charged to their caller).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")

# (layer, test on the frame's file), the first that matches wins.
LAYERS: list[tuple[str, str]] = [
    ("server: uvicorn, h11/httptools, the event loop, threads", r"(uvicorn|h11|httptools|uvloop|anyio|granian)/"),
    ("framework: FastAPI and Starlette (routing, dependencies, middleware)", r"(fastapi|starlette)/"),
    ("Pydantic: request validation, response validation and JSON", r"pydantic(_core)?/"),
    ("SQLAlchemy and the database driver", r"(sqlalchemy|psycopg|sqlite3)/"),
    ("Covernote: store (rows to and from records)", r"covernote/(.*/)?store(/|\.py)"),
    ("Covernote: domain and kernel (rating, terms, money)", r"covernote/((.*/)?domain(/|\.py)|kernel/)"),
    ("Covernote: routes", r"covernote/((.*/)?api(/|\.py)|api/)"),
    ("Covernote: use cases, views and the rest", r"covernote/"),
]
# py-spy names the standard library's files by their path below lib/python3.x (asyncio/runners.py, json/encoder.py).
STDLIB = re.compile(r"^(<|/usr/lib/python|.*/lib/python3\.\d+/(?!site-packages))|^(asyncio|json|re|concurrent|"
                    r"logging|email|http|urllib|importlib|collections|encodings|unittest|xml)/|^[a-z_]+\.py$")


def layer_of(frames: list[str]) -> str:
    for raw in reversed(frames):
        m = FRAME.match(raw)
        file = "" if m is None else m["file"]
        if not file or STDLIB.match(file):
            continue
        for name, pattern in LAYERS:
            if re.search(pattern, file):
                return name
        return "other libraries"
    return "standard library only (asyncio's loop, threads waiting)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", type=Path)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--match", default="", help="only list frames whose file contains this")
    ap.add_argument("--layers", action="store_true", help="where the time goes by layer")
    args = ap.parse_args()
    if args.layers:
        layers: Counter[str] = Counter()
        for line in args.path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                layers[layer_of(stack.split(";"))] += int(count)
        total = sum(layers.values()) or 1
        print(f"{total} samples")
        for name, n in layers.most_common():
            print(f"  {100 * n / total:5.1f}%  {name}")
        return
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
