"""The project's own views, untouched by the webhook receiver."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello from Django")


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_POST
def contact(request: HttpRequest) -> HttpResponse:
    # Protected by CsrfViewMiddleware like any form view: an unsigned POST gets 403.
    return HttpResponse("Thanks")
