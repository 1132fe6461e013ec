from django.urls import path

from klustera.operations import api, sync, views

api_urlpatterns = [
    path("sync", sync.SyncView.as_view(), name="sync"),
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
    path("staff/patrol/checkpoints", api.PatrolScanView.as_view(), name="staff-patrol-scan"),
    path("staff/patrol/rounds", api.PatrolRoundsView.as_view(), name="staff-patrol-rounds"),
    path("staff/shift/check-in", api.CheckInView.as_view(), name="staff-check-in"),
    path("staff/shift/check-out", api.CheckOutView.as_view(), name="staff-check-out"),
    path("admin/checkpoints", api.AdminCheckpointsView.as_view(), name="admin-checkpoints"),
    path(
        "admin/checkpoints/stickers",
        api.AdminStickersView.as_view(),
        name="admin-checkpoint-stickers",
    ),
    path("admin/checkpoints/<int:pk>", api.AdminCheckpointView.as_view(), name="admin-checkpoint"),
    path("admin/patrol-routes", api.AdminRoutesView.as_view(), name="admin-patrol-routes"),
    path("admin/patrol-routes/<int:pk>", api.AdminRouteView.as_view(), name="admin-patrol-route"),
    path("admin/shifts/on-duty", api.OnDutyView.as_view(), name="admin-on-duty"),
    path("admin/patrols/report", api.AdminPatrolReportView.as_view(), name="admin-patrol-report"),
    path("admin/shifts", api.AdminAttendanceView.as_view(), name="admin-attendance"),
    path("staff/incidents", api.IncidentsView.as_view(), name="staff-incidents"),
    path("staff/incidents/<int:pk>", api.IncidentView.as_view(), name="staff-incident"),
    path(
        "admin/incidents/<int:pk>/follow-up",
        api.IncidentFollowUpView.as_view(),
        name="admin-incident-follow-up",
    ),
    path(
        "admin/incidents/export",
        api.AdminIncidentsExportView.as_view(),
        name="admin-incidents-export",
    ),
]

urlpatterns = [
    path("tasks/", views.tasks_page, name="tasks-page"),
    path("tasks/<int:pk>/complete", views.task_complete_page, name="task-complete-page"),
    path("tasks/photos/<int:pk>", views.task_photo, name="task-photo"),
    path("manage/tasks/", views.manage_tasks_page, name="manage-tasks-page"),
    path("manage/tasks/done/", views.completion_page, name="task-completion-page"),
    path("manage/tasks/week/", views.week_page, name="task-week-page"),
    path("patrol/", views.patrol_page, name="patrol-page"),
    path("shift/", views.shift_page, name="shift-page"),
    path("incidents/", views.incidents_page, name="incidents-page"),
    path("incidents/<int:pk>/", views.incident_page, name="incident-page"),
    path("incidents/photos/<int:pk>", views.incident_photo, name="incident-photo"),
    path("manage/patrols/", views.manage_patrols_page, name="manage-patrols-page"),
    path("manage/patrols/night/", views.night_page, name="patrol-night-page"),
    path("manage/patrols/report/", views.patrol_report_page, name="patrol-report-page"),
    path("manage/shifts/", views.attendance_page, name="attendance-page"),
    path("manage/patrols/stickers.pdf", views.stickers_page, name="checkpoint-stickers-page"),
    path("manage/patrols/checkpoints/<int:pk>/", views.checkpoint_page, name="checkpoint-page"),
    path("manage/patrols/routes/new/", views.route_page, name="route-new-page"),
    path("manage/patrols/routes/<int:pk>/", views.route_page, name="route-page"),
    path("manage/tasks/templates/new/", views.template_page, name="task-template-new-page"),
    path("manage/tasks/templates/<int:pk>/", views.template_page, name="task-template-page"),
]
