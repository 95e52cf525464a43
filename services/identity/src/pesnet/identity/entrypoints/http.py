"""The identity's HTTP API: signing in (access tokens, the pages' session cookie),
the published keys, the accounts (the administrator's) and one's own API tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field, model_validator

from pesnet.identity.domain.model import Account, ApiToken, SignInLocked
from pesnet.identity.service_layer import accounts, authentication
from pesnet.identity.service_layer.authentication import AccessToken
from pesnet.identity.service_layer.commands import (
    ChangeOwnPassword,
    ChangeRoles,
    CreateAccount,
    CreateFirstAdministrator,
    DisableAccount,
    EnableAccount,
    ExchangeApiToken,
    IssueApiToken,
    ResetPassword,
    RevokeApiToken,
    SignIn,
    UnlockAccount,
)
from pesnet.identity.service_layer.unit_of_work import IdentityUnitOfWork, PublicKeys
from pesnet.identity.settings import Settings
from pesnet.shared.audit import bind_actor
from pesnet.shared.credentials import SECRETARIAT, Actor, StaffRole
from pesnet.shared.errors import Unauthorized
from pesnet.shared.events.common import Country
from pesnet.shared.http import (
    CurrentActor,
    bearer,
    get_runtime,
    require,
    require_secretariat,
)
from pesnet.shared.http_security import clear_session_cookie, set_session_cookie
from pesnet.shared.json_types import WholeNumber
from pesnet.shared.rate_limits import Limit, limited
from pesnet.shared.settings import ServiceSettings
from pesnet.shared.text import CleanName, CleanText
from pesnet.shared.translation import _

PACKAGE = "pesnet.identity"

AccountId = Annotated[str, Path(pattern=r"^acc_[0-9a-f]{32}$")]
TokenId = Annotated[str, Path(pattern=r"^tok_[0-9a-f]{16}$")]
Administrator = Annotated[Actor, require(StaffRole.administrator)]
Password = Annotated[str, Field(min_length=1, max_length=256)]


def get_uow(request: Request) -> IdentityUnitOfWork:
    factory: Callable[[], IdentityUnitOfWork] = request.app.state.unit_of_work
    return factory()


Uow = Annotated[IdentityUnitOfWork, Depends(get_uow)]


def settings_of(request: Request) -> Settings:
    settings = get_runtime(request).settings
    assert isinstance(settings, Settings)
    return settings


# --- bodies and views -----------------------------------------------------------


class TokenRequest(BaseModel):
    """A username and password, or a personal API token."""

    model_config = ConfigDict(extra="forbid")
    username: str | None = Field(default=None, max_length=254)
    password: Password | None = None
    api_token: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one_way(self) -> TokenRequest:
        with_password = self.username is not None and self.password is not None
        if with_password == (self.api_token is not None):
            raise ValueError(_("give either username and password, or api_token"))
        return self


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105
    expires_in: int


class AccountView(BaseModel):
    id: str
    username: str
    roles: list[StaffRole]
    country: str | None
    institution: str | None
    disabled: bool
    created_at: datetime
    last_sign_in_at: datetime | None

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(
            id=account.id,
            username=account.username,
            roles=account.scope.sorted_roles(),
            country=account.scope.country,
            institution=account.scope.institution,
            disabled=account.disabled,
            created_at=account.created_at,
            last_sign_in_at=account.last_sign_in_at,
        )


class SessionView(BaseModel):
    expires_in: int
    account: AccountView


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=64)
    password: Password
    roles: list[StaffRole] = Field(min_length=1)
    country: Country | None = None
    institution: CleanText | None = Field(default=None, min_length=1, max_length=200)
    # the holder's name, as staff pages show who did what (default: the username)
    display_name: CleanText | None = Field(default=None, min_length=1, max_length=120)


class FirstAdministrator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=3, max_length=64)
    password: Password


class RolesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: list[StaffRole] = Field(min_length=1)
    country: Country | None = None
    institution: CleanText | None = Field(default=None, min_length=1, max_length=200)


class PasswordBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: Password


class OwnPasswordBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: Password
    new_password: Password


class NewApiToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: CleanName = Field(min_length=1, max_length=100)
    days: WholeNumber = Field(default=90, ge=1)


class ApiTokenView(BaseModel):
    id: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> ApiTokenView:
        return cls(
            id=token.id,
            name=token.name,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
        )


class IssuedApiToken(ApiTokenView):
    token: str = Field(description="The token itself: shown this once, never stored.")


# --- signing in -----------------------------------------------------------------

auth = APIRouter(tags=["sign-in"])

LOCKED_RESPONSE: dict[int | str, dict[str, Any]] = {
    401: {"description": "Wrong username or password, or an unusable API token"},
    429: {
        "description": "Too many failed sign-ins for this username, or too many sign-ins "
        "from this address; see Retry-After"
    },
}


def _sign_in_limit(settings: ServiceSettings) -> Limit:
    assert isinstance(settings, Settings)
    return settings.sign_in_limit()


# every sign-in counts against its client address, whatever the username
PerAddress = limited(_sign_in_limit)


async def _authenticate(
    body: TokenRequest, uow: IdentityUnitOfWork, request: Request
) -> AccessToken:
    """Sign in, counted by method and outcome (`pesnet_sign_ins_total`)."""
    method, outcome = ("api_token" if body.api_token is not None else "password"), "refused"
    try:
        if body.api_token is not None:
            issued = await authentication.exchange_api_token(ExchangeApiToken(body.api_token), uow)
        else:
            assert body.username is not None
            assert body.password is not None
            issued = await authentication.sign_in(SignIn(body.username, body.password), uow)
        outcome = "accepted"
    except SignInLocked:
        outcome = "locked"
        raise
    finally:
        request.app.state.sign_ins.labels(method, outcome).inc()
    return issued


@auth.post(
    "/auth/token",
    response_model=TokenResponse,
    responses=LOCKED_RESPONSE,
    dependencies=[PerAddress],
)
async def token(body: TokenRequest, uow: Uow, request: Request) -> TokenResponse:
    """A short-lived access token for a username and password, or for a personal API
    token. 401 for wrong credentials (never saying which part), 429 with
    `Retry-After` while the username is locked after repeated failures, or once the
    client's address made too many attempts (`PESNET_IDENTITY_SIGN_IN_PER_ADDRESS`)."""
    issued = await _authenticate(body, uow, request)
    return TokenResponse(access_token=issued.access_token, expires_in=issued.expires_in)


