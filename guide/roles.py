"""The roles a user can hold. What each role may do is the policy's (guide/policy.py)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    referrer = "referrer"
    guide = "guide"
    club_contact = "club_contact"
