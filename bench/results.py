"""bench/RESULTS.md is shared by several benches: each writes only its own section, between
`<!-- section: NAME -->` and `<!-- end: NAME -->`, and leaves the others as they are."""

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(name: str, text: str, *, path: Path = RESULTS) -> None:
    start, end = f"<!-- section: {name} -->", f"<!-- end: {name} -->"
    block = f"{start}\n{text.rstrip()}\n{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: block, current)
    else:
        updated = f"{current.rstrip()}\n\n{block}\n" if current.strip() else f"{block}\n"
    path.write_text(updated, encoding="utf-8")
