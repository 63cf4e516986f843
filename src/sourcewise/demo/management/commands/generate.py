from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sourcewise.demo.generate import generate


class Command(BaseCommand):
    help = "Generate a workspace full of synthetic data, for the speed benchmarks in bench/ (not the demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", default="Scale test")
        parser.add_argument("--freelancers", type=int, default=100_000)
        parser.add_argument("--tasks", type=int, default=500)
        parser.add_argument("--engagements", type=int, default=100_000)
        parser.add_argument(
            "--work",
            type=int,
            default=20_000,
            help="started engagements given milestones, checkpoint reviews, hours and some offboardings",
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--cost-entries", type=int, default=0, help="cost ledger entries (SPEC P2: 1000000)")
        parser.add_argument(
            "--audit-events",
            type=int,
            default=None,
            help="audit rows (default: two per freelancer, a busy year); with them SOPs, documents, pulses, "
            "training and portal logins (0: none of these)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()

        def progress(label: str, done: int, total: int) -> None:
            if label == "findings":  # the full refresh that stores the findings (slow at scale)
                self.stderr.write("  findings: computing…" if not done else "  findings: stored")
                return
            if sys.stderr.isatty() or done == total:
                self.stderr.write(f"\r  {label}: {done:,}/{total:,}", ending="\n" if done == total else "")

        result = generate(
            name=options["name"],
            freelancers=options["freelancers"],
            tasks=options["tasks"],
            engagements=options["engagements"],
            seed=options["seed"],
            audit_events=(
                options["audit_events"] if options["audit_events"] is not None else 2 * options["freelancers"]
            ),
            progress=progress,
            cost_entries=options["cost_entries"],
            work=options["work"],
        )
        counts = ", ".join(f"{n:,} {label}" for label, n in result.counts.items())
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.workspace.name} (#{result.workspace.pk}): {counts} in {elapsed:.1f} s."
            )
        )
