"""The request bodies of the registration service's HTTP API and pages: pydantic
models with `extra="forbid"`, so an unknown key (such as a `$where`) or an object where
a string belongs is a 422 naming the field, and nothing unvalidated reaches a use case
or MongoDB. Each makes the domain's command (a small dataclass) of itself."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from pesnet.registration.domain.commands import (
    Announce,
    Audience,
    NominateFocalPoint,
    RegisterInstitution,
    RenameInstitution,
)
from pesnet.registration.domain.names import MAX_NAME, clean_text, normalize_country
from pesnet.registration.domain.registration import Details
from pesnet.shared.credentials import Actor
from pesnet.shared.emails import Email
from pesnet.shared.errors import InvalidInput
from pesnet.shared.events.common import (
    Attendance,
    InstitutionId,
    Language,
    ParticipantStatus,
    Role,
)
from pesnet.shared.i18n import Localized
from pesnet.shared.json_types import WholeNumber
from pesnet.shared.translation import N_, Message, _

# A generous bound before the precise checks: never parse megabytes of "name".
Text = Annotated[str, Field(max_length=5000)]
# Internationalized addresses are accepted (the kernel's one rule for e-mail).
EmailText = Annotated[Email, Field(max_length=5000)]

NAME_FIELDS = ("given_name", "family_name", "institution", "position")
INSTITUTION_NEEDED = N_("give the institution's name, or its id in the network's reference")
NOTE_FIELDS = ("accessibility_notes", "dietary_notes")
# Fields a correction may not set to null (the others may be cleared).
REQUIRED_DETAILS = ("given_name", "family_name", "email", "institution", "position", "language")


def _clean(value: str | None, field: str, **options: Any) -> str | None:
    if value is None:
        return None
    try:
        return clean_text(value, field, **options)
    except InvalidInput as exc:
        raise ValueError(Message(exc.message, exc.params)) from None


class _RegistrationFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator(*NAME_FIELDS, check_fields=False)
    @classmethod
    def _names(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _clean(value, info.field_name or "", max_length=MAX_NAME)

    @field_validator("name_latin", check_fields=False)
    @classmethod
    def _latin(cls, value: str | None, info: ValidationInfo) -> str | None:
        cleaned = _clean(value, info.field_name or "", max_length=MAX_NAME, required=False)
        return cleaned or None

    @field_validator("honorific", check_fields=False)
    @classmethod
    def _honorific(cls, value: str | None, info: ValidationInfo) -> str | None:
        cleaned = _clean(value, info.field_name or "", max_length=50, required=False)
        return cleaned or None

    @field_validator(*NOTE_FIELDS, check_fields=False)
    @classmethod
    def _notes(cls, value: str | None, info: ValidationInfo) -> str | None:
        cleaned = _clean(
            value, info.field_name or "", max_length=1000, multiline=True, required=False
        )
        return cleaned or None


class NewRegistration(_RegistrationFields):
    """`POST /meetings/{meeting_id}/registrations`."""

    given_name: Text = Field(description="In the person's own script (e.g. Arabic).")
    family_name: Text
    email: EmailText
    country: Text | None = Field(
        default=None,
        description="ISO 3166-1 alpha-3 of an OIC member state; omitted for an OIC "
        "institution or partner (then only speaker, moderator, observer or secretariat).",
    )
    institution_id: InstitutionId | None = Field(
        default=None,
        description="The institution in the network's reference (`GET /institutions`).",
    )
    institution: Text | None = Field(
        default=None,
        # checked when absent too: without `institution_id`, it is needed
        validate_default=True,
        description="The institution's name as the person writes it; may be left out "
        "when `institution_id` names it (then its name in the person's language).",
    )
    position: Text
    role: Role
    language: Language = Field(description="Preferred language of correspondence.")
    name_latin: Text | None = Field(default=None, description="Optional Latin transliteration.")
    honorific: Text | None = None
    interpretation: Language | None = Field(
        default=None, description="Language the participant needs interpretation into."
    )
    accessibility_notes: Text | None = None
    dietary_notes: Text | None = None
    attendance: Attendance | None = Field(
        default=None,
        description="A hybrid meeting's participant takes part `on_site` or `online` (required "
        "there; an in-person or online meeting decides it).",
    )

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_country(value)
        except InvalidInput as exc:
            raise ValueError(Message(exc.message, exc.params)) from None

    @field_validator("institution")
    @classmethod
    def _institution_named(cls, value: str | None, info: ValidationInfo) -> str | None:
        # (an `institution_id` that failed its own check is not in `info.data`: one error)
        if value is None and "institution_id" in info.data and info.data["institution_id"] is None:
            raise ValueError(INSTITUTION_NEEDED)
        return value

    def details(self) -> Details:
        return Details(**self.model_dump())


class Correction(_RegistrationFields):
    """`PATCH /registrations/{id}`: the fields a registrant may correct. Country and
    role decide the delegation and its quota: withdraw and register again to change them."""

    given_name: Text | None = None
    family_name: Text | None = None
    email: EmailText | None = None
    institution: Text | None = None
    position: Text | None = None
    language: Language | None = None
    name_latin: Text | None = None
    honorific: Text | None = None
    interpretation: Language | None = None
    accessibility_notes: Text | None = None
    dietary_notes: Text | None = None
    attendance: Attendance | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the caller sent (a null clears an optional one)."""
        changes = self.model_dump(exclude_unset=True)
        for name in REQUIRED_DETAILS:
            if name in changes and changes[name] is None:
                raise InvalidInput(_("must not be null"), field=name)
        if not changes:
            raise InvalidInput(_("nothing to correct"), field="body")
        return changes


