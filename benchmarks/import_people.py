"""Time the directory import of a 10,000-person HRIS file on a fresh SQLite database.

Run from the repository root: `.venv/bin/python benchmarks/import_people.py [--rows N]`.
Prints one line per figure (`name  value  unit  target  ok|MISSED`) and exits 1 when a target is
missed or the import does not behave (a re-import of the same file must change nothing).
"""

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

TARGET_SECONDS = 10.0

FIRST_NAMES = [
    "Ada", "Amara", "Bjorn", "Chen", "Dara", "Elif", "Farah", "Giulia", "Hiro", "Ines", "Jamal",
    "Kofi", "Lena", "Mateo", "Nadia", "Oren", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma",
    "Viktor", "Wen", "Yara", "Zoltan", "Zoë", "José", "Siobhán", "Łukasz",
]  # fmt: skip
LAST_NAMES = [
    "Okafor", "Lindqvist", "Nakamura", "García", "Müller", "O'Brien", "Rossi", "Kowalski",
    "Haddad", "Singh", "Dubois", "Andersen", "Moreau", "Costa", "Novak", "Ivanova", "Kim",
    "Mensah", "Fischer", "Silva", "Tanaka", "Byrne", "Petrov", "Yilmaz", "Van der Berg",
]  # fmt: skip
DEPARTMENTS = [
    "Engineering", "Product", "Design", "Sales", "Marketing", "Finance", "People", "Legal",
    "Customer Success", "Operations", "Data", "Security",
]  # fmt: skip
LOCATIONS = [
    ("London", "Europe/London"), ("Paris", "Europe/Paris"), ("Berlin", "Europe/Berlin"),
    ("New York", "America/New_York"), ("Toronto", "America/Toronto"),
    ("São Paulo", "America/Sao_Paulo"), ("Lagos", "Africa/Lagos"), ("Bangalore", "Asia/Kolkata"),
    ("Singapore", "Asia/Singapore"), ("Sydney", "Australia/Sydney"),
]  # fmt: skip
TITLES = [
    "Software Engineer", "Senior Software Engineer", "Product Manager", "Designer", "Analyst",
    "Account Executive", "Recruiter", "Counsel", "Support Specialist", "Data Scientist",
]  # fmt: skip
SKILLS = [
    "Python", "Django", "SQL", "Product management", "Stakeholder management", "Public speaking",
    "Negotiation", "Coaching", "Data analysis", "Machine learning", "UX research", "Figma",
    "Go", "Kubernetes", "Accounting", "Contract law", "Hiring", "Writing", "Leadership",
    "Customer discovery", "Security engineering", "Budgeting", "Excel", "Strategy",
]  # fmt: skip
LANGUAGES = ["English", "French", "German", "Spanish", "Portuguese", "Hindi", "Japanese", "Yoruba"]


def people_csv(rows: int, seed: int = 2026) -> str:
    """A deterministic HRIS export: a tree of managers named by id or email, realistic values."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["Employee ID", "Work Email", "First Name", "Last Name", "Job Title", "Department",
         "Office", "Time Zone", "Start Date", "Manager", "Grade", "Skills", "Languages"]
    )  # fmt: skip
    for n in range(rows):
        employee_id = f"E{n + 1:06d}"
        email = f"person.{n + 1}@example.com"
        if n == 0:
            manager = ""
        else:
            # Each person reports to someone earlier in the file: a tree about six levels deep.
            boss = rng.randrange(max(0, n // 8 - 1), n) if n > 8 else 0
            manager = f"E{boss + 1:06d}" if rng.random() < 0.8 else f"person.{boss + 1}@example.com"
        office, zone = rng.choice(LOCATIONS)
        writer.writerow(
            [
                employee_id,
                email,
                rng.choice(FIRST_NAMES),
                rng.choice(LAST_NAMES),
                rng.choice(TITLES),
                rng.choice(DEPARTMENTS),
                office,
                zone,
                f"{rng.randint(2005, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                manager,
                f"L{rng.randint(1, 9)}",
                ";".join(rng.sample(SKILLS, rng.randint(0, 5))),
                ";".join(rng.sample(LANGUAGES, rng.randint(1, 3))),
            ]
        )
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="trellis-bench-")
    os.environ["TRELLIS_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)  # the target is set for SQLite
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-not-for-production-0123456789")
    os.environ["DJANGO_SETTINGS_MODULE"] = "trellis.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command

    from trellis.people.importing import import_people
    from trellis.people.models import Person

    call_command("migrate", verbosity=0)
    text = people_csv(args.rows)

    figures: list[tuple[str, float]] = []
    start = time.perf_counter()
    first = import_people(text)
    figures.append((f"import_people_{args.rows}_rows", time.perf_counter() - start))
    start = time.perf_counter()
    second = import_people(text)
    figures.append((f"reimport_people_{args.rows}_rows_unchanged", time.perf_counter() - start))

    ok = True
    for name, seconds in figures:
        met = seconds < TARGET_SECONDS
        ok &= met
        print(f"{name}  {seconds:.2f}  s  target<{TARGET_SECONDS:g}  {'ok' if met else 'MISSED'}")
    people = Person.objects.count()
    if first.errors or len(first.created) != args.rows or people != args.rows:
        print(f"first import: {first.summary_line()}; {people} people in the directory")
        ok = False
    if second.has_changes or second.errors:
        print(f"re-import changed something: {second.summary_line()}")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
