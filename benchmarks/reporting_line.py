"""Reporting-line checks at 100,000 people: rebuild the materialised paths, then time
"is A in B's reporting line (either direction)" for random pairs loaded from the database.

Run: uv run python benchmarks/reporting_line.py   (DATABASE_URL selects PostgreSQL)
"""

import random
import sys
import time

from _django import report, setup_django

PEOPLE = 100_000
QUERIES = 5_000


def main() -> int:
    setup_django()
    from trellis.people.models import Person, is_in_reporting_line
    from trellis.people.selectors import reporting_line
    from trellis.people.services import rebuild_reporting_paths

    rng = random.Random(7)
    # A realistic tree: each person reports to someone earlier in the list, spans of about 7.
    managers = {1: None} | {i: rng.randrange(1, max(2, i // 7 + 1)) for i in range(2, PEOPLE + 1)}
    Person.objects.bulk_create(
        [
            Person(
                pk=i,
                employee_id=f"B{i:06d}",
                email=f"b{i}@bench.example",
                first_name="B",
                last_name=str(i),
                manager_id=managers[i],
            )
            for i in range(1, PEOPLE + 1)
        ],
        batch_size=5000,
    )
    ids = list(managers)

    start = time.perf_counter()
    rebuild_reporting_paths()
    rebuild = time.perf_counter() - start

    # Half the pairs are a person and someone up their chain, half are random people.
    def ancestor(person: int) -> int:
        chain = []
        while managers[person] is not None:
            person = managers[person]
            chain.append(person)
        return rng.choice(chain) if chain else person

    pairs = []
    for n in range(QUERIES):
        a = rng.choice(ids[1:])
        pairs.append((a, ancestor(a)) if n % 2 else (a, rng.choice(ids)))
    start = time.perf_counter()
    hits = 0
    for a_id, b_id in pairs:
        paths = dict(Person.objects.filter(pk__in=[a_id, b_id]).values_list("pk", "reporting_path"))
        hits += is_in_reporting_line(paths[a_id], paths[b_id])
    per_query_ms = (time.perf_counter() - start) / QUERIES * 1000

    top = Person.objects.get(pk=ids[1])
    start = time.perf_counter()
    line_size = reporting_line(top).count()
    subtree_ms = (time.perf_counter() - start) * 1000

    ok = all(
        [
            report("reporting_paths_rebuild_100000_people", rebuild, "s", 15),
            report("in_reporting_line_query_100000_people", per_query_ms, "ms", 5),
            report("reporting_line_of_senior_manager_100000_people", subtree_ms, "ms", 500),
        ]
    )
    print(
        f"# {hits} of {QUERIES} pairs share a reporting line; "
        f"a senior manager's line holds {line_size} people"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
