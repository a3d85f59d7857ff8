"""Matching engine against its issue-3 targets: scoring from profiles plus certified solve, and
the objective gap against dense `scipy.optimize.linear_sum_assignment` on the slot-expanded
matrix (the exact reference), in the same run on the same instances.

Shape of every instance: mentors = half the mentees, ~5% forbidden pairs (random), capacity 2
or 3 per mentor ("spare") or 2 per mentor, as many places as mentees ("tight"). Scoring is
part of every solve figure: `ScoreModel` builds the feature columns from the profiles and the
solver scores blocks of rows as it goes (the whole matrix is never held above 10,000).

Run: .venv/bin/python benchmarks/matching.py [SIZES ...] [csv]   (default: 1000 and csv; the
issue's figures: 1000 10000 50000 100000 csv, about 6 minutes with the references at 10,000;
csv times `trellis match` on a 2,000-person CSV end to end)
Prints `name value unit target ok|MISSED` lines; exits 1 when a target is missed.
"""

import csv
import gc
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from trellis.matching import Criterion, Profile, assign
from trellis.matching.factors import ScoreModel

SKILLS = [f"skill{k}" for k in range(40)]
DEPARTMENTS = ["Sales", "Data", "Platform", "Finance", "People", "Legal", "Design", "Support"]
LANGUAGES = ["en", "fr", "de", "es", "pl"]
WORDS = [
    "growth",
    "leadership",
    "negotiation",
    "python",
    "cloud",
    "data",
    "product",
    "design",
    "hiring",
    "budget",
]
CONFIG = [
    Criterion("skills", 3),
    Criterion("seniority", 1),
    Criterion("department", 1),
    Criterion("time_zone", 1),
    Criterion("language", 1),
    Criterion("text", 1),
]
# (size, mode) -> seconds for scoring plus certified solve
TARGETS = {
    (1_000, "spare"): 0.025,
    (10_000, "spare"): 1.0,
    (10_000, "spare-fair"): 2.0,
    (10_000, "tight"): 2.0,
    (50_000, "spare"): 20.0,
    (100_000, "spare"): 30.0,
}
# MiB of peak resident memory added by scoring plus solve (the profiles and the mask of
# forbidden pairs are the input, held before and after)
MEMORY_TARGETS = {50_000: 1024.0, 100_000: 1536.0}
DENSE_UP_TO = 10_000  # the dense mask and the exact reference run up to this size
lines: list[tuple[str, float, str, str, bool]] = []


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


class PeakMemory:
    """Peak resident memory added by a block of code, C++ allocations (OR-Tools) included:
    resets the kernel's high-water mark (clear_refs 5) and reads VmHWM - VmRSS before."""

    def __enter__(self) -> "PeakMemory":
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")
        self.before = _status_kib("VmRSS")
        return self

    def __exit__(self, *exc: object) -> None:
        self.mib = (_status_kib("VmHWM") - self.before) / 1024


def report(name: str, value: float, unit: str, target: str, ok: bool) -> None:
    lines.append((name, value, unit, target, ok))
    print(f"{name} {value:.6g} {unit} {target} {'ok' if ok else 'MISSED'}", flush=True)


def people(rng: np.random.Generator, count: int, prefix: str, mentor: bool) -> list[Profile]:
    out = []
    for k in range(count):
        chosen = rng.choice(len(SKILLS), 4, replace=False)
        out.append(
            Profile(
                id=f"{prefix}{k}",
                department=DEPARTMENTS[rng.integers(len(DEPARTMENTS))],
                level=float(rng.integers(3, 9) if mentor else rng.integers(1, 6)),
                utc_offset=float(rng.choice([-8, -5, 0, 1, 2, 5.5, 8])),
                languages=frozenset(rng.choice(LANGUAGES, 2, replace=False).tolist()),
                skills_offered=frozenset(SKILLS[c] for c in chosen) if mentor else frozenset(),
                skills_sought=frozenset() if mentor else frozenset(SKILLS[c] for c in chosen[:2]),
                text=" ".join(rng.choice(WORDS, 5).tolist()),
                capacity=int(rng.integers(2, 4)),
            )
        )
    return out


