"""The weekly insights report as people read it: HTML, Markdown and CSV, from hand-built reports."""
from __future__ import annotations

import csv
import dataclasses
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Dict, List

import pytest

from bot.report.model import EscalationLine, RatingWeek, Topic, WeeklyReport
from bot.report.render import (_Format, load_texts, render_html, render_markdown, what_changed, write_csv,
                                write_report)

NBSP = "\u00a0"
SVG = "{http://www.w3.org/2000/svg}"


def full_report() -> WeeklyReport:
    """A busy week: rises, falls, new topics, a week without ratings in the trend, hostile customer text."""
    return WeeklyReport(
        week="2026-W47", start=date(2026, 11, 16), end=date(2026, 11, 22), previous_week="2026-W46",
        conversations=1234, previous_conversations=1097, contained=882, previous_contained=760,
        escalations=[
            EscalationLine("Kundenservice", "high", 12, 9, 11, 45.0, 150.0, "Customer Service"),
            EscalationLine("Kundenservice", "normal", 30, 28, 27, 95.0, 1500.0, "Customer Service"),
            EscalationLine("Qualität & Sicherheit", "critical", 9, 1, 9, 0.5, 6.0, "Quality & Safety"),
            EscalationLine("Vertrieb B2B", "normal", 5, 5, 3, 3200.0, 4320.0),  # no English name: shown as it is
            EscalationLine("Datenschutz", "normal", 0, 2, 0, None, None, "Data Protection"),
        ],
        ratings=[1, 2, 5, 12, 20],
        satisfaction_trend=[
            RatingWeek("2026-W40", 30, 4.1), RatingWeek("2026-W41", 28, 4.0), RatingWeek("2026-W42", 0, None),
            RatingWeek("2026-W43", 25, 3.8), RatingWeek("2026-W44", 0, None), RatingWeek("2026-W45", 31, 4.0),
            RatingWeek("2026-W46", 35, 3.9), RatingWeek("2026-W47", 40, 4.2),
        ],
        feedback_counts={"feature_request": 23, "bug_report": 19, "praise": 9, "criticism": 6, "unanswered": 14},
        previous_feedback_counts={"feature_request": 15, "bug_report": 10, "praise": 11, "criticism": 6,
                                  "unanswered": 20},
        feature_requests=[
            Topic("feature_request", "Anzeige der Restreichweite in der App", 7, 4, "Stadtrad E7", "LR-E7",
                  ["Kann die App zeigen, wie weit ich noch komme?", "Show remaining range in the app please"],
                  ["de", "en"]),
            Topic("feature_request", "Gepäckträger mit Kindersitz-Aufnahme", 5, 0, "Tour T9", "LR-T9", [], ["de"]),
            Topic("feature_request", "<script>alert('x')</script> GPS-Diebstahlschutz", 4, 2, None, None,
                  ["<img src=x onerror=alert(1)>"], ["de"]),
        ],
        bug_reports=[
            Topic("bug_report", "Akku lädt nach dem Update nicht mehr über 80 %", 11, 3, "Stadtrad E5", "LR-E5",
                  ["Battery stuck at 80%"], ["de", "en"]),
            Topic("bug_report", "Display bleibt nach dem Einschalten schwarz", 4, 6, "Gipfel X1", "LR-X1", [], ["de"]),
            Topic("bug_report", "App verliert die Bluetooth-Verbindung", 3, 0, None, None, [], ["en"]),
        ],
        praise=[Topic("praise", "Super Beratung im Münchner Store", 5, 4, None, None, [], ["de"])],
        criticism=[Topic("criticism", "Lieferung des Tour T9 dauert zu lange", 4, 9, "Tour T9", "LR-T9", [], ["de"])],
        unanswered=[
            Topic("unanswered", "Kann ich den Akku im Flugzeug mitnehmen?", 6, 2, "Akku 500 Wh", "LR-A500", [],
                  ["de"]),
            Topic("unanswered", "Gibt es das Lastenrad C2 auch mit Regenverdeck?", 3, 0, "Lastenrad C2", "LR-C2", [],
                  ["de"]),
        ],
        rating_comments=["Sehr hilfreich, danke! <script>x()</script>"],
    )


