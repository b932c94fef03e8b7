"""Who may call what: the client token, and the one-hour site tokens scoped to one site."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

import attrs

from flip_async import models
from flip_async._spec import OPERATIONS
from flip_async._spec_types import Auth
from flip_async.sandbox._wire import Rejected

SITE_TOKEN_LIFETIME = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=1)
"""How long an expired token is still recognised as expired (its 401 says so) before the sandbox forgets it."""
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
        # In the order issued, which is the order they expire in: forgetting the expired ones looks at the oldest only.
        self._grants: OrderedDict[str, _Grant] = OrderedDict()

    def issue(self, site_id: str) -> models.SiteToken:
        """A new site token for `site_id`, valid for an hour from now by the sandbox's clock.

        Tokens expired for more than FORGET_AFTER are forgotten meanwhile, so a long-running sandbox keeps only the
        tokens of the last two hours, however many it has issued.
        """
        now = self._clock()
        forget_expired(self._grants, now - FORGET_AFTER, lambda grant: grant.expires_at)
        token = f"sandbox-site-{secrets.token_urlsafe(24)}"
        grant = _Grant(site_id, now + SITE_TOKEN_LIFETIME)
        self._grants[token] = grant
        return models.SiteToken(site_access_token=token, expires_at=grant.expires_at)

    @property
    def site_tokens(self) -> int:
        """How many site tokens the sandbox holds (live ones, and those expired within FORGET_AFTER)."""
        return len(self._grants)

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
            raise Rejected(403, "the site token belongs to another site")


V = TypeVar("V")


def forget_expired(entries: OrderedDict[str, V], before: datetime, expires_at: Callable[[V], datetime]) -> None:
    """Drop the entries, oldest first, that expired before `before`; stop at the first that did not.

    Entries go in as they are issued, each living as long as the others, so they expire in that order; a clock set
    back only makes some be kept a little longer. Each entry is looked at once more than it is dropped: O(1) per
    entry over a sandbox's life.
    """
    while entries:
        oldest = next(iter(entries.values()))
        if expires_at(oldest) >= before:
            return
        entries.popitem(last=False)


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("send the token as `Authorization: Bearer <token>`")
    return token.strip()


def _unauthorized(message: str) -> Rejected:
    return Rejected(401, message)
