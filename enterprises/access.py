"""The capabilities of enterprise pairing (docs/campaign.md, "enterprises").

* ``enterprise.view`` — all staff.
* ``pairing.manage`` — the register, pairings and secondments: office, party, leader, admin.
* ``pairing.view`` — the paired unit's head and handlers (unit scoped); office, party,
  supervisor, leader, admin; and, by its reach, the pairing's cadres in its year and the
  next (``enterprises.queries``).
* ``pairing.edit`` — the annual goals (add, complete, reopen): the paired unit's head
  (unit scoped), office, party, leader, admin.
"""

from org.access import ALL_ROLES, Reach, register
from org.models import Role


def _cadre_rows(user):
    """The pairings naming the user as a cadre, while they reach (``queries.REACH``)."""
    from django.db.models import Q

    from .queries import cadre_pairing_ids

    ids = cadre_pairing_ids(user)
    return Q(pk__in=ids) if ids else None


R = Role
VIEW = register("enterprise.view", ALL_ROLES)
PAIRING_MANAGE = register("pairing.manage", {R.OFFICE, R.PARTY, R.LEADER, R.ADMIN})
PAIRING_VIEW = register("pairing.view", {R.UNIT_HEAD, R.HANDLER, R.OFFICE, R.PARTY,
                                         R.SUPERVISOR, R.LEADER, R.ADMIN},
                        reach=Reach("enterprises.Pairing", _cadre_rows))
PAIRING_EDIT = register("pairing.edit", {R.UNIT_HEAD, R.OFFICE, R.PARTY, R.LEADER, R.ADMIN})
