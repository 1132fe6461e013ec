from django.urls import path

from klustera.operations import api, views

api_urlpatterns = [
    path("staff/tasks", api.StaffTasksView.as_view(), name="staff-tasks"),
    path(
        "staff/tasks/<int:pk>/complete", api.TaskCompleteView.as_view(), name="staff-task-complete"
    ),
    path("admin/task-templates", api.AdminTemplatesView.as_view(), name="admin-task-templates"),
    path(
        "admin/task-templates/<int:pk>", api.AdminTemplateView.as_view(), name="admin-task-template"
    ),
    path("admin/tasks", api.AdminTasksView.as_view(), name="admin-tasks"),
    path("admin/tasks/week", api.AdminTaskWeekView.as_view(), name="admin-task-week"),
]

urlpatterns = [
    path("tasks/", views.tasks_page, name="tasks-page"),
    path("tasks/<int:pk>/complete", views.task_complete_page, name="task-complete-page"),
    path("tasks/photos/<int:pk>", views.task_photo, name="task-photo"),
    path("manage/tasks/", views.manage_tasks_page, name="manage-tasks-page"),
    path("manage/tasks/done/", views.completion_page, name="task-completion-page"),
    path("manage/tasks/week/", views.week_page, name="task-week-page"),
    path("manage/tasks/templates/new/", views.template_page, name="task-template-new-page"),
    path("manage/tasks/templates/<int:pk>/", views.template_page, name="task-template-page"),
]
