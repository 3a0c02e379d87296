"""Redact personal data from customer feedback before it is stored for product development.

``redact(text)`` works on German and English in the same text and replaces

* e-mail addresses                                   -> ``[E-Mail]``
* IBANs of any country, with or without spaces       -> ``[IBAN]``
* street addresses with house number, German and English, together with a following
  postcode and city                                  -> ``[Adresse]``
* phone numbers in German, international and US formats -> ``[Telefon]``
* names the customer gives for themselves ("ich heiße …", "my name is …", "Viele Grüße, …" at the
  end)                                               -> ``[Name]``; the lead-in words stay.

Everything else is kept byte for byte. The patterns run in that order: e-mails first (they contain
digits and names), IBANs before phone numbers (an IBAN's digit groups look like a phone number), names
last (a closing greeting may be followed by an already redacted signature).

Known limits (this is pattern matching, not entity recognition):

* Names are only found after a self-introduction ("ich heiße", "mein Name ist", "my name is", "Name:",
  "ich bin", "I'm", and "hier ist"/"this is" at the start of the message or after a greeting) or in a
  closing greeting at the very end (only contact details may follow), and only when capitalised:
  "ich heiße anna", names inside a story, several names ("Anna & Tom") and a signature followed by other
  text ("Gesendet von meinem iPhone") stay. A name is one or two words (three after a closing greeting)
  with optional title (Dr., Frau, Mr) and particle (von, van, de).
* "Ich bin …", "I'm …", "this is …" are ambiguous. A first word on ``_NOT_NAME_WORDS`` or with an
  occupation's ending ("Softwareentwickler", "Polizistin") or one followed by anything but punctuation,
  the end or a linking word ("und", "aus", "and", "from" …) is not taken as a name: a rare name then slips
  through, and an unlisted capitalised non-name ("Ich bin Vegetarier und …") becomes ``[Name]``.
* Addresses need a house number (German: at most three digits) and a street word (…straße, Str., …weg,
  …allee, …platz, …gasse, …ring, Street, St, Road, Avenue …) or a German "Am/Im/An der/Zur …" form;
  "Zeil 5", "5th Avenue", a city without postcode, a lowercase street other than "…straße" and P.O.
  boxes stay. The "Am/Im …" form is skipped for listed time and bike words ("am Montag 3", "im Gang 7").
* Phone numbers must start with +, 00, 0 or a bracketed area code, or be written 555-123-4567, and
  have 7 to 15 digits (7 to 12 without country code): "761 5550100" without trunk zero stays, and any
  other number with a leading zero and 7+ digits (a zero-padded customer or article number) becomes
  ``[Telefon]``. A number separated from a phone number only by a space may be taken as part of it.
* IBANs are not checksum-verified on purpose, so mistyped IBANs are redacted too.
* Obfuscated e-mails ("anna at example dot com") stay.
"""
from __future__ import annotations

import re
from typing import FrozenSet, Optional

EMAIL = "[E-Mail]"
PHONE = "[Telefon]"
IBAN = "[IBAN]"
ADDRESS = "[Adresse]"
NAME = "[Name]"
_PLACEHOLDERS = (EMAIL, PHONE, IBAN, ADDRESS, NAME)

# Letters for names and streets beyond ASCII: Latin-1 upper/lower case and Latin Extended-A (both cases),
# so "Müller", "Šimůnek" and "Łukasz" are words.
_UP = "A-ZÀ-ÖØ-Þ\u0100-\u017f"
_LO = "a-zß-öø-ÿ\u0100-\u017f"


def _alternatives(words: FrozenSet[str]) -> str:
    """A regex alternation of literal words, longest first."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# --------------------------------------------------------------------------------------------------------------
# E-mail addresses
# --------------------------------------------------------------------------------------------------------------
_EMAIL_RE = re.compile(r"""
    (?<![\w.+-])                    # not inside a longer token
    [\w.%+-]+                       # local part: anna.schmidt, j+bikes
    @
    (?:[\w-]+\.)+                   # domain labels (IDN letters allowed): example., mail.müller.
    [^\W\d_]{2,}                    # top-level domain: de, com, berlin
    (?![\w-])
