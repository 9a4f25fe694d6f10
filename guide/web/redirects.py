"""Redirect targets taken from the request, limited to paths on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def safe_next_path(target: str | None, *, fallback: str) -> str:
    """``target`` if it is a local path such as ``/cases?page=2``, else ``fallback``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    # Browsers drop tabs and newlines and read a backslash as a slash: refuse them all.
    if "\\" in target or not target.isprintable():
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def current_path() -> str:
    """The current request's path with its query string, as a ``next`` value."""
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path
