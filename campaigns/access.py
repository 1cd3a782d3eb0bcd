"""The capabilities of the campaign, its phases and the units' filings (docs/campaign.md)."""

from org.access import ALL_ROLES, register
from org.models import Role

R = Role
VIEW = register("campaign.view", ALL_ROLES)
MANAGE = register("campaign.manage", {R.OFFICE, R.PARTY, R.LEADER, R.ADMIN})
# a unit files its own plan and reports: its head and its handlers, scoped to the unit
FILE = register("plan.file", {R.UNIT_HEAD, R.HANDLER})
PLAN_VIEW = register("plan.view", {R.UNIT_HEAD, R.HANDLER, R.OFFICE, R.PARTY, R.SUPERVISOR,
                                   R.LEADER, R.ADMIN})
REMIND = register("plan.remind", {R.OFFICE, R.PARTY, R.ADMIN})
