"""Every change to a demand, one function per transition, in modules named for what a
newcomer looks for:

=============  ======================================================================
intake         a new demand from any interface: ``Intake``, ``submit``, ``submit_many``,
               ``register`` (staff entry)
importing      rows of a file from another system: ``prepare_import``, ``import_prepared``
handover       the hand-overs: ``receive``, ``dispatch``, ``auto_dispatch``, ``accept``,
               ``return_`` (退单), ``transfer`` (转办)
extensions     ``request_extension``, ``approve_extension``, ``refuse_extension``
oversight      ``urge`` (催办), ``supervise`` (督办)
replies        ``reply``, ``evaluate``, ``evaluate_by_token``, ``record_visit`` (回访),
               ``answer_follow_up`` (整改答复), ``close``
triage         ``may_triage``, ``merge`` (并单), ``invalidate`` (作废), ``mark_repeat``
=============  ======================================================================

Each action runs in a transaction, re-reads the demand with a row lock, checks the
actor's capability and the demand's state, writes the change with ``update_fields``,
appends a ``DemandEvent`` and queues notifications. A refusal raises
``lib.errors.ActionError`` and changes nothing. Two people acting at once are serialised
by the lock: the second sees the state the first left and is told so.

Which actions a person may take on a demand, with which inputs and labels, is declared
once in ``demands.catalogue``; deadlines come from ``demands.clock``.
"""