def empty_report() -> WeeklyReport:
    """A week in which nothing happened, over the turn of the year."""
    return WeeklyReport(
        week="2026-W01", start=date(2025, 12, 29), end=date(2026, 1, 4), previous_week="2025-W52",
        conversations=0, previous_conversations=0, contained=0, previous_contained=0, escalations=[],
        ratings=[0, 0, 0, 0, 0],
        satisfaction_trend=[*(RatingWeek(f"2025-W{n}", 0, None) for n in range(46, 53)),
                            RatingWeek("2026-W01", 0, None)],
        feedback_counts={}, previous_feedback_counts={}, feature_requests=[], bug_reports=[], praise=[],
        criticism=[], unanswered=[],
    )


def svg_chart(html: str, name: str) -> ET.Element:
    """The chart's SVG, parsed as XML (which also proves it is well-formed)."""
    found = re.findall(rf'<svg class="chart {name}".*?</svg>', html, re.S)
    assert len(found) == 1, f"expected one {name} chart, found {len(found)}"
    return ET.fromstring(found[0])


def with_class(root: ET.Element, tag: str, css_class: str) -> List[ET.Element]:
    return [e for e in root.iter(SVG + tag) if css_class in e.get("class", "").split()]


def read_csv(path: Path) -> List[List[str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream, delimiter=";"))


def sentences(report: WeeklyReport, language: str) -> Dict[str, str]:
    """'what changed', text → tone."""
    return {s.text: s.tone for s in what_changed(report, _Format(language, html=False))}


# ---------------------------------------------------------------- numbers in both languages


def test_german_key_figures_dates_and_durations():
    html = render_html(full_report())
    assert '<html lang="de">' in html
    assert "Wochenbericht Kundenfeedback KW 47/2026" in html
    assert "16.–22. November 2026" in html
    assert "Vergleich mit KW 46/2026" in html
    assert '<div class="value">1.234</div>' in html
    assert f"▲ +137 (+12,5{NBSP}%)" in html
    assert f'<div class="value">71,5{NBSP}%</div>' in html
    assert f"▲ +2,2{NBSP}Pp." in html
    assert '<div class="value">56</div>' in html and f"▲ +11 (+24,4{NBSP}%)" in html
    assert '<div class="value">4,2</div>' in html and "▲ +0,3" in html
    assert "von 5 · 40 Bewertungen" in html
    assert '<div class="value">57</div>' in html and f"▲ +15 (+35,7{NBSP}%)" in html
    assert "23 Wünsche · 19 Fehler · 9 Lob · 6 Kritik" in html
    assert '<div class="value">14</div>' in html and f"▼ −6 (−30,0{NBSP}%)" in html
    # time to first staff reply in readable units
    for duration in (f"45{NBSP}min", f"2,5{NBSP}h", f"1,6{NBSP}h", f"25{NBSP}h", f"&lt;{NBSP}1{NBSP}min",
                     f"6{NBSP}min", f"2,2{NBSP}Tage", f"3{NBSP}Tage"):
        assert f'<td class="num">{duration}</td>' in html, duration
    assert "11 von 12" in html and "50 von 56" in html
    # umlauts as characters, team names escaped
    assert "Häufigste unbeantwortete Fragen" in html and "&auml;" not in html
    assert "Qualität &amp; Sicherheit" in html


def test_english_key_figures_dates_and_durations():
    html = render_html(full_report(), "en")
    assert '<html lang="en">' in html
    assert "Weekly customer insights, week 47 2026" in html
    assert "16–22 November 2026" in html
    assert "Compared with week 46 2026" in html
    assert '<div class="value">1,234</div>' in html
    assert "▲ +137 (+12.5%)" in html
    assert '<div class="value">71.5%</div>' in html
    assert f"▲ +2.2{NBSP}pp" in html
    assert '<div class="value">4.2</div>' in html and "▲ +0.3" in html
    assert "▼ −6 (−30.0%)" in html
    for duration in (f"45{NBSP}min", f"2.5{NBSP}h", f"2.2{NBSP}days", f"3{NBSP}days"):
        assert f'<td class="num">{duration}</td>' in html, duration
    assert "11 of 12" in html
    assert "Gespräche" not in html and "Vorwoche" not in html


@pytest.mark.parametrize("language, html, expected", [
    ("de", True, ["1.234.567", "−3", "±0", f"12,5{NBSP}%", f"+2,5{NBSP}%", "4,3", "1 Gespräch", "2 Gespräche"]),
    ("de", False, ["1.234.567", "−3", "±0", "12,5 %", "+2,5 %", "4,3", "1 Gespräch", "2 Gespräche"]),
    ("en", True, ["1,234,567", "−3", "±0", "12.5%", "+2.5%", "4.3", "1 conversation", "2 conversations"]),
])
def test_number_formats(language, html, expected):
    f = _Format(language, html=html)
    assert [f.integer(1234567), f.signed(-3), f.signed(0), f.percent(0.125), f.percent(0.025, signed=True),
            f.decimal(4.26), f.count(1, "conversations"), f.count(2, "conversations")] == expected


