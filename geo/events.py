"""Passage -> events: type, trigger, place, actor, target and status, from a parsed spaCy Doc.

The fourteen types (EVENT_TYPES) are defined, with their names in ACLED, PLOVER and CAMEO and
their trigger words, in data/events/types.toml. Rules find the events: trigger lemmas per
type, instrument words that decide what a generic "attack" or "strike" was (missile ->
shelling, drone -> air strike, mine -> explosion), cue words that rule out disasters,
accidents and crime, and the dependency parse for status (negation, denial, plans,
conditions, history), actor, target and place. A small linear classifier
(geo.event_model, trained on the labelled passages of data/events/) then decides the main
type of each passage when it is confident and the rules are not.

The lexicon is geo.event_rules, the typing of trigger words geo.event_typing, status and
arguments geo.event_args; this module assembles them into events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from geo.event_args import (
    _actor,
    _anaphor,
    _np,
    _np_text,
    _places,
    _source,
    _status,
    _target,
    _token_mentions,
    _unresolved_places,
)
from geo.event_model import NONE, Model, analyze, choose_main, default_model

# Re-exported: EVENT_TYPES, TYPES_FILE, WEAPON_TYPES and definitions are imported from here.
from geo.event_rules import EVENT_TYPES as EVENT_TYPES
from geo.event_rules import TYPES_FILE as TYPES_FILE
from geo.event_rules import VIOLENT, _Sentence, rules
from geo.event_rules import WEAPON_TYPES as WEAPON_TYPES
from geo.event_rules import definitions as definitions
from geo.event_typing import _Cand, _candidates, _doer, _span_head, _vetoed
from geo.models import Mention, Place

STATUSES = ("reported", "denied", "negated", "planned", "hypothetical", "historical")
# Place bases: where the event's place was read.
IN_SENTENCE, PREVIOUS, ARTICLE = "sentence", "previous sentence", "article"


@dataclass(frozen=True, slots=True)
class Event:
    """One event in a text; offsets are characters into the Doc's (the article's) text.

    `place_index` is the index of the event's place in the mentions passed in (None: no
    place, or one with no mention); `place_basis` says where the place was read: "sentence",
    "previous sentence" (an anaphor such as "there" or "the city"), "article" or "".
    `source` is who the text says reported it ("Kyiv says Russia shelled ..."), else "".
    `status` is one of STATUSES; only "reported" events belong on the map by default.
    """

    type: str
    start: int
    end: int
    trigger: str
    passage_start: int
    passage_end: int
    place: str | None
    place_index: int | None
    place_basis: str
    resolved: Place | None
    actor: str | None
    target: str | None
    status: str
    source: str
    confidence: float

    def to_json(self) -> dict:
        """The export shape: type, offsets, trigger, place (name plus lat/lon/geonameid)."""
        place = None
        if self.place is not None:
            place = {"name": self.place, "basis": self.place_basis}
            if self.resolved is not None:
                place |= {
                    "lat": self.resolved.lat,
                    "lon": self.resolved.lon,
                    "geonameid": self.resolved.geonameid,
                    "resolved": self.resolved.name,
                }
        return {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "trigger": self.trigger,
            "place": place,
            "actor": self.actor,
            "target": self.target,
            "status": self.status,
            "source": self.source or None,
            "confidence": round(self.confidence, 3),
        }


# Assembly ------------------------------------------------------------------------------


_RULES_ONLY = "rules"


def events_in_doc(
    doc,
    mentions: Sequence[Mention] = (),
    published: date | None = None,
    model: Model | None | str = None,
) -> list[Event]:
    """Events in an already parsed Doc; `mentions` are its place mentions (character spans).

    The main event comes first: the first passage with an event, its reported event of the
    highest priority (the weapon decides over the victims; a capture over the fighting).
    The rules find the events; the classifier of geo.event_model (`model`: None for the
    shipped one, "rules" for none) then decides the main type of each passage with them
    (see `choose_main`): a document of up to three sentences is one passage, a longer
    one a passage per sentence.
    """
    ctx = _Context(doc, mentions, published)
    found = _rule_events(ctx)
    if model is None:
        model = default_model()
    if model == _RULES_ONLY or model is None:
        return _main_first(found)
    assert isinstance(model, Model)
    sents = list(doc.sents)
    if len(sents) <= PASSAGE_SENTENCES:
        units = [list(range(len(sents)))]
    else:
        units = [[n] for n in sorted({f[0] for f in found})]
    out = [f for f in found if not any(f[0] in u for u in units)]
    for unit in units:
        out.extend(_decide(ctx, model, sents, unit, [f for f in found if f[0] in unit]))
    return _main_first(out)


PASSAGE_SENTENCES = 3


def passage_features(
    text: str, found: Sequence[Event], cues: Sequence[str] = ()
) -> dict[str, list[str]]:
    """The classifier's features of a passage, the rules' events on it (main first) and the
    cue classes of its sentences (see `cue_classes`)."""
    return analyze(text, [e.type for e in found], found[0].status if found else None, cues)


def cue_classes(sents) -> list[str]:
    """The cue classes of data/events/types.toml that occur in these spaCy sentences."""
    R = rules()
    return sorted({c for sent in sents for c in _Sentence(sent, R.cues).classes})


def _decide(ctx, model: Model, sents, unit: list[int], found: list) -> list:
    """The unit's events after the classifier's choice of its main type."""
    first, last = sents[unit[0]], sents[unit[-1]]
    text = ctx.text[first.start_char : last.end_char]
    ordered = _main_first(found)
    cues = cue_classes(sents[n] for n in unit)
    proba = model.proba(passage_features(text, ordered, cues))
    typ = choose_main([e.type for e in ordered], proba, model.thresholds)
    rules_main = ordered[0].type if ordered else NONE
    if typ == rules_main:
        return found
    if typ == NONE:
        return []
    same = [f for f in found if f[2].type == typ]
    if same:
        best = min(same, key=_main_key)
        # The chosen event leads its passage: earliest sentence, top priority.
        lead = (min(f[0] for f in found), _LEAD, best[2])
        return [lead, *[f for f in found if f is not best]]
    conf = round(proba[typ], 3)
    for n in unit:
        made = _model_event(ctx, sents[n], n, typ, conf, anywhere=False)
        if made:
            return [(n, _LEAD, e) for e in made] + found
    if found:
        # No word of that type: the rules' main event, retyped (its trigger and arguments).
        main = min(found, key=_main_key)
        return [(main[0], _LEAD, replace(main[2], type=typ, confidence=conf)), *found]
    n = unit[0]
    return [(n, _LEAD, e) for e in _model_event(ctx, sents[n], n, typ, conf, anywhere=True)]


def _model_event(ctx, sent, n: int, typ: str, conf: float, anywhere: bool) -> list[Event]:
    """Events of the classifier's type in a sentence: on a trigger word of that type, else
    (`anywhere`) on the sentence's main verb, else none; arguments as for the rules'."""
    R = rules()
    toks = list(sent)
    for k in range(len(toks)):
        hit = [m for m in R.triggers.match(toks, k) if m[1].startswith(typ + ":")]
        if hit:
            head = _span_head(toks[k : hit[0][0]])
            i, j = toks[k].i, toks[hit[0][0] - 1].i + 1
            break
    else:
        if not anywhere:
            return []
        head = sent.root
        i, j = head.i, head.i + 1
    sc = _Sentence(sent, R.cues)
    c = _Cand(typ, i, j, head.i, "model", conf)
    return _events(c, ctx.doc, sent, sc, ctx.mentions, ctx.tok2m, ctx.ref_year, None, n, ctx.given)


class _Context:
    """A document with its place mentions, as the event readers need them."""

    def __init__(self, doc, mentions: Sequence[Mention], published: date | None) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token: made once, not per passage
        self.ref_year = published.year if published else None
        self.given = len(mentions)
        self.mentions = [*mentions, *_unresolved_places(doc, mentions)]
        self.tok2m = _token_mentions(doc, self.mentions)


_LEAD = 100  # priority of an event the classifier chose to lead its passage


def _main_key(f: tuple[int, int, Event]):
    return (f[0], f[1] < _LEAD, f[2].status != "reported", -f[1], f[2].start)


def _main_first(found: list[tuple[int, int, Event]]) -> list[Event]:
    if not found:
        return []
    main = min(found, key=_main_key)
    return [main[2]] + [f[2] for f in found if f is not main]


def _rule_events(ctx: _Context) -> list[tuple[int, int, Event]]:
    """(sentence number, priority, event) of every event the rules find."""
    R = rules()
    doc, mentions, tok2m = ctx.doc, ctx.mentions, ctx.tok2m
    found: list[tuple[int, int, Event]] = []
    last_place: tuple[int, int] | None = None  # (mention index, sentence number)
    for n, sent in enumerate(doc.sents):
        sc = _Sentence(sent, R.cues)
        cands = [c for c in _candidates(sent, sc, R) if not _vetoed(c.type, sc)]
        cands = _prune(cands, doc, sc)
        violent_protest = _violent_protest(sc)
        for c in cands:
            if c.type == "protest" and violent_protest:
                c.type = "riot"
            prio = R.priority[c.type] - 4 * _weak_explosion(c, sc) - 5 * _depth(doc[c.head])
            found.extend(
                (n, prio, e)
                for e in _events(
                    c, doc, sent, sc, mentions, tok2m, ctx.ref_year, last_place, n, ctx.given
                )
            )
        in_sent = [tok2m[t.i] for t in sent if t.i in tok2m]
        if in_sent:
            last_place = (in_sent[-1], n)
    return _dedupe(found)


_BACKGROUND = {"after", "before", "following", "since", "amid", "during", "despite", "over",
               "for", "under", "about", "ahead", "against", "on", "until", "like", "by"}  # fmt: skip


def _depth(head) -> int:
    """1 when the trigger sits in a background clause ("... after heavy fighting"), else 0."""
    for t in [head, *head.ancestors]:
        if t.dep_ in {"advcl", "relcl", "acl"}:
            return 1
        if t.dep_ == "prep" and t.lower_ in _BACKGROUND and t.i != head.i:
            return 1
    return 0


def _backgrounded(tok, top) -> bool:
    """tok sits under `top` in a background clause ("fired on ... after an ambush")."""
    for t in [tok, *tok.ancestors]:
        if t.i == top.i:
            return False
        if t.dep_ in {"advcl", "relcl"} or (t.dep_ == "prep" and t.lower_ in _BACKGROUND):
            return True
    return False


def _weak_explosion(c: _Cand, sc: _Sentence) -> bool:
    """ "Explosions were heard": an explosion with no explosive device named."""
    return c.type == "explosion" and c.kind == "noun" and not sc.has("explosion")


def _violent_protest(sc: _Sentence) -> bool:
    """Protesters (not the police) throwing stones, burning, looting, storming."""
    doc = sc.sent.doc
    for i in sc.classes.get("protest_violence", []):
        verb = doc[i]
        while verb.pos_ not in {"VERB", "AUX"} and verb.head.i != verb.i:
            verb = verb.head
        doer = _doer(verb)
        if doer is None or not sc.in_subtree("police", doer):
            return True
    return False


def _prune(cands: list[_Cand], doc, sc: _Sentence) -> list[_Cand]:
    """Drop generic words that only restate a specific trigger of the same sentence."""
    specific = [c for c in cands if c.kind != "generic" and c.kind not in {"attack", "consequence"}]
    out = []
    for c in cands:
        if c.kind in {"attack", "consequence"} and specific:
            head = doc[c.head]
            related = any(
                (s.head in {t.i for t in head.subtree} and not _backgrounded(doc[s.head], head))
                or c.head in {t.i for t in doc[s.head].subtree}
                or doc[s.head].head.i == c.head
                or head.head.i == s.head
                for s in specific
            )
            if related or c.type in {s.type for s in specific}:
                continue
        # An explosion heard where missiles or drones struck is that strike.
        if _weak_explosion(c, sc) and any(o.type in VIOLENT and o is not c for o in cands):
            continue
        out.append(c)
    return out


def _events(
    c: _Cand, doc, sent, sc, mentions, tok2m, ref_year, last_place, n, given
) -> list[Event]:
    head = doc[c.head]
    status = _status(head, sc, ref_year)
    source, source_toks = _source(head)
    actor_tok = _actor(head, sc)
    actor_toks: set[int] = set()
    actor = None
    if actor_tok is not None:
        s, e = _np(actor_tok)
        actor = doc[s:e].text
        actor_toks = {t.i for t in actor_tok.subtree} | set(range(s, e))
    places = _places(head, sent, tok2m, actor_toks | source_toks)
    basis = IN_SENTENCE if places else ""
    conf = c.conf
    if not places and last_place is not None and _anaphor(sent):
        places = [last_place[0]]
        basis = PREVIOUS if last_place[1] == n - 1 else ARTICLE
        conf -= 0.1
    place_toks = {i for i, k in tok2m.items() if k in places}
    target_tok = _target(head, sc, place_toks | actor_toks)
    target = _np_text(doc, target_tok) if target_tok is not None else None
    if actor is None and c.kind in {"attack", "consequence"}:
        conf -= 0.1
    trigger = doc[c.i : c.j]
    base = dict(
        type=c.type,
        start=trigger.start_char,
        end=trigger.end_char,
        trigger=trigger.text,
        passage_start=sent.start_char,
        passage_end=sent.end_char,
        actor=actor,
        target=target,
        status=status,
        source=source,
        confidence=max(0.1, min(conf, 0.95)),
    )
    if not places:
        return [Event(place=None, place_index=None, place_basis="", resolved=None, **base)]
    return [
        Event(
            place=mentions[k].text,
            place_index=k if k < given else None,
            place_basis=basis,
            resolved=mentions[k].place,
            **base,
        )
        for k in places
    ]


def _dedupe(found: list[tuple[int, int, Event]]) -> list[tuple[int, int, Event]]:
    """One event per sentence, type, place and status (a verb and its noun restated)."""
    seen: dict[tuple, int] = {}
    out: list[tuple[int, int, Event]] = []
    for f in found:
        n, _, e = f
        key = (n, e.type, e.place_index, e.status)
        if key in seen:
            old = out[seen[key]]
            if e.confidence > old[2].confidence:
                out[seen[key]] = f
            continue
        seen[key] = len(out)
        out.append(f)
    return out


def extract_events(
    text: str,
    nlp,
    mentions: Sequence[Mention] | None = None,
    geoparser=None,
    published: date | None = None,
    article_id: str = "",
) -> list[Event]:
    """Parse `text` and return its events; places come from `mentions`, else the geoparser.

    With neither, events carry no place. `geoparser` is a geo.geoparser.Geoparser.
    """
    doc = nlp(text)
    if mentions is None and geoparser is not None:
        from geo.models import Article

        art = Article(article_id, None, "", published, "", "en", text)
        mentions = geoparser.resolver.resolve(art, _recognize(doc, geoparser))
    return events_in_doc(doc, mentions or (), published)


def _recognize(doc, geoparser):
    from geo.recognize import recognize

    return recognize(doc, geoparser.gazetteer)


def events_for_articles(articles, geoparser, batch_size: int = 16):
    """(article, events) for a stream of articles: one spaCy pass each, places geoparsed."""
    pairs = ((a.text, a) for a in articles)
    for doc, art in geoparser.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
        mentions = geoparser.resolver.resolve(art, _recognize(doc, geoparser))
        yield art, events_in_doc(doc, mentions, art.published)
