from django.urls import path

from klustera.operations import api, views

api_urlpatterns = [
    path("staff/tasks", api.StaffTasksView.as_view(), name="staff-tasks"),
    path(
        "staff/tasks/<int:pk>/complete", api.TaskCompleteView.as_view(), name="staff-task-complete"
    ),
]

urlpatterns = [
    path("tasks/", views.tasks_page, name="tasks-page"),
    path("tasks/<int:pk>/complete", views.task_complete_page, name="task-complete-page"),
    path("tasks/photos/<int:pk>", views.task_photo, name="task-photo"),
]
