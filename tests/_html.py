"""Read what a stakeholder sees in a rendered report: its tables and its customer cards."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.cards: dict[str, list[list[str]]] = {}  # card title -> its table rows
        self.text: list[str] = []  # every visible string
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None
        self._card: str | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag == "h3":
            self._heading = []
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
            self.tables[-1].append(self._row)
            if self._card is not None:
                self.cards[self._card].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1
        elif tag == "h3" and self._heading is not None:
            self._card = " ".join("".join(self._heading).split())
            self.cards[self._card] = []
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)
        if self._cell is not None:
            self._cell.append(data)


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(Path(path).read_text(encoding="utf-8"))
    return page


def number(text: str) -> float:
    """'1,234' -> 1234.0; '44%' -> 44.0; '¥1.7万' is not a count and raises."""
    cleaned = text.replace(",", "").replace("%", "").strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        raise ValueError(f"not a plain number: {text!r}")
    return float(cleaned)


def counts_by_label(page: _Page, labels: dict[str, str]) -> list[dict[str, float]]:
    """Every table whose first column holds all of ``labels``' values, read as
    code -> the count in its second column."""
    found = []
    wanted = {label: code for code, label in labels.items()}
    for table in page.tables:
        rows = {row[0]: row[1] for row in table if len(row) >= 2}
        if set(wanted) <= set(rows):
            found.append({wanted[label]: number(rows[label]) for label in wanted})
    return found
