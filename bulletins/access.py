"""The capabilities of bulletins (通报; docs/supervision.md section 3). Bulletins are the
bureau's own documents, not a unit's: both capabilities are held bureau-wide."""

from org.access import register
from org.models import Role

R = Role
VIEW = register("bulletin.view", {R.OFFICE, R.PARTY, R.SUPERVISOR, R.LEADER})
# generate, upload the edited copy, issue, make public; replace the template
MANAGE = register("bulletin.manage", {R.OFFICE, R.PARTY})