@pytest.mark.parametrize("minutes, german, english", [
    (None, "–", "–"), (0.4, "< 1 min", "< 1 min"), (1.0, "1 min", "1 min"), (44.6, "45 min", "45 min"),
    (59.6, "1 h", "1 h"), (90, "1,5 h", "1.5 h"), (47 * 60, "47 h", "47 h"), (36 * 60, "36 h", "36 h"),
    (48 * 60, "2 Tage", "2 days"), (24 * 60 * 7.25, "7,3 Tage", "7.3 days"),
])
def test_durations(minutes, german, english):
    assert _Format("de", html=False).duration(minutes) == german
    assert _Format("en", html=False).duration(minutes) == english


def test_date_ranges_across_months_and_years():
    assert _Format("de", html=False).date_range(date(2026, 11, 30), date(2026, 12, 6)) == \
        "30. November – 6. Dezember 2026"
    assert _Format("en", html=False).date_range(date(2026, 11, 30), date(2026, 12, 6)) == \
        "30 November – 6 December 2026"
    assert _Format("de", html=False).date_range(date(2025, 12, 29), date(2026, 1, 4)) == \
        "29. Dezember 2025 – 4. Januar 2026"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="fr"):
        render_html(full_report(), "fr")


def test_both_languages_have_the_same_texts():
    texts = load_texts()

    def shape(value):
        if isinstance(value, dict):
            return {key: shape(v) for key, v in value.items()}
        return len(value) if isinstance(value, list) else type(value).__name__

    assert shape(texts["de"]) == shape(texts["en"])


# ---------------------------------------------------------------- escaping and self-containment


def test_customer_text_is_escaped_in_html():
    report = full_report()
    report.escalations.append(EscalationLine("<b>Team</b>", "high", 1, 0, 1, 3.0, 3.0))
    html = render_html(report)
    assert "<script" not in html.lower()
    assert "<img" not in html and "<b>Team" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; GPS-Diebstahlschutz" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Sehr hilfreich, danke! &lt;script&gt;x()&lt;/script&gt;" in html
    chart = svg_chart(html, "chart-escalations")  # still well-formed with the team's markup in a label
    assert "<b>Team</b>" in [t.text for t in chart.iter(SVG + "text")]


def test_new_topic_with_markup_is_escaped_in_what_changed():
    report = full_report()
    report.bug_reports = [Topic("bug_report", "<script>boom()</script>", 9, 0, "<i>X</i>")]
    html = render_html(report)
    assert "Neu in dieser Woche: Fehlermeldung „&lt;script&gt;boom()&lt;/script&gt;“ (&lt;i&gt;X&lt;/i&gt;)" in html
    markdown = render_markdown(report)
    assert "Neu in dieser Woche: Fehlermeldung „\\<script\\>boom()\\</script\\>“ (\\<i\\>X\\</i\\>)" in markdown
    assert "<script>" not in markdown and "<i>" not in markdown


def test_customer_text_is_escaped_in_markdown():
    markdown = render_markdown(full_report())
    assert "3. „\\<script\\>alert('x')\\</script\\> GPS-Diebstahlschutz“ · 4 Meldungen · ▲ +2" in markdown
    assert "<script>" not in markdown
    report = full_report()
    report.feature_requests[0].label = "*fett* [Link](http://x) `code` &amp;\nzweite Zeile"
    markdown = render_markdown(report)
    assert "1. „\\*fett\\* \\[Link\\](http://x) \\`code\\` \\&amp; zweite Zeile“ – Stadtrad E7" in markdown


def test_html_is_self_contained():
    html = render_html(full_report())
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html))
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base"}
    assert re.findall(r'\s(?:src|href)="([^"]*)"', html) == [
        "#changes", "#escalations", "#satisfaction", "#feature-requests", "#bug-reports", "#highlights",
        "#unanswered"]  # links only to anchors in the page, nothing is loaded
    for forbidden in ("@import", "url(", "https://"):
        assert forbidden not in html, forbidden
    # the only http:// is the SVG namespace, which loads nothing
    assert set(re.findall(r"http://[^\"' ]+", html)) == {"http://www.w3.org/2000/svg"}


