"""Acting on leads: cases, police lead batches, feedback, dispositions, appeals.

Every public service function takes the session first and keyword-only arguments, authorises
the acting user (``actor`` = a user name) through :mod:`fraudwall.auth`, writes its audit entry
through :func:`fraudwall.cases.common.audit` and returns a pydantic schema from
:mod:`fraudwall.cases.schemas`. None of them commits: the caller's unit of work
(``Database.session()``, one per command or request) does. The CLI and the API call these:

- ``importer.import_run(session, *, run_dir, actor, progress=None) -> ImportResult``
- ``review.list_cases(session, *, state, level, scenario, assignee, limit, offset) -> [CaseRead]``
- ``review.show_case(session, *, case_id) -> CaseDetail``
- ``review.set_state(session, *, case_id, state, actor, reason=None) -> CaseRead``
- ``review.assign_case(session, *, case_id, assignee, actor) -> CaseRead``
- ``review.comment_case(session, *, case_id, text, actor) -> CommentRead``
- ``batches.create_batch(session, *, actor, level, scenario, detector, case_ids) -> BatchRead``
- ``batches.approve_batch(session, *, number, actor) -> BatchRead``
- ``batches.list_batches(session, *, state=None)``, ``batches.show_batch(session, *, number)``
- ``export.export_batch(session, *, number, out, actor) -> ExportResult``   (writes files)
- ``delivery.deliver_batch(session, *, number, actor, outbox=None, url=None) -> BatchRead``
- ``feedback.import_feedback(session, *, file, actor, workspace=None) -> FeedbackImportResult``
- ``labels.write_labels(session, *, out)``, ``labels.write_workspace_labels(session, *, workspace)``
- ``stats.precision(session) -> [PrecisionRow]``
- ``actions.request_action(session, *, case_id, type, actor, policy, note=None) -> ActionRead``
- ``actions.approve_action / reject_action(session, *, action_id, actor[, reason])``
- ``actions.list_actions(session, *, state, case_id)``, ``actions.overdue_actions(session, *, now)``
- ``actions.record_callback(session, *, action_id, outcome, actor, note=None)``
- ``actions.set_auto_path(session, *, enabled, actor)``
- ``provisioning.dispatch_actions(session, *, actor, outbox=None, url=None) -> [ActionRead]``
- ``provisioning.read_acknowledgements(session, *, file, actor) -> [ActionRead]``
- ``appeals.open_appeal(session, *, case_id, reason, actor) -> AppealRead``
- ``appeals.record_reverification(session, *, appeal_id, passed, actor, note=None)``
- ``appeals.decide_appeal(session, *, appeal_id, restore, actor, note=None) -> AppealRead``
- ``appeals.list_appeals(session, *, state=None)``

Permissions (action names in :data:`fraudwall.auth.PERMISSIONS`): ``cases.*``, ``batch.*``,
``feedback.import``, ``action.*``, ``appeal.*``, ``policy.switch``.
"""