""", re.VERBOSE)


# --------------------------------------------------------------------------------------------------------------
# IBANs: country code, two check digits, 11-30 letters/digits, written in groups of four or all together
# --------------------------------------------------------------------------------------------------------------
_IBAN_RE = re.compile(r"""
    (?<![\w-])
    [A-Z]{2}[0-9]{2}                # country code and check digits: DE89, GB29
    (?:[ ]?[A-Z0-9]{4}){2,7}        # groups of four: 3704 0044 0532 0130
    (?:[ ]?[A-Z0-9]{1,3})?          # a shorter last group: 00
    (?![\w-])
""", re.VERBOSE | re.IGNORECASE)
_IBAN_LENGTH = range(15, 35)        # Norway has the shortest IBANs (15), Saint Lucia the longest (32)


def _iban(match: re.Match) -> str:
    compact = match.group().replace(" ", "")
    return IBAN if len(compact) in _IBAN_LENGTH else match.group()


# --------------------------------------------------------------------------------------------------------------
# Street addresses
# --------------------------------------------------------------------------------------------------------------
# A number followed by one of these is a distance, a price, a count, not a house number ("Arbeitsweg 12 km").
_UNIT_AFTER_NUMBER = r"""
    [ ]?(?:
        (?i:km/h|km|kmh|m|mi|mm|cm|min|h|kg|g|wh|w|v|nm|zoll|uhr|euro|eur|mal|x|stück|stk|jahre?n?|monate?n?|
            tage?n?|wochen?|stunden?|minuten?|sekunden?|kilometer|meter|prozent|punkte?|sterne?|gänge?|miles?|
            years?|months?|weeks?|days?|hours?|minutes?|times|stars?|points?|percent|inch(?:es)?)(?!\w)
      | [€$£%°]
    )
"""
# German house number: 12, 3a, 3 a, 12-14, 12/1 -- at most three digits, so "Am Markt 2019" is a year.
_DE_HOUSE_NUMBER = rf"""
    \d{{1,3}}(?!\d)(?![.,]\d)(?!{_UNIT_AFTER_NUMBER})
    (?:[ ]?[a-zA-Z](?![\w]))?
    (?:[ ]?[-–/][ ]?\d{{1,3}}[a-zA-Z]?(?![\w]))?
"""
# City after a postcode: Leipzig, Freiburg im Breisgau, Halle (Saale), Frankfurt am Main, Bad Tölz.
_CITY_WORD = rf"[{_UP}][\w]*(?:-[\w]+)*"
_CITY = rf"""
    {_CITY_WORD}
    (?:
        [ ](?:am|an[ ]der|im|in[ ]der|ob[ ]der|bei|vor[ ]der)[ ]{_CITY_WORD}
      | [ ]\({_CITY_WORD}\)
    )?
"""
# ", 04107 Leipzig", " D-04107 Leipzig", "\n1060 Wien": German (5) or Austrian/Swiss (4) postcode and city.
_DE_PLACE = rf"""
    ,?\s+(?:(?:D|DE|A|AT|CH)-)?\d{{4,5}}[ ]+{_CITY}
