import unicodedata

from llct.core.text import clean_text, fold, name_sort_key


def test_clean_text_stores_nfc_and_collapses_spaces():
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Văn\tAn ")
    assert clean_text(decomposed) == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))


def test_fold_removes_diacritics_and_case():
    assert fold("NGUYỄN Văn Đức") == "nguyen van duc"


def test_names_sort_by_given_name_then_middle_then_surname():
    names = [
        "Trần Văn Bình",
        "Nguyễn Thị An",
        "Lê Văn An",
        "Phạm Anh",
        "Vũ Thị Ánh",
        "Đỗ Văn Đạt",
        "Hồ Dung",
    ]
    assert sorted(names, key=name_sort_key) == [
        "Nguyễn Thị An",
        "Lê Văn An",
        "Phạm Anh",
        "Vũ Thị Ánh",
        "Trần Văn Bình",
        "Hồ Dung",
        "Đỗ Văn Đạt",
    ]


def test_vietnamese_letters_follow_the_alphabet():
    # ă and â come after a, đ after d, ư after u.
    assert sorted(["Lê Ân", "Lê An", "Lê Ăn"], key=name_sort_key) == ["Lê An", "Lê Ăn", "Lê Ân"]
    assert sorted(["A Đào", "A Dung"], key=name_sort_key) == ["A Dung", "A Đào"]
