from __future__ import annotations

from django.urls import path

from optimizer import batch_views, views

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
    path("history/", views.history, name="history"),
    path("batches/", batch_views.batch_new, name="batch-new"),
    path("batches/<uuid:pk>/", batch_views.batch_detail, name="batch"),
    path("batches/<uuid:pk>/stream", batch_views.batch_stream, name="batch-stream"),
]
