from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home),
    path("health", views.health),
    path("contact", views.contact),
]
