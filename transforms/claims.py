"""Claims: every figure a source asserts, with metric, bounds, who is counted, scope, date and source.

Produced from (sentence, the sentences before it, reference date) alone, so any worker in any
order gives the same rows. Decisions are ordered rules; each row names the rule that made it.
"""
from __future__ import annotations

import bisect
import calendar
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import date

from transforms import numbers
from transforms.attribution import NONE, Attribution, find_attribution, find_attributions, is_pronoun, leading_subject, normalise_source
from transforms.dates import MONTHS, WAR_START, DateMention, find_dates, nearest_date
from transforms.lexicon import load_patterns
from transforms.prefilter import LeadWords, Prefiltered, fold, fold_window, prefiltered
from transforms.sentences import Sentence

_CUES = load_patterns("claim_cues.json")


def _rx(fragment: str) -> re.Pattern | Prefiltered:
    # Cue patterns run on every figure's words; most texts lack their words (prefilter.py).
    return prefiltered(fragment, re.IGNORECASE)


def _alternation(words: str) -> str:
    # Longest first so that "death toll" wins over "death".
    return "|".join(sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words.split("|")), key=len, reverse=True))


def _lookup(classes: dict) -> tuple[str, dict[str, str]]:
    """One longest-first alternation over every class's words, and word -> class."""
    word_class = {w.lower(): name for name, words in classes.items() for w in words.split("|")}
    return _alternation("|".join(word_class)), word_class


def _normal(words: str) -> str:
    return " ".join(words.lower().split())


_NOUN_ALT, _NOUN_CLASS = _lookup(_CUES["nouns"])
_VERB_ALT, _VERB_CLASS = _lookup(_CUES["verbs"])
# The counted noun: up to three modifiers after the figure (or after "of the/its ..."), then a noun.
_HEAD = _rx(r"\s*(?:(?:of|among)\s+(?:the|its|their|those|them|these|whom|which)\s+)?"
            r"(?:(?:more\s+than|at\s+least|over|some|about|nearly|almost|around)\s+\S+\s+)?"
            r"(?P<mods>(?:[\w’'-]+,?\s+(?:and\s+)?){0,3}?)(?P<noun>" + _NOUN_ALT + r")\b")
_VERB = _rx(r"\b(?P<verb>" + _VERB_ALT + r")\b")
_GOVERNOR = _rx(r"\b(?P<verb>" + _VERB_ALT + r")\s+(?:(?:of|for|to|by|with)\s+)?(?:(?:the|a|an|its|their|another|some|all|his|her)\s+)?"
                r"(?:(?:remaining|additional|further|other|latest|last|first|final|initial)\s+)?$")
# Verb phrases are whole words: _VERB can only start on a word that begins one, and _GOVERNOR,
# which closes with `\s+$`, only match a text whose last word ends one or is one of its
# following words. Trying them there alone gives what their full search gives.
_VERB_FIRST_WORDS = frozenset(phrase.split()[0] for phrase in _VERB_CLASS)
_GOVERNOR_LAST_WORDS = frozenset({phrase.split()[-1] for phrase in _VERB_CLASS} | {
    "of", "for", "to", "by", "with", "the", "a", "an", "its", "their", "another", "some", "all", "his", "her",
    "remaining", "additional", "further", "other", "latest", "last", "first", "final", "initial"})
_WORD_RUN = re.compile(r"\w+")


def _unfiltered(pattern: re.Pattern | Prefiltered) -> re.Pattern:
    return pattern.pattern if isinstance(pattern, Prefiltered) else pattern


def _verb_matches(text: str) -> list[re.Match]:
    """_VERB.finditer(text), tried at the words that begin a verb phrase only."""
    found = []
    resume = 0
    for word in _WORD_RUN.finditer(fold_window(text) if len(text) <= 64 else fold(text)):
        if word.start() >= resume and word.group() in _VERB_FIRST_WORDS:
            m = _unfiltered(_VERB).match(text, word.start())
            if m:
                found.append(m)
                resume = m.end()
    return found


def _governor(text: str) -> re.Match | None:
    """_GOVERNOR.search(text), run only when the text's last word can end a match, and tried
    only at the words that begin a verb phrase (as _verb_matches): a search returns the match
    that starts first, and no match starts elsewhere."""
    folded = fold_window(text)
    tail = folded.rstrip()
    start = len(tail)
    while start and "a" <= tail[start - 1] <= "z":
        start -= 1
    if tail[start:] not in _GOVERNOR_LAST_WORDS:
        return None
    governor = _unfiltered(_GOVERNOR)
    for word in _WORD_RUN.finditer(folded):
        if word.group() in _VERB_FIRST_WORDS:
            m = governor.match(text, word.start())
            if m:
                return m
    return None


_TRUCE = _rx(r"\b(?:" + _alternation(_CUES["truce"]) + r")\b")
_NOT_TRUCE_AFTER = _rx(_CUES["not_truce_after"])
_TERRITORY = _rx(_CUES["territory_possessive"])
_POPULATION_BEFORE = _rx(_CUES["population_before"])
_DEAL = _rx(_CUES["deal"])
_PAST_RELEASE = _rx(_CUES["past_release"])
# Searched at their first words only (prefilter.LeadWords): each alternative opens with `\b` and
# one of these words, whole (followed by white space, a hyphen, a dot or a `\b`) or, for
# "kibbutz\w*", as a prefix.
_OCT7 = LeadWords(_CUES["oct7"], re.IGNORECASE, words=(
    "oct", "october", "7", "southern", "in", "israeli", "nova", "hamas", "cross", "attack"), prefixes=("kibbutz",))
_GAZA = _rx(_CUES["gaza_context"])
_OTHER_REGION = _rx(_CUES["other_region"])
_AID = _rx(_CUES["aid_seekers"])
_PERIOD = LeadWords(_CUES["period"], re.IGNORECASE, words=(
    "in", "over", "during", "within", "since", "overnight", "on", "this", "last", "between"))
_CUMULATIVE = LeadWords(_CUES["cumulative"], re.IGNORECASE, words=(
    "since", "death", "overall", "total", "so", "in", "to", "cumulative", "war", "offensive", "months"))
