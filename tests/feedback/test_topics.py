"""Feedback topics: the same wish in other words, German or English, is one group; different wishes stay apart."""
from __future__ import annotations

import random
from typing import Dict, List, Optional, Sequence, Tuple

import pytest
import yaml

from bot.config import ROOT
from bot.feedback.topics import CONCEPTS_FILE, Item, Lexicon, default_lexicon, fold, group, similarities, stem

# Each set: one topic as customers write it, in both languages, formal and colloquial ("nen", no capitals).
PARAPHRASES: Dict[str, Tuple[str, List[str]]] = {
    "dark_mode": ("feature_request", [
        "Bitte einen Dunkelmodus in der App", "Please add a dark mode to the app", "die app braucht nen nachtmodus",
        "Dark mode for the Lindner app would be great!", "Dunkler Modus in der Lindner App fehlt"]),
    "range": ("feature_request", [
        "Mehr Reichweite wäre super", "Longer battery range please", "I wish the battery lasted longer",
        "Die Akkulaufzeit könnte länger sein", "more range per charge!!"]),
    "green_c2": ("feature_request", [
        "Den C2 bitte auch in Grün", "Would love a green C2", "Lastenrad C2 in olivgrün anbieten?",
        "please offer the cargo bike in green"]),
    "child_seat": ("feature_request", [
        "Bitte Kindersitze ins Zubehör aufnehmen", "children's seat as an accessory please",
        "I need a child seat that fits my bike", "Ein Kindersitz im Shop wäre toll"]),
    "mudguards": ("feature_request", [
        "Schutzbleche serienmäßig", "mudguards should come standard", "Bitte Spritzschutz mitliefern"]),
    "app_crash": ("bug_report", [
        "Die App stürzt beim Start ab", "app crashes on startup", "App crasht ständig seit dem letzten Update",
        "the app keeps crashing"]),
    "checkout_paypal": ("bug_report", [
        "Checkout hängt bei PayPal", "checkout fails with paypal", "Bezahlen mit PayPal im Warenkorb geht nicht",
        "Kasse lädt nicht wenn ich PayPal wähle"]),
    "bluetooth": ("bug_report", [
        "Bluetooth Verbindung zum Rad bricht ab", "bluetooth pairing fails", "Koppeln per Bluetooth klappt nicht"]),
    "squeaky_brakes": ("criticism", [
        "Die Bremsen quietschen", "my brakes squeak terribly", "Bremse quietscht nach 200 km",
        "squeaky brakes after a week"]),
    "late_delivery": ("criticism", [
        "Lieferung hat ewig gedauert", "delivery took way too long", "Die Lieferzeit war viel zu lang",
        "shipping was delayed by three weeks", "Lieferung kam 2 Wochen zu spät"]),
    "hotline_wait": ("criticism", [
        "Ich hing 40 Minuten in der Warteschleife", "waited 40 minutes on hold",
        "Wartezeit an der Hotline ist eine Frechheit", "Hotline nie erreichbar"]),
    "price": ("criticism", [
        "Viel zu teuer", "way too expensive", "Die Preise sind happig", "overpriced for what you get"]),
    "comfort": ("praise", [
        "Fährt sich super angenehm", "rides really smooth and comfortable", "Sehr bequemes Rad",
        "so comfy on long rides"]),
    "switzerland": ("unanswered", [
        "Liefert ihr in die Schweiz?", "do you ship to switzerland?", "Versand in die Schweiz möglich?"]),
    "frame_warranty": ("unanswered", [
        "Wie lange ist die Garantie auf den Rahmen?", "how long is the frame warranty?",
        "Garantie Rahmen wie viele Jahre?"]),
}


def language_of(text: str) -> str:
    german = set("äöüß") & set(text.lower()) or {"die", "der", "das", "bitte", "ist", "ihr"} & set(text.lower().split())
    return "de" if german else "en"