# ---------------------------------------------------------------- the empty week


def test_empty_week_says_so_in_every_section():
    html = render_html(empty_report())
    assert "Wochenbericht Kundenfeedback KW 1/2026" in html
    assert "29. Dezember 2025 – 4. Januar 2026" in html
    assert "Vergleich mit KW 52/2025" in html
    for text in (
        "In dieser Woche gab es keine Kundengespräche mit dem Assistenten.",
        "Keine nennenswerten Veränderungen gegenüber der Vorwoche.",
        "In dieser Woche musste kein Gespräch an ein Team übergeben werden.",
        "Für die letzten acht Wochen liegen noch keine Bewertungen vor.",
        "In dieser Woche wurden keine Bewertungen abgegeben.",
        "In dieser Woche kamen keine Funktionswünsche herein.",
        "In dieser Woche wurden keine Fehler gemeldet – erfreulich.",
        "In dieser Woche gab es kein ausdrückliches Lob.",
        "In dieser Woche gab es keine Kritik.",
        "In dieser Woche blieb keine Frage an den Assistenten unbeantwortet.",
    ):
        assert text in html, text
    assert "<table" not in html and "<svg" not in html and '<ul class="changes">' not in html
    assert html.count('<div class="value">–</div>') == 2  # containment and average rating
    assert html.count("kein Vergleichswert") == 2
    assert "0 von 0" not in html


def test_empty_week_in_english_and_markdown():
    html = render_html(empty_report(), "en")
    assert "No ratings were given this week." in html
    assert "No feature requests came in this week." in html
    assert "There are no ratings for the last eight weeks yet." in html
    markdown = render_markdown(empty_report())
    assert "- **Gespräche:** 0 · unverändert ggü. Vorwoche" in markdown
    assert "- **Vom Assistenten allein gelöst:** – · kein Vergleichswert" in markdown
    assert "_Keine nennenswerten Veränderungen gegenüber der Vorwoche._" in markdown
    assert "_In dieser Woche kamen keine Funktionswünsche herein._" in markdown
    assert "_In dieser Woche blieb keine Frage an den Assistenten unbeantwortet._" in markdown


def test_a_week_without_ratings_between_rated_weeks_has_no_rating_charts_only_if_all_are_empty():
    report = empty_report()
    report.satisfaction_trend[3] = RatingWeek("2025-W49", 4, 3.5)
    html = render_html(report)
    chart = svg_chart(html, "chart-trend")
    assert len(with_class(chart, "circle", "point")) == 1
    assert with_class(chart, "path", "trend-line") == []  # a single rated week is a point, not a line
    assert "In dieser Woche wurden keine Bewertungen abgegeben." in html


# ---------------------------------------------------------------- charts


def test_escalation_chart_has_one_bar_per_team_and_priority_with_a_count():
    chart = svg_chart(render_html(full_report()), "chart-escalations")
    bars = with_class(chart, "rect", "bar")
    assert [b.get("class") for b in bars] == ["bar bar-high", "bar bar-normal", "bar bar-critical", "bar bar-normal"]
    assert [b.find(SVG + "title").text for b in bars] == [
        "Kundenservice · hoch: 12", "Kundenservice · normal: 30", "Qualität & Sicherheit · kritisch: 9",
        "Vertrieb B2B · normal: 5"]
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] / widths[1] == pytest.approx(12 / 30, rel=0.01)
    assert widths[2] / (widths[0] + widths[1]) == pytest.approx(9 / 42, rel=0.01)
    labels = [t.text for t in chart.iter(SVG + "text")]
    assert "Datenschutz" not in labels  # no escalation this week: in the table, not in the chart
    assert {"Kundenservice", "Qualität & Sicherheit", "Vertrieb B2B", "42", "9", "5"} <= set(labels)
    assert len(with_class(chart, "line", "previous")) == 3  # the previous week's total of each team


def test_the_english_report_names_the_teams_in_english_where_teams_yaml_has_a_name_for_them():
    html = render_html(full_report(), "en")
    chart = svg_chart(html, "chart-escalations")
    assert [b.find(SVG + "title").text for b in with_class(chart, "rect", "bar")] == [
        "Customer Service · high: 12", "Customer Service · normal: 30", "Quality & Safety · critical: 9",
        "Vertrieb B2B · normal: 5"]
    table = re.search(r'<table class="escalations">.*?</table>', html, re.S).group(0)
    assert '<td class="team" rowspan="2">Customer Service</td>' in table and "Data Protection" in table
    assert "Kundenservice" not in html and "Datenschutz" not in html
    assert "The biggest rise in escalations was for Quality &amp; Safety: 9, up from 1." in html


