from django.urls import path

from sourcewise.money import views

app_name = "money"
urlpatterns = [
    path("", views.fair_band, name="fair_band"),
    path("fair-band/", views.fair_band_partial, name="fair_band_partial"),
    path("fair-band/engagement/", views.engagement_band, name="engagement_band"),
    path("exchange-rates/", views.rate_list, name="rate_list"),
    path("exchange-rates/new/", views.rate_create, name="rate_create"),
    path("exchange-rates/import/", views.rate_import, name="rate_import"),
    path("exchange-rates/<int:pk>/edit/", views.rate_edit, name="rate_edit"),
    path("exchange-rates/<int:pk>/delete/", views.rate_delete, name="rate_delete"),
    path("benchmarks/", views.benchmark_list, name="benchmark_list"),
    path("benchmarks/new/", views.benchmark_create, name="benchmark_create"),
    path("benchmarks/import/", views.benchmark_import, name="benchmark_import"),
    path("benchmarks/<int:pk>/edit/", views.benchmark_edit, name="benchmark_edit"),
    path("benchmarks/<int:pk>/delete/", views.benchmark_delete, name="benchmark_delete"),
]
