"""Demo: the studio's skills and fifteen freelancers in ten countries and eleven time zones."""

from __future__ import annotations

from sourcewise.accounts.models import User
from sourcewise.core.access import FREELANCER
from sourcewise.talent.models import Freelancer, FreelancerSkill, Skill
from sourcewise.workspaces.models import Membership

SKILLS = {
    "design": ("Graphic design", "Layouts, brand assets, print and digital."),
    "illustration": ("Illustration", "Custom drawings for campaigns and products."),
    "webdev": ("Web development", "Websites and landing pages (HTML, CSS, WordPress, Django)."),
    "copy": ("Copywriting", "Web, ad and blog copy in English."),
    "seo": ("SEO", "Search audits, keyword research, on-page fixes."),
    "social": ("Social media", "Scheduling, community replies, reporting."),
    "support": ("Customer support", "Inbox and chat support for clients."),
    "bookkeeping": ("Bookkeeping", "Invoices, reconciliations, VAT preparation."),
    "video": ("Video editing", "Short-form edits for campaigns."),
    "ppc": ("PPC advertising", "Google and Meta ad campaigns."),
    "strategy": ("Brand strategy", "Positioning and creative direction — the studio's core."),
}

# key: (name, country, time zone, {skill: level}, has a portal login)
FREELANCERS = {
    "priya": ("Priya Sharma", "IN", "Asia/Kolkata", {"webdev": 5, "seo": 3}, True),
    "arjun": ("Arjun Thapa", "NP", "Asia/Kathmandu", {"illustration": 4}, False),
    "maria": ("Maria Santos", "PH", "Asia/Manila", {"support": 4, "social": 3, "bookkeeping": 2}, True),
    "tomasz": ("Tomasz Nowak", "PL", "Europe/Warsaw", {"webdev": 4}, False),
    "lucia": ("Lucía Fernández", "AR", "America/Argentina/Buenos_Aires", {"design": 5, "illustration": 3}, True),
    "amani": ("Amani Otieno", "KE", "Africa/Nairobi", {"bookkeeping": 4}, False),
    "sofia": ("Sofia Rossi", "PT", "Europe/Lisbon", {"copy": 5, "seo": 4}, False),
    "daniel": ("Daniel Reyes", "MX", "America/Mexico_City", {"video": 4}, False),
    "olena": ("Olena Kovalenko", "UA", "Europe/Kyiv", {"design": 4, "webdev": 3}, False),
    "an": ("Nguyen Van An", "VN", "Asia/Ho_Chi_Minh", {"video": 3}, False),
    "chloe": ("Chloé Martin", "CA", "America/Toronto", {"copy": 4, "social": 4}, False),
    "kwame": ("Kwame Mensah", "GH", "Africa/Accra", {"bookkeeping": 3}, False),
    "ana": ("Ana Popescu", "RO", "Europe/Bucharest", {"ppc": 4}, False),
    "james": ("James Walker", "AU", "Australia/Adelaide", {"seo": 3}, False),
    "emily": ("Emily Brooks", "GB", "Europe/London", {"copy": 3}, False),
}


def build(ctx) -> None:  # type: ignore[no-untyped-def]
    workspace = ctx.workspace
    for key, (name, description) in SKILLS.items():
        ctx.skills[key] = Skill.objects.create(workspace=workspace, name=name, description=description)
    for key, (name, country, zone, skills, has_login) in FREELANCERS.items():
        email = ctx.email(key.replace(" ", ""))
        user = None
        if has_login:
            user = User.objects.create_user(email, ctx.password, full_name=name)
            Membership.objects.create(user=user, workspace=workspace, role=FREELANCER)
            ctx.logins.append((FREELANCER, name, email))
        freelancer = Freelancer(workspace=workspace, name=name, email=email, country=country, timezone=zone, user=user)
        freelancer.full_clean()
        freelancer.save()
        FreelancerSkill.objects.bulk_create(
            FreelancerSkill(freelancer=freelancer, skill=ctx.skills[s], level=lvl) for s, lvl in skills.items()
        )
        ctx.freelancers[key] = freelancer