"""
# Endings of one-word street names: Hauptstraße, Gartenweg, Ringallee, Marktplatz, Karl-Liebknecht-Straße.
_DE_STREET_SUFFIXES = ("straße|strasse|str\\.|str|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig|"
                       "stieg|markt|graben|wall|kamp|promenade|zeile|twiete")
# Separate street words after an adjective: Leipziger Str., Alte Gasse, Berliner Allee.
_DE_STREET_WORDS = ("Straße|Strasse|Str\\.|Str|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee|Pfad|Steig|"
                    "Markt|Graben|Wall|Promenade|straße|strasse|str\\.")
# Words that are not the start of a street: "Die Straße 5", "Unsere Gasse 3".
_NOT_STREET_LEAD = frozenset({
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "einen", "mein", "meine", "meiner", "unser",
    "unsere", "unserer", "diese", "dieser", "diesen", "jede", "jeder", "jeden", "welche", "welcher", "kein", "keine",
    "the", "my", "our", "this", "that", "every", "each", "which", "any", "no", "eure", "euer", "ihre", "ihrer",
})
# Compound words with a street ending that are not streets.
_NOT_STREETS = frozenset({
    "parkplatz", "stellplatz", "arbeitsplatz", "sitzplatz", "spielplatz", "abstellplatz", "ladeplatz",
    "fahrradstellplatz", "arbeitsweg", "heimweg", "rückweg", "hinweg", "umweg", "schulweg", "radweg",
    "fahrradweg", "radschnellweg", "bremsweg", "anfahrtsweg", "lieferweg", "supermarkt", "baumarkt", "fachmarkt",
    "flohmarkt", "gebrauchtmarkt", "kettenring", "dichtring", "sprengring", "spannring", "o-ring",
    "lagerring", "zahnring", "bundesstraße", "bundesstrasse", "kreisstraße", "kreisstrasse", "landstraße",
    "landstrasse", "autobahnring", "leistungsstufe",
})
# Prepositional street names: Am Markt, An der Alten Mühle, Im Winkel, Zur Post, Unter den Linden.
_DE_STREET_PREPOSITION = r"""
    (?i:an[ ]der|an[ ]den|an[ ]dem|auf[ ]der|auf[ ]dem|auf[ ]den|in[ ]der|in[ ]den|hinter[ ]der|hinter[ ]dem|
        hinter[ ]den|unter[ ]den|unter[ ]der|vor[ ]dem|vor[ ]der|am|im|zum|zur|beim)
"""
# Nouns after "am/im/zur" that make it a time or a thing, not a street: "am Montag 3 mal", "im Gang 7".
_NOT_STREET_NOUNS = frozenset({
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "sonnabend", "wochenende",
    "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
    "dezember", "jahr", "monat", "tag", "woche", "morgen", "abend", "mittag", "winter", "sommer", "herbst",
    "frühling", "frühjahr", "anfang", "ende", "schluss", "moment", "alltag", "urlaub", "schnitt", "durchschnitt",
    "vergleich", "test", "gang", "modus", "stufe", "level", "version", "update", "display", "menü", "video",
    "bild", "foto", "schritt", "punkt", "prinzip", "grunde", "zeitraum", "werk", "laden", "store", "shop",
    "akku", "sattel", "lenker", "rahmen", "preis", "angebot", "warenkorb", "kapitel", "teil", "einsatz", "betrieb",
    "minus", "plus", "schnee", "regen", "dunkeln", "stadtverkehr", "gelände", "berg", "hang", "eco", "turbo",
    "sport", "tour", "boost", "motor", "hinterrad", "vorderrad", "rad", "pedal", "kette", "ritzel", "bremse",
    "reifen", "schlauch", "licht", "schaltung", "gepäckträger", "ständer", "tacho", "korb", "kindersitz", "app",
    "stadtrad", "lastenrad", "gipfel", "flitzi", "helm", "ladegerät", "faltschloss",   # our products: "zum Flitzi 20"
})
# Streets named by a word: "Leipziger Str.", "Alte Gasse" (adjective and street word) and "Hauptstraße",
# "Karl-Liebknecht-Straße", "hauptstraße" (one word with a street ending).
_DE_MULTI_WORD_STREET = rf"""
    (?!(?i:{_alternatives(_NOT_STREET_LEAD)})\b)
    [{_UP}][\w-]*[ ](?:{_DE_STREET_WORDS})