def make_items(texts: Sequence[str], kind: str = "feature_request", first_id: int = 1,
               sku: Optional[str] = None) -> List[Item]:
    return [Item(first_id + n, kind, text, language_of(text), sku) for n, text in enumerate(texts)]


def paraphrase_items() -> Tuple[List[Item], Dict[int, str]]:
    items: List[Item] = []
    topic_of: Dict[int, str] = {}
    for topic, (kind, texts) in PARAPHRASES.items():
        for item in make_items(texts, kind, first_id=len(items) + 1):
            items.append(item)
            topic_of[item.id] = topic
    return items, topic_of


def ids(groups: List[List[Item]]) -> List[List[int]]:
    return [[item.id for item in g] for g in groups]


# Generated feedback: every subject in German and English, wrapped in the phrases customers put around it.
SUBJECTS = {
    "feature_request": [("einen Dunkelmodus in der App", "a dark mode in the app"), ("mehr Reichweite", "more range"),
                        ("einen Kindersitz", "a child seat"), ("einen Gepäckträger vorne", "a front rack"),
                        ("Ratenzahlung", "installment payments"), ("Offline-Karten", "offline maps"),
                        ("Apple Pay", "Apple Pay"), ("eine lautere Klingel", "a louder bell"),
                        ("Schutzbleche", "mudguards"), ("einen USB-Anschluss", "a USB port"),
                        ("Probefahrten in Hamburg", "test rides in Hamburg"), ("ein Faltrad", "a folding bike"),
                        ("Schnellladen", "fast charging"), ("eine Schiebehilfe", "walk assist"),
                        ("Blinker", "turn signals"), ("ein Widget für den Homescreen", "a home screen widget")],
    "bug_report": [("die App stürzt ab", "the app crashes"), ("Bluetooth verbindet nicht", "bluetooth won't pair"),
                   ("der Checkout hängt", "checkout hangs"), ("der Akkustand ist falsch", "battery level is wrong"),
                   ("das Display flackert", "the display flickers"), ("der Login geht nicht", "login fails"),
                   ("die Sendungsverfolgung zeigt nichts", "tracking shows nothing"),
                   ("das Ladegerät blinkt rot", "the charger blinks red")],
    "criticism": [("die Bremsen quietschen", "the brakes squeak"), ("die Lieferung dauert ewig", "delivery takes forever"),
                  ("alles zu teuer", "everything is too expensive"), ("ewig in der Warteschleife", "ages on hold"),
                  ("zu viel Plastik in der Verpackung", "too much plastic packaging"),
                  ("der Motor ist laut", "the motor is loud"), ("das Rad ist zu schwer", "the bike is too heavy")],
    "praise": [("super Service", "great service"), ("fährt sich sehr bequem", "very comfortable ride"),
               ("schönes Design", "beautiful design"), ("tolle Verarbeitung", "great build quality"),
               ("schnelle Lieferung", "fast delivery")],
    "unanswered": [("habt ihr sonntags offen", "are you open on Sunday"), ("liefert ihr in die Schweiz", "do you ship to Switzerland"),
                   ("gibt es eine Versicherung", "do you offer insurance"), ("nehmt ihr Räder in Zahlung", "do you take trade-ins"),
                   ("wo ist der nächste Händler", "where is the nearest dealer")],
}
WRAPPERS = {
    "feature_request": {"de": ["Bitte {}", "{} wäre toll", "Ich wünsche mir {}", "Hallo, {} fehlt mir"],
                        "en": ["Please add {}", "{} would be great", "I'd love {}", "Hi, I miss {}"]},
    "other": {"de": ["{}!", "Hallo, {}", "{} – danke", "ehrlich: {}"],
              "en": ["{}!", "Hi, {}", "{}, thanks", "honestly: {}"]},
}


