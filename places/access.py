"""Who may edit the gazetteer (docs/places.md)."""

from org.access import register
from org.models import Role

R = Role
EDIT = register("place.edit", {R.RECEIVER, R.DISPATCHER, R.OFFICE, R.ADMIN})
