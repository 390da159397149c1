"""What every route is handed: the process's runtime, who is calling (a personal access
token: ``Authorization: Bearer palm_…``), and from which address (for the rate limits)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from palm import accounts
from palm.api.problems import ApiError
from palm.db import transaction
from palm.explore import Viewer
from palm.infra import RateLimitedError, client_address_of
from palm.runtime import Runtime, get_runtime
from palm.vocabulary import Guarded, Role, TokenScope

bearer = HTTPBearer(auto_error=False, description="A personal access token (Profile page).")


def runtime() -> Runtime:
    return get_runtime()


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def client_address(request: Request, rt: RuntimeDep) -> str:
    """The caller's address by the same trusted-proxy rule as the pages."""
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for", "")
    return client_address_of(peer, forwarded, rt.settings.palm_trusted_proxies)


AddressDep = Annotated[str, Depends(client_address)]


def _caller(
    rt: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> accounts.TokenOwner:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError("UNAUTHENTICATED", "Send a personal access token: Authorization: Bearer …")
    with transaction(rt.session_factory) as session:
        owner = accounts.resolve_token(session, credentials.credentials)
    if owner is None:
        raise ApiError("UNAUTHENTICATED", "This token is unknown, revoked or expired.")
    limiter = rt.api_token_limiter
    if limiter is not None and (wait := limiter.take(f"token:{owner.token_id}")):
        raise RateLimitedError(Guarded.API_REQUEST, "token", wait)
    return owner


def scoped(scope: TokenScope, *roles: Role) -> Callable[..., accounts.TokenOwner]:
    """A dependency: the caller, whose token carries ``scope`` (and whose role is one of
    ``roles``, when given; a role that may not is told FORBIDDEN, as on the pages)."""

    def check(
        owner: Annotated[accounts.TokenOwner, Depends(_caller)],
    ) -> accounts.TokenOwner:
        if scope not in owner.scopes:
            raise ApiError("INSUFFICIENT_SCOPE", f"This token lacks the {scope} scope.")
        if roles and owner.role not in roles:
            raise ApiError("FORBIDDEN", "Your role may not use this.")
        return owner

    return check


Reader = Annotated[accounts.TokenOwner, Depends(scoped(TokenScope.READ))]
Writer = Annotated[accounts.TokenOwner, Depends(scoped(TokenScope.WRITE))]
Analyst = Annotated[
    accounts.TokenOwner, Depends(scoped(TokenScope.ADMIN, Role.ANALYST, Role.ADMIN))
]
Admin = Annotated[accounts.TokenOwner, Depends(scoped(TokenScope.ADMIN, Role.ADMIN))]


def viewer_of(owner: accounts.TokenOwner, rt: Runtime) -> Viewer:
    """The explore viewer the History page would build for this person."""
    return Viewer(owner.user_id, owner.role, rt.pseudonym_secret)
