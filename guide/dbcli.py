"""``flask db``: schema upgrades through Alembic, the only way the schema changes."""

import click
from flask.cli import AppGroup

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
