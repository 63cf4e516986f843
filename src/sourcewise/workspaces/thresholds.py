"""The guardrail thresholds of SPEC §2: default, meaning and guardrail of each.

The values live as fields on Workspace; this table is what the settings page shows
so every default is visible and explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Threshold:
    field: str
    guardrail: str
    label: str
    default: int | Decimal | str
    explanation: str


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(
        "checkpoint_max_days",
        "G1",
        "Longest checkpoint cadence (days)",
        14,
        "A task is only outsourceable when someone checks the work at least this often.",
    ),
    Threshold(
        "outsourcing_share_max_pct",
        "G1",
        "Largest outsourced share of task hours (%)",
        60,
        "Above this share of monthly task hours you are outsourcing the business itself.",
    ),
    Threshold(
        "manager_max_active_engagements",
        "G2",
        "Active engagements per manager",
        8,
        "A manager with more active engagements than this cannot manage them well.",
    ),
    Threshold(
        "min_tz_overlap_hours",
        "G3",
        "Minimum working-hours overlap (hours/day)",
        Decimal("2.0"),
        "Average daily overlap with your business hours over the next 28 days, daylight saving included.",
    ),
    Threshold(
        "min_language_level",
        "G3",
        "Minimum shared-language level (CEFR)",
        "B2",
        "A freelancer needs one of your working languages at this level or better.",
    ),
    Threshold(
        "fair_premium_pct",
        "G4",
        "Fair-pay premium over the local market (%)",
        10,
        "The fair floor is the local market rate plus this premium: pay to keep good people.",
    ),
    Threshold(
        "hidden_costs_after_days",
        "G5",
        "Days before overhead costs are expected",
        30,
        "An active engagement older than this with fees but no overhead entries is missing costs.",
    ),
    Threshold(
        "savings_shortfall_pct",
        "G5",
        "Savings shortfall alarm (% of expected)",
        50,
        "Warn when the actual saving over 90 days is below this share of the expected saving.",
    ),
    Threshold(
        "trial_max_hours",
        "G6",
        "Longest trial (hours)",
        20,
        "Start small: a first engagement is a trial of at most this many hours.",
    ),
    Threshold(
        "trial_max_days",
        "G6",
        "Longest trial (days)",
        14,
        "Start small: a first engagement is a trial of at most this many days.",
    ),
    Threshold(
        "trial_min_rating",
        "G6",
        "Trial rating needed for a full engagement (1–5)",
        3,
        "A full engagement needs a completed trial rated at least this.",
    ),
    Threshold(
        "min_references", "G7", "References needed for approval", 2, "Previous clients who vouch for the freelancer."
    ),
    Threshold(
        "min_reference_average",
        "G7",
        "Average reference rating needed (1–5)",
        Decimal("3.5"),
        "References below this average are weak.",
    ),
    Threshold(
        "bench_min_level",
        "G8",
        "Skill level that counts for the bench (1–5)",
        3,
        "Approved freelancers with the skill at this level or better can back each other up.",
    ),
    Threshold(
        "hhi_warning",
        "G8",
        "Spend concentration: warning level",
        1800,
        "How concentrated 90-day freelancer spend is, from 0 (spread thin) to 10 000 (one person gets it all); "
        "above this level one basket holds too many eggs. Computed as Σ share² × 10 000 "
        "(the Herfindahl–Hirschman index).",
    ),
    Threshold(
        "hhi_info",
        "G8",
        "Spend concentration: notice level",
        1000,
        "Between this and the warning level spend is moderately concentrated.",
    ),
    Threshold(
        "max_single_share_pct",
        "G8",
        "Largest share of spend for one freelancer (%)",
        50,
        "No single freelancer should receive more than this share of 90-day spend.",
    ),
    Threshold(
        "unhappy_pulse_max",
        "—",
        "Unhappy satisfaction pulse (1–5)",
        2,
        "A freelancer whose last two pulses average at or below this is unhappy.",
    ),
)
