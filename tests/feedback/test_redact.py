"""Personal data leaves customer feedback before it is stored: messages as customers write them, German and English."""
from __future__ import annotations

import pytest

from bot.feedback.redact import redact

EMAILS = [
    ("Bitte schreibt mir an anna.schmidt@example.de, wenn das Stadtrad E7 wieder da ist.",
     "Bitte schreibt mir an [E-Mail], wenn das Stadtrad E7 wieder da ist."),
    ("Please reply to j.smith+bikes@mail.example.co.uk.",
     "Please reply to [E-Mail]."),
    ("Meine Adresse für die Rechnung: jörg.müller@bücher.example (nicht die alte).",
     "Meine Adresse für die Rechnung: [E-Mail] (nicht die alte)."),
]

PHONES = [
    ("Ruft mich bitte zurück: 0171 2345678",
     "Ruft mich bitte zurück: [Telefon]"),
    ("Tagsüber bin ich unter +49 (0)30 1234567 erreichbar, abends unter 030/123 45 67.",
     "Tagsüber bin ich unter [Telefon] erreichbar, abends unter [Telefon]."),
    ("Handy: 0049 171 2345678 – bitte nicht vor 9 Uhr anrufen.",
     "Handy: [Telefon] – bitte nicht vor 9 Uhr anrufen."),
    ("You can call me on +44 20 7946 0958 or at the office (555) 123-4567.",
     "You can call me on [Telefon] or at the office [Telefon]."),
    ("Tel:0171/2345678, Festnetz 0761-555 0100",
     "Tel:[Telefon], Festnetz [Telefon]"),
    ("My cell is +1 555 123 4567, work 555-987-6543.",
     "My cell is [Telefon], work [Telefon]."),
    ("Mobil oder Büro: 0171 2345678 / 0341 1234567",
     "Mobil oder Büro: [Telefon] / [Telefon]"),
    ("Nummer 0171 2345678 2019 gekauft",
     "Nummer [Telefon] 2019 gekauft"),
]

IBANS = [
    ("Bitte die Erstattung auf DE89 3704 0044 0532 0130 00 überweisen.",
     "Bitte die Erstattung auf [IBAN] überweisen."),
    ("IBAN: DE89370400440532013000",
     "IBAN: [IBAN]"),
    ("Refund to GB29 NWBK 6016 1331 9268 19 please, or my Austrian account AT611904300234573201.",
     "Refund to [IBAN] please, or my Austrian account [IBAN]."),
    ("kleingeschrieben: de89 3704 0044 0532 0130 00",
     "kleingeschrieben: [IBAN]"),
]

ADDRESSES = [
    ("Das Rad bitte an Hauptstraße 12 liefern.",
     "Das Rad bitte an [Adresse] liefern."),
    ("Wir wohnen Am Markt 3a, da ist kein Aufzug.",
     "Wir wohnen [Adresse], da ist kein Aufzug."),
    ("Lieferadresse Leipziger Str. 5, 10117 Berlin",
     "Lieferadresse [Adresse]"),
    ("Abholung in der Karl-Liebknecht-Straße 12, 04107 Leipzig wäre super.",
     "Abholung in der [Adresse] wäre super."),
    ("Ich bin von Gartenweg 7 nach Marktplatz 1 und zurück zur Ringallee 4 gefahren.",
     "Ich bin von [Adresse] nach [Adresse] und zurück zur [Adresse] gefahren."),
    ("Neue Anschrift: Zur Alten Mühle 2\n79098 Freiburg im Breisgau",
     "Neue Anschrift: [Adresse]"),
    ("Wien geht auch: Mariahilfer Straße 12, 1060 Wien.",
     "Wien geht auch: [Adresse]."),
    ("bitte an hauptstr. 12 schicken",
     "bitte an [Adresse] schicken"),
    ("Deliver to 221B Baker Street, London NW1 6XE.",
     "Deliver to [Adresse]."),
    ("My old flat was at 12 High St, the new one is 1600 Pennsylvania Avenue NW, Washington, DC 20500.",
     "My old flat was at [Adresse], the new one is [Adresse]."),
]

NAMES = [
    ("Hallo, ich heiße Anna Schmidt und habe eine Frage zum Akku.",
     "Hallo, ich heiße [Name] und habe eine Frage zum Akku."),
    ("Guten Tag, mein Name ist Dr. Peter Müller. Das Display flackert.",
     "Guten Tag, mein Name ist [Name]. Das Display flackert."),
    ("Moin, ich bin der Thomas und fahre das Tour T9 jeden Tag.",
     "Moin, ich bin der [Name] und fahre das Tour T9 jeden Tag."),
    ("Hallo, hier ist Jana Weber. Die Bremse quietscht.",
     "Hallo, hier ist [Name]. Die Bremse quietscht."),
    ("Hi, my name is John Smith and the battery dies after 20 km.",
     "Hi, my name is [Name] and the battery dies after 20 km."),
    ("Hey! I'm Sarah, I love my Gipfel X1.",
     "Hey! I'm [Name], I love my Gipfel X1."),
    ("Hello, this is Mike O'Brien. The charger got hot.",
     "Hello, this is [Name]. The charger got hot."),
    ("Ich bin Anna aus Köln und wünsche mir einen Gepäckträger fürs Flitzi.",
     "Ich bin [Name] aus Köln und wünsche mir einen Gepäckträger fürs Flitzi."),
    ("Ich bin Thomas Müller, Kunde seit 2019, und vermisse einen Kettenschutz.",
     "Ich bin [Name], Kunde seit 2019, und vermisse einen Kettenschutz."),
    ("Mein Nachname ist Müller, die Bestellung lief auf meine Frau.",
     "Mein Nachname ist [Name], die Bestellung lief auf meine Frau."),
    ("Name: Frau Jana-Marie Schulz",
     "Name: [Name]"),
    ("Super Service, danke!\nViele Grüße, Klaus Meier",
     "Super Service, danke!\nViele Grüße, [Name]"),
    ("Der Akku hält leider nur 30 km. Gruß Jens",
     "Der Akku hält leider nur 30 km. Gruß [Name]"),
    ("Tolles Rad!! LG Lisa",
     "Tolles Rad!! LG [Name]"),
    ("The app keeps logging me out.\n\nBest regards,\nEmma Clarke",
     "The app keeps logging me out.\n\nBest regards,\n[Name]"),
    ("Great ride today. Cheers, Tom 🚲",
     "Great ride today. Cheers, [Name] 🚲"),
    ("Danke für die schnelle Hilfe. Lieben Gruß, Anja",
     "Danke für die schnelle Hilfe. Lieben Gruß, [Name]"),
    ("Mit freundlichen Grüßen\nProf. Dr. Anna-Lena von der Heide",
     "Mit freundlichen Grüßen\n[Name]"),
]

