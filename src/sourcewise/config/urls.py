from django.urls import include, path

from sourcewise.api.urls import api_urls
from sourcewise.core import views as core_views
from sourcewise.engagements.dashboard import dashboard
from sourcewise.findings import urls as findings_urls
from sourcewise.talent import views as talent_views
from sourcewise.workspaces import signup_views

urlpatterns = [
    # First: an API request (the most frequent) is matched at once, not after every page's prefix.
    path("api/v1/", api_urls),
    path("", signup_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("lookups/options", core_views.lookup_options, name="lookup_options"),
    path("lookups/country-defaults", core_views.lookup_country_defaults, name="lookup_country_defaults"),
    path("accounts/", include("sourcewise.accounts.urls")),
    path("accounts/", include("sourcewise.workspaces.signup_urls")),
    path("workspaces/me/", talent_views.my_profile, name="my_profile"),
    path("workspaces/", include("sourcewise.workspaces.urls")),
    # The dashboard page is composed in engagements (findings' queue and the setup checklist)
    # and keeps its name, findings:dashboard, next to the findings pages.
    path(
        "dashboard/",
        include(([path("", dashboard, name="dashboard"), *findings_urls.urlpatterns], findings_urls.app_name)),
    ),
    path("talent/", include("sourcewise.talent.urls")),
    path("talent/", include("sourcewise.engagements.matching_urls")),
    path("tasks/", include("sourcewise.tasks.urls")),
    path("money/", include("sourcewise.money.urls")),
    path("guidance/", include("sourcewise.guidance.urls")),
    path("portal/", include("sourcewise.guidance.portal_urls")),
    path("engagements/", include("sourcewise.engagements.urls")),
    path("costs/", include("sourcewise.costs.urls")),
    path("audit/", include("sourcewise.workspaces.audit_urls")),
    path("backup/", include("sourcewise.backups.urls")),
    path("jobs/", include("sourcewise.jobs.urls")),
    path("", include("sourcewise.api.urls")),
]
