from django.urls import path

from sourcewise.costs import views

app_name = "costs"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("post-fees/", views.post_fees, name="post_fees"),
    path("entries/", views.entry_list, name="entry_list"),
    path("entries/new/", views.entry_create, name="entry_create"),
    path("entries/import/", views.entry_import, name="entry_import"),
    path("entries/export/", views.entry_export, name="entry_export"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/new/", views.invoice_create, name="invoice_create"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/send/", views.invoice_send, name="invoice_send"),
    path("invoices/<int:pk>/paid/", views.invoice_paid, name="invoice_paid"),
    path("invoices/<int:pk>/delete/", views.invoice_delete, name="invoice_delete"),
    path("team/<int:pk>/cost/", views.member_cost, name="member_cost"),
]
