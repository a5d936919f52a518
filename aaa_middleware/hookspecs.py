"""The hooks a plugin can implement, and the marker to implement them with.

A plugin is any module or object with functions decorated by `hookimpl` and named after a hook
below. Install it as a distribution with an entry point in the ``aaa_middleware`` group::

    [project.entry-points.aaa_middleware]
    myplugin = "myplugin"

or pass it in code: ``Dispatcher(settings, plugins=[myplugin])``.

Rules shared by every event hook (`aaa_event` and the per-kind ones):

* An implementation may accept any subset of the hook's arguments, in any order:
  ``def aaa_follow(event)`` is fine.
* It may be a plain function or an ``async def``. Plain functions run inline, in registration
  order (latest first, ``tryfirst``/``trylast`` respected); then the coroutines of the same event
  are awaited concurrently. Under WSGI they run on a private event loop of the worker thread.
  Blocking work in a plain function blocks the server: keep it short or hand it off.
* Return values are ignored. Wrappers (``wrapper=True``/``hookwrapper=True``) are refused,
  because every implementation is called on its own.
* An implementation that raises never stops the others. Its exception goes to `aaa_error` and
  the ``aaa_middleware.dispatch`` log; under the default ``after_dispatch`` policy the delivery
  is then answered with 500 so that X retries, and the event is forgotten by the dedupe store
  so the retry runs it again (events that succeeded are not run twice).
* Duplicates (X retries and replays) and, with ``ignore_self``, events the subscribed account
  caused itself never reach a hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .events import Event
    from .sansio import Delivery
    from .settings import Settings

__all__ = ["PROJECT_NAME", "hookimpl"]

PROJECT_NAME = "aaa_middleware"

_hookspec = pluggy.HookspecMarker(PROJECT_NAME)
#: Decorate a plugin's functions with this so the receiver finds them.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


# -------------------------------------------------------------------------------------------
# Lifecycle
# -------------------------------------------------------------------------------------------


@_hookspec
def aaa_startup(settings: Settings) -> None:
    """Called once before the first event: at application start-up (ASGI lifespan, WSGI app
    construction), or lazily on the first delivery where the server has no start-up phase.

    Open connections and read your configuration here, with
    ``settings.plugin_settings("<your plugin name>")``.

    :param settings: the receiver's configuration.

    Sync or async. A failure is logged and does not stop the other plugins or the receiver.
    """


@_hookspec
def aaa_shutdown(settings: Settings) -> None:
    """Called once at shutdown, after background dispatches were drained. Close what
    `aaa_startup` opened.

    :param settings: the receiver's configuration.

    Sync or async. A failure is logged and does not stop the other plugins.
    """


# -------------------------------------------------------------------------------------------
# Events
# -------------------------------------------------------------------------------------------


@_hookspec
def aaa_event(event: Event, delivery: Delivery) -> None:
    """Called once for every event of every authenticated delivery, before the per-kind hook.

    :param event: the decoded event. Every kind has ``kind``, ``for_user_id`` (the subscribed
        account, None where X sends none), ``dedupe_key``, ``actor_id`` (who caused it, if
        known) and ``raw`` (the event's exact JSON bytes).
    :param delivery: the delivery it came in: ``activity`` (all its events), ``secret_label``
        (which consumer secret verified it), ``received_at`` (epoch seconds), ``remote_addr``.

    Sync or async. Raising marks the event failed: see the module documentation.
    """


@_hookspec
def aaa_tweet_create(event: Event, delivery: Delivery) -> None:
    """A post by, mentioning, replying to, quoting or reposting the subscribed account.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_tweet_delete(event: Event, delivery: Delivery) -> None:
    """A post of the subscribed account's timeline was deleted.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_favorite(event: Event, delivery: Delivery) -> None:
    """A post was liked by or liked the subscribed account's post.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_follow(event: Event, delivery: Delivery) -> None:
    """The subscribed account followed someone, or was followed.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_unfollow(event: Event, delivery: Delivery) -> None:
    """The subscribed account unfollowed someone.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_block(event: Event, delivery: Delivery) -> None:
    """The subscribed account blocked someone.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_unblock(event: Event, delivery: Delivery) -> None:
    """The subscribed account unblocked someone.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_mute(event: Event, delivery: Delivery) -> None:
    """The subscribed account muted someone.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_unmute(event: Event, delivery: Delivery) -> None:
    """The subscribed account unmuted someone.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_user_revoke(event: Event, delivery: Delivery) -> None:
    """The user revoked the app's authorisation; X has removed the subscription. Stop acting
    on the account's behalf and drop its tokens. X sends no ``for_user_id`` with it.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_direct_message(event: Event, delivery: Delivery) -> None:
    """A direct message was sent or received by the subscribed account.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_direct_message_typing(event: Event, delivery: Delivery) -> None:
    """Someone is typing a direct message to the subscribed account.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_direct_message_read(event: Event, delivery: Delivery) -> None:
    """Direct messages up to an id were read.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_replay_job_status(event: Event, delivery: Delivery) -> None:
    """A replay job finished (complete or incomplete). X sends no ``for_user_id`` with it.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_xaa(event: Event, delivery: Delivery) -> None:
    """An X Activity API event (``event_type``, ``event_uuid`` and its payload).

    Arguments, timing and failure handling are those of `aaa_event`.
    """


@_hookspec
def aaa_unknown(event: Event, delivery: Delivery) -> None:
    """A part of a delivery this version does not know: a new event key or shape. Its exact
    bytes are in ``event.raw``, so nothing X sends is lost.

    Arguments, timing and failure handling are those of `aaa_event`.
    """


# -------------------------------------------------------------------------------------------
# Failures and refusals
# -------------------------------------------------------------------------------------------


@_hookspec
def aaa_error(event: Event, plugin_name: str, exception: BaseException, delivery: Delivery) -> None:
    """Called once for every event hook implementation that raised, after that event's other
    implementations ran: report it to your error tracker here.

    :param event: the event the failing implementation was given.
    :param plugin_name: the name of the plugin that raised.
    :param exception: what it raised.
    :param delivery: the delivery the event came in.

    Sync or async. A failure here is logged and goes nowhere else (never back to this hook).
    """


@_hookspec
def aaa_rejected(reason: str, status: int, remote_addr: str | None) -> None:
    """Called for every request on the webhook path that the receiver refused: a missing or
    wrong signature, an oversized body, a bad CRC token, and so on. It never sees the secret,
    the signature or the body, because nothing of the request was trusted.

    :param reason: the stable, machine-readable reason, e.g. ``"invalid_signature"``.
    :param status: the HTTP status answered, e.g. 403.
    :param remote_addr: the peer address the edge saw, if any.

    Sync or async. Under ASGI an async implementation runs as a background task, so the
    refusal is answered without waiting for it; under WSGI it is run to completion first.
    A failure is logged and changes nothing.
    """