def test_escalation_table_lists_every_line_and_the_total():
    html = render_html(full_report())
    table = re.search(r'<table class="escalations">.*?</table>', html, re.S).group(0)
    assert table.count("<tr") == 1 + 5 + 1  # header, lines, total
    assert '<td class="team" rowspan="2">Kundenservice</td>' in table
    assert '<span class="prio prio-critical">kritisch</span>' in table
    assert '<span class="chg bad">▲ +8</span>' in table  # more critical escalations: bad news
    assert '<span class="chg good">▼ −2</span>' in table
    assert '<span class="chg neutral">±0</span>' in table


def test_trend_chart_has_a_point_per_rated_week_and_gaps_for_the_others():
    chart = svg_chart(render_html(full_report()), "chart-trend")
    points = with_class(chart, "circle", "point")
    assert len(points) == 6  # 8 weeks, 2 without ratings
    assert [p.find(SVG + "title").text for p in points][-1] == "KW 47: Ø 4,2 aus 40 Bewertungen"
    assert [p.get("class") for p in points].count("point current") == 1
    lines = with_class(chart, "path", "trend-line")
    # W40–W41 and W45–W47; W43 stands alone between two gaps
    assert [len(re.findall(r"[ML]", line.get("d"))) for line in lines] == [2, 3]
    labels = [t.text for t in chart.iter(SVG + "text")]
    assert [label for label in labels if label.startswith("KW ")] == [f"KW {n}" for n in range(40, 48)]
    assert "n = 0" in labels and "4,1" in labels and "3,8" in labels
    # a higher average is drawn higher
    heights = {p.find(SVG + "title").text.split(":")[0]: float(p.get("cy")) for p in points}
    assert heights["KW 47"] < heights["KW 46"] < heights["KW 43"]


def test_rating_distribution_has_five_bars():
    html = render_html(full_report(), "en")
    chart = svg_chart(html, "chart-distribution")
    bars = with_class(chart, "rect", "rating-bar")
    assert len(bars) == 5
    heights = [float(b.get("height")) for b in bars]
    assert heights == sorted(heights) and heights[4] / heights[3] == pytest.approx(20 / 12, rel=0.01)
    labels = [t.text for t in chart.iter(SVG + "text")]
    assert labels == ["1 (3%)", "1 ★", "2 (5%)", "2 ★", "5 (13%)", "3 ★", "12 (30%)", "4 ★", "20 (50%)", "5 ★"]


# ---------------------------------------------------------------- topic tables and highlights


def test_topic_tables_show_product_count_change_examples_and_languages():
    html = render_html(full_report())
    section = re.search(r'<section class="card" id="feature-requests">.*?</section>', html, re.S).group(0)
    rows = re.findall(r"<tr>.*?</tr>", section.split("<tbody>")[1], re.S)
    assert len(rows) == 3
    first = rows[0]
    assert '<td class="label">Anzeige der Restreichweite in der App</td>' in first
    assert 'Stadtrad E7<div class="sku">LR-E7</div>' in first
    assert '<td class="num"><b>7</b></td>' in first
    assert '<span class="chg neutral">▲ +3</span>' in first  # more wishes: neither good nor bad
    assert "<li>„Kann die App zeigen, wie weit ich noch komme?“</li>" in first
    assert '<span class="badge">DE</span><span class="badge">EN</span>' in first
    assert '<span class="chg new">neu</span>' in rows[1]
    assert '<span class="chip">Stadtrad E7 <b>7</b></span>' in section
    assert '<span class="chip">ohne Produkt <b>4</b></span>' in section
    bugs = re.search(r'<section class="card" id="bug-reports">.*?</section>', html, re.S).group(0)
    assert '<span class="chg bad">▲ +8</span>' in bugs and '<span class="chg good">▼ −2</span>' in bugs


def test_long_topic_lists_are_cut_and_point_to_the_csv():
    report = full_report()
    report.bug_reports = [Topic("bug_report", f"Fehler {n}", 20 - n, 1) for n in range(13)]
    html = render_html(report)
    bugs = re.search(r'<section class="card" id="bug-reports">.*?</section>', html, re.S).group(0)
    assert bugs.count('<td class="label">') == 10
    assert "Fehler 9" in bugs and "Fehler 10" not in bugs
    assert "Weitere 3 Themen stehen im CSV-Export (topics.csv)." in bugs