def generated(n: int, seed: int = 7, skus: Sequence[Optional[str]] = (None, None, "LR-E5", "LR-E7", "LR-C2", "LR-T9"),
              first_id: int = 100_000) -> Tuple[List[Item], Dict[int, Tuple[str, int]]]:
    rnd = random.Random(seed)
    items: List[Item] = []
    subject_of: Dict[int, Tuple[str, int]] = {}
    for number in range(first_id, first_id + n):
        kind = rnd.choice(sorted(SUBJECTS))
        subject = rnd.randrange(len(SUBJECTS[kind]))
        language = rnd.choice(["de", "en"])
        wrapper = rnd.choice(WRAPPERS.get(kind, WRAPPERS["other"])[language])
        words = SUBJECTS[kind][subject][0 if language == "de" else 1]
        items.append(Item(number, kind, wrapper.format(words), language, rnd.choice(list(skus))))
        subject_of[number] = (kind, subject)
    return items, subject_of


def assert_well_formed(groups: List[List[Item]], items: Sequence[Item]) -> None:
    assert sorted(item.id for g in groups for item in g) == sorted(item.id for item in items)
    assert [len(g) for g in groups] == sorted((len(g) for g in groups), reverse=True)
    for g in groups:
        assert len({item.kind for item in g}) == 1
        assert len({item.sku for item in g if item.sku}) <= 1


# --- Normalising, stemming, the lexicon ------------------------------------------------------------------------

def test_fold_lowercases_folds_umlauts_and_drops_punctuation_and_emojis() -> None:
    assert fold("Gepäckträger für's E5!!! 😍") == "gepaecktraeger fuers e5"
    assert fold("Straße, Café – GRÜN?") == "strasse cafe gruen"
    assert fold("👍") == ""


@pytest.mark.parametrize("forms", [
    ["bremse", "bremsen"], ["battery", "batteries", "batterie", "batterien"], ["lieferung", "lieferungen"],
    ["brake", "brakes", "braking"], ["charger", "charge", "charging"], ["mode", "modes"], ["app", "apps"],
])
def test_stemming_joins_inflected_forms(forms: List[str]) -> None:
    assert len({stem(form) for form in forms}) == 1


def test_german_and_english_wishes_map_to_the_same_concepts() -> None:
    lexicon = default_lexicon()
    wishes = ["Bitte einen Dunkelmodus in der App", "Please add a dark mode to the app", "die app braucht nen nachtmodus"]
    assert {frozenset(lexicon.analyse(text).concepts) for text in wishes} == {frozenset({"dark_mode", "app"})}
    assert set(lexicon.analyse("Gepäckträger").concepts) == set(lexicon.analyse("a luggage rack").concepts) \
        == {"luggage_rack"}


def test_concepts_are_found_inside_german_compounds_and_listed_compounds_win() -> None:
    lexicon = default_lexicon()
    assert set(lexicon.analyse("Akkureichweite").concepts) == {"battery", "range"}
    assert lexicon.analyse("Akkustand").concepts == ["battery_level"]


def test_products_named_in_the_text_are_recognised_not_counted_as_concepts() -> None:
    analysis = default_lexicon().analyse("please offer the cargo bike in green")
    assert analysis.products == ["LR-C2"]
    assert analysis.concepts == ["green"]


def test_the_shipped_lexicon_loads_and_names_only_real_products() -> None:
    data = yaml.safe_load(CONCEPTS_FILE.read_text(encoding="utf-8"))
    assert 80 <= len(data["concepts"]) <= 150
    company = yaml.safe_load((ROOT / "data" / "company" / "products.yaml").read_text(encoding="utf-8"))
    assert set(data["products"]) <= {product["sku"] for product in company["products"]}
    Lexicon.load()  # every term has a word that is not a stop word


def test_a_term_of_only_stop_words_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match="'vague'.*'mit dem'"):
        Lexicon({"vague": ["mit dem"]})


# --- Paraphrases together, different wishes apart --------------------------------------------------------------

