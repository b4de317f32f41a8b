"""Event merging across outlets: one real-world happening is one `events` row, whoever reports it."""
import pandas as pd

from transforms.article import ArticleInput, process_article
from transforms.merge import merge_events

# Three outlets on the same Cairo round (held Tuesday 11 June 2024), told on different days and in
# different words, and a later round in Doha that must stay its own event. Our own text.
ARTICLES = [
    ("nile_wire/2024-06-12-cairo.txt", "2024-06-12", "Nile Wire",
     "Cairo talks end without breakthrough\n\n"
     "CAIRO (Nile Wire) - Ceasefire negotiators met in Cairo on Tuesday for a new round of talks on "
     "a Gaza truce, officials said. Egyptian mediators shuttled between the delegations late into "
     "the night.\n"),
    ("gulf_daily/2024-06-11-rounds.txt", "2024-06-11", "Gulf Daily",
     "Mediators open fresh round in Egypt\n\n"
     "A fresh round of indirect negotiations got under way in Cairo today, with Egyptian and Qatari "
     "mediators carrying proposals between the two sides.\n"),
    ("levant_post/2024-06-13-analysis.txt", "2024-06-13", "Levant Post",
     "Analysis: why the Cairo round stalled\n\n"
     "Talks held in Cairo on Tuesday ended without agreement on the sequencing of hostage releases, "
     "a Hamas official told the Levant Post.\n"),
    ("nile_wire/2024-06-26-doha.txt", "2024-06-26", "Nile Wire",
     "Negotiators regroup in Qatar\n\n"
     "Another round of talks began in Doha on Monday, two weeks after the Cairo meeting broke up "
     "without a deal, diplomats said.\n"),
]


def _tables():
    articles, mentions = [], []
    for path, published, outlet, text in ARTICLES:
        rows = process_article(ArticleInput(path, text, "utf-8", "text/plain",
                                            {"published_at": published, "outlet": outlet}))
        articles.append(rows.article)
        mentions.extend(rows.event_mentions)
    return merge_events(pd.DataFrame(mentions), pd.DataFrame(articles))


def test_three_outlets_on_one_round_make_one_event_and_a_later_round_stays_separate():
    events, mentions = _tables()
    talks = events[events["event_type"] == "talks"]
    cairo = talks[talks["location"] == "Cairo"]
    assert len(cairo) == 1, talks
    cairo = cairo.iloc[0]
    assert str(cairo["event_date"]) == "2024-06-11"
    assert cairo["n_mentions"] == 3 and cairo["n_articles"] == 3
    assert str(cairo["first_reported"]) == "2024-06-11"
    assert cairo["outlets"] == "Gulf Daily;Levant Post;Nile Wire"
    doha = talks[talks["location"] == "Doha"]
    assert len(doha) == 1 and str(doha.iloc[0]["event_date"]) == "2024-06-24"
    assert doha.iloc[0]["n_mentions"] == 1
    # every mention points at its event, and the Cairo mentions all at the same one
    assert mentions["event_id"].notna().all()
    cairo_mentions = mentions[(mentions["event_type"] == "talks") & (mentions["location"] == "Cairo")]
    assert set(cairo_mentions["event_id"]) == {cairo["event_id"]}


def test_merging_is_deterministic_and_order_free():
    first, _ = _tables()
    ARTICLES.reverse()
    try:
        second, _ = _tables()
    finally:
        ARTICLES.reverse()
    pd.testing.assert_frame_equal(first, second)


def _mention(mid, day, location=None, tense="past", article="a1"):
    return {"mention_id": mid, "article_id": article, "event_type": "attack", "event_date": pd.Timestamp(day).date(),
            "event_date_end": None, "date_precision": "day", "tense": tense, "location": location,
            "location_lat": None, "location_lon": None, "actors": None,
            "published_date": pd.Timestamp(day).date()}


def test_daily_strikes_on_consecutive_days_do_not_chain_into_one_event():
    mentions = pd.DataFrame([_mention(f"m{i}", f"2024-05-0{i}", "Rafah", article=f"a{i}") for i in range(1, 6)])
    events, _ = merge_events(mentions, pd.DataFrame({"article_id": [], "outlet": []}))
    # 1-2 merge (a day apart), 3-4 merge, 5 alone: windows never grow as mentions join
    assert list(events.sort_values("event_date")["n_mentions"]) == [2, 2, 1]


def test_places_that_differ_keep_events_apart_and_a_missing_place_joins():
    mentions = pd.DataFrame([_mention("m1", "2024-05-01", "Rafah", article="a1"),
                             _mention("m2", "2024-05-01", "Jabalia", article="a2"),
                             _mention("m3", "2024-05-01", None, article="a3")])
    events, linked = merge_events(mentions, pd.DataFrame({"article_id": [], "outlet": []}))
    assert len(events) == 2
    assert linked.set_index("mention_id").loc["m3", "event_id"] is not None


def _sorted_mention(mention_id: str, event_type: str, day: str, location: str | None = None) -> dict:
    when = pd.Timestamp(day).date()
    return {"mention_id": mention_id, "article_id": "a-" + mention_id, "published_date": when,
            "event_type": event_type, "event_date": when, "event_date_end": None, "date_precision": "day",
            "tense": "past", "location": location, "location_lat": None, "location_lon": None, "actors": None}


def test_a_cluster_is_handed_on_as_soon_as_no_later_mention_can_join_it():
    # The merge streams: after the third mention (a week later), the first two are one closed
    # event, yielded before the input is exhausted, so the flow never holds all mentions.
    from transforms.merge import merge_sorted_mentions

    consumed = []

    def feed():
        for m in [_sorted_mention("m1", "strike", "2024-03-01"), _sorted_mention("m2", "strike", "2024-03-02"),
                  _sorted_mention("m3", "strike", "2024-03-09"), _sorted_mention("m4", "talks", "2024-03-01")]:
            consumed.append(m["mention_id"])
            yield m

    stream = merge_sorted_mentions(feed(), {})
    event, members = next(stream)
    assert members == ["m1", "m2"] and event["n_mentions"] == 2
    assert consumed == ["m1", "m2", "m3"]
    assert [members for _, members in stream] == [["m3"], ["m4"]]


def test_streamed_merge_equals_the_frame_merge():
    from transforms.merge import MENTION_ORDER, merge_sorted_mentions

    records = [_sorted_mention("b", "strike", "2024-03-02", "Rafah"), _sorted_mention("a", "strike", "2024-03-01"),
               _sorted_mention("c", "strike", "2024-03-01", "Jabalia"), _sorted_mention("d", "talks", "2024-05-05")]
    events, linked = merge_events(pd.DataFrame(records), pd.DataFrame({"article_id": [], "outlet": []}))
    records.sort(key=lambda m: tuple(m[c] for c in MENTION_ORDER))
    streamed = list(merge_sorted_mentions(records, {}))
    assert sorted(e["event_id"] for e, _ in streamed) == events["event_id"].tolist()
    assert {m: e["event_id"] for e, ms in streamed for m in ms} == dict(zip(linked["mention_id"], linked["event_id"]))
