"""Who sees and uses routing models, duplicate flags, hotspots and search."""

from org.access import register
from org.models import Role

R = Role
# the models' quality (accuracy, macro-F1 per class) and retraining
ROUTING_ADMIN = register("routing.admin", {R.DISPATCHER, R.ADMIN})
# hotspots of recent demands, and turning one into a practical-project draft
HOTSPOTS = register("hotspot.view", {R.DISPATCHER, R.SUPERVISOR, R.OFFICE, R.LEADER, R.ADMIN})
HOTSPOT_TO_PROJECT = register("hotspot.to_project", {R.LEADER, R.OFFICE})