@pytest.mark.parametrize("topic", sorted(PARAPHRASES))
def test_each_paraphrase_set_is_one_group(topic: str) -> None:
    kind, texts = PARAPHRASES[topic]
    groups = group(make_items(texts, kind))
    assert len(groups) == 1, [[item.text for item in g] for g in groups]


def test_all_paraphrase_sets_together_give_exactly_their_topics() -> None:
    items, topic_of = paraphrase_items()
    groups = group(items)
    assert_well_formed(groups, items)
    found = sorted(sorted(topic_of[item.id] for item in g) for g in groups)
    expected = sorted(sorted([topic] * len(texts)) for topic, (_, texts) in PARAPHRASES.items())
    assert found == expected


def test_paraphrase_sets_stay_whole_and_apart_among_3000_other_messages() -> None:
    items, topic_of = paraphrase_items()
    noise, _ = generated(3000, skus=[None])
    groups = group(items + noise)
    assert_well_formed(groups, items + noise)
    for g in groups:
        assert len({topic_of[item.id] for item in g if item.id in topic_of}) <= 1, [item.text for item in g]
    for topic in PARAPHRASES:
        holders = [g for g in groups if any(topic_of.get(item.id) == topic for item in g)]
        assert len(holders) == 1, (topic, [[item.text for item in g if item.id in topic_of] for g in holders])


@pytest.mark.parametrize("first, second", [
    ("Bitte einen Dunkelmodus in der App", "Mehr Reichweite wäre super"),
    ("Please add a dark mode to the app", "Would love a green C2"),
    ("Longer battery range please", "Den C2 bitte auch in Grün"),
    ("Den C2 bitte auch in Grün", "Das C2 in Rot wäre schick"),
    ("Den C2 bitte auch in Grün", "Das E5 in Grün bitte"),
    ("Dark mode in the app please", "offline maps in the app please"),
    ("Ein Kindersitz als Zubehör", "Ratenzahlung für Zubehör"),
    ("Schnellladen wäre super", "Mehr Reichweite wäre super"),
])
def test_different_wishes_stay_apart(first: str, second: str) -> None:
    assert len(group(make_items([first, second]))) == 2


@pytest.mark.parametrize("first, second, kind", [
    ("Die App stürzt beim Start ab", "App ist extrem langsam", "bug_report"),
    ("Lieferung kam 2 Wochen zu spät", "Ich hing 40 Minuten in der Warteschleife", "criticism"),
    ("Die Bremsen quietschen", "Der Motor ist sehr laut", "criticism"),
    ("Liefert ihr in die Schweiz?", "Habt ihr sonntags geöffnet?", "unanswered"),
])
def test_different_complaints_and_questions_stay_apart(first: str, second: str, kind: str) -> None:
    assert len(group(make_items([first, second], kind))) == 2


def test_dark_mode_range_and_a_green_c2_are_three_topics() -> None:
    texts = PARAPHRASES["dark_mode"][1] + PARAPHRASES["range"][1] + PARAPHRASES["green_c2"][1]
    groups = group(make_items(texts))
    assert sorted(len(g) for g in groups) == [4, 5, 5]


# --- Kinds and SKUs ---------------------------------------------------------------------------------------------

def test_items_of_different_kinds_never_share_a_group() -> None:
    text = "Die App stürzt ab"
    items = [Item(1, "bug_report", text, "de"), Item(2, "criticism", text, "de"), Item(3, "bug_report", text, "de")]
    assert sorted(ids(group(items))) == [[1, 3], [2]]


def test_items_about_different_skus_never_share_a_group() -> None:
    items = [Item(1, "feature_request", "Bitte einen Gepäckträger", "de", "LR-E5"),
             Item(2, "feature_request", "Please add a luggage rack", "en", "LR-C2"),
             Item(3, "feature_request", "Gepäckträger bitte", "de", "lr-e5 ")]  # SKUs compare case-blind
    assert sorted(ids(group(items))) == [[1, 3], [2]]