_EVENT = LeadWords(_CUES["event"], re.IGNORECASE, words=(
    "in", "killing", "massacre", "strike", "strikes", "airstrike", "air", "attack", "shelling", "raid"))
_INCLUDING = _rx(r"(?:including|among\s+them|among\s+whom|of\s+whom|of\s+them|of\s+those|incl\.)\s+(?:at\s+least\s+|some\s+|more\s+than\s+|about\s+|nearly\s+)?$")
_PRISON_CONTEXT = _rx(r"\b(?:prisons?|prisoners?|detainees?|jails?|inmates|detention|imprisoned|jailed|held by israel|in israeli custody)\b")
_HOSTAGE_CONTEXT = _rx(r"\b(?:hostages?|captives?|abductees?|captivity|held in gaza|held by hamas)\b")
_DIGIT = re.compile(r"\d")
_BODIES_OF = _rx(r"\b(?:bodies|remains|corpses)\s+of\s+(?:the\s+|another\s+|a\s+further\s+)?$")
_RETURN_WORDS = _rx(r"\b(?:return\w*|hand\w*\s+(?:over|back)|receiv\w*|repatriat\w*|transfer\w*)\b")
_DEAD_AFTER = _rx(r"\s*(?:,\s*)?(?:(?:are|were|is|was|now|already|have been|had been)\s+)*(?:believed|thought|presumed|declared|confirmed|assessed|said)\s+(?:to\s+be\s+)?dead\b")
_DEAD_PREDICATE = _rx(
    r"\s*(?:of\s+(?:them|whom|those|the\s+[\d,]+(?:\s+\w+)?)\s+)?(?:(?:who|whom|that)\s+)?"
    r"(?:(?:it|israel|the\s+army|the\s+military|officials|authorities)\s+(?:has|have|had|now\s+)?\s*)?"
    r"(?:(?:are|were|is|was|now|already|have\s+been|had\s+been|been|still)\s+)*"
    r"(?:(?:believed|thought|presumed|declared|confirmed|assessed|said|known)\s+(?:(?:to\s+be\s+)?dead\b|to\s+have\s+died\b)"
    r"|dead\b|no\s+longer\s+alive\b)")
_COUNTS_THINGS = _rx(r"\s+(?!people\b|residents\b|inhabitants\b|palestinians\b|gazans\b|million\b|thousand\b|civilians\b)[a-z]+s\b")
_TAKEN_AFTER = _rx(r"\s+(?:\w+\s+)?(?:taken|abducted|seized|kidnapped|captured)\b")
_PARTICIPLE_HELD = _rx(r"held\b")
_AUXILIARY_BEFORE = _rx(r"\b(?:are|were|is|was|being|been|still|remain|remains|remained)\s+(?:\w+\s+)?$")
_APPOSITIVE = _rx(r"\s*,\s*(?:about|around|roughly|some|nearly|almost|or|up\s+to|more\s+than|over)\b[^,;]{0,100},")
_RELEASE_ANYWHERE = _rx(r"\b(?:releas\w*|free\w*|exchang\w*|swap\w*)\b")
_COORDINATED = _rx(r"^\s*,?\s*(?:and|or|plus|as well as)\s+(?:(?:at least|more than|some|about|nearly|another|a further|over)\s+)?$")
_PARTITIVE = re.compile(r"\s*(?:of|among)\s")
_MODAL = _rx(r"\b(?:would|could|will|must|should|proposed|proposal|deal would|to be)\b")
_RELEASE_WINDOW = _rx(r"\b(?:between\s+\w+\s+\d|during\s+the\s+(?:truce|ceasefire|pause)|(?:truce|ceasefire|pause)\s+lasted)\b")
_HUNGER_TOTAL = _rx(r"\b(?:malnutrition|starvation|dehydration|famine)\b")
_HUNGER_CAUSE = _rx(r"\b(?:malnutrition|starvation|starved|dehydration|hunger|famine)\b")
_SINCE = _rx(r"\bsince\b")
# "since Israel resumed its offensive", "since the October 10 ceasefire": a window that opened after
# the war began (the war's own start is a running total).
_SINCE_LATER_START = LeadWords(
    r"\bsince\s+(?!(?:the\s+)?(?:war|conflict|fighting|hostilities)\b)(?!(?:the\s+)?(?:start|beginning|outbreak)\s+of\s+(?:the\s+)?(?:war|conflict|hostilities|fighting)\b)"
    r"(?:(?:[\w'’-]+\s+){0,8}?(?:resumed|began|started|entered|took\s+effect|launched|broke\s+down|collapsed|ended|expired)\b"
    r"|the\s+(?:%s)\.?\s+\d{1,2}(?:st|nd|rd|th)?\s+(?:ceasefire|truce|deal)\b"
    r"|(?!oct(?:ober|\.)?\s+7\b)(?:%s)\.?\s+\d{1,2}\b(?!,?\s+2023))"
    % ("|".join(name.lower() for name in calendar.month_name[1:]), "|".join(MONTHS)), re.IGNORECASE, words=("since",))
# "bringing the toll to", "raising to 18 the number": what follows is the new running total.
_RAISE_VERBS = r"(?:bringing|raising|taking|pushing|lifting|brought|raised|took|pushed|(?:has|have|had)\s+(?:now\s+)?(?:risen|climbed|increased|jumped|reached|passed)|rose|climbed|reached)"
_RAISED_TO = prefiltered(rf"\b{_RAISE_VERBS}\s+(?:the\s+)?(?:[\w'’-]+\s+){{0,5}}?to\s+(?:(?:at\s+least|more\s+than|over|nearly|about|some|around)\s+)?$",
                        re.IGNORECASE)
