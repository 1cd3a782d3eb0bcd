"""The capabilities of assessment (docs/supervision.md section 2). Scores, lines,
adjustments and objections belong to the unit assessed (``ACCESS_UNIT_FIELD``): a unit's
people see their own; the office, the Party committee, the supervision office and the
leaders see every unit."""

from org.access import register
from org.models import Role

R = Role
VIEW = register("assessment.view", {R.HANDLER, R.UNIT_HEAD, R.SUPERVISOR, R.OFFICE, R.PARTY,
                                    R.LEADER, R.ADMIN})
MANAGE = register("assessment.manage", {R.OFFICE, R.PARTY, R.SUPERVISOR, R.ADMIN})
FILE_OBJECTION = register("objection.file", {R.UNIT_HEAD})
DECIDE_OBJECTION = register("objection.decide", {R.OFFICE, R.PARTY, R.ADMIN})