def test_an_item_without_sku_joins_a_group_with_one() -> None:
    items = [Item(1, "feature_request", "Bitte einen Gepäckträger", "de", "LR-E5"),
             Item(2, "feature_request", "Please add a luggage rack", "en", "LR-C2"),
             Item(3, "feature_request", "a rear rack would be great", "en")]
    groups = group(items)
    assert [len(g) for g in groups] == [2, 1]
    assert 3 in [item.id for item in groups[0]]


def test_items_without_sku_group_among_themselves() -> None:
    assert len(group(make_items(PARAPHRASES["dark_mode"][1]))) == 1


def test_a_product_named_in_the_text_counts_as_the_sku_when_there_is_none() -> None:
    items = [Item(1, "feature_request", "Den C2 bitte auch in Grün", "de"),
             Item(2, "feature_request", "Das E5 in Grün bitte", "de"),
             Item(3, "feature_request", "green please", "en", "LR-C2"),
             Item(4, "feature_request", "in Grün, bitte", "de", "LR-E5")]
    assert sorted(ids(group(items))) == [[1, 3], [2, 4]]


def test_the_sku_wins_over_a_product_the_text_names() -> None:
    items = [Item(1, "feature_request", "a green option like the C2 has", "en", "LR-E5"),
             Item(2, "feature_request", "E5 in Grün bitte", "de")]
    assert len(group(items)) == 1


# --- Order and determinism ---------------------------------------------------------------------------------------

def test_largest_group_first() -> None:
    items = (make_items(["Wann kommt die Probefahrt in Hamburg?"], first_id=1)
             + make_items(PARAPHRASES["green_c2"][1][:3], first_id=10)
             + make_items(PARAPHRASES["dark_mode"][1], first_id=20))
    assert [len(g) for g in group(items)] == [5, 3, 1]


def test_the_most_representative_item_comes_first() -> None:
    items = make_items(["Die App braucht einen Dunkelmodus, automatisch nach Sonnenuntergang",
                        "Dunkelmodus in der App bitte", "Bitte Dunkelmodus in der App", "dark mode in the app",
                        "nachtmodus für die app"])
    (topic,) = group(items)
    # 2 and 3 say the same in the same words: the most central pair, the tie going to the lower id.
    assert [item.id for item in topic][:2] == [2, 3]
    lexicon = default_lexicon()
    similarity = similarities([lexicon.analyse(item.text) for item in topic], [item.text for item in topic])
    closeness = (similarity.sum(axis=1) - similarity.diagonal()) / (len(topic) - 1)
    assert list(closeness) == sorted(closeness, reverse=True)


def test_grouping_is_deterministic_and_independent_of_input_order() -> None:
    items, _ = paraphrase_items()
    noise, _ = generated(400, seed=3)
    everything = items + noise
    first = ids(group(everything))
    assert ids(group(everything)) == first
    shuffled = list(everything)
    random.Random(11).shuffle(shuffled)
    assert ids(group(shuffled)) == first


def test_empty_single_and_emoji_only_input() -> None:
    assert group([]) == []
    only = Item(1, "praise", "Tolles Rad!", "de")
    assert group([only]) == [[only]]
    thumbs = [Item(1, "praise", "👍", "de"), Item(2, "praise", "👍", "en"), Item(3, "praise", "🚲❤️", "de")]
    assert sorted(ids(group(thumbs))) == [[1, 2], [3]]


# --- Scale ---------------------------------------------------------------------------------------------------------

def test_3000_generated_items_are_grouped_by_subject() -> None:
    items, subject_of = generated(3000)
    groups = group(items)
    assert_well_formed(groups, items)
    for g in groups:  # every group holds one subject (in either language, in any wrapper) …
        assert len({subject_of[item.id] for item in g}) == 1, [item.text for item in g]
    subjects_and_products = {(subject_of[item.id], item.sku) for item in items if item.sku}
    assert len(groups) <= len(subjects_and_products) * 1.1  # … and a subject splits only by product
