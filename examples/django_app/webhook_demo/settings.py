"""Settings of a minimal Django project that receives X webhooks at /webhooks/x."""

from __future__ import annotations

import os

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-secret")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "webhook_demo.urls"
WSGI_APPLICATION = "webhook_demo.wsgi.application"
INSTALLED_APPS: list[str] = []

MIDDLEWARE = [
    # First: requests on the webhook path are answered here, before any other middleware,
    # URL routing or CSRF; everything else goes down the list as usual.
    "aaa_middleware.django.WebhookMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

AAA_MIDDLEWARE = {
    "consumer_secrets": os.environ["AAA_CONSUMER_SECRET"],
    "path": "/webhooks/x",
}
AAA_MIDDLEWARE_PLUGINS = ["webhook_demo.plugins.LogEvents"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(name)s %(levelname)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {"webhook_demo": {"handlers": ["console"], "level": "INFO"}},
}
