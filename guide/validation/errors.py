"""The one exception type every validator raises, carrying a reason code."""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input that was refused; ``reason`` is a short code such as ``"length"``.

    The message is the reason code only: the refused text may be personal data and must not
    reach logs or error pages through the exception.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