_RAISED_TO_AHEAD = prefiltered(rf"\b{_RAISE_VERBS}\s+(?:the\s+)?(?:[\w'’-]+\s+){{0,5}}?to\b", re.IGNORECASE)
# Both need one of the same verbs (their required words, the same: a unit test checks it): a
# sentence without any has no span where either can match, which extract_claims tests once for
# all its figures.
# "Hunger deaths reach 111", "the toll tops 40,000": the figure is the running total.
_TOTAL_REACHES = _rx(r"\b(?:toll|deaths|total|number|tally|count)\s+(?:[\w'’-]+\s+){0,3}?(?:reach|reaches|reached|hits|hit|tops|topped|passes|passed|surpasses|surpassed|exceeds|exceeded|nears|stands\s+at|stood\s+at)\s+(?:(?:at\s+least|more\s+than|over|nearly|about|some|around)\s+)?$")
_MAX_SUBSETS_SKIPPED = 6
_INCLUDING_AHEAD = _rx(r"\b(?:including|among\s+them|among\s+whom|of\s+whom)\b")
_SINCE_CLAUSE = _rx(r"\bsince\b[^,;.]{0,70}$")
_PERFECT = _rx(r"\b(?:have|has|had)\s+(?:now\s+|since\s+|so\s+far\s+|reportedly\s+|also\s+)?(?:been\s+)?(?:killed|died|been\s+killed|freed|released|returned|recovered|come\s+home|lost\s+their\s+lives)\b")
_ON_DAY = _rx(r"\b(?:on|late on|early on)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b(?:yesterday|today|overnight|this morning|last night)\b")
_CLAUSE_BREAK = re.compile(r";|,\s+(?:and|while|but|whereas|as|including|among them)\s|\s+and\s+(?=(?:israel|hamas|the|it|they)\b)", re.IGNORECASE)
_TRUCE_OVER = _rx(r"\b(?:lasted|ended|collapsed|held for)\b")
_FUTURE_TRUCE = _rx(r"\b(?:would|could|will|proposed|proposal|deal|plan|framework|offer|seek\w*|broker\w*|secure|reach|agree\w*|envisag\w*|negotiat\w*|initial|first phase|first stage|insistence|push\w* for|call\w* for|hop\w*)\b")

_SUBGROUP_WORDS = [
    ("other", r"women\s+and\s+(?:children|minors|teenagers|girls)|(?:children|minors|teenagers)\s+and\s+women|women,\s+children|life[- ]sentences?|serving life|detainees from gaza"),
    ("children", r"children|child|kids|minors|teenagers|teens|under-18s|boys|girls|babies|infants|newborns"),
    ("women", r"women|woman|female"),
    ("men", r"\bmen\b|males"),
    ("elderly", r"elderly|older people|older persons|over the age of [6-9]\d|aged over [6-9]\d|over [7-9]\d years"),
    ("foreign_nationals", r"foreign|foreigners|thai|thais|nepalese|filipinos?|dual nationals|dual citizens|americans?|nationals of"),
    ("israelis", r"israelis?(?!-)"),
    ("staff", r"unrwa|staff|aid workers|humanitarian workers|employees|un workers|un personnel|(?<!medical )(?<!health )personnel|team members"),
    ("journalists", r"journalists?|media workers|reporters|photographers|camera\w*"),
    ("medical", r"medics|doctors|nurses|paramedics|health ?care workers|health workers|medical (?:staff|workers|personnel)"),
    ("security_forces", r"police|policemen|security (?:officers|forces|personnel)|soldiers|troops|shin bet"),
    ("alive", r"alive|living|surviving"),
    ("deceased", r"dead|deceased|bodies|remains|slain"),
]
_FOREIGN_APART = _rx(r"\b(?:foreigners|foreign nationals|thais?|nepalese|filipinos?|dual nationals)\b")
_SUBGROUP_RX = [(code, _rx(r"\b(?:" + words + r")\b")) for code, words in _SUBGROUP_WORDS]
# Any one of them: where this finds nothing, none of them can (most phrases name no subgroup).
_ANY_SUBGROUP = re.compile(r"\b(?:" + "|".join(words for _, words in _SUBGROUP_WORDS) + r")\b", re.IGNORECASE)
_ISRAELIS = re.compile(r"\bisraelis?\b", re.IGNORECASE)


@lru_cache(maxsize=8192)
def _has(pattern: re.Pattern, sentence: str) -> bool:
    """Sentence-level cues are tested once per sentence, however many figures it holds."""
    return bool(pattern.search(sentence))


@dataclass
class Claim:
    metric: str
    value: int
    value_low: int | None
    value_high: int | None
    qualifier: str
    population: str | None
    subgroup: str | None
    cause: str | None
    scope: str
    as_of: date | None
    as_of_rule: str
    source: str | None
    source_norm: str
    attribution_rule: str
    quote: str
    quote_start: int
    char_start: int
    char_end: int
    number_text: str
    line_kind: str
    extraction_rule: str
    confidence: float
    extras: dict = field(default_factory=dict)


@dataclass
class _Reading:
    metric: str
    rule: str
    noun: str | None
    mods: str
    head_end: int
    confidence: float


def _head(sentence: str, end: int) -> tuple[str | None, str, int]:
    m = _HEAD.match(sentence, end)
    if not m:
        return None, "", end
    return _NOUN_CLASS[_normal(m.group("noun"))], m.group("mods") or "", m.end()


def _verb_class(m: re.Match) -> str:
    return _VERB_CLASS[_normal(m.group("verb"))]


_NOT_PLURAL = {"was", "has", "is", "as", "its", "his", "this", "thus", "does", "yes", "plus",
               "across", "versus", "less", "unless", "towards", "perhaps", "besides", "always",
               "sometimes", "whereas", "hers", "ours", "theirs", "us", "alas", "news", "bus"}
_WORDS_AHEAD = re.compile(r"\s+(?:[A-Za-z][\w’'-]*\s+){0,2}?(?P<w>[a-z][a-z-]{2,}s)\b")


_LINKING_WORD = re.compile(r"\b(?:and|or|of|were|are|have|had|been)\b")


def _counts_something_else(sentence: str, end: int) -> bool:
    """"Two Egyptian security sources", "three stages": the figure counts a non-metric noun."""
    m = _WORDS_AHEAD.match(sentence, end)
    if not m or m.group("w") in _NOT_PLURAL:
        return False
    between = sentence[end:m.start("w")]
    return not _VERB.search(between) and not _LINKING_WORD.search(between)


