"""Command groups added to ``flask --app guide``."""

from guide.audit.cli import audit_cli
from guide.crypto.cli import keys_cli
from guide.dbcli import db_cli
from guide.demo.cli import demo_cli
from guide.outbox.cli import outbox_cli
from guide.policycli import policy_cli
from guide.support.loan_cli import loans_cli
from guide.tasks.cli import tasks_cli

COMMAND_GROUPS = (
    db_cli,
    keys_cli,
    demo_cli,
    outbox_cli,
    policy_cli,
    loans_cli,
    audit_cli,
    tasks_cli,
)
