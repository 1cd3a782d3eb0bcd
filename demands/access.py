"""The demand capabilities (see docs/service-loop.md for the table)."""

from org.access import ALL_ROLES, Reach, register
from org.models import Role


def _paired_enterprises(user):
    """A cadre of an enterprise's pairing sees the enterprise's demands, while the pairing
    reaches (its year and the next: ``enterprises.queries``) — read-only, unless their
    roles give them more. The one place this is decided: lists, the detail page, search,
    exports and the API all filter through ``org.access`` with ``demand.view``."""
    from django.db.models import Q

    from enterprises.queries import paired_enterprise_ids

    ids = paired_enterprise_ids(user)
    return Q(enterprise_id__in=ids) if ids else None


R = Role
VIEW = register("demand.view", ALL_ROLES, involved=True,
                reach=Reach("demands.Demand", _paired_enterprises))
SUBMIT = register("demand.submit", {R.RECEIVER, R.DISPATCHER, R.ADMIN})
RECEIVE = register("demand.receive", {R.RECEIVER, R.DISPATCHER})
DISPATCH = register("demand.dispatch", {R.DISPATCHER})
HANDLE = register("demand.handle", {R.HANDLER, R.UNIT_HEAD})
TRANSFER = register("demand.transfer", {R.DISPATCHER, R.UNIT_HEAD})
APPROVE_EXTENSION = register("demand.approve_extension", {R.DISPATCHER, R.SUPERVISOR})
URGE = register("demand.urge", {R.DISPATCHER, R.SUPERVISOR, R.OFFICE, R.LEADER}, involved=True)
SUPERVISE = register("demand.supervise", {R.SUPERVISOR, R.LEADER})
VISIT = register("demand.visit", {R.RECEIVER, R.DISPATCHER})
# who may export exports what their list shows: a paired cadre's enterprises too
EXPORT = register("demand.export", {R.DISPATCHER, R.UNIT_HEAD, R.SUPERVISOR, R.OFFICE,
                                    R.PARTY, R.LEADER, R.ADMIN},
                  reach=Reach("demands.Demand", _paired_enterprises, holders_only=True))
# a handler sees the figures of the unit their role is granted in (their team's), like
# its head; the bureau-wide roles see every unit (issue #13: every scope's dashboard)
KPI = register("demand.kpi", {R.DISPATCHER, R.UNIT_HEAD, R.HANDLER, R.SUPERVISOR, R.OFFICE,
                              R.PARTY, R.LEADER, R.ADMIN})