def _metric_from(noun: str | None, verb: str | None, sentence: str) -> str | None:
    if noun == "deaths":
        return "killed"
    if noun == "injured":
        return "injured"
    if noun == "bodies":
        if verb == "returned" or (verb == "released"):
            return "bodies_returned"
        return "bodies_recovered" if verb in (None, "recovered", "killed") else None
    if noun == "hostages":
        return {"released": "hostages_released", "taken": "hostages_taken", "killed": "killed",
                "returned": "hostages_released"}.get(verb or "", "hostages_held")
    if noun == "prisoners":
        return "prisoners_released" if verb in ("released", "returned") else None
    if noun == "displaced":
        return "sheltering" if verb == "sheltering" else "displaced"
    if noun == "missing":
        return "missing"
    if noun == "population":
        return "population"
    if noun == "soldiers":
        return verb if verb in ("killed", "injured") else None
    # People, or no noun: the predicate decides.
    if verb in ("killed", "injured", "displaced", "sheltering", "missing", "population"):
        return verb
    if verb == "taken":
        return "hostages_taken"
    if verb in ("released", "returned"):
        if _has(_PRISON_CONTEXT, sentence):
            return "prisoners_released"
        return "hostages_released" if _has(_HOSTAGE_CONTEXT, sentence) or verb == "released" else None
    if verb == "held":
        return "hostages_held" if _has(_HOSTAGE_CONTEXT, sentence) else None
    return None


_ISRAELI = re.compile(r"\bisraeli\b", re.IGNORECASE)
_REMAINING_OR_STILL = re.compile(r"\b(?:remaining|still)\b", re.IGNORECASE)
_THE_BEFORE = re.compile(r"\bthe\s+$")
_CLAUSE_END = re.compile(r"[;:]|\.\s")


def _read_metric(sentence: str, num: numbers.NumberMention, prev_end: int, next_start: int) -> _Reading | None:
    noun, mods, head_end = _head(sentence, num.end)
    if next_start < head_end:  # "40 of the more than 100 remaining hostages": look past the head
        later = _DIGIT.search(sentence, head_end)
        next_start = later.start() if later else len(sentence)
    # Bounded windows keep extraction linear in the sentence length (no scan of the whole prefix).
    window_start = max(0, num.start - 200)
    before = sentence[window_start:num.start]
    prev_end = max(0, prev_end - window_start)
    if num.qualifier_text:
        q = before.lower().rfind(num.qualifier_text.lower())
        if q >= 0:
            before = before[:q]
    if _POPULATION_BEFORE.search(before) or (_TERRITORY.search(before) and noun in ("people", "population", None)
                                              and not _COUNTS_THINGS.match(sentence, num.end)):
        return _Reading("population", "population_possessive", noun, mods, head_end, 0.9)
    if noun == "hostages" and _TAKEN_AFTER.match(sentence, num.end):
        # "1,200 were killed and 251 taken hostage": the number seized, not those still held
        return _Reading("hostages_taken", "taken_hostage", noun, mods, head_end, 0.9)
    # 1. A predicate that governs the figure directly: "killed at least 30", "release of 40".
    gov = _governor(before[max(prev_end, len(before) - 60):])
    if gov:
        metric = _metric_from(noun, _verb_class(gov), sentence)
        if metric:
            return _Reading(metric, "governing_verb", noun, mods, head_end, 0.92)
    if noun == "prisoners" and _ISRAELI.search(mods):
        noun = "hostages"  # "33 Israeli detainees" are hostages held in Gaza
    if _BODIES_OF.search(before):
        returned = _RETURN_WORDS.search(before)
        return _Reading("bodies_returned" if returned else "bodies_recovered", "bodies_of", "bodies",
                        mods, head_end, 0.85)
    if _has(_HOSTAGE_CONTEXT, sentence) and noun in (None, "people", "hostages", "deaths") and (
            _DEAD_AFTER.match(sentence, head_end) or (noun == "deaths" and _INCLUDING.search(before))):
        return _Reading("hostages_held", "hostages_believed_dead", noun, mods, head_end, 0.8)
    if noun is None and _counts_something_else(sentence, num.end):
        return None
    partitive = bool(_PARTITIVE.match(sentence, num.end))
    if noun == "hostages" and not partitive and _REMAINING_OR_STILL.search(mods):
        return _Reading("hostages_held", "remaining_hostages", noun, mods, head_end, 0.9)
    if noun == "hostages" and num.qualifier == "exact" and _THE_BEFORE.search(before):
        return _Reading("hostages_held", "definite_hostage_count", noun, mods, head_end, 0.8)
    # 2. The predicate after the counted noun: "133 hostages remain", "people ... have been killed".
    appositive = _APPOSITIVE.match(sentence, head_end)
    if appositive:  # "1.9 million people, about nine in ten of the population, are displaced"
        after_it = _DIGIT.search(sentence, appositive.end())
        window = sentence[appositive.end():min(after_it.start() if after_it else len(sentence), appositive.end() + 90)]
    else:
        window = sentence[head_end:min(next_start, head_end + 90)]
    window = _CLAUSE_END.split(window, 1)[0]
    for vm in _verb_matches(window):
        if _PARTICIPLE_HELD.match(vm.group(0)) and not _AUXILIARY_BEFORE.search(window, 0, vm.start()):
            continue  # "40 captives held in Gaza would be freed": "held" only describes them
        metric = _metric_from(noun, _verb_class(vm), sentence)
        if metric:
            return _Reading(metric, "noun_then_verb", noun, mods, head_end, 0.88)
        break
    # 3. The noun alone says it: "83 deaths", "78,018 wounded", "60 bodies".
    if noun in ("deaths", "injured", "bodies", "hostages", "displaced", "missing", "population"):
        metric = _metric_from(noun, None, sentence)
        if metric:
            return _Reading(metric, "counted_noun", noun, mods, head_end, 0.85)
    if noun == "prisoners" and _has(_RELEASE_ANYWHERE, sentence):
        return _Reading("prisoners_released", "prisoners_in_exchange", noun, mods, head_end, 0.8)
    # 4. A predicate earlier in the clause: "the number of people killed ... passed 30,800".
    clause_start = max(prev_end, max(before.rfind(";"), before.rfind(". ")) + 1)
    clause = before[clause_start:]
    verbs = _verb_matches(clause)
    if verbs and len(clause) - verbs[-1].end() <= 120:
        for vm in reversed(verbs):
            metric = _metric_from(noun, _verb_class(vm), sentence)
            if metric:
                return _Reading(metric, "verb_before_in_clause", noun, mods, head_end, 0.7)
    return None


