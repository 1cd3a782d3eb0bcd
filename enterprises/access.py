"""The capabilities of enterprise pairing (docs/campaign.md)."""

from org.access import ALL_ROLES, register
from org.models import Role

R = Role
VIEW = register("enterprise.view", ALL_ROLES)
PAIRING_MANAGE = register("pairing.manage", {R.OFFICE, R.PARTY, R.LEADER, R.ADMIN})
# the paired unit (its head and handlers) and the bureau-wide roles; the paired cadres
# are let in by the pairing itself (enterprises.queries.paired_with)
PAIRING_VIEW = register("pairing.view", {R.UNIT_HEAD, R.HANDLER, R.OFFICE, R.PARTY,
                                         R.SUPERVISOR, R.LEADER, R.ADMIN})
PAIRING_EDIT = register("pairing.edit", {R.UNIT_HEAD, R.OFFICE, R.PARTY, R.LEADER, R.ADMIN})
