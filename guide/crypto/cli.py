"""``flask keys``: key status, rotation and retirement."""

from flask.cli import AppGroup

keys_cli = AppGroup("keys", help="Encryption keys: status, rotation, retirement.")
