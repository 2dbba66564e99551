"""import_photos: pupils' photos from a folder or a ZIP, one file per pupil named by UPN
(`A123456789012.jpg`), all or nothing.

Every file is checked first (a UPN of the school, a JPEG or PNG Pillow can read, no larger
than MAX_BYTES or MAX_PIXELS); then each photo is re-encoded as a small JPEG (at most
SIDE pixels a side, no EXIF: a phone's photo carries where and when it was taken) and stored
with a random name (registers.models.photos). A pupil's earlier photo is replaced; the same
photo again changes nothing. Files that are not images (Thumbs.db, .DS_Store) are skipped
by their extension, never guessed at.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from registers.models import Pupil, PupilPhoto, School

from .csvfile import Problems

EXTENSIONS = frozenset({".jpg", ".jpeg", ".png"})
MAX_BYTES = 5 * 1024 * 1024  # a school's ID-card photos are a few hundred kB
MAX_PIXELS = 40_000_000  # and never a 40-megapixel image (a decompression bomb)
SIDE = 320  # the stored photo's longest side: enough for a register's thumbnail
QUALITY = 85


@dataclass
class PhotosResult:
    created: int = 0
    replaced: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"photos: {self.created} created, {self.replaced} replaced, {self.unchanged} unchanged"
        )


def _files(source: Path, problems: Problems) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of each image file of the folder or ZIP (not of its sub-folders)."""
    if source.is_dir():
        for path in sorted(source.iterdir()):
            if path.is_file() and path.suffix.lower() in EXTENSIONS:
                if path.stat().st_size > MAX_BYTES:
                    problems.add(f"{path.name}: larger than {MAX_BYTES // 2**20} MB")
                    continue
                yield path.name, path.read_bytes()
        return
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile):
        problems.add(f"{source}: not a folder or a ZIP file")
        return
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name = PurePosixPath(info.filename)
            if info.is_dir() or name.suffix.lower() not in EXTENSIONS:
                continue
            if name.name.startswith("._"):  # macOS's resource forks beside each file
                continue
            if info.file_size > MAX_BYTES:
                problems.add(f"{name.name}: larger than {MAX_BYTES // 2**20} MB")
                continue
            yield name.name, archive.read(info)


def _normalised(data: bytes) -> bytes:
    """The photo as a small JPEG without metadata; ValueError if it is not a usable image."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG"):
                raise ValueError(f"a {probe.format} image, not a JPEG or PNG")
            if probe.width * probe.height > MAX_PIXELS:
                raise ValueError(f"{probe.width}×{probe.height} pixels is too large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            small = opened.convert("RGB")
            small.thumbnail((SIDE, SIDE))
            out = io.BytesIO()
            small.save(out, format="JPEG", quality=QUALITY, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValueError("not an image Pillow can read (damaged, or another format)") from exc


def import_photos(*, school: School, source: str | Path) -> PhotosResult:
    source = Path(source)
    problems = Problems()
    if not source.exists():
        problems.add(f"{source}: not found")
        problems.raise_if_any()
    pupils = {p.upn.upper(): p for p in Pupil.objects.for_school(school)}
    checked: dict[int, bytes] = {}
    seen: dict[str, str] = {}
    for name, data in _files(source, problems):
        upn = PurePosixPath(name).stem.strip().upper()
        pupil = pupils.get(upn)
        if pupil is None:
            problems.add(f"{name}: no pupil of {school} has the UPN {upn!r}")
            continue
        if upn in seen:
            problems.add(f"{name}: {seen[upn]} is a photo of the same pupil")
            continue
        seen[upn] = name
        try:
            checked[pupil.pk] = _normalised(data)
        except ValueError as exc:
            problems.add(f"{name}: {exc}")
    problems.raise_if_any()
    return _store(school, checked)


@transaction.atomic
def _store(school: School, photos: dict[int, bytes]) -> PhotosResult:
    result = PhotosResult()
    written: list[str] = []
    try:
        _write(school, photos, result, written)
    except BaseException:
        # Nothing is committed: the files written so far point at no row.
        for name in written:
            default_storage.delete(name)
        raise
    return result


def _write(school: School, photos: dict[int, bytes], result: PhotosResult, written: list) -> None:
    current = {p.pupil_id: p for p in PupilPhoto.objects.for_school(school).select_for_update()}
    for pupil_id, data in photos.items():
        digest = hashlib.sha256(data).hexdigest()
        photo = current.get(pupil_id)
        if photo is not None and photo.digest == digest:
            result.unchanged += 1
            continue
        if photo is None:
            photo = PupilPhoto(school=school, pupil_id=pupil_id)
            result.created += 1
        else:
            # The old file goes once the new row is committed; until then it is still
            # what the database points at.
            old = photo.image.name
            transaction.on_commit(partial(default_storage.delete, old))
            result.replaced += 1
        photo.digest = digest
        photo.image.save("photo.jpg", ContentFile(data), save=False)
        written.append(photo.image.name)
        photo.save()
