"""A tiny registry mapping plugin names to callables."""

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

_PLUGINS: dict[str, Callable[..., object]] = {}


def register(name: str) -> Callable[[F], F]:
    """Decorator: register the function under `name`."""

    def decorator(func: F) -> F:
        _PLUGINS[name] = func
        return func

    return decorator


def get(name: str) -> Callable[..., object]:
    """Return the plugin registered under `name`; KeyError if there is none."""
    return _PLUGINS[name]


def names() -> list[str]:
    """The registered plugin names, sorted."""
    return sorted(_PLUGINS)
