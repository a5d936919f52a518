"""One typed configuration object, built the same way from keywords, the environment or TOML.

Every edge (ASGI, WSGI, Django, Flask, the CLI) accepts the same fields, so a deployment can move
between them without renaming anything. Unknown fields are errors: a misspelt option that is
silently ignored is how a receiver ends up failing open.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import msgspec

from .errors import ConfigurationError

__all__ = ["DEFAULT_MAX_BODY_SIZE", "DEFAULT_PATH", "ENV_PREFIX", "SecretsInput", "Settings"]

DEFAULT_PATH = "/webhooks/x"
# Real deliveries are a few KB; the largest (a DM with a full users map) stays far below this.
DEFAULT_MAX_BODY_SIZE = 1024 * 1024
ENV_PREFIX = "AAA_"

DeliveryPolicy = Literal["after_dispatch", "background"]
SecretsInput = str | Sequence[str] | Mapping[str, str]

_LIST_FIELDS = frozenset({"consumer_secrets", "blocked_plugins"})


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Everything a receiver needs to know. Build it with `Settings.build` or a `from_*` method.

    :param consumer_secrets: label → consumer secret. Any of them verifies a delivery (so a
        secret can be rotated without downtime); the first answers a CRC that X did not sign.
        Given as one string, a list (labelled "0", "1", …) or a mapping of your own labels.
    :param path: the exact request path the receiver answers; every other path passes through.
    :param max_body_size: bodies larger than this are refused with 413.
    :param delivery: "after_dispatch" answers once every hook ran (500 if one failed, so X
        retries); "background" answers 200 once verified and decoded, and dispatches afterwards.
    :param drain_timeout: seconds to wait for background dispatches at shutdown.
    :param dedupe: drop events already dispatched successfully (X retries and replays resend).
    :param dedupe_ttl: seconds a dispatched event is remembered.
    :param dedupe_max_entries: bound of the in-memory dedupe store.
    :param ignore_self: drop events the subscribed account caused itself.
    :param load_entry_points: discover plugins installed under the "aaa_middleware" group.
    :param blocked_plugins: plugin names never to load.
    :param plugin_config: per-plugin settings, keyed by plugin name.
    """

    consumer_secrets: Mapping[str, str] = dataclasses.field(repr=False)
    path: str = DEFAULT_PATH
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    delivery: DeliveryPolicy = "after_dispatch"
    drain_timeout: float = 10.0
    dedupe: bool = True
    dedupe_ttl: float = 24 * 60 * 60.0
    dedupe_max_entries: int = 100_000
    ignore_self: bool = False
    load_entry_points: bool = True
    blocked_plugins: tuple[str, ...] = ()
    plugin_config: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.consumer_secrets:
            raise ConfigurationError(
                "no consumer secret configured: refusing to accept unverifiable deliveries"
            )
        for label, secret in self.consumer_secrets.items():
            if not isinstance(secret, str) or not secret:
                raise ConfigurationError(f"consumer secret {label!r} is empty")
        if not self.path.startswith("/"):
            raise ConfigurationError(f"path must start with '/': {self.path!r}")
        if self.max_body_size <= 0:
            raise ConfigurationError("max_body_size must be positive")
        if self.delivery not in ("after_dispatch", "background"):
            raise ConfigurationError(f"unknown delivery policy {self.delivery!r}")
        if self.drain_timeout < 0 or self.dedupe_ttl <= 0 or self.dedupe_max_entries <= 0:
            raise ConfigurationError("drain_timeout, dedupe_ttl and dedupe_max_entries must be > 0")

    @classmethod
    def build(cls, **fields: Any) -> Settings:
        """Build from keyword arguments; strings ("true", "2.5") are coerced as env values need."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ConfigurationError(f"unknown setting(s): {', '.join(unknown)}")
        if "consumer_secrets" not in fields:
            raise ConfigurationError(
                "no consumer secret configured: pass consumer_secrets= or set "
                f"{ENV_PREFIX}CONSUMER_SECRET"
            )
        fields["consumer_secrets"] = normalise_secrets(fields["consumer_secrets"])
        if isinstance(fields.get("blocked_plugins"), str):
            fields["blocked_plugins"] = _split_list(fields["blocked_plugins"])
        try:
            return msgspec.convert(fields, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise ConfigurationError(f"invalid setting: {exc}") from None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read `AAA_<FIELD>` variables (e.g. AAA_CONSUMER_SECRET, comma-separated for rotation)."""
        return cls.build(**{**env_fields(os.environ if environ is None else environ), **overrides})

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], **overrides: Any) -> Settings:
        """Read a TOML file: fields at top level, or under an `[aaa_middleware]` table."""
        return cls.build(**{**toml_fields(path), **overrides})

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], **overrides: Any) -> Settings:
        """Read a mapping with the field names as keys, in any case (Django/Flask settings)."""
        return cls.build(**{**{k.lower(): v for k, v in mapping.items()}, **overrides})

    def plugin_settings(self, name: str) -> Mapping[str, Any] | None:
        """The settings section of plugin `name`, or None when it has none (not enabled)."""
        return self.plugin_config.get(name)


def normalise_secrets(secrets: SecretsInput) -> dict[str, str]:
    """Turn every accepted spelling of the secrets into an ordered label → secret mapping."""
    if isinstance(secrets, str):
        return {"default": secrets} if secrets else {}
    if isinstance(secrets, Mapping):
        return {str(label): secret for label, secret in secrets.items()}
    return {str(index): secret for index, secret in enumerate(secrets)}


def env_fields(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings fields present in `environ` under the AAA_ prefix, as raw strings."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(Settings):
        if field.name == "plugin_config":
            continue
        name = ENV_PREFIX + field.name.upper()
        if field.name == "consumer_secrets" and name not in environ:
            name = ENV_PREFIX + "CONSUMER_SECRET"
        value = environ.get(name)
        if value is None or value == "":
            continue
        out[field.name] = _split_list(value) if field.name in _LIST_FIELDS else value
    return out


def toml_fields(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The settings fields of a TOML file (top level, or the `[aaa_middleware]` table)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read settings from {os.fspath(path)!r}: {exc}") from None
    table = data.get("aaa_middleware", data)
    if not isinstance(table, dict):
        raise ConfigurationError("[aaa_middleware] must be a table")
    out = dict(table)
    if "consumer_secret" in out and "consumer_secrets" not in out:
        out["consumer_secrets"] = out.pop("consumer_secret")
    if "plugins" in out and "plugin_config" not in out:
        out["plugin_config"] = out.pop("plugins")
    return out


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]