_TRUCE_AFTER = _rx(r"\s*(?:[\w-]+\s+){0,2}?(?:" + _alternation(_CUES["truce"]) + r")\b")
_TRUCE_BEFORE = _rx(r"\b(?:" + _alternation(_CUES["truce"]) + r")\b[^.,;]{0,40}?\b(?:of|for|lasting|lasted|last|lasts|to last|run|runs|spanning|spans|extended by|extension of|by)\s+"
                    r"(?:(?:about|around|some|roughly|approximately|up to|at least|nearly|another|a further|an?|the)\s+)*$")


def _truce_days(sentence: str, num: numbers.NumberMention) -> bool:
    if _NOT_TRUCE_AFTER.search(sentence[num.end:num.end + 40]):
        return False
    if _TRUCE_AFTER.match(sentence, num.end):
        return True
    return bool(_TRUCE_BEFORE.search(sentence[max(0, num.start - 80):num.start]))


# Words that narrow a figure after its noun: "12 detainees from Gaza", "370 members of the security
# forces", "230 serving life sentences", and the predicate of "20 of them are still alive".
_SUBGROUP_TAIL = _rx(r"\s+(?:of|from|serving|over|aged|under)\s+(?:the\s+)?[\w-]+(?:\s+(?!where\b|which\b|who\b|that\b|when\b)[\w-]+){0,3}")
_WHOLE_OF_PARTITIVE = _rx(r"\bof\s+(?:the\s+|them\s+)?(?:some\s+|about\s+)?$")
_SUBGROUP_PREDICATE = _rx(r"[^.;,:]{0,60}?\b(?:are|were|is|was)\s+(?:still\s+|now\s+|believed\s+(?:to\s+be\s+)?|thought\s+to\s+be\s+)?(?P<pred>alive|dead|deceased|living|women|children|minors|over the age of \d+|elderly|soldiers|foreign nationals|foreigners)\b")


def _subgroup_phrase(text: str, num_start: int, num_end: int, head_end: int) -> str:
    phrase = text[num_end:head_end]
    tail = _SUBGROUP_TAIL.match(text, head_end)
    if tail:
        phrase += tail.group(0)
    predicate = _SUBGROUP_PREDICATE.match(text, head_end)
    # "60 of the 120 hostages ... are alive": the predicate narrows the part, not the whole
    if predicate and not _WHOLE_OF_PARTITIVE.search(text, max(0, num_start - 12), num_start):
        phrase += " " + predicate.group("pred")
    return phrase


def _subgroup(phrase: str, metric: str, sentence: str = "") -> str | None:
    if not _ANY_SUBGROUP.search(phrase):
        return None
    for code, rx in _SUBGROUP_RX:
        if code == "israelis" and not (metric.startswith("hostages") and _FOREIGN_APART.search(sentence)):
            continue  # Israeli hostages are a subgroup only when foreigners are counted apart
        if rx.search(phrase):
            if code in ("alive", "deceased") and not metric.startswith("hostages"):
                continue
            if code == "foreign_nationals" and _ISRAELIS.search(phrase):
                continue  # "Israeli and foreign captives" is the whole group, not a part
            if code == "security_forces" and metric in ("killed", "injured") and "soldier" in phrase.lower():
                continue  # soldiers are a population (israeli_soldiers), not a subgroup
            return code
    return None


_PALESTINIAN_OR_HAMAS = re.compile(r"palestinian|hamas", re.IGNORECASE)


def _population(metric: str, noun: str | None, mods: str, sentence: str, num_start: int) -> str | None:
    if metric == "truce_days":
        return None
    if metric == "population":
        return "gaza_population"
    if metric in ("hostages_held", "hostages_released"):
        return "hostages"
    if metric == "hostages_taken":
        return "israel_oct7"
    if metric == "prisoners_released":
        return "palestinian_prisoners"
    if metric.startswith("bodies_"):
        return "hostages" if _HOSTAGE_CONTEXT.search(sentence[num_start:num_start + 80]) else "gaza_palestinians"
    if metric in ("killed", "injured"):
        if noun == "soldiers" and not _PALESTINIAN_OR_HAMAS.search(mods):
            return "israeli_soldiers"
        if noun == "hostages":
            return "hostages"
        if _has(_AID, sentence):
            return "aid_seekers"
        near = sentence[max(0, num_start - 60):num_start + 120]
        if _has(_OCT7, sentence) and not _GAZA.search(near):
            return "israel_oct7"
        if _has(_OTHER_REGION, sentence) and not _has(_GAZA, sentence):
            return "other"
    return "gaza_palestinians"


def _figure_boundaries(counted: list[numbers.NumberMention]) -> list[numbers.NumberMention]:
    """The figures that split a sentence into each figure's words. Durations ("in the past three
    weeks") are part of a figure's words, not figures of their own (the halves of a date pair,
    "11 and 12 March", are already excluded as dates by `numbers`)."""
    return [n for n in counted if not n.unit]


