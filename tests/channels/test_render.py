"""One renderer for every channel: long texts, buttons, images."""
from __future__ import annotations

from bot.channels.render import MESSENGER, TELEGRAM, WHATSAPP, Button, Limits, render, split_text


def test_long_texts_are_split_at_paragraphs_lines_or_words_within_the_limit() -> None:
    paragraphs = "\n\n".join(f"Absatz {n}: " + "wort " * 150 for n in range(12))
    pieces = split_text(paragraphs, 4096)
    assert len(pieces) > 1 and all(len(piece) <= 4096 for piece in pieces)
    assert all(piece.startswith("Absatz") for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(paragraphs.split())


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_buttons_go_with_the_last_piece_of_text() -> None:
    parts = render("a " * 3000, [Button("Ja", "/affirm")], limits=TELEGRAM)
    assert len(parts) == 2 and parts[0].buttons == [] and parts[1].buttons == [Button("Ja", "/affirm")]


def test_channels_without_buttons_get_a_numbered_list() -> None:
    parts = render("Welches Produkt?", [Button("Stadtrad E5", "/x"), Button("Stadtrad E7", "/y")], limits=WHATSAPP)
    assert [p.text for p in parts] == ["Welches Produkt?\n\n1. Stadtrad E5\n2. Stadtrad E7"]
    assert parts[0].buttons == []


def test_buttons_that_are_their_own_numbers_need_no_list() -> None:
    stars = [Button(str(n), f'/rate{{"rating": {n}}}') for n in range(1, 6)]
    parts = render("Wie zufrieden waren Sie? Bitte 1 bis 5 Sterne.", stars, limits=WHATSAPP)
    assert [p.text for p in parts] == ["Wie zufrieden waren Sie? Bitte 1 bis 5 Sterne."]


def test_button_titles_are_shortened_to_what_the_channel_shows() -> None:
    parts = render("Welche Stelle?", [Button("Ausbildung Zweiradmechatroniker (m/w/d)", "/job")], limits=MESSENGER)
    assert parts[0].buttons[0].title == "Ausbildung Zweiradm…" and len(parts[0].buttons[0].title) == 20


def test_more_buttons_than_a_message_holds_continue_in_the_next_message() -> None:
    parts = render("Wählen Sie", [Button(str(n), f"/{n}") for n in range(5)], limits=Limits(text=100, buttons=2))
    assert [len(p.buttons) for p in parts] == [2, 2, 1]


def test_an_image_carries_a_short_text_as_caption() -> None:
    parts = render("Stadtrad E7", image="https://example.org/e7.jpg", limits=TELEGRAM)
    assert len(parts) == 1 and parts[0].image and parts[0].text == "Stadtrad E7"
    parts = render("x" * 2000, image="https://example.org/e7.jpg", limits=TELEGRAM)
    assert parts[0].text == "" and parts[1].text == "x" * 2000
