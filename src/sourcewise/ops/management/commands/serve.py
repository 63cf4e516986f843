from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from sourcewise.accounts.models import User
from sourcewise.core.links import SERVE_URL_ENV, serve_url
from sourcewise.demo.builder import DEFAULT_DOMAIN, DEMO_PASSWORD
from sourcewise.ops.startup import recover
from sourcewise.workspaces.models import Membership


def demo_wanted(*, debug: bool, demo: bool, no_demo: bool) -> bool:
    """Whether `serve` loads the demo into an empty database.

    The demo's people have published passwords, so a production start (DEBUG off) never
    loads it unless asked with --demo; a local run (DEBUG on, `make run`) does unless told
    --no-demo.
    """
    if no_demo:
        return False
    return demo or debug


class Command(BaseCommand):
    help = "Migrate, load the demo into an empty database (DEBUG on, or --demo), and serve Sourcewise with gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        choice = parser.add_mutually_exclusive_group()
        choice.add_argument(
            "--demo",
            action="store_true",
            help="Load the demo into an empty database even with DEBUG off (its passwords are public).",
        )
        choice.add_argument("--no-demo", action="store_true", help="Do not load the demo, even with DEBUG on.")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Serve web requests only: the jobs stay queued in the database for `sourcewise worker` "
            "running on another host (scale-out: N app hosts, M workers).",
        )

    def prepare(self, *, demo: bool = False, no_demo: bool = False) -> None:
        """Everything before gunicorn starts: migrate, and the demo only when it is wanted."""
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        if demo_wanted(debug=settings.DEBUG, demo=demo, no_demo=no_demo):
            call_command("demo", if_empty=True, stdout=self.stdout)

    def handle(self, *args: Any, **options: Any) -> None:
        self.prepare(demo=options["demo"], no_demo=options["no_demo"])
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        demo_people = (
            Membership.objects.filter(user__email__iendswith=f"@{DEFAULT_DOMAIN}")
            .select_related("user")
            .order_by("role", "user__email")
        )
        url = f"http://{options['bind']}"
        # Emails sent outside a request (jobs, the worker) link to where this server listens.
        os.environ[SERVE_URL_ENV] = serve_url(options["bind"])
        self.stdout.write(self.style.SUCCESS(f"\nSourcewise is starting on {url}"))
        if demo_people:
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for membership in demo_people:
                self.stdout.write(f"  {membership.role:<10} {membership.user.email}")
        elif not User.objects.exists():
            self.stdout.write(f"Create your workspace at {url}/accounts/signup/")
        self.stdout.flush()
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "sourcewise.config.wsgi",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        if settings.SOURCEWISE_JOBS != "database":
            os.execvp(sys.executable, gunicorn)  # noqa: S606 (jobs run inside the requests: gunicorn alone)
        if options["no_worker"]:
            self.stdout.write("Background jobs are queued for `sourcewise worker` on another host.")
            self.stdout.flush()
            os.execvp(sys.executable, gunicorn)  # noqa: S606 (a web-only host: its jobs wait for a worker)
        recovered = recover()
        if recovered:
            self.stdout.write(f"Marked {recovered} interrupted background job(s) as failed.")
        self.stdout.write("Background jobs run in a worker beside the web server (`sourcewise worker`).")
        self.stdout.flush()
        sys.exit(run_beside_worker(gunicorn))


WORKER = [sys.executable, "-m", "sourcewise.cli", "worker"]


def run_beside_worker(web: list[str], worker_command: list[str] = WORKER) -> int:
    """Run the web server and the jobs worker together; when one stops, stop the other."""
    worker = subprocess.Popen(worker_command)
    server = subprocess.Popen(web)
    children = (server, worker)

    def forward(signum: int, frame: Any) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    return server.returncode or 0
