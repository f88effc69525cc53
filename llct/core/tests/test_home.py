from django.urls import reverse
from django.utils import timezone

from llct.courses.tests.factories import enrol, make_course, make_programme, make_session


def test_home_shows_each_role_its_own_page(client, world, django_assert_max_num_queries):
    for user, text in [
        (world.department, "lớp đang học"),
        (world.leader, "kế hoạch chờ phê duyệt"),
        (world.officer_a, "tổ chức đảng"),
        (world.learner, "Hồ sơ của tôi"),
    ]:
        client.force_login(user)
        # 16, plus the watchlist counts (one or two queries each, whatever the subtree).
        with django_assert_max_num_queries(23):
            response = client.get(reverse("home"))
        assert response.status_code == 200
        assert text in response.text


def test_todays_session_is_on_the_learners_and_the_departments_home(client, world):
    today = timezone.localdate()
    course = make_course(make_programme(), world.org_a, starts_on=today, name="Lớp hôm nay")
    make_session(course, today)
    enrol(course, world.person_a)
    client.force_login(world.learner)
    assert "Lớp hôm nay" in client.get(reverse("home")).text
    client.force_login(world.department)
    page = client.get(reverse("home")).text
    assert "Lớp hôm nay" in page and "Điểm danh" in page
    client.force_login(world.officer_b)
    assert "Lớp hôm nay" in client.get(reverse("home")).text  # a session is not personal data
