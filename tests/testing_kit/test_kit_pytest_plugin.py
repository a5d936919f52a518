"""The pytest plugin, run the way a user's suite runs it: through pytester."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

# Hypothesis' pytest plugin imports all of Hypothesis at the end of every inner session, which
# would cost seconds per run here and has nothing to do with these tests.
ARGS = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")

# A user's plugin under test: it greets every new follower.
GREETER = """
from aaa_middleware import hookimpl

class Greeter:
    def __init__(self):
        self.greeted = []

    @hookimpl
    def aaa_follow(self, event):
        self.greeted.append(event.source.screen_name)
"""


def test_default_app_with_the_users_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(greeter=GREETER)
    pytester.makeconftest(
        """
        import pytest
        from greeter import Greeter

        @pytest.fixture
        def greeter():
            return Greeter()

        @pytest.fixture
        def aaa_plugins(greeter):
            return [greeter]
        """
    )
    pytester.makepyfile(
        """
        from aaa_middleware.events import KINDS

        def test_greets_followers(x_webhook, greeter, aaa_recorder):
            assert x_webhook.deliver("follow", source={"screen_name": "ana"}).status == 200
            assert greeter.greeted == ["ana"]
            assert aaa_recorder.last.kind == "follow"

        def test_every_kind_is_accepted(x_webhook, aaa_recorder):
            for kind in KINDS:
                assert x_webhook.deliver(kind).ok, kind
            assert aaa_recorder.kinds == list(KINDS)

        def test_crc(x_webhook):
            assert x_webhook.crc().ok

        def test_unsigned_is_refused(x_webhook, aaa_recorder):
            assert x_webhook.post(b"{}", signed=False).status == 401
            assert aaa_recorder.rejections[0].reason == "missing_signature"

        def test_secrets_differ_between_tests(aaa_secret):
            assert aaa_secret.startswith("test-secret-")
        """
    )
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=5)


def test_the_users_own_wsgi_app(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(greeter=GREETER)
    pytester.makepyfile(
        """
        import pytest
        from aaa_middleware import WSGIMiddleware
        from greeter import Greeter

        def site(environ, start_response):
            start_response("200 OK", [("content-type", "text/plain")])
            return [b"the rest of the site"]

        @pytest.fixture
        def aaa_path():
            return "/hooks/x"

        @pytest.fixture
        def greeter():
            return Greeter()

        @pytest.fixture
        def aaa_app(aaa_secret, aaa_path, aaa_recorder, greeter):
            return WSGIMiddleware(
                site, consumer_secrets=aaa_secret, path=aaa_path,
                plugins=[greeter, aaa_recorder], load_entry_points=False,
            )

        def test_follow(x_webhook, greeter, aaa_recorder):
            assert x_webhook.interface == "wsgi"
            assert x_webhook.deliver("follow").status == 200
            assert x_webhook.deliver("mute").status == 200
            assert len(greeter.greeted) == 1
            assert aaa_recorder.kinds == ["follow", "mute"]

        def test_wrong_secret_is_refused(aaa_app):
            from aaa_middleware.testing import WebhookClient
            with WebhookClient(aaa_app, "not-the-secret", path="/hooks/x") as x:
                assert x.deliver("follow").status == 403
        """
    )
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=2)


def test_the_users_own_asgi_app_with_background_delivery(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import contextlib
        import pytest
        from starlette.applications import Starlette
        from starlette.responses import PlainTextResponse
        from starlette.routing import Route
        from aaa_middleware import ASGIMiddleware

        @pytest.fixture
        def aaa_app(aaa_secret, aaa_recorder):
            events = []

            @contextlib.asynccontextmanager
            async def lifespan(app):
                events.append("up")
                yield

            async def home(request):
                return PlainTextResponse("home")

            app = Starlette(routes=[Route("/", home)], lifespan=lifespan)
            app.add_middleware(
                ASGIMiddleware, consumer_secrets=aaa_secret, plugins=[aaa_recorder],
                delivery="background", load_entry_points=False,
            )
            app.state.events = events
            return app

        def test_background(x_webhook, aaa_recorder, aaa_app):
            for _ in range(3):
                assert x_webhook.deliver("direct_message").status == 200
            assert len(aaa_recorder.wait_for(3, timeout=5)) == 3
            assert aaa_app.state.events == ["up"]
            assert aaa_recorder.startups == 1
        """
    )
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=1)


def test_failing_assertions_read_well(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_nothing_arrived(aaa_recorder):
            aaa_recorder.wait_for(1, timeout=0.05)
        """
    )
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*expected 1 event(s) within 0.05s, got 0*"])


def test_inert_in_a_suite_that_does_not_use_it(pytester: pytest.Pytester) -> None:
    # A fresh interpreter: the fixtures are registered through the entry point, and nothing
    # of the testing kit beyond the plugin module is imported.
    pytester.makepyfile(
        """
        import sys

        def test_plain(request):
            assert request.config.pluginmanager.has_plugin("aaa_middleware")
            loaded = sorted(m for m in sys.modules if m.startswith("aaa_middleware.testing."))
            assert loaded == ["aaa_middleware.testing.pytest_plugin"]
        """
    )
    result = pytester.runpytest_subprocess(*ARGS, "--fixtures")
    result.stdout.fnmatch_lines(["*x_webhook*", "*aaa_recorder*"])
    result = pytester.runpytest_subprocess(*ARGS)
    result.assert_outcomes(passed=1)
