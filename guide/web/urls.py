"""Links to one page for many rows, built with a single ``url_for``."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import url_for

#: Stands in for the row's id while the address is built once.
_PLACEHOLDER = uuid.UUID(int=0)


def uuid_url_builder(endpoint: str, argument: str) -> Callable[[uuid.UUID], str]:
    """``builder(id)`` gives ``url_for(endpoint, argument=id)``, at a string join's cost.

    A list of fifty rows otherwise spends a millisecond in URL building. Only for endpoints
    whose other arguments do not change from row to row.
    """
    sample = url_for(endpoint, **{argument: _PLACEHOLDER})
    head, found, tail = sample.partition(str(_PLACEHOLDER))
    if not found or "?" in head:  # a query argument could be left out or reordered
        raise ValueError(f"{endpoint} does not put {argument} in its address")

    def build(value: uuid.UUID) -> str:
        if not isinstance(value, uuid.UUID):
            value = uuid.UUID(str(value))  # anything else must read as one, or fail
        return f"{head}{value}{tail}"

    return build
