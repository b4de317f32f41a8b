"""Short articles written for these tests (not from any corpus), and a helper to lay out a folder."""
from __future__ import annotations

from pathlib import Path

ARTICLES = {
    "wire_truce.txt": """Mediators press for six-week truce as talks resume in Cairo

CAIRO, March 4, 2024 (Test Wire) - Negotiators returned to Cairo on Monday for a new round of talks on a six-week truce.
The Gaza health ministry said on Monday that at least 30,534 people had been killed since the war began.
Officials said 134 hostages were still held in Gaza.
""",
    "ministry_update.txt": """Ministry update on casualties

GAZA, April 8, 2024 - The Gaza health ministry said on Monday that 33,207 people had been killed and 75,933 injured since October 7.
The ministry said 153 people were killed in the past 24 hours.
""",
    "aid_convoy.md": """# Aid convoy reaches the north

Published: 2024-03-10

UN officials said on Sunday that a convoy of 14 trucks reached northern Gaza.
The World Food Programme said about 2.2 million people faced acute hunger.
""",
    "talks_page.html": """<!doctype html><html><head><title>Talks stall in Doha</title>
<meta property="article:published_time" content="2024-05-02T10:00:00Z"></head>
<body><article><h1>Talks stall in Doha</h1>
<p>DOHA, May 2, 2024 - Qatari mediators said on Thursday that talks on a 40-day truce had stalled.</p>
<p>Israeli officials said 128 hostages remained in Gaza.</p></article></body></html>
""",
}

EXTRA = ("late_report.txt", """Strike on Rafah

RAFAH, May 6, 2024 - Civil defence officials said on Monday that at least 22 people were killed in a strike on a house in Rafah.
""")


def write_inputs(folder: Path, names: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        if names is None or name in names:
            (folder / name).write_text(text, encoding="utf-8")
    return folder