@auth.post(
    "/auth/session",
    response_model=SessionView,
    responses=LOCKED_RESPONSE,
    dependencies=[PerAddress],
)
async def open_session(
    body: TokenRequest, request: Request, response: Response, uow: Uow
) -> SessionView:
    """Sign in for pages: the access token in an `HttpOnly`, `SameSite=Lax` cookie
    (`Secure` outside dev mode) that every service reads."""
    issued = await _authenticate(body, uow, request)
    set_session_cookie(
        response, issued.access_token, issued.expires_in, not settings_of(request).dev_mode
    )
    return SessionView(expires_in=issued.expires_in, account=AccountView.of(issued.account))


@auth.delete("/auth/session", status_code=204)
async def close_session(request: Request) -> Response:
    response = Response(status_code=204)
    clear_session_cookie(response, not settings_of(request).dev_mode)
    return response


@auth.get("/.well-known/jwks.json")
async def jwks(request: Request) -> JSONResponse:
    """The public keys that verify access tokens (every service caches them)."""
    keys: PublicKeys = request.app.state.public_keys
    return JSONResponse(keys.jwks(), headers={"Cache-Control": "public, max-age=300"})


@auth.get("/.well-known/openid-configuration")
async def openid_configuration(request: Request) -> dict[str, Any]:
    settings = settings_of(request)
    base = settings.public_base_url()
    return {
        "issuer": settings.token_issuer,
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "token_endpoint": f"{base}/auth/token",
        "grant_types_supported": ["password"],
        "response_types_supported": ["token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["EdDSA", "ES256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "claims_supported": [
            "iss",
            "aud",
            "sub",
            "exp",
            "iat",
            "preferred_username",
            "roles",
            "country",
            "institution",
        ],
    }


# --- one's own account ----------------------------------------------------------

me = APIRouter(prefix="/accounts/me", tags=["my account"])


def _account_id(actor: Actor) -> str:
    if actor.account_id is None:
        raise Unauthorized(_("sign in with an account first"))
    return actor.account_id


@me.get("", response_model=AccountView)
async def my_account(actor: CurrentActor, uow: Uow) -> AccountView:
    return AccountView.of(await accounts.get_account(_account_id(actor), uow))


@me.post("/password", response_model=AccountView)
async def change_my_password(body: OwnPasswordBody, actor: CurrentActor, uow: Uow) -> AccountView:
    command = ChangeOwnPassword(_account_id(actor), body.current_password, body.new_password)
    return AccountView.of(await accounts.change_own_password(command, uow))


@me.get("/api-tokens", response_model=list[ApiTokenView])
async def my_api_tokens(actor: CurrentActor, uow: Uow) -> list[ApiTokenView]:
    tokens = await authentication.list_api_tokens(_account_id(actor), uow)
    return [ApiTokenView.of(t) for t in tokens]


@me.post("/api-tokens", response_model=IssuedApiToken, status_code=201)
async def new_api_token(body: NewApiToken, actor: CurrentActor, uow: Uow) -> IssuedApiToken:
    """A personal API token for scripts, to exchange at `/auth/token` for access
    tokens. It is shown once; only its digest is kept."""
    command = IssueApiToken(_account_id(actor), body.name, body.days)
    record, secret = await authentication.issue_api_token(command, uow)
    return IssuedApiToken(**ApiTokenView.of(record).model_dump(), token=secret)


@me.delete("/api-tokens/{token_id}", response_model=ApiTokenView)
async def revoke_my_api_token(token_id: TokenId, actor: CurrentActor, uow: Uow) -> ApiTokenView:
    command = RevokeApiToken(_account_id(actor), token_id)
    return ApiTokenView.of(await authentication.revoke_api_token(command, uow))


# --- administration -------------------------------------------------------------

admin = APIRouter(prefix="/accounts", tags=["accounts"])


@admin.post("/bootstrap", response_model=AccountView, status_code=201)
async def first_administrator(
    body: FirstAdministrator,
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    uow: Uow,
) -> AccountView:
    """The first administrator, with the shared secretariat token; 409 once an
    administrator exists."""
    require_secretariat(request, credentials)
    bind_actor(SECRETARIAT)
    command = CreateFirstAdministrator(body.username, body.password)
    return AccountView.of(await accounts.create_first_administrator(command, uow))


@admin.post("", response_model=AccountView, status_code=201)
async def create_account(body: NewAccount, _: Administrator, uow: Uow) -> AccountView:
    command = CreateAccount(
        body.username,
        body.password,
        frozenset(body.roles),
        body.country,
        body.institution,
        display_name=body.display_name,
    )
    return AccountView.of(await accounts.create_account(command, uow))


@admin.get("", response_model=list[AccountView])
async def list_accounts(_: Administrator, uow: Uow) -> list[AccountView]:
    return [AccountView.of(a) for a in await accounts.list_accounts(uow)]


@admin.get("/{account_id}", response_model=AccountView)
async def get_account(account_id: AccountId, _: Administrator, uow: Uow) -> AccountView:
    return AccountView.of(await accounts.get_account(account_id, uow))


@admin.put("/{account_id}/roles", response_model=AccountView)
async def change_roles(
    account_id: AccountId, body: RolesBody, _: Administrator, uow: Uow
) -> AccountView:
    command = ChangeRoles(account_id, frozenset(body.roles), body.country, body.institution)
    return AccountView.of(await accounts.change_roles(command, uow))


@admin.post("/{account_id}/disable", response_model=AccountView)
async def disable(account_id: AccountId, _: Administrator, uow: Uow) -> AccountView:
    return AccountView.of(await accounts.disable_account(DisableAccount(account_id), uow))


@admin.post("/{account_id}/enable", response_model=AccountView)
async def enable(account_id: AccountId, _: Administrator, uow: Uow) -> AccountView:
    return AccountView.of(await accounts.enable_account(EnableAccount(account_id), uow))


@admin.post("/{account_id}/unlock", response_model=AccountView)
async def unlock(account_id: AccountId, _: Administrator, uow: Uow) -> AccountView:
    return AccountView.of(await accounts.unlock_account(UnlockAccount(account_id), uow))


@admin.post("/{account_id}/password", response_model=AccountView)
async def reset_password(
    account_id: AccountId, body: PasswordBody, _: Administrator, uow: Uow
) -> AccountView:
    command = ResetPassword(account_id, body.password)
    return AccountView.of(await accounts.reset_password(command, uow))


@admin.get("/{account_id}/api-tokens", response_model=list[ApiTokenView])
async def api_tokens_of(account_id: AccountId, _: Administrator, uow: Uow) -> list[ApiTokenView]:
    return [ApiTokenView.of(t) for t in await authentication.list_api_tokens(account_id, uow)]


@admin.delete("/{account_id}/api-tokens/{token_id}", response_model=ApiTokenView)
async def revoke_api_token(
    account_id: AccountId, token_id: TokenId, _: Administrator, uow: Uow
) -> ApiTokenView:
    command = RevokeApiToken(account_id, token_id)
    return ApiTokenView.of(await authentication.revoke_api_token(command, uow))


routers = [auth, me, admin]
