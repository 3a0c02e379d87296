"""Group stored feedback into topics: the same wish in other words, in German or English, is counted once.

How a message is read:
1. normalise: lowercase, fold umlauts and ß (ä → ae), drop accents, punctuation and emojis;
2. drop German and English stop words and feedback filler ("bitte", "please", "would be great");
3. stem each word lightly (plural and inflection endings of both languages);
4. map words and phrases to language-neutral concepts with the company's lexicon (data/feedback/concepts.yaml),
   also inside German compounds ("Akkureichweite" → battery, range), and note the products it names.

How similar two messages are: mostly (CONCEPT_WEIGHT) how far their concepts overlap, the rest the cosine of
character n-gram TF-IDF vectors of their content words, which catches typos, inflections and words the lexicon
lacks (see similarities()). All of it is sparse matrix products, no loops over pairs.

Messages are then grouped by average-linkage clustering, separately per kind: a group's members are on average at
least THRESHOLD similar to each other. Two items about different products are kept apart by giving them a distance
no average can bring under the threshold; an item's product is its SKU or, when it has none, the one product its
text names ("the C2 in green"); items about no product may join any group. Deterministic: the same items in any
order give the same groups.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Set, Tuple

import numpy as np
import yaml
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import diags
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from bot.config import ROOT

CONCEPTS_FILE = ROOT / "data" / "feedback" / "concepts.yaml"

# Average similarity from which messages are one topic. Messages with the same concepts, or one's concepts all
# inside the other's, score at least CONCEPT_WEIGHT (0.7); messages sharing one of two concepts at most 0.35 plus
# 0.3 x their character similarity. Chosen on labelled German/English paraphrase sets, alone and among 3,000 other
# messages: 0.40 to 0.50 scored best; at 0.35 different complaints sharing a modifier merge ("delivery is late" /
# "waited ages on hold"), from 0.55 paraphrases with one unknown word split off. The tests pass from 0.35 to 0.65.
THRESHOLD = 0.5
CONCEPT_WEIGHT = 0.7  # share of a similarity that comes from concepts; the rest from character n-grams

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "œ": "oe"})
_APOSTROPHE = re.compile(r"(?<=\w)['’´`](?=\w)")
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Written folded (ae, oe, ue, ss), as the text is when they are looked up.
_STOP_DE = """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anders auch auf
aus bei beim bin bis bisschen bist bzw da dabei dadurch dafuer dagegen daher dahin damals damit dann daran
darauf daraus darf darfst darin darum darunter das dass dasselbe dazu dein deine deinem deinen deiner dem den
denn dennoch der deren derselbe des deshalb dessen dich die dies diese dieselbe dieselben diesem diesen dieser
dieses dir doch dort du durch eben ebenfalls ein eine einem einen einer eines einige einigem einigen einiger
einiges einmal er es etwa etwas euch euer eure eurem euren eurer fuer gab gegen gewesen gibt habe haben habt
hast hat hatte hatten hattest hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem
ins ist ja jede jedem jeden jeder jedes jedoch jene jenem jenen jener jenes jetzt kann kannst koennen koennt
koennte koennten mal man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mich mir
mit muss musste muessen muesste nach nachdem ne nem nen ner nicht nichts noch nun nur ob oder ohne per schon
sehr sein seine seinem seinen seiner seines seit seid selbst sich sie sind so sodass solche solchem solchen
solcher solches soll sollen sollte sollten sondern sonst soweit sowie ueber um und uns unser unsere unserem
unseren unserer unter usw viel viele vielen vom von vor waehrend war waere waeren waren warst was weg weil
weiter welche welchem welchen welcher welches wenn wer werde werden werdet wessen wie wieder will wir wird
wirst wo wobei woher wohin wollen wollt wollte wollten worden wuerde wuerden zu zum zur zwar zwischen zb
halt eh eigentlich irgendwie irgendwo gerade grad bereits nix kein keine keinem keinen keiner keines
wieso warum weshalb wann welch denen
"""
_STOP_EN = """
a about above after again against all also am an and any are aren as at be because been before being below
between both but by can cannot cant could couldnt did didnt do does doesnt doing dont down during each few for
from further had hadnt has hasnt have havent having he her here hers herself him himself his how i id ill im
ive if in into is isnt it its itself lets me more most mustnt my myself no nor not of off on once only or other
ought our ours ourselves out over own same shant she should shouldnt so some such than that thats the their
theirs them themselves then there theres these they theyre this those through to too under until up upon us
very was wasnt we were werent weve what whats when where which while who whom why will with wont would wouldnt
you youd youll youre your yours yourself yourselves
get got getting gets also even still yet etc ok okay yes yeah u ur im
"""
# Words every piece of feedback uses, whatever it is about: the kind already says it is a wish, a bug or praise.
_FILLER = """
bitte please pls plz danke dank thanks thank thx hallo hello hi hey liebe lieber liebes dear team lindner radwerk
gerne gern wuensche wunsch wish wishes wuenschen wuenschenswert haette haetten moechte moechten mag like love
loved want wants wanted need needs needed brauche braucht brauchen benoetige add adding added hinzufuegen
einbauen einfuehren anbieten integrieren implement implementieren feature features funktion funktionen option
optionen options moeglichkeit possibility possible moeglich nice cool super toll tolle toller tolles great awesome
gut gute guter gutes good klasse prima top mega excellent hervorragend perfekt perfect amazing wonderful wunderbar
wirklich echt einfach just total voll richtig ganz quite pretty extrem extremely really bad schlecht schlechte
mies leider unfortunately bike bikes ebike ebikes fahrrad fahrraeder rad raeder velo e mehr weniger less
laenger longer groessere groesseren bigger larger besser bessere better neu neue neuen neues neuer new endlich
finally immer always problem probleme problems issue issues fehler error bug bugs funktioniert funktionieren
work works working worked geht gehen klappt fix fixen fixed beheben frage question fragen ask wissen know
machen macht make makes made could maybe vielleicht way staendig dauernd constantly keeps keep letzte letzten
latest ehrlich gesagt honestly seriously ernsthaft absolut absolutely wow omg lol haha schade sadly actually
literally
"""
STOP_WORDS: FrozenSet[str] = frozenset((_STOP_DE + _STOP_EN + _FILLER).split())

_SUFFIXES = ("ern", "ing", "est", "en", "er", "em", "ed", "ly", "e")
_PRODUCT = "sku:"


@dataclass
class Item:
    """One stored message."""

    id: int
    kind: str
    text: str
    language: str  # de or en
    sku: Optional[str] = None  # the product it was about, if known


def fold(text: str) -> str:
    """Lowercase ASCII words and digits separated by single spaces: umlauts folded, accents, punctuation, emojis gone."""
    text = _APOSTROPHE.sub("", text.lower().translate(_FOLD))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stemmer for German and English at once: one plural s, then one inflection ending, y → i."""
    if not word.isalpha():
        return word
    if word.endswith("ungen"):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[:-len(suffix)]
            break
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    return word


