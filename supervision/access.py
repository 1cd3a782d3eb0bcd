"""The capabilities of supervision orders (docs/supervision.md, section 1).

An order belongs to the unit it is addressed to (``ACCESS_UNIT_FIELD = "unit__path"``):
the unit's heads and handlers see and answer their own unit's orders (and those of the
units under it); the supervision office, the office, the Party committee and the leaders
see every order through their bureau-wide grants.
"""

from org.access import register
from org.models import Role

R = Role
VIEW = register("order.view", {R.HANDLER, R.UNIT_HEAD, R.SUPERVISOR, R.OFFICE, R.PARTY,
                               R.LEADER, R.ADMIN})
# who issues (and may withdraw) an order: the supervision office, the Party committee and
# the bureau's leaders
ISSUE = register("order.issue", {R.SUPERVISOR, R.PARTY, R.LEADER})
# who answers for the unit
ANSWER = register("order.answer", {R.UNIT_HEAD, R.HANDLER})
# who accepts an answer or sends it back
DECIDE = register("order.decide", {R.SUPERVISOR, R.PARTY})