"""
_DE_ONE_WORD_STREET = rf"""
    [{_UP}][\w-]*?(?i:{_DE_STREET_SUFFIXES})
  | [\w-]+?(?:straße|strasse|str\.|str)
"""
_DE_STREET_RE = re.compile(rf"""
    (?<![\w-])
    (?:
        (?P<preposition>{_DE_STREET_PREPOSITION})[ ]                 # Am Markt, An der Alten Mühle, Im Winkel
            (?!(?:{_DE_MULTI_WORD_STREET}|{_DE_ONE_WORD_STREET})[ ]?\d)  # but "in der Hauptstraße 12" keeps "in der"
            (?P<noun>[{_UP}][{_LO}]+(?:-[{_UP}][{_LO}]+)*)(?:[ ][{_UP}][{_LO}]+)?
            [ ]                                                       # "am E5", "am T9" are bikes, not streets
      | (?:{_DE_MULTI_WORD_STREET}|(?P<one_word>{_DE_ONE_WORD_STREET}))
            [ ]?                                                      # "Hauptstr.12" needs no space
    )
    {_DE_HOUSE_NUMBER}
    (?P<place>{_DE_PLACE})?
""", re.VERBOSE)
# What may follow "Am Markt 3a" when no postcode follows: punctuation, the end or a lowercase word ("liefern"),
# not a noun ("Im Test 3 Punkte", "Am Ende 2 Stunden").
_AFTER_PREPOSITION_STREET = re.compile(rf"[ \t]*(?:[^\w\s]|[\r\n]|\Z)|[ ]+[{_LO}]")


def _de_street(match: re.Match) -> str:
    if match.group("one_word") and match.group("one_word").rstrip(".").lower() in _NOT_STREETS:
        return match.group()
    if match.group("preposition"):
        if any(part in _NOT_STREET_NOUNS for part in match.group("noun").lower().split("-")):
            return match.group()
        if not match.group("place") and not _AFTER_PREPOSITION_STREET.match(match.string, match.end()):
            return match.group()
    return ADDRESS


# English: number first, then one to three capitalised words and a street type (221B Baker Street, 12 High St).
_EN_STREET_TYPES = ("Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Boulevard|Blvd|Way|Place|Pl|Court|Ct|"
                    "Close|Crescent|Terrace|Square|Sq|Gardens|Grove|Mews|Parkway|Pkwy|Highway|Hwy")
_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}"             # NW1 6XE, SW1A 1AA
_US_STATE_ZIP = r"[A-Z]{2}[ ]\d{5}(?:-\d{4})?"                  # DC 20500, IL 62704-1234
_EN_STREET_RE = re.compile(rf"""
    (?<![\w.,-])
    \d{{1,5}}[A-Za-z]?                                  # house number: 221B, 1600
    [ ](?:[{_UP}][{_LO}'’]*\.?[ ]){{1,3}}               # street name words: Baker, Pennsylvania, St. James's
    (?:{_EN_STREET_TYPES})\b
    (?:\.(?=,))?                                        # "St.," -- a dot before a comma belongs to the abbreviation
    (?:[ ](?:NW|NE|SW|SE|N|E|S|W)\b)?                   # quadrant: NW
    (?:                                                 # city and postcode: , London NW1 6XE / , Washington, DC 20500
        ,?[ ](?:[{_UP}][{_LO}]+(?:[ ][{_UP}][{_LO}]+)?,?[ ])?
        (?:{_UK_POSTCODE}|{_US_STATE_ZIP})\b
    )?
""", re.VERBOSE)


# --------------------------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------------------------
# A candidate is a run of digit groups; _phone() then keeps the longest leading part that has a phone number's
# digit count and is not a date, so "0171 2345678 2019" becomes "[Telefon] 2019", and looks for another phone
# number in the rest ("0171 2345678 / 0341 1234567").
_PHONE_RE = re.compile(r"""
    (?<![\w/.,-])                       # not part of a word, order number (LR-123456), decimal or date
    (?:
        (?P<international>(?:\+|00)[1-9]\d*)        # +49…, 0049…, +44…
      | \(\d{2,5}\)[ ]?\d+                          # bracketed area code: (030) 1234567, (555) 123-4567
      | 0\d+                                        # national with trunk zero: 0171…, 030…
      | [2-9]\d{2}-\d{3}-\d{4}                      # North American 555-123-4567
    )
    (?:
        (?:[ ]?[/-][ ]?|[ ])\d+                     # next group after a space, slash or hyphen: 030/123 45 67
      | [ ]?\([0-9]{1,5}\)[ ]?\d+                   # bracketed group: +49 (0)30, +1 (555) 123
    ){0,7}
    (?!\w)
""", re.VERBOSE)
_DATE_LIKE = re.compile(r"\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?")
_DIGIT_RUN = re.compile(r"\d+")
_PHONE_DIGITS = range(7, 16)             # E.164 allows at most 15 digits
_NATIONAL_DIGITS = range(7, 13)          # 0 + area code + subscriber number


def _phone(match: re.Match) -> str:
    candidate = match.group()
    digits_allowed = _PHONE_DIGITS if match.group("international") else _NATIONAL_DIGITS
    for run in reversed(list(_DIGIT_RUN.finditer(candidate))):
        number = candidate[:run.end()]
        digits = sum(c.isdigit() for c in number) - (2 if number.startswith("00") else 0)
        if (digits in digits_allowed and number.count("(") == number.count(")")
                and not _DATE_LIKE.fullmatch(number)):
            return PHONE + _PHONE_RE.sub(_phone, candidate[run.end():])
    return candidate


# --------------------------------------------------------------------------------------------------------------
# Names the customer gives for themselves
# --------------------------------------------------------------------------------------------------------------
# Capitalised words that are not names, for "Ich bin Kunde", "I'm Happy", "Hier ist Schluss", "Gruß, Team".
_NOT_NAME_WORDS = frozenset({
    # function words
    "ich", "du", "er", "sie", "es", "wir", "ihr", "mein", "meine", "dein", "sein", "unser", "euer", "der", "die",
    "das", "den", "dem", "des", "ein", "eine", "einer", "und", "oder", "aber", "hier", "da", "dort", "nicht",
    "kein", "keine", "auch", "schon", "noch", "sehr", "so", "ganz", "total", "echt", "wirklich", "leider",
    "gerade", "jetzt", "heute", "gestern", "seit", "bei", "mit", "von", "aus", "für", "im", "am", "zum", "zur",
    "wieder", "alles", "nichts", "etwas", "was", "wer", "wie", "bitte", "danke", "dank", "euch", "alle",
    "ihnen", "dir", "allen",
    "i", "you", "he", "she", "it", "we", "they", "my", "your", "our", "the", "a", "an", "and", "or", "but",
    "not", "no", "very", "really", "just", "here", "there", "this", "that", "also", "still", "now", "today",
    "from", "with", "of", "for", "in", "on", "at", "again", "all", "everyone", "thanks", "thank", "please",
    # states and opinions
    "zufrieden", "unzufrieden", "glücklich", "begeistert", "enttäuscht", "sauer", "verärgert", "froh", "traurig",
    "neu", "alt", "interessiert", "gespannt", "überzeugt", "sicher", "unsicher", "fertig", "müde", "verwirrt",
    "genervt", "dankbar", "wütend", "ratlos", "skeptisch", "stolz", "gut", "super", "toll", "schlecht", "zurück",
    "krank", "unterwegs", "erreichbar", "selbst", "happy", "unhappy", "satisfied", "disappointed", "pleased",
    "glad", "sorry", "sure", "thrilled", "excited", "interested", "frustrated", "annoyed", "angry", "confused",
    "new", "back", "done", "good", "great", "fine", "okay", "ok", "afraid", "tired", "grateful", "thankful",
    "impressed", "amazed", "curious", "awesome", "amazing", "terrible", "horrible", "ridiculous", "unacceptable",
    "fantastic", "brilliant", "perfect", "wrong", "right", "important", "urgent", "annoying", "frustrating",
    "disappointing", "excellent", "considering", "planning", "looking", "trying", "writing", "contacting",
    "reaching", "calling", "asking", "wondering", "having", "getting", "going", "using", "riding", "waiting",
    "meinung", "ansicht", "auffassung", "überzeugung", "schluss", "anfang", "mitte", "ende",
    # nationalities
    "deutscher", "deutsche", "österreicher", "österreicherin", "schweizer", "schweizerin", "german", "british",
    "english", "american", "austrian", "swiss", "dutch", "french", "berliner", "berlinerin", "hamburger",
    "hamburgerin", "münchner", "münchnerin", "kölner", "kölnerin", "leipziger", "leipzigerin", "freiburger",
    "freiburgerin", "wiener", "wienerin", "sachse", "sächsin", "bayer", "bayerin", "schwabe", "schwäbin",
    # roles
    "kunde", "kundin", "neukunde", "neukundin", "stammkunde", "stammkundin", "bestandskunde", "käufer",
    "käuferin", "besitzer", "besitzerin", "eigentümer", "eigentümerin", "fahrer", "fahrerin", "radfahrer",
    "radfahrerin", "pendler", "pendlerin", "rentner", "rentnerin", "student", "studentin", "schüler", "schülerin",
    "azubi", "vater", "mutter", "mama", "papa", "händler", "händlerin", "mechaniker", "mechanikerin",
    "mitarbeiter", "mitarbeiterin", "bewerber", "bewerberin", "anfänger", "anfängerin", "fan", "mitglied",
    "nutzer", "nutzerin", "interessent", "interessentin", "vielfahrer", "vielfahrerin", "lehrer", "lehrerin",
    "arzt", "ärztin", "ingenieur", "ingenieurin", "handwerker", "unternehmer", "unternehmerin", "gast",
    "anonym", "customer", "client", "owner", "buyer", "rider", "commuter", "retiree", "pensioner", "dealer",
    "mechanic", "member", "user", "beginner", "parent", "mother", "father", "mom", "mum", "dad", "teacher",
    "doctor", "nurse", "engineer", "cyclist", "applicant", "employee", "guest", "anonymous", "first",
    # feedback words and who a greeting goes to
    "feedback", "kritik", "lob", "wunsch", "frage", "problem", "fehler", "idee", "vorschlag", "anregung",
    "rückmeldung", "bug", "issue", "question", "suggestion", "request", "complaint", "review", "team", "support",
    "service", "kundenservice", "customer-service",
    # products and the company
    "stadtrad", "tour", "lastenrad", "gipfel", "flitzi", "akku", "ladegerät", "helm", "faltschloss", "e-bike",
    "ebike", "pedelec", "lindner", "radwerk", "bike", "rad", "fahrrad",
    # days and months
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "wochenende", "januar",
    "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend", "january",
    "february", "march", "may", "june", "july", "october", "december",
})
# Endings of German occupations and roles ("Ich bin Softwareentwickler", "Ich bin Arbeitgeber"), also with the
# feminine -in; none of them ends a common first name.
_OCCUPATION_ENDINGS = (
    "ist", "iker", "eur", "walt", "wält", "loge", "geber", "nehmer", "arbeiter", "leiter", "fahrer", "besitzer",
    "halter", "händler", "macher", "bauer", "berater", "pfleger", "wickler", "lehrer", "meister", "kunde",
    "rentner", "pendler", "sportler", "künstler", "tischler", "schaftler", "schüler", "student", "trainer",
    "käufer", "nutzer", "inhaber", "vertreter", "helfer", "erzieher", "therapeut", "beamter", "beamte", "wirt",
    "arzt", "ärzt", "kaufmann", "kauffrau", "hausfrau", "hausmann", "fachmann", "fachfrau", "techniker",
    "mechaniker", "ingenieur", "elektriker", "verkäufer", "angestellte", "angestellter", "selbstständiger",
    "selbständiger", "freiberufler", "soldat", "polizist", "handwerker", "unternehmer", "gärtner", "koch", "köchin",
    "zistin", "alistin", "nistin", "pistin", "ikerin", "eurin",
)
_TITLES = frozenset({"dr.", "prof.", "dipl.-ing.", "herr", "frau", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss"})
_PARTICLES = frozenset({"von", "van", "de", "zu", "der", "den", "dem"})

_NAME_WORD = rf"(?:[{_UP}]['’])?[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)?(?:-[{_UP}][{_LO}]+)*\b"  # Anna, O'Brien, Anna-Lena
_TITLE = r"(?:Prof\.|Dr\.|Dipl\.-Ing\.|Herr|Frau|Mrs\.?|Mr\.?|Ms\.?|Miss)[ ]?"
_PARTICLE = r"(?:von|van|de|zu)(?:[ ](?:der|den|dem))?[ ]"
_NAME = rf"(?:{_TITLE})*{_NAME_WORD}(?:[ ](?:{_PARTICLE})?{_NAME_WORD})?"
_LONG_NAME = rf"(?:{_TITLE})*{_NAME_WORD}(?:[ ](?:{_PARTICLE})?{_NAME_WORD}){{0,2}}"

# Self-introductions that always introduce a name.
_INTRODUCTION_RE = re.compile(rf"""
    (?<![\w])
    (?P<lead>
        (?i:ich[ ]hei(?:ß|ss)e|mein[ ](?:vor|nach|familien)?name[ ](?:ist|lautet)|my[ ](?:first[ ]|last[ ]|sur)?name[ ]is
           |my[ ]name['’]s|name[ ]?:
           |hier[ ](?:spricht|schreibt))
        [ ]+
    )
    (?P<name>{_NAME})
""", re.VERBOSE)

# Greetings and punctuation after which "hier ist …" / "this is …" start a message, not a statement.
_GREETINGS = ("hallo", "hello", "hi", "hey", "moin", "servus", "tag", "morgen", "abend", "morning", "afternoon",
              "evening", "zusammen", "team")
_CLAUSE_START = "|".join(["^", r"(?<=[.!?,;:\n(])", r"(?<=[.!?,;:\n(][ ])"]
                         + [rf"(?<=\b(?i:{greeting})[ ])" for greeting in _GREETINGS])
# Self-introductions that may also be statements ("Ich bin Kunde", "I'm Happy", "This is Great"): the name is
# checked against _NOT_NAME_WORDS and must be followed by punctuation, the end or a linking word.
_MAYBE_INTRODUCTION_RE = re.compile(rf"""
    (?P<lead>
        (?<![\w'’])(?i:ich[ ]bin(?:[ ](?:der|die))?|i['’]m|i[ ]am)[ ]+
      | (?:{_CLAUSE_START})(?i:this[ ]is|hier[ ]ist)[ ]+
    )
    (?P<name>{_NAME})
""", re.VERBOSE)
_AFTER_NAME = re.compile(r"""
    [ \t]*(?:[^\w\s]|[\r\n]|\Z)                                       # punctuation, emoji, line end, end
  | [ ]+(?i:und|aus|von|vom|hier|ich|mein|meine|and|from|here|i|my)\b   # linking words
""", re.VERBOSE)

# Closing greetings at the end of the message: "Viele Grüße, Klaus Meier", "LG Lisa", "Cheers, Tom".
_CLOSING = r"""
    (?i:
        (?:viele|liebe[n]?|beste[n]?|freundliche[n]?|herzliche[n]?|sonnige[n]?|schöne[n]?|mit[ ]freundlichen
           |mit[ ]besten|mit[ ]lieben)
            [ ]gr(?:ü|ue|u)(?:ß|ss)(?:en?)?
      | gr(?:ü|ue)(?:ß|ss)e | gru(?:ß|ss) | grüßle | lg | vg | mfg | bg
      | (?:best|kind|kindest|warm|warmest)[ ]regards | regards | best[ ]wishes | all[ ]the[ ]best | best | cheers
      | many[ ]thanks | thanks | thank[ ]you | sincerely | yours[ ](?:sincerely|truly) | yours
      | danke(?:schön)? | vielen[ ]dank | ciao | tschüss | bye
    )
"""
_PLACEHOLDER = "(?:" + "|".join(re.escape(placeholder) for placeholder in _PLACEHOLDERS) + ")"
# After the name only punctuation, line breaks, placeholders and contact labels may follow (a signature block).
_SIGNATURE_TAIL = rf"""
    (?:[^\w]|{_PLACEHOLDER}|(?i:tel|telefon|mobil|handy|phone|mobile|fax|e-mail|email|
        mail|iban|adresse|address)\b)*\Z
"""
_CLOSING_RE = re.compile(rf"""
    (?P<lead>
        (?:^|(?<=\n)|(?<=[^\w\s])|(?<=[^\w\s][ ]))     # starts a line or follows punctuation: not "ich danke Ihnen"
        {_CLOSING}
        (?:[ ]+(?i:aus|from)[ ]+[{_UP}][\w-]*)?          # "Viele Grüße aus Leipzig, Klaus"
        [ ]*[,!.]?\s*
    )
    (?P<name>{_LONG_NAME})
    (?={_SIGNATURE_TAIL})
""", re.VERBOSE)


def _is_occupation(word: str) -> bool:
    """'Softwareentwickler', 'Rechtsanwältin', 'Polizist': a word with an occupation's ending."""
    word = word.lower()
    if word.endswith(_OCCUPATION_ENDINGS):
        return True
    masculine = word[:-2] if word.endswith("in") else ""     # Rechtsanwältin -> rechtsanwält, Martin -> mart
    # a short ending with -in is a name too often: Kristin, Christin
    return any(masculine.endswith(ending) for ending in _OCCUPATION_ENDINGS if len(ending) >= 4)


def _name_length(name: str) -> Optional[int]:
    """How much of the captured name is a name: cut at the first word on the non-name list; None if nothing is.

    The first word is also not a name when it has an occupation's ending ("Ich bin Anwalt"); a surname can
    ("Anna Bauer")."""
    kept_end = 0
    for word in re.finditer(r"\S+", name):
        token = word.group().lower()
        if token in _TITLES or token in _PARTICLES:
            continue
        if token in _NOT_NAME_WORDS or any(part in _NOT_NAME_WORDS for part in token.split("-")):
            break
        if not kept_end and _is_occupation(token):
            break
        kept_end = word.end()
    return kept_end or None


def _redact_name(match: re.Match, *, check_following: bool) -> str:
    length = _name_length(match.group("name"))
    if length is None:
        return match.group()
    name_end = match.start("name") + length
    if check_following and not _AFTER_NAME.match(match.string, name_end):
        return match.group()
    return match.group("lead") + NAME + match.string[name_end:match.end()]


# --------------------------------------------------------------------------------------------------------------


def redact(text: str) -> str:
    """The text with e-mail addresses, IBANs, street addresses, phone numbers and self-given names replaced."""
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _IBAN_RE.sub(_iban, text)
    text = _DE_STREET_RE.sub(_de_street, text)
    text = _EN_STREET_RE.sub(ADDRESS, text)
    text = _PHONE_RE.sub(_phone, text)
    text = _INTRODUCTION_RE.sub(lambda m: _redact_name(m, check_following=False), text)
    text = _MAYBE_INTRODUCTION_RE.sub(lambda m: _redact_name(m, check_following=True), text)
    text = _CLOSING_RE.sub(lambda m: _redact_name(m, check_following=False), text)
    return text
