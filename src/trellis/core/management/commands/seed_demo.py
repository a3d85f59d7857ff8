"""`trellis seed-demo`: create the Northwind Labs demo organisation and print its sign-in."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from trellis.core.demo import (
    DEFAULT_SEED,
    DEFAULT_SIZE,
    DemoSeedError,
    demo_organisation_exists,
    describe_credentials,
    seed_demo_organisation,
)
from trellis.core.demo_programs import seed_demo_programs
from trellis.programs.models import Program

NEEDS_DEBUG = (
    "The demo creates fictional people and accounts that share a published password, so it runs "
    "only in development: set DEBUG=1, and keep its data apart from real data (its own "
    "TRELLIS_DATA_DIR or DATABASE_URL)."
)


class Command(BaseCommand):
    help = "Seed the demo organisation (Northwind Labs) into an empty database; print the sign-in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size", type=int, default=DEFAULT_SIZE, help="number of people (default 1200)"
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed; the same seed, same data"
        )

    def handle(self, *args, size: int, seed: int, **options):
        if not settings.DEBUG:
            raise CommandError(NEEDS_DEBUG, returncode=2)
        if demo_organisation_exists():
            self.stdout.write("The demo organisation is already there; nothing to do.")
            credentials = seed_demo_organisation(size, seed)
        else:
            started = time.perf_counter()
            try:
                credentials = seed_demo_organisation(size, seed)
            except (DemoSeedError, ValueError) as error:
                raise CommandError(str(error), returncode=2) from error
            self.stdout.write(
                f"Seeded the demo organisation ({size} people, seed {seed}) "
                f"in {time.perf_counter() - started:.1f} s."
            )
        if not Program.objects.exists():
            started = time.perf_counter()
            programs = seed_demo_programs(seed)
            self.stdout.write(
                f"Seeded {len(programs)} demo programs in {time.perf_counter() - started:.1f} s."
            )
        self.stdout.write("Sign in with:")
        self.stdout.write(describe_credentials(credentials))