def content_words(text: str) -> List[Tuple[str, str]]:
    """(folded word, stem) for every word of the text that is not a stop or filler word."""
    return [(word, stem(word)) for word in fold(text).split() if word not in STOP_WORDS]


@dataclass
class Analysis:
    """What a text is about, as far as the lexicon knows."""

    concepts: List[str]  # language-neutral concepts ("dark_mode")
    words: List[str]  # the folded content words (no stop or filler words)
    products: List[str]  # SKUs of the products named ("LR-C2")


class Lexicon:
    """Words and phrases (as stem sequences) → the concepts they stand for and the products they name."""

    MIN_COMPOUND_PART = 4  # letters of a term found inside a longer word
    MIN_COMPOUND_REST = 4  # letters the longer word must have besides it (so not "mit" + "liefern")
    # Endings that make a new word rather than a compound ("Frechheit" is not about being "frech").
    NOT_A_PART = frozenset("heit keit ung ungen lich liche lichen licher isch ische ischen bar schaft chen lein".split())

    def __init__(self, concepts: Mapping[str, Sequence[str]],
                 products: Optional[Mapping[str, Sequence[str]]] = None) -> None:
        meanings = {str(name): terms for name, terms in concepts.items()}
        meanings.update({_PRODUCT + str(sku): terms for sku, terms in (products or {}).items()})
        self.phrases: Dict[Tuple[str, ...], Set[str]] = {}
        self._parts: Dict[str, Set[str]] = {}  # single words that are also found inside compounds
        for meaning, terms in meanings.items():
            if not isinstance(terms, (list, tuple)) or not terms:
                raise ValueError(f"{meaning.replace(_PRODUCT, '')!r} needs a list of words or phrases")
            for term in terms:
                words = content_words(str(term))
                if not words:
                    raise ValueError(f"{meaning.replace(_PRODUCT, '')!r}: {term!r} consists only of stop words")
                self.phrases.setdefault(tuple(s for _, s in words), set()).add(meaning)
                if len(words) == 1:
                    for form in set(words[0]):
                        if len(form) >= self.MIN_COMPOUND_PART:
                            self._parts.setdefault(form, set()).add(meaning)
        self.longest = max((len(k) for k in self.phrases), default=0)
        self._compounds: Dict[str, Tuple[str, ...]] = {}

    @classmethod
    def load(cls, path: Path = CONCEPTS_FILE) -> "Lexicon":
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or not isinstance(data.get("concepts"), dict):
            raise ValueError(f"{path}: expected 'concepts:' with 'name: [words]' entries")
        return cls(data["concepts"], data.get("products") or {})

    def analyse(self, text: str) -> Analysis:
        """The content words of a text and the concepts and products they name, each in text order."""
        words = content_words(text)
        stems = [s for _, s in words]
        result = Analysis([], [word for word, _ in words], [])
        i = 0
        while i < len(words):
            meanings: Sequence[str] = ()
            for n in range(min(self.longest, len(words) - i), 0, -1):
                found = self.phrases.get(tuple(stems[i:i + n]))
                if found:
                    meanings, i = sorted(found), i + n
                    break
            else:
                meanings = self._compound(words[i][0])
                i += 1
            for meaning in meanings:
                if not meaning.startswith(_PRODUCT):
                    result.concepts.append(meaning)
                elif meaning[len(_PRODUCT):] not in result.products:
                    result.products.append(meaning[len(_PRODUCT):])
        return result

    def _compound(self, word: str) -> Tuple[str, ...]:
        """Meanings of the longest known word the word starts with and of the longest it ends with."""
        if word not in self._compounds:
            low, rest = self.MIN_COMPOUND_PART, self.MIN_COMPOUND_REST
            found: List[str] = []
            for cut in range(len(word) - rest, low - 1, -1):  # head, longest first
                if word[:cut] in self._parts and word[cut:] not in self.NOT_A_PART:
                    found.extend(sorted(self._parts[word[:cut]]))
                    break
            for cut in range(rest, len(word) - low + 1):  # tail, longest first
                hit = self._parts.get(word[cut:]) or self._parts.get(stem(word[cut:]))
                if hit:
                    found.extend(m for m in sorted(hit) if m not in found)
                    break
            self._compounds[word] = tuple(found)
        return self._compounds[word]


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.load()


