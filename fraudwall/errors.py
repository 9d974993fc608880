"""Domain errors. Each carries the HTTP status the service answers with."""

from __future__ import annotations


class FraudwallError(Exception):
    """Base class of fraudwall's own errors."""

    http_status = 500


class InputError(FraudwallError):
    """Input data that cannot be read at all: names the file and, where known, row and field."""

    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        where = ", ".join(
            f"{k} {v}" for k, v in (("file", file), ("row", row), ("field", field)) if v is not None
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.row, self.field = file, row, field


class PolicyError(FraudwallError):
    """An invalid policy file or value."""

    http_status = 422


class WorkspaceError(FraudwallError):
    """A workspace that is missing, or lacks a table a step needs."""

    http_status = 404


class WorkspaceBusy(WorkspaceError):
    """Another process is writing to the workspace."""

    http_status = 409


class NotFound(FraudwallError):
    """Something asked for by id or name does not exist."""

    http_status = 404


class PermissionDenied(FraudwallError):
    """The person acting may not do this (their role, or a rule such as maker-checker)."""

    http_status = 403


class Conflict(FraudwallError):
    """The request clashes with the current state (already done, duplicate, concurrent change)."""

    http_status = 409


class Unauthorized(FraudwallError):
    """Who is acting is unknown or not proven."""

    http_status = 401
