from __future__ import annotations

from django.urls import path

from optimizer import accounts, batch_views, resumes, tracker, views

urlpatterns = [
    path("", views.home, name="home"),
    path("optimize/", views.optimize, name="optimize"),
    path("optimize/<uuid:pk>/", views.result, name="result"),
    path("optimize/<uuid:pk>/stream", views.stream, name="stream"),
    path("optimize/<uuid:pk>/retry", views.retry, name="retry"),
    path("optimize/<uuid:pk>/delete", views.delete, name="delete"),
    path("optimize/<uuid:pk>/rename", views.rename, name="rename"),
    path("optimize/<uuid:pk>/edit", views.edit, name="edit"),
    path("optimize/<uuid:pk>/claim", views.claim, name="claim"),
    path("optimize/<uuid:pk>/revert", views.revert, name="revert"),
    path("optimize/<uuid:pk>/passage", views.passage, name="passage"),
    path("optimize/<uuid:pk>/letter", views.letter, name="letter"),
    path("optimize/<uuid:pk>/duplicate", views.duplicate, name="duplicate"),
    path("optimize/<uuid:pk>/batch", batch_views.batch_from, name="batch-from"),
    path("optimize/<uuid:pk>/download.<str:fmt>", views.download, name="download"),
    path("optimize/<uuid:pk>/start", views.start_from_version, name="start_from_version"),
    path("history/", views.history, name="history"),
    # Base resumes and their versions (issue 16, item 4).
    path("resumes/", resumes.resumes, name="resumes"),
    path("resumes/<uuid:pk>/", resumes.resume, name="resume"),
    path("resumes/<uuid:pk>/edit", resumes.resume_edit, name="resume_edit"),
    path("resumes/<uuid:pk>/delete", resumes.resume_delete, name="resume_delete"),
    path("resumes/<uuid:pk>/optimize", resumes.resume_optimize, name="resume_optimize"),
    # The application tracker (issue 16, item 5).
    path("optimize/<uuid:pk>/track", tracker.track, name="track"),
    path("tracker/", tracker.board, name="tracker"),
    path("tracker/applications.csv", tracker.export_csv, name="tracker_csv"),
    path("tracker/<uuid:pk>/", tracker.application_detail, name="application"),
    path("tracker/<uuid:pk>/move", tracker.move, name="tracker_move"),
    path("tracker/<uuid:pk>/remove", tracker.untrack, name="tracker_remove"),
    # Accounts: email and password, Django's auth (optimizer/accounts.py).
    path("account/signup/", accounts.signup, name="signup"),
    path("account/login/", accounts.login, name="login"),
    path("account/logout/", accounts.logout, name="logout"),
    path("batches/", batch_views.batch_new, name="batch-new"),
    path("batches/<uuid:pk>/", batch_views.batch_detail, name="batch"),
    path("batches/<uuid:pk>/stream", batch_views.batch_stream, name="batch-stream"),
]
