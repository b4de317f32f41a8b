"""Identical articles under several paths keep one set of rows; the others are quarantined."""
import pandas as pd

from transforms.dedupe import split_duplicate_articles


def _frames():
    articles = pd.DataFrame({"article_id": ["a1", "b2", "a1"],
                             "source_path": ["wire/copy.txt", "other.txt", "agency/original.txt"]})
    claims = pd.DataFrame({"claim_id": ["c1", "c2", "c1"], "article_id": ["a1", "b2", "a1"],
                           "source_path": ["wire/copy.txt", "other.txt", "agency/original.txt"]})
    mentions = pd.DataFrame({"mention_id": ["m1"], "article_id": ["a1"], "source_path": ["wire/copy.txt"]})
    return {"articles": articles, "claims": claims, "event_mentions": mentions}


def test_the_first_path_keeps_the_rows_and_the_copy_is_quarantined_with_its_original():
    frames, quarantine = split_duplicate_articles(_frames())
    assert list(frames["articles"]["source_path"]) == ["other.txt", "agency/original.txt"]
    assert frames["claims"]["claim_id"].is_unique and len(frames["claims"]) == 2
    assert frames["event_mentions"].empty  # the mention belonged to the dropped copy's rows
    assert [(q["source_path"], q["reason_code"]) for q in quarantine] == [("wire/copy.txt", "duplicate_content")]
    assert "agency/original.txt" in quarantine[0]["detail"]


def test_distinct_articles_pass_untouched():
    frames = _frames()
    frames["articles"] = frames["articles"].iloc[:2]
    out, quarantine = split_duplicate_articles(frames)
    assert quarantine == [] and out is frames
