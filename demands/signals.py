"""What the service loop announces, for apps that add to it without being called by it.

``demands`` never imports ``insights`` (duplicate detection, routing): it sends these
signals from inside the action's transaction and the listeners do their part there or
queue it for a worker. Listeners must not raise for ordinary data; a listener that fails
fails the action, like any other part of it.
"""

from django.dispatch import Signal

# demands=[Demand, ...] newly written (by a form, the API, a batch or a file import);
# source = "intake" | "batch" | "import"
demands_created = Signal()
# demands=[Demand, ...] that have just become 待派遣 (received, clock started)
demands_received = Signal()
# demands=[Demand, ...] whose text (title, content, address, requester) was changed by an
# update from their source system (a re-imported file)
demands_updated = Signal()
