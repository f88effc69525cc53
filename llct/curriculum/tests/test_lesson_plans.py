import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from llct.core.models import Role
from llct.curriculum import services
from llct.curriculum.models import LessonPlan
from llct.curriculum.tests.factories import make_lecturer, make_programme
from llct.organizations.tests.factories import make_user


@pytest.fixture
def topic(db):
    return make_programme(topics=2).topics.get(order=1)


def pdf(name: str = "giao-an.pdf", content: bytes = b"%PDF-1.4 noi dung") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_two_uploads_make_versions_1_and_2_and_keep_both_files(topic, world):
    first = services.lesson_plan_add(
        topic=topic, file=pdf(content=b"ban dau"), note="Bản đầu", author=world.department
    )
    second = services.lesson_plan_add(
        topic=topic, file=pdf(content=b"ban sua"), note="Sửa phần II", author=world.department
    )
    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name
    first.refresh_from_db()
    second.refresh_from_db()
    with first.file.open("rb") as fh:
        assert fh.read() == b"ban dau"
    with second.file.open("rb") as fh:
        assert fh.read() == b"ban sua"
    assert first.original_name == "giao-an.pdf" and first.author == world.department
    assert LessonPlan.objects.filter(topic=topic).count() == 2


def test_versions_count_per_topic(world):
    programme = make_programme(topics=2)
    one, two = programme.topics.order_by("order")
    services.lesson_plan_add(topic=one, file=pdf(), note="", author=world.department)
    plan = services.lesson_plan_add(topic=two, file=pdf(), note="", author=world.department)
    assert plan.version == 1


def test_a_lost_race_for_a_version_number_retries_with_the_next_one(topic, world, monkeypatch):
    services.lesson_plan_add(topic=topic, file=pdf(), note="", author=world.department)
    real = services._next_version
    calls = []

    def stale(t):
        # The first attempt computes the number as if it had not seen version 1.
        calls.append(1)
        return 1 if len(calls) == 1 else real(t)

    monkeypatch.setattr(services, "_next_version", stale)
    plan = services.lesson_plan_add(topic=topic, file=pdf(), note="", author=world.department)
    assert plan.version == 2 and len(calls) == 2
    assert sorted(LessonPlan.objects.filter(topic=topic).values_list("version", flat=True)) == [
        1,
        2,
    ]


@pytest.mark.parametrize("name", ["virus.exe", "anh.png", "giao-an", "bang.xlsx"])
def test_only_document_files_are_accepted(topic, world, name):
    with pytest.raises(ValidationError) as caught:
        services.lesson_plan_add(topic=topic, file=pdf(name), note="", author=world.department)
    assert "file" in caught.value.message_dict
    assert not LessonPlan.objects.exists()


@pytest.mark.parametrize("name", ["a.PDF", "b.doc", "c.docx", "d.ppt", "e.pptx", "f.odt"])
def test_each_accepted_type_uploads(topic, world, name):
    plan = services.lesson_plan_add(topic=topic, file=pdf(name), note="", author=world.department)
    assert plan.original_name == name


def test_a_file_over_the_limit_is_refused_with_a_vietnamese_error(
    as_user, topic, world, monkeypatch
):
    monkeypatch.setattr(services, "LESSON_PLAN_MAX_BYTES", 1024)
    response = as_user(world.department).post(
        reverse("curriculum:lesson_plan_upload", args=[topic.pk]),
        {"file": pdf(content=b"x" * 2048), "note": "Ghi chú đã gõ"},
    )
    assert response.status_code == 422
    assert "giới hạn là" in response.text
    assert 'value="Ghi chú đã gõ"' in response.text
    assert not LessonPlan.objects.exists()


def test_the_real_limit_is_20_mb():
    assert services.LESSON_PLAN_MAX_BYTES == 20 * 1024 * 1024
    big = SimpleUploadedFile("a.pdf", b"")
    big.size = 20 * 1024 * 1024 + 1
    assert services.lesson_plan_file_errors(big)
    big.size = 20 * 1024 * 1024
    assert services.lesson_plan_file_errors(big) == []