SEVERAL_IN_ONE = [
    ("Hallo, ich heiße Anna Schmidt, wohne in der Hauptstraße 12, 04107 Leipzig und bin unter 0171 2345678 "
     "oder anna.schmidt@example.de erreichbar. Bestellung LR-123456.",
     "Hallo, ich heiße [Name], wohne in der [Adresse] und bin unter [Telefon] "
     "oder [E-Mail] erreichbar. Bestellung LR-123456."),
    ("Hi, I'm Sarah. Please refund the 2.999 € for order LR-204711 to DE89 3704 0044 0532 0130 00, "
     "I live at 12 High St.",
     "Hi, I'm [Name]. Please refund the 2.999 € for order LR-204711 to [IBAN], "
     "I live at [Adresse]."),
    ("Wunsch: ein Ständer fürs Lastenrad C2.\nViele Grüße, Klaus Meier\nGartenweg 7, 79098 Freiburg\n"
     "Tel. 0761 1234567\nklaus@example.de",
     "Wunsch: ein Ständer fürs Lastenrad C2.\nViele Grüße, [Name]\n[Adresse]\n"
     "Tel. [Telefon]\n[E-Mail]"),
    ("My name is Emma Clarke (emma@example.com, +44 20 7946 0958), 221B Baker Street. The LR-E7 is great!",
     "My name is [Name] ([E-Mail], [Telefon]), [Adresse]. The LR-E7 is great!"),
    ("Kritik: Am 12.03.2026 um 14:30 kam das LR-E7 für 3000 Euro ohne Ladegerät. Bitte an Am Markt 3a liefern. "
     "Gruß, Jens",
     "Kritik: Am 12.03.2026 um 14:30 kam das LR-E7 für 3000 Euro ohne Ladegerät. Bitte an [Adresse] liefern. "
     "Gruß, [Name]"),
]

UNCHANGED = [
    "Ich bin sehr zufrieden mit dem Stadtrad E7!",
    "I'm happy with the E7.",
    "Ich bin Kunde seit 2019 und fahre täglich 25 km.",
    "I'm looking for a job in your workshop.",
    "Hallo zusammen, ich bin Rentner und fahre jeden Tag.",
    "Ich bin der Meinung, dass der Akku größer sein sollte.",
    "Hier ist Luft nach oben beim Display.",
    "This is Great!",
    "Meine Bestellung LR-123456 ist noch nicht da, die SKU ist LR-E7.",
    "Preis 2.999 € bzw. 3000 Euro, 0 % Finanzierung über 12 Monate, Zubehör ab 0,99 €.",
    "Geliefert am 12.03.2026, bestellt am 01/03/2026, Rechnung vom 2026-02-27.",
    "Charge 2308 ist betroffen, mein Akku ist aus 2019.",
    "Der Laden in 04107 Leipzig hat von 10:00 bis 19:00 Uhr offen, Montag 08-18 Uhr.",
    "Mein Arbeitsweg 12 km ist mit dem Akku 625 Wh kein Problem, am Montag 3 mal gefahren.",
    "Im Gang 7 klappert es, im April 2023 gekauft, im Schnitt 25 km/h.",
    "Die Straße 5 km weiter ist gesperrt, der Parkplatz 2 ist zu klein.",
    "Sendungsnummer 00340434161094042557 zeigt nichts an.",
    "I rode 40 km today and paid 89 € for the inspection.",
    "Am Hinterrad 2 gebrochene Speichen, im Eco-Modus 3 Balken weniger.",
    "Ich bin Mitte 50 und fahre die Landstraße 3 km bis zur Arbeit.",
    "I'm 45 and ride the Tour T9 daily.",
    "Ich bin Softwareentwickler und suche ein Rad für 12 km ins Büro.",
    "Guten Tag, ich bin Rechtsanwältin und vertrete meinen Mandanten.",
    "Klasse Auskunft, ich danke Ihnen",
    "Die Klingel am Stadtrad E7 ist kaputt, beim C2 klemmt der Ständer, passend zum Flitzi 20 👧",
    "Viele Grüße aus Leipzig",
    "Danke, Stadtrad-Team!",
]


@pytest.mark.parametrize("text, expected", EMAILS + PHONES + IBANS + ADDRESSES + NAMES + SEVERAL_IN_ONE)
def test_personal_data_is_replaced(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_feedback_without_personal_data_keeps_every_byte(text: str) -> None:
    assert redact(text) == text


def test_empty_text() -> None:
    assert redact("") == ""