def test_praise_and_criticism_highlights():
    html = render_html(full_report())
    section = re.search(r'<section class="card" id="highlights">.*?</section>', html, re.S).group(0)
    assert "<p>„Super Beratung im Münchner Store“</p>" in section
    assert '5 Meldungen · <span class="chg good">▲ +1</span>' in section
    assert 'Tour T9 · 4 Meldungen · <span class="chg good">▼ −5</span>' in section  # less criticism is good


# ---------------------------------------------------------------- what changed


def test_what_changed_names_the_biggest_rise_fall_and_new_topics_in_german():
    said = sentences(full_report(), "de")
    assert said["Stärkster Anstieg: Fehlermeldung „Akku lädt nach dem Update nicht mehr über 80 %“ (Stadtrad E5) "
                "– 11 Meldungen statt 3."] == "bad"
    assert said["Stärkster Rückgang: Kritik „Lieferung des Tour T9 dauert zu lange“ (Tour T9) – 4 Meldungen statt 9."] \
        == "good"
    assert said["Neu in dieser Woche: Funktionswunsch „Gepäckträger mit Kindersitz-Aufnahme“ (Tour T9) "
                "– 5 Meldungen."] == "new"
    assert "Neu in dieser Woche: Fehlermeldung „App verliert die Bluetooth-Verbindung“ – 3 Meldungen." in said
    assert said["Die Zahl der Gespräche stieg um 12,5 % auf 1.234 (Vorwoche: 1.097)."] == "neutral"
    assert said["Der Assistent hat 71,5 % der Gespräche allein gelöst, 2,2 Prozentpunkte mehr als in der Vorwoche "
                "(69,3 %)."] == "good"
    assert said["Es gab 56 Eskalationen, 11 mehr als in der Vorwoche."] == "bad"
    assert said["Den stärksten Anstieg an Eskalationen hatte das Team Qualität & Sicherheit: 9 statt 1."] == "bad"
    assert said["Den stärksten Rückgang an Eskalationen hatte das Team Datenschutz: 0 statt 2."] == "good"
    assert said["Die durchschnittliche Bewertung stieg von 3,9 auf 4,2 (40 Bewertungen)."] == "good"
    assert said["Fehlermeldungen: 19 statt 10 in der Vorwoche."] == "bad"
    assert said["Unbeantwortete Fragen: 14 statt 20 in der Vorwoche."] == "good"
    assert len(said) == 13


def test_what_changed_in_english():
    said = sentences(full_report(), "en")
    assert "Biggest rise: bug report “Akku lädt nach dem Update nicht mehr über 80 %” (Stadtrad E5) – 11 messages, " \
           "up from 3." in said
    assert "Biggest fall: criticism “Lieferung des Tour T9 dauert zu lange” (Tour T9) – 4 messages, " \
           "down from 9." in said
    assert "New this week: feature request “Gepäckträger mit Kindersitz-Aufnahme” (Tour T9) – 5 messages." in said
    assert "Conversations rose by 12.5% to 1,234 (previous week: 1,097)." in said
    assert "The average rating rose from 3.9 to 4.2 (40 ratings)." in said
    assert "Bug reports: 19, up from 10 the week before." in said


def test_what_changed_for_a_quieter_week():
    report = full_report()
    report.conversations, report.previous_conversations = 900, 1000
    report.contained, report.previous_contained = 600, 700
    report.satisfaction_trend[-2] = RatingWeek("2026-W46", 10, 4.6)
    said = sentences(report, "de")
    assert said["Die Zahl der Gespräche sank um 10,0 % auf 900 (Vorwoche: 1.000)."] == "neutral"
    assert said["Der Assistent hat 66,7 % der Gespräche allein gelöst, 3,3 Prozentpunkte weniger als in der Vorwoche "
                "(70,0 %)."] == "bad"
    assert said["Die durchschnittliche Bewertung sank von 4,6 auf 4,2 (40 Bewertungen)."] == "bad"


def test_what_changed_counts_the_new_topics_it_does_not_name():
    report = empty_report()
    report.unanswered = [Topic("unanswered", f"Frage {n}", 10 - n, 0) for n in range(5)]
    said = list(sentences(report, "de"))
    assert said[:3] == [f"Neu in dieser Woche: Unbeantwortete Frage „Frage {n}“ – {10 - n} Meldungen."
                        for n in range(3)]
    assert said[3:] == ["Dazu kommen 2 weitere neue Themen."]
    report.unanswered = report.unanswered[:4]
    assert list(sentences(report, "de"))[3:] == ["Dazu kommt ein weiteres neues Thema."]
    assert list(sentences(report, "en"))[3:] == ["Plus one more new topic."]


