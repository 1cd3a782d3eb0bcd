"""What campaigns announce to the apps above them (architecture decision 11: listeners live
in the listening app's ``receivers.py``).

``campaign_copied(sender, source, copy, shift)`` is sent inside ``copy_campaign``'s
transaction after the new campaign, its phases and its leading group exist; ``shift`` maps
a date of the source to the copy (whole years, or the difference of the start dates).
"""

import django.dispatch

campaign_copied = django.dispatch.Signal()
