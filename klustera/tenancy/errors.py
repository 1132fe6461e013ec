"""Errors of the tenancy layer; the middleware, API and CLI turn them into answers."""


class TenancyError(Exception):
    """Base class of tenancy failures."""


class NoTenantSelected(TenancyError):
    """A tenant table was queried while no tenant was selected (the router fails closed)."""


class CrossTenantAccess(TenancyError):
    """An object loaded from one tenant's database was used inside another tenant's context."""


class TenantUnknown(TenancyError):
    """No tenant matches the host, path, token or header."""


class TenantUnavailable(TenancyError):
    """The tenant exists but its database cannot be reached."""


class ProvisioningError(TenancyError):
    """A tenant could not be created; nothing of it was left behind."""


class DatabaseToolFailed(TenancyError):
    """pg_dump, pg_restore or another database tool is missing or did not succeed."""


class MoveRefused(TenancyError):
    """A complex cannot be moved as asked, or its copy did not match; it stays where it was."""
