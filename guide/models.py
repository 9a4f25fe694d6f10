"""Imports every feature's models so the metadata (and Alembic) sees all tables."""