def similarities(analyses: Sequence[Analysis], texts: Sequence[str]) -> np.ndarray:
    """Pairwise similarity in [0, 1] of texts (one kind): concept overlap joined with character n-gram cosine.

    Concepts: the IDF-weighted overlap coefficient, the weight of the shared concepts over the weight of the message
    with fewer: "a child seat" is wholly inside "a child seat in the shop" (1.0), while "delivery is late" and
    "waited on hold" share only "delay" (0.5 at most, less as "delay" is the more common). Characters: TF-IDF
    cosine of the content words, for typos, inflections and words the lexicon lacks. Pairs where only one message
    has concepts count the characters at 1 - CONCEPT_WEIGHT; pairs where neither has, the characters alone.
    """
    # A text of only stop words or emojis ("👍") has nothing else to compare: identical ones still belong together.
    words = [" ".join(a.words) or " ".join(t.lower().split()) or "=" for a, t in zip(analyses, texts)]
    chars = normalize(TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(words))
    similarity = (chars @ chars.T).toarray()
    found = [sorted(set(a.concepts)) for a in analyses]
    if not any(found):
        return similarity
    present = CountVectorizer(analyzer=list, binary=True, dtype=np.float64).fit_transform(found).tocsc()
    df = np.asarray(present.sum(axis=0)).ravel()
    idf = np.log((1.0 + len(found)) / (1.0 + df)) + 1.0
    weighted = present @ diags(idf)
    shared = (weighted @ present.T).toarray()
    own = np.asarray(weighted.sum(axis=1)).ravel()
    smaller = np.minimum(own[:, None], own[None, :])
    overlap = np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)  # 0 unless both have some
    none = np.flatnonzero(own == 0)
    unknown = similarity[np.ix_(none, none)]  # pairs where neither has concepts keep the characters alone
    similarity *= 1.0 - CONCEPT_WEIGHT
    overlap *= CONCEPT_WEIGHT
    similarity += overlap
    similarity[np.ix_(none, none)] = unknown
    return similarity


