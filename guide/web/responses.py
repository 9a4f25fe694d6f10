"""Response details shared by the HTML views."""

from __future__ import annotations

from flask import request


def form_status() -> int:
    """200 for a form shown afresh, 400 for a submitted one shown again with its errors."""
    return 200 if request.method == "GET" else 400
