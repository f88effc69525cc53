"""Vietnamese text utilities: NFC storage, diacritic-free search keys, Vietnamese name order."""

import functools
import unicodedata


def clean_text(value: object) -> str:
    """NFC, whitespace collapsed, stripped. Everything typed or imported goes through here."""
    if value is None:
        return ""
    # split() and the regular expressions' \s know the same whitespace; joining the words is
    # the same text as collapsing each run to one space and stripping, three times faster.
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def fold(value: object) -> str:
    """Lower case without diacritics: "Nguyễn Văn Đức" -> "nguyen van duc"."""
    text = clean_text(value).lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


# Vietnamese alphabet order; tones sort after the base letter
# (unmarked, huyền, sắc, hỏi, ngã, nặng).
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 1, "\u0301": 2, "\u0309": 3, "\u0303": 4, "\u0323": 5}
_BASE_MARKS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}


# Cached: names repeat the same few hundred words ("Nguyễn", "Văn", "Thị"), and an import of
# ten thousand people spent a tenth of its time collating them afresh.
@functools.lru_cache(maxsize=8192)
def _collate_word(word: str) -> tuple[str, str]:
    primary: list[str] = []
    tones: list[str] = []
    for ch in word.lower():
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        tone = 0
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif (base, mark) in _BASE_MARKS:
                base = _BASE_MARKS[(base, mark)]
        index = _ALPHABET.find(base)
        primary.append(chr(0x41 + index) if index >= 0 else base)
        tones.append(str(tone))
    return "".join(primary), "".join(tones)


def name_sort_key(full_name: str) -> str:
    """The Vietnamese order: given name first, then the middle names, then the surname."""
    words = clean_text(full_name).split(" ")
    if not words or words == [""]:
        return ""
    ordered = [words[-1], *words[1:-1], words[0]] if len(words) > 1 else words
    # Letters decide first (all words), tones only break ties; " " and "!" sort before letters
    # so that "An" comes before "Anh".
    collated = [_collate_word(w) for w in ordered]
    primary = " ".join(p for p, _ in collated)
    tones = "".join(t for _, t in collated)
    return f"{primary}!{tones}"[:255]
