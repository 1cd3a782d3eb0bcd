"""The capabilities of activity records and targets (docs/campaign.md)."""

from org.access import ALL_ROLES, register
from org.models import Role

R = Role
# everyone records what they did, for their own unit (a leader: bureau-wide)
RECORD = register("activity.record", ALL_ROLES)
# a unit sees its records; the bureau-wide roles all; the people named on a record, theirs
# (``activities.queries.visible`` adds ``people``). Receivers and dispatchers see the
# records they made or are named on, not the bureau's (docs/campaign.md).
VIEW = register("activity.view", {R.HANDLER, R.UNIT_HEAD, R.OFFICE, R.PARTY, R.SUPERVISOR,
                                  R.LEADER, R.ADMIN}, involved=True)
# the recorder, the unit's head and the office may correct or delete a record
EDIT = register("activity.edit", {R.UNIT_HEAD, R.OFFICE, R.PARTY, R.ADMIN}, involved=True)
TARGET_VIEW = register("target.view", ALL_ROLES)
TARGET_MANAGE = register("target.manage", {R.OFFICE, R.PARTY, R.ADMIN})
