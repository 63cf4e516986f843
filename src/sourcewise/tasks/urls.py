from django.urls import path

from sourcewise.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="task_list"),
    path("new/", views.task_create, name="task_create"),
    path("map/", views.outsourcing_map_view, name="outsourcing_map"),
    path("export.csv", views.task_export, name="task_export"),
    path("import/", views.task_import, name="task_import"),
    path("<int:pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("<int:pk>/assess/", views.task_assess, name="task_assess"),
    path("<int:pk>/deliverables/", views.deliverable_add, name="deliverable_add"),
    path("<int:pk>/template/", views.task_apply_template, name="task_apply_template"),
    path("<int:pk>/archive/", views.task_archive, name="task_archive"),
    path("deliverables/<int:pk>/edit/", views.deliverable_edit, name="deliverable_edit"),
    path("deliverables/<int:pk>/delete/", views.deliverable_delete, name="deliverable_delete"),
]
