"""What an import announces, for apps above it (``insights``) that add to it.

``chunk_imported`` is sent inside the transaction that writes a chunk of a job, with
``job`` and ``demands`` (the chunk's new demands that have no category). A listener that
classifies some of them returns how many; the job counts them (智能分类) and the rest (待分类)
in the same commit as the rows, so a resumed job never counts twice.
"""

from django.dispatch import Signal

chunk_imported = Signal()
