"""Pydantic v2 models with the same fields as the library's msgspec structs.

Rather than a hand-kept copy, each model is derived from its struct: same JSON names, same
types (structs replaced by their models, recursively), same defaults, frozen, and strict like
msgspec (no ``"1"`` for an int). Unknown fields are ignored by both. What is not reproduced are
the structs' ``__post_init__`` checks (epoch-millisecond strings), which only makes the pydantic
side do slightly less work.

`Envelope` is the top level of a delivery, with the event keys of the benchmark deliveries.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import msgspec
from pydantic import BaseModel, ConfigDict, Field, create_model

from aaa_middleware.events import App, CompactUser, DMTarget, MessageEvent, Tweet

__all__ = ["Envelope", "model_for"]

_CONFIG = ConfigDict(frozen=True, strict=True, extra="ignore")
_MODELS: dict[type[msgspec.Struct], type[BaseModel]] = {}
_BUILDING: set[type[msgspec.Struct]] = set()


def _translate(annotation: Any) -> Any:
    """`annotation` with every Struct class in it replaced by its model."""
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        if annotation in _BUILDING:  # a self-reference, such as Tweet.quoted_status
            return typing.ForwardRef(annotation.__name__)
        return model_for(annotation)
    origin = typing.get_origin(annotation)
    if origin is None:
        return annotation
    args = tuple(_translate(arg) for arg in typing.get_args(annotation))
    if origin in (types.UnionType, typing.Union):
        return typing.Union[args]  # noqa: UP007  (a ForwardRef does not support "|")
    return origin[args]


def model_for(struct: type[msgspec.Struct]) -> type[BaseModel]:
    """The pydantic model with `struct`'s fields (built once, then cached)."""
    model = _MODELS.get(struct)
    if model is not None:
        return model
    _BUILDING.add(struct)
    try:
        fields: dict[str, Any] = {}
        for info in msgspec.structs.fields(struct):
            if info.required:
                default: Any = Field(alias=info.encode_name)
            elif info.default_factory is not msgspec.NODEFAULT:
                default = Field(default_factory=info.default_factory, alias=info.encode_name)
            else:
                default = Field(default=info.default, alias=info.encode_name)
            # Python names of their own: a JSON name may start with "_" or shadow a BaseModel's.
            fields[f"f_{info.encode_name}"] = (_translate(info.type), default)
        model = create_model(struct.__name__, __config__=_CONFIG, **fields)
    finally:
        _BUILDING.discard(struct)
    model.model_rebuild(force=True, _types_namespace={struct.__name__: model})
    _MODELS[struct] = model
    return model


_Typing = create_model(
    "TypingItem",
    __config__=_CONFIG,
    created_timestamp=(str, ...),
    sender_id=(str, ...),
    target=(model_for(DMTarget), ...),
)

Envelope: type[BaseModel] = create_model(
    "Envelope",
    __config__=_CONFIG,
    for_user_id=(str | None, None),
    user_has_blocked=(bool | str | None, None),
    is_blocked_by=(bool | str | None, None),
    users=(dict[str, model_for(CompactUser)], {}),
    apps=(dict[str, model_for(App)], {}),
    tweet_create_events=(list[model_for(Tweet)] | None, None),
    direct_message_events=(list[model_for(MessageEvent)] | None, None),
    direct_message_indicate_typing_events=(list[_Typing] | None, None),
)
