"""Starting points for common tasks: deliverables with acceptance criteria and a checkpoint cadence.

A newcomer picks one and gets a task that is ready to outsource in a minute; every
value stays editable afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TaskTemplate:
    key: str
    name: str
    description: str
    frequency: str
    hours: Decimal
    checkpoint_every_days: int
    deliverables: tuple[tuple[str, str], ...]  # (name, acceptance criteria)
    # (skill name, level needed 1–5): linked to the task, created in the workspace when missing
    skills: tuple[tuple[str, int], ...] = ()


TEMPLATES: dict[str, TaskTemplate] = {
    t.key: t
    for t in (
        TaskTemplate(
            "bookkeeping",
            "Bookkeeping",
            "Record invoices and expenses, reconcile the bank, prepare VAT/sales-tax figures.",
            "recurring",
            Decimal("12"),
            7,
            (
                (
                    "Monthly reconciliation",
                    "Every bank line of the month is matched to a receipt or invoice; unmatched lines are listed "
                    "with a question; delivered by the 5th working day.",
                ),
                (
                    "VAT / sales-tax workpaper",
                    "Figures tie to the ledger to the cent; every adjustment is explained in one line; "
                    "delivered 10 days before the filing deadline.",
                ),
            ),
            skills=(("Bookkeeping", 3), ("Bank reconciliation", 3), ("Sales tax / VAT", 2)),
        ),
        TaskTemplate(
            "social_media",
            "Social media scheduling",
            "Plan, write and schedule posts; answer comments; report what worked.",
            "recurring",
            Decimal("20"),
            7,
            (
                (
                    "Weekly content calendar",
                    "Posts for the next week drafted in the shared calendar by Thursday, each with copy, image and "
                    "channel; follows the brand voice guide; no post goes live without approval.",
                ),
                (
                    "Monthly performance report",
                    "Reach, engagement and clicks per channel versus last month, the three best posts and one "
                    "recommendation; one page.",
                ),
            ),
            skills=(("Social media", 3), ("Copywriting", 2)),
        ),
        TaskTemplate(
            "customer_support",
            "Customer support inbox",
            "First answers to customer emails and chats within business hours.",
            "recurring",
            Decimal("40"),
            7,
            (
                (
                    "Answered tickets",
                    "First reply within 4 business hours; answers follow the macros and tone guide; anything about "
                    "refunds, legal or key clients is escalated, never answered alone.",
                ),
                (
                    "Weekly support summary",
                    "Number of tickets, median first-reply time, top five topics and any unhappy customers named.",
                ),
            ),
            skills=(("Customer support", 3), ("Written communication", 3)),
        ),
        TaskTemplate(
            "web_development",
            "Website development",
            "Build or change pages of the website.",
            "one_off",
            Decimal("60"),
            7,
            (
                (
                    "Staging site",
                    "All agreed pages live on a staging address; matches the approved design on phone and desktop; "
                    "no console errors; loads in under 3 seconds.",
                ),
                (
                    "Launch and handover",
                    "Site live on the production domain; source code and admin logins handed over to you; "
                    "a one-page guide to updating content.",
                ),
            ),
            skills=(("Web development", 4), ("HTML & CSS", 3)),
        ),
        TaskTemplate(
            "graphic_design",
            "Graphic design",
            "Layouts, social images, print pieces and brand assets.",
            "recurring",
            Decimal("16"),
            7,
            (
                (
                    "Design drafts",
                    "Two options per brief within 3 working days, using the brand colours and fonts; one round of "
                    "changes included.",
                ),
                (
                    "Final files",
                    "Editable source files plus PNG/PDF exports in the agreed sizes, named by the naming guide, "
                    "in the shared folder.",
                ),
            ),
            skills=(("Graphic design", 3), ("Brand design", 2)),
        ),
        TaskTemplate(
            "copywriting",
            "Blog copywriting",
            "Articles for the blog that bring in search traffic.",
            "recurring",
            Decimal("16"),
            14,
            (
                (
                    "Article",
                    "800–1 200 words on the agreed brief and keyword; original (plagiarism check passed); "
                    "follows the style guide; one round of edits.",
                ),
            ),
            skills=(("Copywriting", 3), ("SEO", 2)),
        ),
        TaskTemplate(
            "data_entry",
            "Data entry",
            "Typing up forms, orders or product data into your systems.",
            "recurring",
            Decimal("10"),
            7,
            (
                (
                    "Entered records",
                    "Every record of the batch entered; a 5 % sample checked by you has no errors; "
                    "unreadable items listed, not guessed.",
                ),
            ),
            skills=(("Data entry", 2), ("Spreadsheets", 2)),
        ),
        TaskTemplate(
            "video_editing",
            "Video editing",
            "Short edits for social media and campaigns.",
            "recurring",
            Decimal("12"),
            7,
            (
                (
                    "Edited video",
                    "Cut to the agreed length and format; captions burned in; music licensed; delivered within "
                    "3 working days of the raw footage.",
                ),
            ),
            skills=(("Video editing", 3), ("Captioning", 2)),
        ),
    )
}


def template_choices() -> list[tuple[str, str]]:
    return [(t.key, t.name) for t in TEMPLATES.values()]
