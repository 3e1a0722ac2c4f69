"""Bearer tokens → roles, compared in constant time; tokens never reach a log line.

Every configured token is compared (``hmac.compare_digest``) on every request, so the time
taken does not reveal which role's token was nearly right.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from api.errors import Forbidden, Unauthorized
from api.settings import CHANNEL_OF_ROLE, ApiSettings, Channel, Role


@dataclass(frozen=True)
class Principal:
    role: Role

    @property
    def channel(self) -> Channel:
        return CHANNEL_OF_ROLE[self.role]


class TokenAuthority:
    def __init__(self, settings: ApiSettings) -> None:
        self._tokens: list[tuple[bytes, Role]] = [
            (secret.get_secret_value().encode(), role)
            for role, secrets in (
                (Role.ivr, settings.ivr_tokens),
                (Role.operator, settings.operator_tokens),
                (Role.desk, settings.desk_tokens),
                (Role.admin, settings.admin_tokens),
            )
            for secret in secrets
        ]

    def authenticate(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized("a bearer token is required")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("a bearer token is required")
        presented = token.strip().encode()
        found: Role | None = None
        for known, role in self._tokens:
            if hmac.compare_digest(known, presented) and found is None:
                found = role
        if found is None:
            raise Unauthorized("unknown token")
        return Principal(role=found)


def require(principal: Principal, *roles: Role) -> Principal:
    if principal.role not in roles:
        raise Forbidden(
            "this role may not use this endpoint",
            role=principal.role.value,
            allowed=[role.value for role in roles],
        )
    return principal