def forbidden_five_percent(
    rng: np.random.Generator, n: int, m: int
) -> np.ndarray | Callable[[np.ndarray], np.ndarray]:
    """~5% of pairs forbidden at random: a dense mask up to DENSE_UP_TO mentees, above that
    the same kind of mask packed 8 pairs to a byte and unpacked block by block."""
    if n <= DENSE_UP_TO:
        return rng.random((n, m), dtype=np.float32) >= 0.05
    packed = np.empty((n, (m + 7) // 8), dtype=np.uint8)
    for start in range(0, n, 2_000):
        rows = rng.random((min(2_000, n - start), m), dtype=np.float32) >= 0.05
        packed[start : start + rows.shape[0]] = np.packbits(rows, axis=1)

    def allowed(rows: np.ndarray) -> np.ndarray:
        return np.unpackbits(packed[rows], axis=1, count=m).view(bool)

    return allowed


def reference(scores: np.ndarray, capacity: np.ndarray, allowed: np.ndarray) -> float:
    """Exact (count, total) by dense LSA: slot expansion, a matched bonus, unmatched columns."""
    n = scores.shape[0]
    owner = np.repeat(np.arange(capacity.size), capacity)
    bonus = n + 1.0
    cost = np.where(allowed[:, owner], -(bonus + scores[:, owner]), 0.0)
    cost = np.concatenate([cost, np.zeros((n, n))], axis=1)
    row, col = linear_sum_assignment(cost)
    real = (col < owner.size) & allowed[row, owner[np.minimum(col, owner.size - 1)]]
    return math.fsum(scores[row[real], owner[col[real]]])


def score_and_solve(mentees, mentors, capacity, allowed, fairness, dtype):
    model = ScoreModel(mentees, mentors, CONFIG, dtype=dtype)
    return model, assign(model, capacity, allowed=allowed, fairness=fairness)


def run(size: int) -> None:
    rng = np.random.default_rng(size)
    mentees = people(rng, size, "e", mentor=False)
    mentors = people(rng, size // 2, "r", mentor=True)
    n, m = len(mentees), len(mentors)
    allowed = forbidden_five_percent(rng, n, m)
    # float64 where the dense reference checks the gap; float32 halves time and memory above
    dtype = np.float64 if size <= 1_000 else np.float32
    # best of several where a run takes seconds: this machine's speed swings by a third from
    # one minute to the next (50,000 and 100,000 take minutes and run once)
    repeats = 5 if size <= 1_000 else 3 if size <= DENSE_UP_TO else 1

    with PeakMemory() as memory:
        start = time.perf_counter()
        model = ScoreModel(mentees, mentors, CONFIG, dtype=dtype)
        for _ in model.blocks():
            pass
        scoring = time.perf_counter() - start
    report(f"score_{size}x{m}", scoring, "s", "-", True)
    report(f"score_memory_{size}x{m}", memory.mib, "MiB", "-", True)
    dense = model.dense() if size <= DENSE_UP_TO else None
    del model

    modes = ["spare", "spare-fair", "tight"] if size <= DENSE_UP_TO else ["spare"]
    for mode in modes:
        capacity = np.full(m, 2) if mode == "tight" else rng.integers(2, 4, m)
        fairness = mode.endswith("fair")
        times = []
        for _ in range(repeats):
            with PeakMemory() as memory:
                start = time.perf_counter()
                _, result = score_and_solve(mentees, mentors, capacity, allowed, fairness, dtype)
                times.append(time.perf_counter() - start)
        elapsed = min(times)
        target = TARGETS.get((size, mode))
        report(
            f"score_and_solve_{mode}_{size}x{m}_{result.method}",
            elapsed,
            "s",
            f"<{target:g}" if target else "-",
            target is None or elapsed < target,
        )
        report(f"certified_{mode}_{size}", float(result.certified), "bool", "=1", result.certified)
        if size in MEMORY_TARGETS:
            limit = MEMORY_TARGETS[size]
            report(f"memory_{mode}_{size}", memory.mib, "MiB", f"<{limit:g}", memory.mib < limit)
        if dense is not None and not fairness:
            start = time.perf_counter()
            want = reference(dense, capacity, allowed)
            reference_time = time.perf_counter() - start
            gap = abs(result.total - want) / max(abs(want), 1.0)
            report(f"gap_{mode}_{size}", gap, "relative", "<=1e-9", gap <= 1e-9)
            ratio = reference_time / elapsed
            needed = 20.0 if (mode == "tight" and size >= 10_000) else 1.0
            report(f"speedup_{mode}_{size}", ratio, "x", f">={needed:g}", ratio >= needed)


CSV_PEOPLE = 2_000
CSV_TARGET = 2.0
ZONES = {
    "London": "Europe/London",
    "Berlin": "Europe/Berlin",
    "New York": "America/New_York",
    "San Francisco": "America/Los_Angeles",
    "Bangalore": "Asia/Kolkata",
    "Singapore": "Asia/Singapore",
}
TOPICS = [
    "negotiation",
    "public speaking",
    "stakeholder management",
    "python",
    "sql",
    "system design",
    "people management",
    "budgeting",
    "hiring",
    "product strategy",
    "career planning",
    "storytelling",
]


def write_people_csv(path: Path, count: int) -> None:
    """A realistic program export: 1/3 mentors, managers among them, every documented column."""
    rng = np.random.default_rng(count)
    header = [
        "role",
        "id",
        "name",
        "email",
        "department",
        "title",
        "level",
        "hire_date",
        "location",
        "time_zone",
        "languages",
        "skills_offered",
        "skills_sought",
        "goals",
        "manager_id",
        "capacity",
        "exclude_ids",
        "about",
    ]
    n_mentors = count // 3
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for k in range(count):
            mentor = k < n_mentors
            city = str(rng.choice(list(ZONES)))
            topics = rng.choice(TOPICS, 4, replace=False).tolist()
            manager = f"P{rng.integers(0, max(k, 1))}" if k and rng.random() < 0.7 else ""
            writer.writerow(
                [
                    "mentor" if mentor else "mentee",
                    f"P{k}",
                    f"Person {k}",
                    f"person{k}@example.com",
                    DEPARTMENTS[rng.integers(len(DEPARTMENTS))],
                    "Manager" if mentor else "Specialist",
                    f"L{rng.integers(5, 10) if mentor else rng.integers(2, 7)}",
                    f"{rng.integers(2008, 2026)}-0{rng.integers(1, 10)}-1{rng.integers(0, 9)}",
                    city,
                    ZONES[city],
                    ";".join(rng.choice(["English", "French", "German", "Hindi"], 2).tolist()),
                    ";".join(topics) if mentor else "",
                    "" if mentor else ";".join(topics[:2]),
                    "" if mentor else topics[2],
                    manager,
                    str(rng.integers(1, 4)) if mentor else "",
                    "",
                    " ".join(rng.choice(WORDS, 6).tolist()),
                ]
            )


def run_csv_command() -> None:
    """`trellis match` end to end (a new process: start-up, reading, scoring, solving,
    explaining every pair, writing), best of three."""
    command = Path(sys.executable).with_name("trellis")
    with tempfile.TemporaryDirectory() as folder:
        people, pairs = Path(folder) / "people.csv", Path(folder) / "pairs.csv"
        write_people_csv(people, CSV_PEOPLE)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(
                [str(command), "match", str(people), "--out", str(pairs)],
                check=True,
                capture_output=True,
                env={**os.environ, "PYTHONWARNINGS": "ignore"},
            )
            times.append(time.perf_counter() - start)
        with pairs.open(encoding="utf-8") as written:
            rows = sum(1 for _ in written) - 1
    best = min(times)
    name = f"trellis_match_csv_{CSV_PEOPLE}_people"
    report(name, best, "s", f"<{CSV_TARGET:g}", best < CSV_TARGET)
    mentees = CSV_PEOPLE - CSV_PEOPLE // 3
    report("trellis_match_csv_rows", rows, "rows", f"={mentees}", rows == mentees)


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv if a != "csv"] if argv else [1_000]
    for size in sizes:
        run(size)
    if not argv or "csv" in argv:
        run_csv_command()
    return 0 if all(ok for *_, ok in lines) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
