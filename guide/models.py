"""Imports the tenant and every feature's models so the metadata (and Alembic) sees all tables."""

from guide import submissions, tenant
from guide.accounts import models as accounts
from guide.activities import models as activities
from guide.areas import models as areas
from guide.audit import models as audit
from guide.cases import models as cases
from guide.clubs_portal import models as clubs_portal
from guide.consents import models as consents
from guide.crypto import models as crypto
from guide.guides import models as guides
from guide.outbox import models as outbox
from guide.referrals import models as referrals
from guide.support import models as support
from guide.tasks import models as tasks

__all__ = [
    "accounts",
    "activities",
    "areas",
    "audit",
    "cases",
    "clubs_portal",
    "consents",
    "crypto",
    "guides",
    "outbox",
    "referrals",
    "submissions",
    "support",
    "tasks",
    "tenant",
]
