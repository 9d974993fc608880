"""People and roles: who may do what.

``Role``, the ``User`` model, the permission table (``PERMISSIONS``, ``grant``, ``authorize``)
and the user service (``add_user``, ``list_users``, ``get_user``, ``acting_user``, ``set_active``).
"""

from __future__ import annotations

from fraudwall.auth.models import Role, User, UserCreate, UserRead
from fraudwall.auth.permissions import PERMISSIONS, allowed, authorize, grant, roles_for
from fraudwall.auth.service import acting_user, add_user, get_user, list_users, set_active

__all__ = [
    "PERMISSIONS",
    "Role",
    "User",
    "UserCreate",
    "UserRead",
    "acting_user",
    "add_user",
    "allowed",
    "authorize",
    "get_user",
    "grant",
    "list_users",
    "roles_for",
    "set_active",
]