def _local_text(text: str, boundaries: list[numbers.NumberMention], starts: list[int],
                num: numbers.NumberMention, last_raise_start: int, may_raise: bool = True) -> tuple[str, str]:
    """The words that speak about one figure: the sentence's lead-in before its first figure, the
    clause leading to this figure, and what follows it up to the next figure that is not its own
    subset or to a "bringing the toll to" that starts another figure's clause. Returns (local text,
    the clause just before the figure). Work per figure stays local, so long sentences stay linear."""
    position = bisect.bisect_left(starts, num.start)
    previous = boundaries[position - 1] if position else None
    first_after = position + 1 if position < len(boundaries) and boundaries[position] is num else position
    following = boundaries[first_after:first_after + _MAX_SUBSETS_SKIPPED + 1]
    lead_in = text[:boundaries[0].start] if previous is not None else ""
    before = text[previous.end if previous is not None else 0:num.start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks and previous is not None:
        before = before[breaks[-1].end():]
    raised = _RAISED_TO.search(before[-200:]) if may_raise else None
    if raised:  # "..., bringing the toll to N": N's clause starts at the cue
        lead_in, before = "", before[-200:][raised.start():]
    end, stopped_at_subset = len(text), False
    for later in following[:_MAX_SUBSETS_SKIPPED]:
        subset = _INCLUDING.search(text[max(0, later.start - 40):later.start])
        if not subset or _PERIOD.search(text[later.end:later.end + 40]) or _SINCE.search(text[later.end:later.end + 40]):
            # a following figure, or a subset with its own window ("including 354 since ...")
            end, stopped_at_subset = later.start, bool(subset)
            break
    else:
        if len(following) > _MAX_SUBSETS_SKIPPED:
            end = following[_MAX_SUBSETS_SKIPPED].start
    after = text[num.end:end]
    raise_cue = _RAISED_TO_AHEAD.search(after) if may_raise else None
    trail = ""
    if raise_cue:
        after = after[:raise_cue.start()]
    elif (end < len(text) and not stopped_at_subset and not _CLAUSE_BREAK.search(after)
          and last_raise_start < end and boundaries):
        # "72 killed and 114 injured in the past 24 hours": words after the last figure speak for
        # all, up to a subset with its own words ("..., including 52 killed in the previous day")
        trail = text[boundaries[-1].end:boundaries[-1].end + 300]
        subset = _INCLUDING_AHEAD.search(trail)
        if subset:
            trail = trail[:subset.start()]
    return lead_in[:300] + before + num.text + after + trail, before


def _scope(metric: str, value: int, sentence: str, population: str | None, mods: str,
           local: str | None = None, before: str = "", may_raise: bool = True) -> tuple[str, str]:
    """Scope from the figure's own words (`local`) where a cue could belong to another figure of
    the sentence; release and deal cues are read on the whole sentence."""
    local = sentence if local is None else local
    if metric == "truce_days":
        return "term", "truce_term"
    if metric in ("hostages_released", "prisoners_released", "bodies_returned"):
        if _has(_PAST_RELEASE, sentence) and not _has(_MODAL, sentence):
            in_window = _PERIOD.search(local) or _has(_RELEASE_WINDOW, sentence)
            if in_window:
                return "period", "release_in_window"
            if (may_raise and _RAISED_TO.search(before)) or (_PERFECT.search(local) and not _ON_DAY.search(local)):
                return "cumulative", "released_so_far"
            return "event", "release_event"
        if _has(_DEAL, sentence):
            return "term", "deal_term"
        return "event", "release_event"
    if metric in ("hostages_held", "population", "sheltering", "missing", "displaced"):
        if metric == "displaced" and (_PERIOD.search(local) or _SINCE_LATER_START.search(local)):
            return "period", "fled_in_window"
        if metric == "displaced" and _CUMULATIVE.search(local):
            return "cumulative", "displaced_over_the_war"  # "driven from their homes in five months of war"
        return "stock", "state"
    if metric == "hostages_taken" or population == "israel_oct7":
        return "event", "october_7"
    if metric.startswith("bodies_"):
        # only a "since ..." window: "recovered 60 bodies from areas where troops operated in
        # the past months" is one recovery, not a tally over months
        if _SINCE_LATER_START.search(local) or (_PERIOD.search(local) and _SINCE.search(local)):
            return "period", "bodies_in_window"
        return ("cumulative", "recovered_so_far") if _PERFECT.search(local) and not _ON_DAY.search(local) else ("event", "bodies_event")
    if _PERIOD.search(local) or _SINCE_LATER_START.search(local):
        return "period", "stated_window"
    if may_raise and _RAISED_TO.search(before):
        return "cumulative", "raised_total"
    if _CUMULATIVE.search(local):
        return "cumulative", "running_total"
    if _has(_HUNGER_TOTAL, sentence):
        return "cumulative", "hunger_deaths_total"
    if _EVENT.search(local) or population == "aid_seekers":
        return "event", "incident"
    if _TOTAL_REACHES.search(before):
        return "cumulative", "total_reaches"
    if population == "israeli_soldiers" and _SINCE.search(local) and not _ON_DAY.search(local):
        return "cumulative", "running_total"
    if _PERFECT.search(local) and not _ON_DAY.search(local):
        return "cumulative", "perfect_total"  # "have been killed", "had died": a tally, not one day
    return ("cumulative", "large_total") if value >= 1000 else ("event", "small_count")


def _opens_window(sentence: str, d: DateMention) -> bool:
    """'since Monday', 'Since the ceasefire took effect on 10 October': the date starts an open
    window, so the figure holds for the day it was reported, not that date."""
    return d.text.lower().startswith("since") or bool(_SINCE_CLAUSE.search(sentence, max(0, d.start - 80), d.start))


def _as_of(scope: str, population: str | None, sentence: str, dates: list[DateMention],
           reference: date | None, position: int = 0) -> tuple[date | None, str]:
    usable = [d for d in dates if d.tense == "past" and not _opens_window(sentence, d)]
    if scope == "term":
        return reference, "published_date"
    if population == "israel_oct7":
        return WAR_START, "october_7"
    if scope == "event":
        day = [d for d in usable if d.precision == "day"]
        if day:
            # the day nearest the figure: "freed three on Sunday and 90 prisoners early on Monday"
            nearest = nearest_date(day, position, sentence, _CLAUSE_BREAK)
            return nearest.date, f"event_date:{nearest.rule}"
        return reference, "published_date"
    windows = [d for d in usable if d.date_end is not None and d.rule != "overnight"]
    if scope in ("period", "cumulative") and windows:
        # "between 7 October 2023 and 12 March 2024, at least 31,184 were killed": the window's end
        return windows[0].date_end, f"window_end:{windows[0].rule}"
    # "100 hostages remain, 96 of them seized on October 7, 2023": the war's first day dates the
    # seizure, never a running total or a state
    reported = [d for d in usable if d.precision == "day" and d.rule != "october_7_anchor" and d.date != WAR_START]
    if reported:
        return reported[-1].date, f"sentence_date:{reported[-1].rule}"
    return reference, "published_date"


def extract_claims(sentences: list[Sentence], reference: date | None) -> list[Claim]:
    """All claims of an article, from its sentences in order."""
    claims: list[Claim] = []
    carried: Attribution = NONE  # the source of the last attributed figure, for "It said ..."
    carried_at = -10
    recent: list[Sentence] = []
    source_days: dict[int, list[DateMention]] = {}
    for sentence in sentences:
        text = sentence.text
        recent = (recent + [sentence])[-4:]
        if not _has_digit(text) and not _maybe_number_words(text):
            continue
        found = [n for n in numbers.find_numbers(text)]
        if not found:
            continue
        dates = find_dates(text, reference) if reference else []
        sentence_claims: list[Claim] = []
        counted = [n for n in found if not n.excluded]
        boundaries = _figure_boundaries(counted)
        starts = [n.start for n in boundaries]
        may_raise = _RAISED_TO_AHEAD.may_match(text)
        last_raise_start = max((m.start() for m in _unfiltered(_RAISED_TO_AHEAD).finditer(text)), default=-1) if may_raise else -1
        for position, num in enumerate(counted):
            prev_end = counted[position - 1].end if position else 0
            next_start = counted[position + 1].start if position + 1 < len(counted) else len(text)
            reading: _Reading | None
            if num.unit:
                if not _truce_days(text, num):
                    continue
                reading = _Reading("truce_days", "truce_duration", None, "", num.end, 0.9)
            else:
                reading = _read_metric(text, num, prev_end, next_start)
                if reading is None and sentence_claims and _INCLUDING.search(text[max(0, num.start - 40):num.start]):
                    last = sentence_claims[-1]
                    noun, mods, head_end = _head(text, num.end)
                    reading = _Reading(last.metric, "including_subset", noun, mods, head_end, 0.8)
            if (sentence_claims and reading is not None and reading.noun in (None, "people", "hostages")
                    and reading.rule in ("noun_then_verb", "verb_before_in_clause", "counted_noun")
                    and _COORDINATED.match(text[sentence_claims[-1].extras.get("head_end", 0):num.start])):
                last = sentence_claims[-1]  # "freed 50 Israeli hostages and 19 foreigners"
                reading = _Reading(last.metric, "coordinated_with_previous", reading.noun, reading.mods, reading.head_end, 0.8)
            if (reading is None or reading.metric == "killed") and (dead := _DEAD_PREDICATE.match(text, num.end)) and (
                    _has(_HOSTAGE_CONTEXT, text) or any(_HOSTAGE_CONTEXT.search(s.text) for s in recent[-2:-1])):
                # "Israel believes at least 34 of them are dead": hostages held, declared dead
                reading = _Reading("hostages_held", "hostages_believed_dead", "hostages", "", dead.end(), 0.8)
            if reading is None:
                continue
            local, before = _local_text(text, boundaries, starts, num, last_raise_start, may_raise)
            claims_here = _build(sentence, num, reading, dates, reference, local, before, may_raise)
            if (reading.rule == "including_subset" and claims_here
                    and not (_PERIOD.match(text, num.end) or _SINCE.search(text[num.end:num.end + 40]))):
                # "111 deaths, including 80 children": the subset is counted as its whole is
                parent = sentence_claims[-1]
                claims_here = [replace(c, scope=parent.scope, as_of=parent.as_of, as_of_rule=parent.as_of_rule)
                               for c in claims_here]
            for claim in claims_here:
                claim.extras["head_end"] = reading.head_end
            sentence_claims.extend(claims_here)
        if not sentence_claims:
            continue
        # Attribution: the sentence's own, else carried over ("It reported ...", "he said").
        candidates = find_attributions(text, sentence.line_kind == "headline")
        for claim in sentence_claims:
            attribution = find_attribution(text, sentence.line_kind == "headline",
                                           near=claim.char_start - sentence.start, candidates=candidates)
            if (attribution.rule == "x_said" and attribution.start > claim.char_end - sentence.start
                    and _LATER_CLAUSE.search(text, claim.char_end - sentence.start, attribution.start)
                    and text[attribution.end:].strip(" .\"”’')")):
                # "101 hostages remain; Israel says 35 of them are dead": the speaker of a later
                # clause does not vouch for the figure before it
                attribution = NONE
            if attribution.source is None or is_pronoun(attribution.source):
                attribution = _resolve_carried(attribution, text, sentence.index, carried, carried_at, recent)
            claim.source, claim.source_norm, claim.attribution_rule = attribution.source, attribution.source_norm, attribution.rule
            if attribution.rule in ("carried_over", "pronoun_resolved") and claim.as_of_rule == "published_date" \
                    and claim.scope != "term" and reference is not None:
                _date_from_source_sentence(claim, attribution, recent, reference, source_days)
            if attribution.source and (not is_pronoun(attribution.source) or attribution.source_norm != "unattributed"):
                carried, carried_at = attribution, sentence.index
        claims.extend(sentence_claims)
    return _first_occurrences(claims)


def _first_occurrences(claims: list[Claim]) -> list[Claim]:
    """A figure repeated with the same meaning is one claim: its first occurrence."""
    seen: set[tuple] = set()
    out = []
    for claim in claims:
        key = (claim.metric, claim.value, claim.scope, claim.population, claim.subgroup, claim.cause)
        if key not in seen:
            seen.add(key)
            out.append(claim)
    return out


def _resolve_carried(attribution: Attribution, text: str, index: int, carried: Attribution,
                     carried_at: int, recent: list[Sentence]) -> Attribution:
    """A pronoun or missing speaker takes the source of a figure just before, or the last named
    speaker of the previous sentences; never a guess beyond three sentences back."""
    named_here = _named_in_sentence(attribution, text)
    if named_here is not None:
        return named_here
    personal = attribution.source is not None and attribution.source.lower() in ("he", "she", "we")
    if not personal and carried.source and index - carried_at <= 2 and (attribution.source or _starts_with_pronoun(text)):
        return replace(carried, rule="carried_over")
    if attribution.source is not None:
        for earlier in reversed(recent[:-1]):
            if index - earlier.index > 3:
                break
            named = find_attribution(earlier.text)
            if named.source and not is_pronoun(named.source):
                return replace(named, rule="pronoun_resolved")
            subject = leading_subject(earlier.text)
            if subject.source:
                return replace(subject, rule="pronoun_resolved")
        # "The ministry" with nothing before it still names a kind of source.
        return replace(attribution, source_norm=normalise_source(attribution.source), rule="pronoun_unresolved")
    return attribution


_LATER_CLAUSE = re.compile(r";|,\s+(?:and|but|while|including)\b|\s+and\s+(?=\w+\s+(?:says|said|believes|estimates)\b)|,\s+(?=\w+\s+(?:says|said|believes|estimates)\b)")
# "... in 149 UNRWA facilities, the agency said": the description names a body of the sentence.
_DESCRIPTION_CODES = {"the agency": {"un"}, "the ministry": {"gaza_moh"}, "the army": {"idf"},
                      "the military": {"idf"}, "the group": {"hamas"}}
_ORGANISATION = re.compile(r"\b(?:[A-Z]{2,}|[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][a-z]+){0,4})\b")


def _named_in_sentence(attribution: Attribution, text: str) -> Attribution | None:
    description = (attribution.source or "").lower()
    codes = _DESCRIPTION_CODES.get(description)
    if not codes:
        return None
    for m in _ORGANISATION.finditer(text):
        if attribution.start <= m.start() < attribution.end:
            continue
        code = normalise_source(m.group(0))
        if code in codes:
            return replace(attribution, source=m.group(0), source_norm=code, rule="description_resolved")
    return None


def _date_from_source_sentence(claim: Claim, attribution: Attribution, recent: list[Sentence],
                               reference: date, source_days: dict[int, list[DateMention]]) -> None:
    """'The ministry issued its update on Monday. It said 70,103 ...': the figure holds for the day
    the sentence naming its source gives. source_days keeps each earlier sentence's days, read
    once however many figures refer back to it."""
    for earlier in reversed(recent[:-1]):
        if attribution.source and attribution.source in earlier.text:
            if earlier.index not in source_days:
                source_days[earlier.index] = [
                    d for d in find_dates(earlier.text, reference)
                    if d.precision == "day" and d.tense == "past" and not _opens_window(earlier.text, d)]
            days = source_days[earlier.index]
            if days:
                claim.as_of, claim.as_of_rule = days[-1].date, f"source_sentence_date:{days[-1].rule}"
            return


_PRONOUN_START = re.compile(r"^(?:It|They|He|She|The ministry|The agency|The office)\b")


def _starts_with_pronoun(text: str) -> bool:
    return bool(_PRONOUN_START.match(text))


_DECIMAL = re.compile(r"\d")


def _has_digit(text: str) -> bool:
    """any(ch.isdigit() for ch in text), without a Python step per character: a regex finds
    the decimal digits; isdigit also accepts a few others (superscripts), only outside ASCII."""
    return _DECIMAL.search(text) is not None or (not text.isascii() and any(map(str.isdigit, text)))


_NUMBER_WORD_HINT = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|dozen|million|thousand)\b", re.IGNORECASE)
# A match of _NUMBER_WORD_HINT is a whole word (a `\b` on each side): the sentence's words (its
# runs of word characters) say it without the search.
_NUMBER_HINT_WORDS = frozenset(_NUMBER_WORD_HINT.pattern[len(r"\b(?:"):-len(r")\b")].split("|"))


