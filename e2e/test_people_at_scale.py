"""The people list's organization picker (searches as you type) and the tree that opens a
level at a time, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_pick_an_organization_by_typing_and_the_list_follows(world, sign_in, live_server):
    page = sign_in("bantuyengiao")
    page.goto(f"{live_server.url}/to-chuc/nhan-su/")
    results = page.locator("#results")
    expect(results).to_contain_text("Nguyễn Văn An")
    expect(results).to_contain_text("Trần Thị Bình")
    page.get_by_role("searchbox", name="Tổ chức đảng").fill("khoi b")
    page.get_by_role("button", name=re.compile("^Đảng ủy Khối B")).click()
    expect(results).not_to_contain_text("Nguyễn Văn An")
    expect(results).to_contain_text("Trần Thị Bình")
    assert f"organization={world.org_b.pk}" in page.url
    # Clearing the box clears the choice.
    page.get_by_role("searchbox", name="Tổ chức đảng").fill("")
    expect(results).to_contain_text("Nguyễn Văn An")


def test_the_tree_loads_a_branch_when_it_is_opened(world, sign_in, live_server):
    page = sign_in("bantuyengiao")
    page.goto(f"{live_server.url}/to-chuc/")
    tree = page.locator("#tree")
    expect(tree.get_by_role("link", name="Đảng ủy Khối A")).to_be_visible()
    expect(tree.get_by_role("link", name="Chi bộ A1")).to_have_count(0)
    tree.locator("summary", has_text="Đảng ủy Khối A").click()
    expect(tree.get_by_role("link", name="Chi bộ A1")).to_be_visible()