def test_wrong_type_in_the_form_shows_a_vietnamese_error(as_user, topic, world):
    response = as_user(world.department).post(
        reverse("curriculum:lesson_plan_upload", args=[topic.pk]), {"file": pdf("x.exe")}
    )
    assert response.status_code == 422
    assert "Không chấp nhận loại tệp này" in response.text


def test_department_uploads_twice_through_the_page_and_sees_both_versions(as_user, topic, world):
    client = as_user(world.department)
    url = reverse("curriculum:lesson_plan_upload", args=[topic.pk])
    assert client.post(url, {"file": pdf("ban-1.pdf"), "note": "Bản đầu"}).status_code == 302
    assert client.post(url, {"file": pdf("ban-2.docx"), "note": "Bản sửa"}).status_code == 302
    page = client.get(reverse("curriculum:topic_detail", args=[topic.pk]))
    assert "Phiên bản 1" in page.text and "Phiên bản 2" in page.text
    assert "ban-1.pdf" in page.text and "ban-2.docx" in page.text


def test_lecturer_not_approved_for_the_topic_cannot_upload(as_user, topic, world):
    user = make_user("giangvien", Role.LECTURER)
    other = topic.programme.topics.get(order=2)
    make_lecturer(user=user, topics=[other])
    client = as_user(user)
    response = client.post(
        reverse("curriculum:lesson_plan_upload", args=[topic.pk]), {"file": pdf()}
    )
    assert response.status_code == 403
    assert not LessonPlan.objects.exists()
    page = client.get(reverse("curriculum:topic_detail", args=[topic.pk]))
    assert 'id="upload"' not in page.text


def test_lecturer_approved_for_the_topic_uploads(as_user, topic, world):
    user = make_user("giangvien", Role.LECTURER)
    make_lecturer(user=user, topics=[topic])
    client = as_user(user)
    page = client.get(reverse("curriculum:topic_detail", args=[topic.pk]))
    assert 'id="upload"' in page.text
    response = client.post(
        reverse("curriculum:lesson_plan_upload", args=[topic.pk]), {"file": pdf()}
    )
    assert response.status_code == 302
    assert LessonPlan.objects.get().author == user


def test_inactive_lecturer_cannot_upload(as_user, topic, world):
    user = make_user("giangvien", Role.LECTURER)
    make_lecturer(user=user, topics=[topic], is_active=False)
    response = as_user(user).post(
        reverse("curriculum:lesson_plan_upload", args=[topic.pk]), {"file": pdf()}
    )
    assert response.status_code == 403
    assert not LessonPlan.objects.exists()


@pytest.mark.parametrize("who", ["officer_a", "leader", "learner"])
def test_other_roles_cannot_upload(as_user, topic, world, who):
    response = as_user(getattr(world, who)).post(
        reverse("curriculum:lesson_plan_upload", args=[topic.pk]), {"file": pdf()}
    )
    assert response.status_code == 403
    assert not LessonPlan.objects.exists()


def test_download_requires_login_and_serves_the_file_as_an_attachment(client, topic, world):
    plan = services.lesson_plan_add(
        topic=topic, file=pdf("Giáo án chuyên đề 1.pdf", b"noi dung"), note="", author=None
    )
    url = reverse("curriculum:lesson_plan_download", args=[plan.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    client.force_login(world.learner)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"noi dung"
    assert "attachment" in response["Content-Disposition"]


def test_media_files_are_not_served_at_a_public_url(client, topic, world, settings):
    plan = services.lesson_plan_add(topic=topic, file=pdf(), note="", author=None)
    client.force_login(world.department)
    assert client.get(f"/{settings.MEDIA_URL}{plan.file.name}").status_code == 404


def test_download_of_a_missing_version_is_404(as_user, world):
    assert (
        as_user(world.department)
        .get(reverse("curriculum:lesson_plan_download", args=[12345]))
        .status_code
        == 404
    )