class Rejection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Text | None = None

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        return _clean(value, "reason", max_length=1000, multiline=True, required=False) or None


class BadgeScan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    badge_token: Annotated[str, Field(min_length=1, max_length=300)]


class NewFocalPoint(BaseModel):
    """`POST /focal-points`: a national focal point of a country and, when named, of
    one institution of the reference (then the action plan hears from them and writes
    to them: their name and e-mail are needed)."""

    model_config = ConfigDict(extra="forbid")

    country: Text
    name: Text | None = None
    institution_id: InstitutionId | None = None
    email: EmailText | None = None
    language: Language = Language.en

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        try:
            return normalize_country(value)
        except InvalidInput as exc:
            raise ValueError(Message(exc.message, exc.params)) from None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        # left out: no name; given: a name, never blank
        return _clean(value, "name", max_length=MAX_NAME)

    def command(self) -> NominateFocalPoint:
        return NominateFocalPoint(**self.model_dump())


class NewInstitution(BaseModel):
    """`POST /institutions`: an institution joins the network's reference."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(max_length=64, description="A stable slug, e.g. `anapec`.")]
    name: Localized = Field(description="Its name in ar, en and fr (all three).")
    acronym: Text | None = None
    country: Text | None = Field(
        default=None,
        description="ISO 3166-1 alpha-3 of its member state; none for an OIC institution "
        "or a partner.",
    )

    def command(self) -> RegisterInstitution:
        return RegisterInstitution(
            id=self.id, name=self.name, acronym=self.acronym, country=self.country
        )


class InstitutionChanges(BaseModel):
    """`PATCH /institutions/{id}`: new names or acronym (an institution keeps its id
    and country)."""

    model_config = ConfigDict(extra="forbid")

    name: Localized | None = None
    acronym: Text | None = None

    def command(self, institution_id: str) -> RenameInstitution:
        return RenameInstitution(institution_id, name=self.name, acronym=self.acronym)


class Purge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    older_than_days: WholeNumber = Field(
        default=90, ge=0, le=3650, description="Days after the meeting's end date."
    )


class AudienceFilter(BaseModel):
    """Part of a meeting's participants: one delegation, one role, one state."""

    model_config = ConfigDict(extra="forbid")

    country: Annotated[str | None, Field(pattern=r"^[A-Za-z]{3}$")] = None
    role: Role | None = None
    status: ParticipantStatus | None = None


class NewAnnouncement(BaseModel):
    """`POST /meetings/{meeting_id}/announcements`: a message in ar, en and fr (all
    three) to everyone registered who has not left (`"all"`), or to part of them."""

    model_config = ConfigDict(extra="forbid")

    title: Localized
    body: Localized
    audience: Literal["all"] | AudienceFilter = "all"
    critical: bool = False

    @field_validator("title", "body")
    @classmethod
    def _complete(cls, value: Localized, info: ValidationInfo) -> Localized:
        missing = value.missing()
        if missing:
            raise ValueError(
                Message(
                    _("write it in each language: {missing} missing"),
                    {"missing": ", ".join(missing)},
                )
            )
        cleaned = {
            lang: _clean(
                getattr(value, lang), f"{info.field_name}.{lang}", max_length=5000, multiline=True
            )
            for lang in ("ar", "en", "fr")
        }
        return Localized(**cleaned)

    def command(self, meeting_id: str, actor: Actor) -> Announce:
        return Announce(
            audience=audience_of(meeting_id, self.audience),
            title=self.title,
            body=self.body,
            critical=self.critical,
            actor=actor,
        )


def audience_of(meeting_id: str, audience: Literal["all"] | AudienceFilter) -> Audience:
    if audience == "all" or not isinstance(audience, AudienceFilter):
        return Audience(meeting_id)
    return Audience(
        meeting_id,
        country=audience.country.upper() if audience.country else None,
        status=audience.status.value if audience.status else None,
        role=audience.role.value if audience.role else None,
    )
