from __future__ import annotations

from django.urls import path

from trama.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.programme, name="programme"),
]
