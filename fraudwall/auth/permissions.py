"""Which role may do which action. One table, checked by :func:`authorize` everywhere.

Domains add their own actions with :func:`grant` in their own modules, so this table
never needs editing by them.
"""

from __future__ import annotations

from collections.abc import Iterable

from fraudwall.auth.models import Role, User
from fraudwall.errors import PermissionDenied

A, S, L, AU, SY = Role.analyst, Role.supervisor, Role.liaison, Role.auditor, Role.system
_ALL = frozenset(Role)

#: action -> roles allowed to do it.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "users.manage": frozenset({S}),
    "users.read": frozenset({S, AU}),
    "audit.read": frozenset({S, AU}),
    "cases.read": _ALL,
    "cases.import": frozenset({A, S, SY}),
    "cases.review": frozenset({A, S}),  # assign, comment, start review
    "cases.decide": frozenset({A, S}),  # confirm or dismiss
    "batch.create": frozenset({A, S}),
    "batch.approve": frozenset({S}),
    "batch.export": frozenset({S, L}),
    "batch.deliver": frozenset({S, L}),
    "feedback.import": frozenset({L}),
    "action.request": frozenset({A, S, SY}),
    "action.approve": frozenset({S}),
    "action.cancel": frozenset({A, S}),
    "action.dispatch": frozenset({S, L, SY}),
    "action.acknowledge": frozenset({S, SY}),
    "action.callback": frozenset({A, S}),  # record a hotline call-back outcome
    "policy.switch": frozenset({S}),  # switch the automatic path on or off
    "appeal.open": frozenset({A, S}),
    "appeal.reverify": frozenset({A, S}),
    "appeal.decide": frozenset({S}),
}


def grant(action: str, roles: Iterable[Role]) -> None:
    """Declare an action and the roles that may do it (a domain calls this once at import).

    >>> grant("example.read", [Role.analyst, Role.supervisor])
    >>> Role.analyst in PERMISSIONS["example.read"]
    True
    """
    PERMISSIONS[action] = frozenset(roles) | PERMISSIONS.get(action, frozenset())


def allowed(role: Role, action: str) -> bool:
    """Whether ``role`` may do ``action`` (unknown actions are allowed to nobody).

    >>> allowed(Role.supervisor, "batch.approve"), allowed(Role.analyst, "batch.approve")
    (True, False)
    """
    return role in PERMISSIONS.get(action, frozenset())


def roles_for(action: str) -> list[str]:
    """The roles that may do ``action``, sorted, for messages."""
    return sorted(r.value for r in PERMISSIONS.get(action, frozenset()))


def authorize(user: User, action: str) -> None:
    """Raise :class:`PermissionDenied` unless ``user`` is active and its role may do ``action``."""
    if not user.active:
        raise PermissionDenied(f"user {user.name!r} is deactivated")
    if not allowed(user.role, action):
        raise PermissionDenied(
            f"user {user.name!r} ({user.role.value}) may not do {action}; "
            f"allowed: {', '.join(roles_for(action)) or 'nobody'}"
        )