def _product(item: Item, analysis: Analysis) -> str:
    """The SKU the item is about: its own, else the one product its text names ("" when none or several)."""
    sku = (item.sku or "").strip().upper()
    if sku:
        return sku
    return analysis.products[0].upper() if len(analysis.products) == 1 else ""


def _clusters(similarity: np.ndarray, products: Sequence[str], threshold: float) -> np.ndarray:
    """Average-linkage cluster labels; two items about different products get a distance no average brings down."""
    n = len(products)
    if n == 1:
        return np.ones(1, dtype=int)
    distance = 1.0 - similarity
    np.maximum(distance, 0.0, out=distance)
    codes = {sku: code for code, sku in enumerate(sorted(set(products) - {""}), start=1)}
    if len(codes) > 1:
        code = np.array([codes.get(sku, 0) for sku in products])
        about = np.flatnonzero(code)
        block = distance[np.ix_(about, about)]
        # A merge averages at most n*n/4 pairs, so one pair of different products keeps it above distance 4.
        block[code[about, None] != code[None, about]] = float(n * n)
        distance[np.ix_(about, about)] = block
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    return fcluster(tree, t=1.0 - threshold, criterion="distance")


def group(items: Sequence[Item], *, threshold: float = THRESHOLD,
          lexicon: Optional[Lexicon] = None) -> List[List[Item]]:
    """Topics: groups of items of one kind and at most one product, largest first, most representative item first.

    The result does not depend on the order of the items (they are sorted by kind and id first).
    """
    lexicon = lexicon or default_lexicon()
    ordered = sorted(items, key=lambda it: (it.kind, it.id, it.text, it.language, it.sku or ""))
    if not ordered:
        return []
    topics: List[List[Item]] = []
    start = 0
    while start < len(ordered):  # each kind on its own: kinds never share a group, and weigh words differently
        end = start
        while end < len(ordered) and ordered[end].kind == ordered[start].kind:
            end += 1
        members = ordered[start:end]
        analyses = [lexicon.analyse(item.text) for item in members]
        similarity = similarities(analyses, [item.text for item in members])
        products = [_product(item, analysis) for item, analysis in zip(members, analyses)]
        labels = _clusters(similarity, products, threshold)
        for label in np.unique(labels):
            index = np.flatnonzero(labels == label)
            inner = similarity[np.ix_(index, index)]
            # Representative: the highest mean similarity to the other members (rounded, so ties go to the lower id).
            closeness = np.round((inner.sum(axis=1) - inner.diagonal()) / max(len(index) - 1, 1), 9)
            topics.append([members[index[k]] for k in sorted(range(len(index)),
                                                              key=lambda k: (-closeness[k], members[index[k]].id))])
        start = end
    topics.sort(key=lambda topic: (-len(topic), topic[0].kind, min(item.id for item in topic)))
    return topics
