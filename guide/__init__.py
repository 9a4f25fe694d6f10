"""Fritidsguide: case management for a municipality's fritidsguide scheme."""

from guide.app import create_app

__all__ = ["create_app"]
