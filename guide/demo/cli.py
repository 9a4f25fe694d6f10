"""``flask demo``: fictional demo data."""

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Fictional demo organisation.")
