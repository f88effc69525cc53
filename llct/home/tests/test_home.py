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


def test_the_leader_sees_no_card_of_pages_they_may_not_open(client, world):
    client.force_login(world.leader)
    page = client.get(reverse("home")).text
    assert "kế hoạch chờ phê duyệt" in page  # the leader decides plans
    assert f'href="{reverse("assessment:results_index")}?pending=1"' not in page  # department's
    assert reverse("organizations:roster_upload") not in page


def test_the_learner_reaches_their_own_results_from_home_and_menu(client, world):
    client.force_login(world.learner)
    page = client.get(reverse("home")).text
    own = reverse("assessment:person_results", args=[world.person_a.pk])
    assert f'href="{own}" id="my-results-link"' in page
    assert "Kết quả học tập của tôi" in page
    assert client.get(own).status_code == 200


def test_roll_call_is_offered_only_for_sessions_the_user_may_take(client, world):
    today = timezone.localdate()
    course = make_course(make_programme(), world.org_b, starts_on=today, name="Lớp của B")
    session = make_session(course, today)
    roll_call = reverse("courses:roll_call", args=[session.pk])
    for user, offered in [
        (world.department, True),
        (world.officer_b, True),
        (world.officer_a, False),  # not their course
        (world.leader, False),
    ]:
        client.force_login(user)
        page = client.get(reverse("home")).text
        assert "Lớp của B" in page
        assert (roll_call in page) is offered, user.username
        assert (client.get(roll_call).status_code == 200) is offered, user.username
