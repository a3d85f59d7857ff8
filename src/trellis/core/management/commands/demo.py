"""`trellis demo`: migrate, seed the demo organisation, then run the web server and a task worker.

For trying Trellis on one machine, so it refuses to run without DEBUG. The web server
(`runserver`) and the task worker (`db_worker`) run as two child processes of this one, which
stops both on Ctrl-C or SIGTERM, stops the worker when the web server exits, and says so when the
worker dies on its own.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from trellis.core.demo import (
    ORGANISATION_NAME,
    DemoSeedError,
    demo_organisation_exists,
    describe_credentials,
    seed_demo_organisation,
)
from trellis.core.demo_programs import seed_demo_programs
from trellis.people.models import Department, Location, Person
from trellis.programs.models import Program

from .seed_demo import NEEDS_DEBUG

STOP_TIMEOUT = 10  # seconds a child gets to finish its work before it is killed
POLL_INTERVAL = 0.5
WORKER_ARGUMENTS = ["db_worker", "--no-reload", "--queue-name", "*", "--no-startup-delay"]
# Besides SIGINT (Ctrl-C), which Python already turns into KeyboardInterrupt.
STOP_SIGNALS = [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


class Command(BaseCommand):
    help = (
        "Run Trellis with the Northwind Labs demo organisation: migrate, seed it if absent, then "
        "start the web server and a task worker. Development only (DEBUG=1)."
    )
    requires_migrations_checks = False  # it migrates first

    def add_arguments(self, parser):
        parser.add_argument(
            "--addrport",
            default="127.0.0.1:8000",
            help="address and port of the web server (default 127.0.0.1:8000)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start a task worker (run `trellis worker` yourself)",
        )

    def handle(self, *args, addrport: str, no_worker: bool, **options):
        if not settings.DEBUG:
            raise CommandError(NEEDS_DEBUG, returncode=2)
        self.stdout.write("Preparing the database...")
        call_command("migrate", interactive=False, verbosity=0)
        existed = demo_organisation_exists()
        if not existed:
            self.stdout.write(f"Creating the {ORGANISATION_NAME} demo organisation...")
        started = time.perf_counter()
        try:
            credentials = seed_demo_organisation()
        except DemoSeedError as error:
            raise CommandError(str(error), returncode=2) from error
        if existed:
            self.stdout.write(f"Using the {ORGANISATION_NAME} demo organisation already there.")
        else:
            self.stdout.write(f"Created it in {time.perf_counter() - started:.1f} s.")
        self.seed_programs()
        self.stdout.write(self.banner(addrport, credentials, with_worker=not no_worker))
        self.stdout.flush()
        # The children open their own connections; SQLite must not see this one held open.
        connections.close_all()
        code = self.supervise(addrport, with_worker=not no_worker)
        if code:
            raise CommandError(f"The web server stopped with exit code {code}.", returncode=1)

    def seed_programs(self) -> None:
        if Program.objects.exists():
            return
        self.stdout.write("Creating the demo programs and their registrations...")
        started = time.perf_counter()
        programs = seed_demo_programs()
        registrations = sum(program.participants.count() for program in programs)
        self.stdout.write(
            f"Created {len(programs)} programs with {registrations:,} registrations in "
            f"{time.perf_counter() - started:.1f} s."
        )

    def pair_lines(self) -> list[str]:
        from trellis.core.demo_history import PILOT_NAME
        from trellis.core.demo_programs import demo_pair_emails

        pair = demo_pair_emails()
        if pair is None:
            return []
        return [
            f"  A buddy pair        {pair[0]} (mentee) and {pair[1]} (mentor):",
            "                      meetings, ratings, goals and a check-in waiting for them",
            "  Reports             as the program manager: Reports, then the year-old",
            f'                      "{PILOT_NAME}" (outcomes, ROI, printable summary)',
        ]

    def banner(self, addrport: str, credentials, *, with_worker: bool) -> str:
        people = Person.objects.active().count()
        departments = Department.objects.count()
        locations = Location.objects.count()
        worker = (
            "A task worker runs alongside the web server."
            if with_worker
            else "No task worker: run `trellis worker` in another terminal for background work."
        )
        return "\n".join(
            (
                "",
                f"Trellis demo: {ORGANISATION_NAME}, {people:,} people in {departments} "
                f"departments and {locations} locations.",
                "",
                f"  Open {display_url(addrport)} and sign in as one of:",
                describe_credentials(credentials),
                *self.pair_lines(),
                "",
                f"{worker} Press Ctrl-C to stop.",
                "",
            )
        )

    def supervise(self, addrport: str, *, with_worker: bool) -> int:
        """Run the web server (and the worker) until the server exits or we are told to stop."""
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        children: list[subprocess.Popen] = []
        previous = {signum: signal.signal(signum, _interrupt) for signum in STOP_SIGNALS}
        try:
            worker = None
            if with_worker:
                worker = _start(WORKER_ARGUMENTS, env)
                children.append(worker)
            web = _start(["runserver", addrport, "--noreload"], env)
            children.append(web)
            while web.poll() is None:
                if worker is not None and worker.poll() is not None:
                    self.stderr.write(
                        f"The task worker stopped unexpectedly (exit code {worker.returncode}); "
                        "its output is above. Background work such as notification emails waits "
                        "until a worker runs again: start one with `trellis worker` in another "
                        "terminal, or restart `trellis demo`."
                    )
                    worker = None
                time.sleep(POLL_INTERVAL)
            return web.returncode
        except KeyboardInterrupt:
            self.stdout.write("\nStopping the web server and the task worker...")
            return 0
        finally:
            # A second Ctrl-C must not abandon the children half-stopped.
            previous[signal.SIGINT] = signal.getsignal(signal.SIGINT)
            for signum in previous:
                signal.signal(signum, signal.SIG_IGN)
            _stop(children)
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def display_url(addrport: str) -> str:
    host, _, port = addrport.rpartition(":")
    if host in ("", "0", "0.0.0.0", "[::]"):  # noqa: S104 (recognising it, not binding to it)
        host = "127.0.0.1"
    return f"http://{host}:{port}/"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _start(arguments: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (our own interpreter and fixed arguments)
        [sys.executable, "-m", "trellis", *arguments],
        env=env,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )


def _die_with_parent() -> None:
    """Linux: should this process be killed outright (SIGKILL), the kernel sends SIGTERM on."""
    import ctypes

    pr_set_pdeathsig = 1
    # Without the call (an unusual libc) the child merely outlives a killed parent.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
