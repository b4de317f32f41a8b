"""Build a benchmark corpus of N articles from the project's own sample articles (samples/).

Each generated article is a sample with its publication date moved by up to a year, every date
written in the text moved with it, its figures changed by up to a quarter (formats kept: "1,234",
"2.3 million", "12"), and its outlet varied, so the extractors meet new figures and dates rather
than a cache of the same text. Deterministic for a given seed.
"""
from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_MONTH_RX = "|".join(_MONTHS)
_MONTH_DAY = re.compile(rf"\b(?P<m1>{_MONTH_RX}) (?P<d1>[12]\d|3[01]|0?[1-9])\b(?:, (?P<y1>20\d\d))?"
                        rf"|\b(?P<d2>[12]\d|3[01]|0?[1-9]) (?P<m2>{_MONTH_RX})\b(?: (?P<y2>20\d\d))?")
_ISO = re.compile(r"\b(20\d\d)-(0[1-9]|1[0-2])-([0-3]\d)\b")
# A figure: digits with thousands separators or decimals; years (19xx/20xx alone) are left alone.
_FIGURE = re.compile(r"(?<![\w.,/:-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w/:-]|,\d|\.\d)")
# Numbers in dates ("March 17", "17 March") are not figures (clock times are kept out above).
_MONTH_BEFORE = re.compile(rf"(?:{_MONTH_RX}) $")
_MONTH_AFTER = re.compile(rf" (?:{_MONTH_RX})\b")
EARLIEST, LATEST = date(2023, 10, 10), date(2025, 9, 30)
OUTLETS = ["Meridian News", "Levant Wire", "Harbour Post", "Delta Chronicle", "Coastal Times",
           "Eastern Ledger", "Relief Monitor", "Crossings Daily"]


@dataclass(frozen=True)
class Sample:
    name: str
    text: str
    published: date
    title: str | None


def _shift_dates(text: str, published: date, days: int) -> str:
    def month_day(m: re.Match) -> str:
        month = m.group("m1") or m.group("m2")
        day = int(m.group("d1") or m.group("d2"))
        year = int(m.group("y1") or m.group("y2") or published.year)
        try:
            moved = date(year, _MONTHS.index(month) + 1, day) + timedelta(days=days)
        except ValueError:
            return m.group(0)
        with_year = m.group("y1") or m.group("y2")
        if m.group("m1"):
            return f"{_MONTHS[moved.month - 1]} {moved.day}" + (f", {moved.year}" if with_year else "")
        return f"{moved.day} {_MONTHS[moved.month - 1]}" + (f" {moved.year}" if with_year else "")

    def iso(m: re.Match) -> str:
        try:
            return (date(int(m.group(1)), int(m.group(2)), int(m.group(3))) + timedelta(days=days)).isoformat()
        except ValueError:
            return m.group(0)

    return _ISO.sub(iso, _MONTH_DAY.sub(month_day, text))


def _perturb_figures(text: str, rng: random.Random) -> str:
    def figure(m: re.Match) -> str:
        raw = m.group(1)
        if _MONTH_BEFORE.search(text, max(0, m.start() - 12), m.start()) or _MONTH_AFTER.match(text, m.end()):
            return raw
        if re.fullmatch(r"(19|20)\d\d", raw) or len(raw.replace(",", "")) < 2:
            return raw  # a year, or a one-digit number (a day, "two" written as 2): keep
        factor = rng.uniform(0.8, 1.25)
        if "." in raw:
            value = round(float(raw) * factor, len(raw.split(".")[1]))
            return f"{value:.{len(raw.split('.')[1])}f}"
        value = max(10, int(int(raw.replace(",", "")) * factor))
        return f"{value:,}" if "," in raw else str(value)

    return _FIGURE.sub(figure, text)


def load_samples(folder: Path) -> list[Sample]:
    """The sample articles with their publication dates, as the pipeline itself reads them."""
    from flows import storage
    from flows.batch import process_batch

    inputs, _ = storage.discover(folder)
    result = process_batch([i for i in inputs if i.source_path.endswith(".txt")])
    samples = []
    for article in result.articles:
        if article["published_date"] is None:
            continue
        samples.append(Sample(article["source_path"], article["text"], article["published_date"], article["title"]))
    return samples


def generate(samples: list[Sample], n: int, seed: int = 7):
    """Yields (file name, text, manifest row) for n articles."""
    rng = random.Random(seed)
    for i in range(n):
        sample = samples[i % len(samples)]
        # Moved by up to six months, within the war (dates before it would be flagged as such).
        days = rng.randint(max(-180, (EARLIEST - sample.published).days), min(180, (LATEST - sample.published).days))
        published = sample.published + timedelta(days=days)
        text = _perturb_figures(_shift_dates(sample.text, sample.published, days), rng)
        name = f"{published:%Y-%m}/article_{i:07d}.txt"
        row = {"file": name, "published_at": f"{published.isoformat()}T{rng.randint(5, 22):02d}:00:00Z",
               "url": f"https://bench.example/{i}", "outlet": rng.choice(OUTLETS),
               "title": sample.title or ""}
        yield name, text, row


def write_corpus(samples: list[Sample], n: int, folder: Path, seed: int = 7) -> int:
    """Write n articles under folder (by month, with one manifest.csv at the top). Returns bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", "published_at", "url", "outlet", "title"])
        writer.writeheader()
        for name, text, row in generate(samples, n, seed):
            path = folder / name
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            total += len(text.encode())
            writer.writerow(row)
    return total
