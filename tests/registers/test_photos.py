"""Pupils' photos (issue 17): import_photos from a folder or a ZIP named by UPN, all or
nothing, re-encoded without metadata under a random name; served only to staff who may see
the pupil or cover their form today; the register shows them small, or initials."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from registers.models import PupilPhoto
from registers.services.cover import grant_cover

MONDAY = dt.datetime(2025, 10, 20, 9, 0, tzinfo=ZoneInfo("Europe/London"))


def jpeg(colour=(200, 100, 50), size=(600, 800), exif=True) -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    info = Image.Exif()
    info[0x010F] = "PhoneMaker"  # Make: a phone's photo says which camera, where and when
    image.save(out, format="JPEG", exif=info.tobytes() if exif else b"")
    return out.getvalue()


def run(school, source) -> str:
    out = StringIO()
    call_command("import_photos", "--school", school.urn, str(source), stdout=out)
    return out.getvalue()


def test_a_folder_imports_small_jpegs_without_metadata_under_random_names(
    school, pupils, tmp_path, django_capture_on_commit_callbacks
):
    (tmp_path / f"{pupils[0].upn}.jpg").write_bytes(jpeg())
    (tmp_path / f"{pupils[1].upn.lower()}.PNG").write_bytes(_png())
    (tmp_path / "Thumbs.db").write_bytes(b"not an image")
    assert "photos: 2 created, 0 replaced, 0 unchanged" in run(school, tmp_path)
    photo = PupilPhoto.objects.get(pupil=pupils[0])
    assert pupils[0].upn not in photo.image.name and photo.image.name.startswith("photos/")
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and max(image.size) <= 320
        assert not image.getexif()
    # Again: nothing changes. A new photo replaces the old one and its file.
    assert "0 created, 0 replaced, 2 unchanged" in run(school, tmp_path)
    old = photo.image.name
    (tmp_path / f"{pupils[0].upn}.jpg").write_bytes(jpeg(colour=(10, 200, 10)))
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 created, 1 replaced, 1 unchanged" in run(school, tmp_path)
    photo.refresh_from_db()
    assert photo.image.name != old and not photo.image.storage.exists(old)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (100, 100), (0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def test_a_zip_with_any_bad_file_imports_nothing_and_names_each_problem(
    school, pupils, other_school, tmp_path
):
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"class/{pupils[0].upn}.jpg", jpeg())
        z.writestr("Z99999999999Z.jpg", jpeg())
        z.writestr(f"{pupils[1].upn}.jpg", b"GIF89a not really")
        z.writestr(f"__MACOSX/._{pupils[2].upn}.jpg", b"resource fork")
        z.writestr(f"{pupils[0].upn}.png", _png())
    with pytest.raises(CommandError) as exc:
        run(school, archive)
    message = str(exc.value)
    assert "Z99999999999Z.jpg: no pupil of" in message
    assert f"{pupils[1].upn}.jpg: not an image Pillow can read" in message
    assert f".png: {pupils[0].upn}.jpg is a photo of the same pupil" in message or (
        f".jpg: {pupils[0].upn}.png is a photo of the same pupil" in message
    )
    assert not PupilPhoto.objects.exists()
    with pytest.raises(CommandError, match=r"missing\.zip: not found"):
        run(school, tmp_path / "missing.zip")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CommandError, match="not a folder or a ZIP"):
        run(school, tmp_path / "notes.txt")


def test_only_staff_who_may_see_the_pupil_or_cover_the_form_get_the_photo(
    client, school, form, pupils, officer, teacher, other_teacher, governor, tmp_path
):
    (tmp_path / f"{pupils[0].upn}.jpg").write_bytes(jpeg())
    run(school, tmp_path)
    url = reverse("registers:pupil_photo", args=[school.urn, pupils[0].pk])
    with time_machine.travel(MONDAY, tick=False):
        for member, status in [(officer, 200), (teacher, 200), (other_teacher, 403)]:
            client.force_login(member.user)
            response = client.get(url)
            assert response.status_code == status, member
        client.force_login(officer.user)
        response = client.get(url)
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        client.force_login(governor.user)
        assert client.get(url).status_code == 403
        # A cover teacher sees the form's photos on the day of the cover only.
        grant_cover(
            school=school,
            teacher=other_teacher,
            form=form,
            day=MONDAY.date(),
            granted_by=officer.user,
        )
        client.force_login(other_teacher.user)
        assert client.get(url).status_code == 200
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        client.force_login(other_teacher.user)
        assert client.get(url).status_code == 403
    # No photo: 404.
    client.force_login(officer.user)
    other = reverse("registers:pupil_photo", args=[school.urn, pupils[1].pk])
    assert client.get(other).status_code == 404


def test_the_register_shows_a_small_photo_or_the_initials(
    client, school, form, pupils, teacher, tmp_path
):
    (tmp_path / f"{pupils[0].upn}.jpg").write_bytes(jpeg())
    run(school, tmp_path)
    with time_machine.travel(MONDAY, tick=False):
        client.force_login(teacher.user)
        url = reverse("registers:take", args=[school.urn, form.pk, MONDAY.date(), "AM"])
        html = client.get(url).content.decode()
    photo = reverse("registers:pupil_photo", args=[school.urn, pupils[0].pk])
    assert f'src="{photo}"' in html
    initials = f"{pupils[1].forename[0]}{pupils[1].surname[0]}"
    assert f'pupil-initials" aria-hidden="true">{initials}</span>' in html
