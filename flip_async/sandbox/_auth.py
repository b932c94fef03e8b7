"""Who may call what: the client token, and the one-hour site tokens scoped to one site."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from flip_async import models
from flip_async._spec import OPERATIONS
from flip_async._spec_types import Auth
from flip_async.sandbox._wire import Rejected

SITE_TOKEN_LIFETIME = timedelta(hours=1)
_ISSUER = OPERATIONS["get_site_token"]
_SITE_TOKEN_ISSUER = f"{_ISSUER.method} {_ISSUER.path}"


@attrs.frozen
class _Grant:
    site_id: str
    expires_at: datetime


class Authenticator:
    """Checks each request's bearer token against the scheme its operation takes (401 or 403 when it does not fit).

    A client token where a site token is required answers 401, as does a site token where the client token is
    required: neither authenticates under the other scheme. A valid site token on another site's path answers 403.
    """

    def __init__(self, client_token: str, clock: Callable[[], datetime]) -> None:
        self._client_token = client_token
        self._clock = clock
        self._grants: dict[str, _Grant] = {}

    def issue(self, site_id: str) -> models.SiteToken:
        """A new site token for `site_id`, valid for an hour from now by the sandbox's clock."""
        token = f"sandbox-site-{secrets.token_urlsafe(24)}"
        grant = _Grant(site_id, self._clock() + SITE_TOKEN_LIFETIME)
        self._grants[token] = grant
        return models.SiteToken(site_access_token=token, expires_at=grant.expires_at)

    def check(self, scheme: Auth, authorization: str | None, site_id: str | None) -> None:
        token = _bearer(authorization)
        if scheme is Auth.CLIENT:
            if not secrets.compare_digest(token.encode(), self._client_token.encode()):
                raise _unauthorized("this operation takes the client token")
            return
        grant = self._grants.get(token)
        if grant is None:
            raise _unauthorized(f"this operation takes a site token (from {_SITE_TOKEN_ISSUER})")
        if self._clock() >= grant.expires_at:
            raise _unauthorized("the site token has expired; request a new one")
        if grant.site_id != site_id:
            raise Rejected(403, "FORBIDDEN", "the site token belongs to another site")


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("send the token as `Authorization: Bearer <token>`")
    return token.strip()


def _unauthorized(message: str) -> Rejected:
    return Rejected(401, "UNAUTHORIZED", message)
