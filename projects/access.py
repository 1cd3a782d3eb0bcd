"""The capabilities of practical projects and commitments (docs/projects.md)."""

from org.access import ALL_ROLES, register
from org.models import Role

R = Role
VIEW = register("project.view", ALL_ROLES)
CREATE = register("project.create", {R.UNIT_HEAD, R.OFFICE, R.LEADER, R.ADMIN})
# leaders too: the one who turns a hotspot into a project plans its milestones and posts
# its progress (issue #11 acceptance), over the whole bureau as their role is
EDIT = register("project.edit", {R.HANDLER, R.UNIT_HEAD, R.OFFICE, R.LEADER, R.ADMIN})
APPROVE_OFFICE = register("project.approve_office", {R.OFFICE, R.ADMIN})
APPROVE = register("project.approve", {R.LEADER, R.ADMIN})
MODERATE = register("project.moderate", {R.OFFICE, R.ADMIN})
COMMITMENT_VIEW = register("commitment.view", ALL_ROLES)
COMMITMENT_EDIT = register("commitment.edit", {R.UNIT_HEAD, R.OFFICE, R.SUPERVISOR, R.ADMIN})
COMMITMENT_PUBLISH = register("commitment.publish", {R.OFFICE, R.ADMIN})