def _maybe_number_words(text: str) -> bool:
    return not _NUMBER_HINT_WORDS.isdisjoint(_WORD_RUN.findall(fold(text)))


_CONJUNCT = re.compile(r"\s+(?:and|or)\s+(?:[\w-]+\s+)?[\w-]+")
_REMAINING_BEFORE = re.compile(r"\bremaining\s+$")


def _build(sentence: Sentence, num: numbers.NumberMention, reading: _Reading,
           dates: list[DateMention], reference: date | None, local: str | None = None,
           before: str = "", may_raise: bool = True) -> list[Claim]:
    text = sentence.text
    metric = reading.metric
    conjunct = _CONJUNCT.match(text, reading.head_end)
    phrase = _subgroup_phrase(text, num.start, num.end, reading.head_end) + (conjunct.group(0) if conjunct else "")
    subgroup = None if metric == "truce_days" else _subgroup(phrase, metric, text)
    if reading.rule == "hostages_believed_dead":
        subgroup = "deceased"
    population = _population(metric, reading.noun, reading.mods, text, num.start)
    scope, scope_rule = _scope(metric, num.value, text, population, reading.mods, local, before, may_raise)
    if metric == "truce_days" and _has(_TRUCE_OVER, text) and not _has(_FUTURE_TRUCE, text):
        scope, scope_rule = "event", "truce_past"
    cause = "malnutrition" if metric == "killed" and _has(_HUNGER_CAUSE, text) else None
    as_of, as_of_rule = _as_of(scope, population, text, dates, reference, num.start)
    base = Claim(
        metric=metric, value=num.value, value_low=num.value_low, value_high=num.value_high,
        qualifier=num.qualifier, population=population, subgroup=subgroup, cause=cause, scope=scope,
        as_of=as_of, as_of_rule=as_of_rule, source=None, source_norm="unattributed",
        attribution_rule="none", quote=text, quote_start=sentence.start,
        char_start=sentence.start + num.start, char_end=sentence.start + num.end,
        number_text=num.text, line_kind=sentence.line_kind,
        extraction_rule=f"{num.rule}/{reading.rule}/{scope_rule}",
        confidence=round(reading.confidence * (0.85 if sentence.line_kind != "body" else 1.0), 3),
    )
    out = [base]
    # "the release of the remaining 130 captives" also states how many are still held.
    partitive = bool(_PARTITIVE.match(text, num.end))
    if metric == "hostages_released" and not partitive and (
            _REMAINING_BEFORE.search(text[max(0, num.start - 30):num.start]) or "remaining" in reading.mods.lower()):
        out.append(replace(base, metric="hostages_held", scope="stock", as_of=reference,
                           as_of_rule="published_date",
                           extraction_rule=f"{num.rule}/remaining_stock/state"))
    return out
