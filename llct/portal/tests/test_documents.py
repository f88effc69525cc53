import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from llct.core.models import Role
from llct.organizations.models import MembershipStage
from llct.organizations.tests.factories import make_person, make_user
from llct.portal import documents as docs
from llct.portal.models import AccessLevel, Document, DocumentRead, DocumentRelation
from llct.portal.tests.factories import attach_pdf, make_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(world):
    public = make_document(
        actor=world.department,
        number="06-ĐA/TU",
        kind=Document.Kind.PROJECT,
        subject="Đề án nâng cao chất lượng giáo dục lý luận chính trị",
    )
    members = make_document(actor=world.department, number="131-KH/ĐUK", access=AccessLevel.MEMBERS)
    internal = make_document(
        actor=world.department,
        number="05-BC/BTG",
        access=AccessLevel.INTERNAL,
        subject="Báo cáo nội bộ",
    )
    return public, members, internal


def test_anonymous_sees_public_documents_only(client, library):
    public, members, internal = library
    page = client.get(reverse("portal:documents"))
    assert public.number in page.text
    assert members.number not in page.text
    assert internal.number not in page.text
    assert client.get(reverse("portal:document", args=[internal.pk])).status_code == 404
    assert client.get(reverse("portal:document", args=[members.pk])).status_code == 404


def test_anonymous_never_gets_an_internal_file_by_its_url(client, world, library):
    _public, _members, internal = library
    item = attach_pdf(internal, "Nội dung mật", actor=world.department)
    url = reverse("portal:document_file", args=[internal.pk, item.pk])
    assert client.get(url).status_code == 404
    # Nor by the storage path: private files have no public URL and live outside MEDIA's
    # public folders.
    assert "/private/" in item.file.path
    client.force_login(world.department)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_file_under_another_document_answers_404(client, world, library):
    public, _members, internal = library
    item = attach_pdf(internal, "Nội dung", actor=world.department)
    url = reverse("portal:document_file", args=[public.pk, item.pk])
    assert client.get(url).status_code == 404


def test_party_members_see_member_documents_but_not_internal(client, world, library):
    _public, members, internal = library
    member = make_person(world.org_a1, "Lê Văn Cường", stage=MembershipStage.FULL)
    user = make_user("dangvien", Role.LEARNER, person=member)
    client.force_login(user)
    assert client.get(reverse("portal:document", args=[members.pk])).status_code == 200
    assert client.get(reverse("portal:document", args=[internal.pk])).status_code == 404
    client.force_login(world.learner)  # a non-member learner
    assert client.get(reverse("portal:document", args=[members.pk])).status_code == 404


def test_search_finds_words_inside_the_pdf_without_diacritics(client, world, library):
    public, _members, _internal = library
    attach_pdf(
        public,
        "Phấn đấu 100% đảng viên mới được bồi dưỡng trong thời gian dự bị",
        actor=world.department,
    )
    page = client.get(reverse("portal:documents"), {"q": "boi duong trong thoi gian du bi"})
    assert public.number in page.text
    assert "0 văn bản" not in page.text
    none = client.get(reverse("portal:documents"), {"q": "khong co tu nay"})
    assert public.number not in none.text


def test_internal_pdf_text_is_not_searchable_by_the_public(client, world, library):
    _public, _members, internal = library
    attach_pdf(internal, "Chỉ tiêu tuyệt mật", actor=world.department)
    assert internal.number not in client.get(reverse("portal:documents"), {"q": "tuyet mat"}).text


def test_docx_text_is_extracted(world, library):
    import io

    import docx

    public, _m, _i = library
    buffer = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("Quán triệt sâu rộng Nghị quyết Đại hội")
    d.save(buffer)
    upload = SimpleUploadedFile("nq.docx", buffer.getvalue())
    item = docs.document_file_add(document=public, upload=upload, actor=world.department)
    assert "quan triet sau rong" in item.text


def test_other_file_types_are_refused(world, library):
    public, _m, _i = library
    with pytest.raises(ValidationError):
        docs.document_file_add(
            document=public, upload=SimpleUploadedFile("x.exe", b"MZ"), actor=world.department
        )


def test_relations_read_both_ways(client, world, library):
    public, members, _internal = library
    docs.document_relate(
        source=members, target=public, kind=DocumentRelation.Kind.IMPLEMENTS, actor=world.department
    )
    client.force_login(world.department)
    page = client.get(reverse("portal:document", args=[public.pk])).text
    assert "được thực hiện bởi" in page and members.number in page


def test_only_the_department_edits_the_library(client, world, library):
    public, _m, _i = library
    with pytest.raises(PermissionDenied):
        docs.document_save(
            document=public,
            kind="plan",
            number="X",
            issuer="Y",
            issued_on=public.issued_on,
            subject="Z",
            actor=world.officer_a,
        )
    client.force_login(world.officer_a)
    assert client.get(reverse("portal:document_create")).status_code == 403


def test_reading_a_document_is_recorded_for_the_study_record(client, world, library):
    public, _m, _i = library
    client.force_login(world.learner)
    client.get(reverse("portal:document", args=[public.pk]))
    client.get(reverse("portal:document", args=[public.pk]))
    assert DocumentRead.objects.filter(person=world.person_a, document=public).count() == 1


def test_library_list_query_count(client, world, library, django_assert_max_num_queries):
    client.force_login(world.department)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("portal:documents")).status_code == 200