def test_what_changed_is_in_the_html_with_its_tone():
    html = render_html(full_report())
    assert ('<li><span class="icon bad">▲</span><span>Es gab 56 Eskalationen, 11 mehr als in der Vorwoche.</span></li>'
            in html)
    assert ('<li><span class="icon new">★</span><span>Neu in dieser Woche: Funktionswunsch „Gepäckträger mit '
            'Kindersitz-Aufnahme“ (Tour T9) – 5 Meldungen.</span></li>') in html
    assert f"Die Zahl der Gespräche stieg um 12,5{NBSP}% auf 1.234 (Vorwoche: 1.097)." in html


# ---------------------------------------------------------------- Markdown summary


def test_markdown_summary_has_key_figures_changes_and_top_fives():
    report = full_report()
    report.feature_requests = [Topic("feature_request", f"Wunsch {n}", 10 - n, 1, "Tour T9") for n in range(1, 8)]
    markdown = render_markdown(report)
    assert markdown.startswith("# Lindner Radwerk: Wochenbericht Kundenfeedback KW 47/2026\n\n"
                               "16.–22. November 2026 · Vergleich mit KW 46/2026\n")
    assert "- **Gespräche:** 1.234 · ▲ +137 (+12,5 %) ggü. Vorwoche\n" in markdown
    assert "- **Vom Assistenten allein gelöst:** 71,5 % · ▲ +2,2 Pp. ggü. Vorwoche\n" in markdown
    assert "- **Durchschnittliche Bewertung:** 4,2 · ▲ +0,3 ggü. Vorwoche\n" in markdown
    assert "- ▲ Es gab 56 Eskalationen, 11 mehr als in der Vorwoche.\n" in markdown
    assert "## Top 5 Funktionswünsche\n\n1. „Wunsch 1“ – Tour T9 · 9 Meldungen · ▲ +8\n" in markdown
    assert "5. „Wunsch 5“ – Tour T9 · 5 Meldungen · ▲ +4\n" in markdown
    assert "Wunsch 6" not in markdown
    assert "## Top 5 Fehlermeldungen\n\n1. „Akku lädt nach dem Update nicht mehr über 80 %“ – Stadtrad E5 · " \
           "11 Meldungen · ▲ +8\n" in markdown
    assert "2. „Gibt es das Lastenrad C2 auch mit Regenverdeck?“ – Lastenrad C2 · 3 Meldungen · neu\n" in markdown
    assert NBSP not in markdown


def test_markdown_summary_in_english():
    markdown = render_markdown(full_report(), "en")
    assert "- **Conversations:** 1,234 · ▲ +137 (+12.5%) vs. previous week\n" in markdown
    assert "- **Answered by the assistant alone:** 71.5% · ▲ +2.2 pp vs. previous week\n" in markdown
    assert "## Top 5 unanswered questions\n\n1. “Kann ich den Akku im Flugzeug mitnehmen?” – Akku 500 Wh · " \
           "6 messages · ▲ +4\n" in markdown


# ---------------------------------------------------------------- CSV and files


