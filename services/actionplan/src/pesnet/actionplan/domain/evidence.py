"""What a progress report shows as its evidence: a short text, a link, and a file the
service keeps. A file is small and of a few document and picture types (the lead
institution's minutes, attendance list, photographs), kept in the service's own
database in a bounded binary field, and served only to the secretariat and to the
focal points of the reporting institution.

A file may name people (an attendance list), so it is kept only while the plan is
monitored: `retention_days` after the plan is closed it is erased (`expired_files`),
and the report keeps only that it had one and when it went."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from pesnet.actionplan.domain.entity import Entity, new_id
from pesnet.shared.errors import InvalidInput
from pesnet.shared.translation import _

# 512 KiB: within the request limit of every service (1 MiB) with the rest of the form
MAX_EVIDENCE_BYTES = 512 * 1024
# the types taken, by extension: documents, spreadsheets and pictures
EVIDENCE_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "csv": "text/csv",
    "txt": "text/plain",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# what the first bytes of a file of each kind are (a renamed program is refused)
_MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}


class EvidenceFile(Entity):
    """The file of a report, as the report names it (its bytes are kept apart)."""

    id: str
    filename: str
    content_type: str
    size: int
    # when the file's bytes were erased at the end of their retention
    erased_at: datetime | None = None


class Evidence(Entity):
    text: str | None = None
    url: str | None = None
    file: EvidenceFile | None = None

    @property
    def empty(self) -> bool:
        return not (self.text or self.url or self.file)


class StoredFile(BaseModel):
    """A kept file: its bytes, the report it evidences and who may read it."""

    model_config = ConfigDict(frozen=True)

    id: str
    period: str
    report_id: str
    institution: str
    filename: str
    content_type: str
    data: bytes


def accept_file(filename: str, data: bytes, field: str = "evidence_file") -> EvidenceFile:
    """A file taken as evidence, or a 422 on `field`: not empty, at most
    `MAX_EVIDENCE_BYTES`, of a listed type whose content is what its name says."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = EVIDENCE_TYPES.get(extension)
    if content_type is None:
        raise InvalidInput(
            _("files of these types are taken: {types}"),
            field=field,
            params={"types": ", ".join(sorted(EVIDENCE_TYPES))},
        )
    if not data:
        raise InvalidInput(_("the file is empty"), field=field)
    if len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(
            _("the file is larger than {size} KB"),
            field=field,
            params={"size": MAX_EVIDENCE_BYTES // 1024},
        )
    magic = _MAGIC.get(content_type)
    if magic is not None and not data.startswith(magic):
        raise InvalidInput(_("the file's content is not what its name says"), field=field)
    if magic is None and b"\x00" in data:
        raise InvalidInput(_("the file's content is not what its name says"), field=field)
    return EvidenceFile(id=new_id("evd"), filename=name, content_type=content_type, size=len(data))


def retention_over(closed_at: datetime | None, retention_days: int, now: datetime) -> bool:
    """Whether a plan closed at `closed_at` keeps its files no longer (an open plan keeps
    them: it is still monitored)."""
    return closed_at is not None and now >= closed_at + timedelta(days=retention_days)


def expired_files(evidences: Iterable[Evidence | None], *, now: datetime) -> list[EvidenceFile]:
    """The files of these evidences not erased yet, marked erased at `now`."""
    erased: list[EvidenceFile] = []
    for evidence in evidences:
        if evidence is not None and evidence.file is not None and evidence.file.erased_at is None:
            evidence.file.erased_at = now
            erased.append(evidence.file)
    return erased
