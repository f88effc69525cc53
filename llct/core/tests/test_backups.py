"""Backup then restore: every row and every uploaded file comes back, and the site answers."""

import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from llct.core.backups import media_checksums
from llct.core.models import User
from llct.organizations.models import Person, RosterImport
from llct.organizations.tests.factories import make_person


def _counts():
    return {
        "people": Person.objects.count(),
        "users": User.objects.count(),
        "imports": RosterImport.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_back_rows_and_files_and_the_site_answers(
    world, tmp_path, settings, client
):
    settings.MEDIA_ROOT = tmp_path / "media"
    for i in range(3):
        RosterImport.objects.create(
            organization=world.org_a,
            file=ContentFile(f"roster {i}".encode() * 100, name=f"roster-{i}.xlsx"),
            original_name=f"roster-{i}.xlsx",
            uploaded_by=world.department,
        )
    counts, files = _counts(), media_checksums(settings.MEDIA_ROOT)
    assert len(files) == 3

    call_command("backup", dir=str(tmp_path / "backups"), keep=2)
    [backup] = (tmp_path / "backups").glob("llct-*.tar")
    with tarfile.open(backup) as bundle:
        assert {"manifest.json", "media.tar"} < set(bundle.getnames())

    # Damage after the backup: people renamed, added and removed, a file changed, one added.
    Person.objects.filter(pk=world.person_a.pk).update(full_name="Tên Bị Sửa")
    make_person(world.org_b1, "Người Mới Thêm")
    first = RosterImport.objects.order_by("pk").first()
    (settings.MEDIA_ROOT / first.file.name).write_bytes(b"overwritten")
    (settings.MEDIA_ROOT / "stray.txt").write_text("not in the backup")
    RosterImport.objects.filter(pk=RosterImport.objects.order_by("-pk").first().pk).delete()

    call_command("restore", str(backup), interactive=False)

    assert _counts() == counts
    assert media_checksums(settings.MEDIA_ROOT) == files
    assert Person.objects.get(pk=world.person_a.pk).full_name == "Nguyễn Văn An"
    assert not Person.objects.filter(full_name="Người Mới Thêm").exists()
    client.force_login(User.objects.get(username="bantuyengiao"))
    response = client.get("/to-chuc/nhan-su/")
    assert response.status_code == 200
    assert "Nguyễn Văn An" in response.text
    assert client.get("/healthz").json()["database"]["ok"]


@pytest.mark.django_db(transaction=True)
def test_backup_keeps_only_the_newest(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    directory = tmp_path / "backups"
    directory.mkdir()
    for stamp in ("20260101-010000", "20260102-010000", "20260103-010000"):
        (directory / f"llct-{stamp}.tar").write_bytes(b"old")
    call_command("backup", dir=str(directory), keep=2)
    names = sorted(p.name for p in directory.glob("llct-*.tar"))
    assert len(names) == 2 and names[0] == "llct-20260103-010000.tar"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar"
    with tarfile.open(bogus, "w"):
        pass
    with pytest.raises(CommandError, match="not an LLCT backup"):
        call_command("restore", str(bogus), interactive=False)