def test_csv_files_read_back(tmp_path: Path):
    report = full_report()
    report.criticism.append(Topic("criticism", '=HYPERLINK("http://x","klick")', 2, 1, None, None, ["-1+1", "ok"]))
    paths = write_csv(report, tmp_path / "out")
    assert [p.name for p in paths] == ["escalations.csv", "topics.csv", "satisfaction.csv", "summary.csv"]
    for path in paths:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw

    escalations = read_csv(paths[0])
    assert escalations == [
        ["team", "priority", "count", "previous_count", "answered", "median_first_reply_minutes",
         "p90_first_reply_minutes"],
        ["Kundenservice", "high", "12", "9", "11", "45,0", "150,0"],
        ["Kundenservice", "normal", "30", "28", "27", "95,0", "1500,0"],
        ["Qualität & Sicherheit", "critical", "9", "1", "9", "0,5", "6,0"],
        ["Vertrieb B2B", "normal", "5", "5", "3", "3200,0", "4320,0"],
        ["Datenschutz", "normal", "0", "2", "0", "", ""],
    ]

    topics = read_csv(paths[1])
    assert topics[0] == ["kind", "label", "product", "sku", "count", "previous_count", "examples", "languages"]
    assert topics[1] == ["feature_request", "Anzeige der Restreichweite in der App", "Stadtrad E7", "LR-E7", "7", "4",
                         "Kann die App zeigen, wie weit ich noch komme?\nShow remaining range in the app please",
                         "de,en"]
    assert topics[3] == ["feature_request", "<script>alert('x')</script> GPS-Diebstahlschutz", "", "", "4", "2",
                         "<img src=x onerror=alert(1)>", "de"]
    assert topics[4] == ["bug_report", "Akku lädt nach dem Update nicht mehr über 80 %", "Stadtrad E5", "LR-E5", "11",
                         "3", "Battery stuck at 80%", "de,en"]
    # a formula in customer text stays text in Excel
    assert topics[9] == ["criticism", "'=HYPERLINK(\"http://x\",\"klick\")", "", "", "2", "1", "'-1+1\nok", ""]
    assert [row[0] for row in topics[1:]] == ["feature_request"] * 3 + ["bug_report"] * 3 + ["praise"] + \
        ["criticism"] * 2 + ["unanswered"] * 2

    satisfaction = read_csv(paths[2])
    assert satisfaction[0] == ["week", "count", "average"]
    assert satisfaction[1] == ["2026-W40", "30", "4,10"]
    assert satisfaction[3] == ["2026-W42", "0", ""]
    assert satisfaction[8] == ["2026-W47", "40", "4,20"]

    summary = {row[0]: row[1:] for row in read_csv(paths[3])}
    assert read_csv(paths[3])[0] == ["metric", "value", "previous_value", "change"]
    assert summary["week"] == ["2026-W47", "2026-W46", ""]
    assert summary["start"] == ["2026-11-16", "", ""]
    assert summary["conversations"] == ["1234", "1097", "137"]
    assert summary["containment_rate_percent"] == ["71,47", "69,28", "2,19"]
    assert summary["escalations"] == ["56", "45", "11"]
    assert summary["escalations_critical"] == ["9", "1", "8"]
    assert summary["escalations_answered"] == ["50", "", ""]
    assert summary["ratings"] == ["40", "35", "5"]
    assert summary["average_rating"] == ["4,20", "3,90", "0,30"]
    assert [summary[f"ratings_{n}"][0] for n in range(1, 6)] == ["1", "2", "5", "12", "20"]
    assert summary["feedback_messages"] == ["57", "42", "15"]
    assert summary["feedback_unanswered"] == ["14", "20", "-6"]


def test_csv_of_the_empty_week(tmp_path: Path):
    paths = write_csv(empty_report(), tmp_path)
    assert read_csv(paths[0]) == [["team", "priority", "count", "previous_count", "answered",
                                   "median_first_reply_minutes", "p90_first_reply_minutes"]]
    assert len(read_csv(paths[1])) == 1
    summary = {row[0]: row[1:] for row in read_csv(paths[3])}
    assert summary["containment_rate_percent"] == ["", "", ""]
    assert summary["average_rating"] == ["", "", ""]
    assert summary["conversations"] == ["0", "0", "0"]


def test_write_report_puts_everything_in_the_week_folder(tmp_path: Path):
    german = write_report(full_report(), tmp_path)
    english = write_report(full_report(), tmp_path, "en")
    folder = tmp_path / "2026-W47"
    assert german == [folder / "report-2026-W47.de.html", folder / "summary-2026-W47.de.md",
                      folder / "escalations.csv", folder / "topics.csv", folder / "satisfaction.csv",
                      folder / "summary.csv"]
    assert english[:2] == [folder / "report-2026-W47.en.html", folder / "summary-2026-W47.en.md"]
    assert "Wochenbericht Kundenfeedback KW 47/2026" in german[0].read_text(encoding="utf-8")
    assert "Weekly customer insights, week 47 2026" in english[0].read_text(encoding="utf-8")
    assert german[1].read_text(encoding="utf-8").startswith("# Lindner Radwerk: Wochenbericht")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["report-2026-W47.de.html", "report-2026-W47.en.html", "summary-2026-W47.de.md", "summary-2026-W47.en.md",
         "escalations.csv", "topics.csv", "satisfaction.csv", "summary.csv"])


def test_write_report_refuses_a_week_that_is_no_folder_name(tmp_path: Path):
    report = dataclasses.replace(full_report(), week="../../etc")
    with pytest.raises(ValueError, match="ISO week"):
        write_report(report, tmp_path)
    assert list(tmp_path.iterdir()) == []
