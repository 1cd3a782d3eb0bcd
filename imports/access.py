"""Who may import files (the 12345 platform's exports arrive at the intake unit)."""

from org.access import register
from org.models import Role

RUN = register("import.run", {Role.RECEIVER, Role.DISPATCHER, Role.ADMIN})
