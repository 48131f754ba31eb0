"""Issue 17, finding 3: a stored file stays inside its folder whatever id or name reaches the
store (ids and names are checked where they are made; this pins the check at the store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.domain import DomainError
from engine.domain.operations.cases.documents import DOCUMENTS
from engine.domain.operations.follow_ups.attachments import ATTACHMENTS


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DOCKET_DOCUMENTS", str(tmp_path / "root" / "documents"))
    monkeypatch.setenv("DOCKET_ATTACHMENTS", str(tmp_path / "root" / "attachments"))
    return tmp_path


@pytest.mark.parametrize("kind", [DOCUMENTS, ATTACHMENTS], ids=["documents", "attachments"])
@pytest.mark.parametrize("owner", ["..", "../..", ".", "a/b", "/etc", "C1/../.."])
def test_an_owner_that_would_leave_the_folder_is_refused(
    folders: Path, kind: object, owner: str
) -> None:
    with pytest.raises(DomainError, match="would be stored outside"):
        kind.store(owner, "x.txt", b"hello")  # type: ignore[attr-defined]
    assert [p for p in folders.rglob("*") if p.is_file()] == []


def test_a_link_out_of_the_folder_is_not_followed(folders: Path) -> None:
    outside = folders / "outside"
    outside.mkdir()
    root = DOCUMENTS.folder()
    root.mkdir(parents=True)
    (root / "C1").symlink_to(outside, target_is_directory=True)
    with pytest.raises(DomainError, match="would be stored outside DOCKET_DOCUMENTS"):
        DOCUMENTS.store("C1", "x.txt", b"hello")
    assert list(outside.iterdir()) == []


def test_a_plain_owner_and_name_are_stored_below_the_folder(folders: Path) -> None:
    stored = ATTACHMENTS.store("A1-dispute", "note.txt", b"hello")
    assert stored.path.startswith("A1-dispute/") and stored.path.endswith("-note.txt")
    assert (ATTACHMENTS.folder() / stored.path).read_bytes() == b"hello"
