"""Fritidsguide: case management for a municipality's fritidsguide scheme."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from guide.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # The app is built on first use, so importing the core (guide.database, guide.policy)
    # loads neither the app nor any feature package.
    if name == "create_app":
        from guide.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
