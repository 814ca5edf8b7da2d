"""Plain text and Markdown: title past the page chrome, outlet, author, URL, date, front matter."""

from __future__ import annotations

import pytest

from evidence_tui.importers import ImportOptions, PublicationDate, parse_document
from evidence_tui.importers.plaintext import is_noise, parse_front_matter, title_from_file_name

KYIV_LEDGER = """\
Support independent journalism — donate today: https://kyivledger.example/donate
Home | News | War | Politics | Economy | World | Opinion | Українською
Ukraine urges UN member states to trace Russia's recruiters of foreign nationals
Kyiv Ledger
https://kyivledger.example/news/2024/06/15/ukraine-urges-un-trace-russian-recruiters/
Saturday, 15 June 2024, 03:15
By Oksana Hrytsenko

[Image: Delegates take their seats in the UN Security Council chamber. Photo: Kyiv Ledger archive]

Кислиця закликав держави світу відстежувати російських вербувальників.

Ukraine's Permanent Representative to the United Nations has called on governments to trace recruiters.

Related: UN envoy raises fate of Azov prisoners at Security Council

© 2024 Kyiv Ledger. All rights reserved.
"""


def parse(text: str, name: str | None = "article.txt", **options):
    return parse_document(text.encode(), name, ImportOptions(**options))


def test_text_is_the_whole_file_unchanged():
    doc = parse(KYIV_LEDGER)
    assert doc.text == KYIV_LEDGER
    assert doc.format == "text"


def test_kyiv_ledger_metadata():
    doc = parse(KYIV_LEDGER)
    assert doc.title == "Ukraine urges UN member states to trace Russia's recruiters of foreign nationals"
    assert doc.url == "https://kyivledger.example/news/2024/06/15/ukraine-urges-un-trace-russian-recruiters/"
    assert doc.outlet == "Kyiv Ledger"  # the masthead line spelling the domain's name
    assert doc.author == "Oksana Hrytsenko"
    assert doc.published == PublicationDate("2024-06-15", "Saturday, 15 June 2024, 03:15", "day")
    assert doc.language is None


# --- Title ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "noise",
    [
        "Support independent journalism — donate today: https://example.org/donate",
        "Donate",
        "Subscribe to our newsletter",
        "Please support our reporting",
        "Become a member",
        "This site uses cookies to measure its audience. [Accept all] [Refuse]",
        "We use cookies",
        "Home | News | War | Politics",
        "World • Europe • Business",
        "Politics · Economy · Sport · Culture",
        "Skip to content",
        "Skip to main content",
        "https://example.org/news/story",
        "www.example.org/story",
        "URL: https://example.org/story",
        "Source: https://example.org/story",
        "Link: https://example.org/story",
        "07/12/2023 19h42",
        "Saturday, 15 June 2024, 03:15",
        "Published: 12 October 2022 | Updated: 13 October 2022",
        "Photo: A closed border crossing (BWS)",
        "Image: Delegates at the UN",
        "[Image: Delegates take their seats]",
        "![alt text](https://example.org/a.jpg)",
        "Share",
        "Share this article   [f] [X] [in]",
        "Tweet",
        "Share this dispatch: [Email] [Print] [Facebook]",
        "Comments (12)",
        "Related coverage",
        "Sign up for The Morning Register’s Europe Briefing — the news in your inbox every weekday.",
        "Support the Kyiv Ledger today",
        "Related: Another story",
        "Read also: Another story",
        "Read more",
        "By Jane Roe",
        "Author: Jane Roe",
        "© 2024 Kyiv Ledger",
        "---",
        "Поддержите независимую журналистику — оформите пожертвование на migvestnik.example/donate",
        "Підтримайте незалежну журналістику",
        "Читайте также: другая статья",
        "Фото: повестка военкомата",
        "Автор: Динара Исмаилова",
    ],
)
def test_page_noise_is_never_a_title(noise):
    assert is_noise(noise)
    doc = parse(f"{noise}\n\nThe real headline\n\nBody paragraph.\n")
    assert doc.title == "The real headline"


@pytest.mark.parametrize(
    "headline",
    [
        "Ukraine urges UN member states to trace Russia's recruiters",
        "Russia offers army contracts to migrants held after trying to reach Finland",
        "Why support for the war is falling",  # "support" inside, not a banner
        "Finland: the border | a timeline",  # two parts are not a menu
        "Мигранты из Центральной Азии получают повестки",
        "Share prices fall as sanctions bite",
        "Latest figures show a rise in recruitment",
        "Support for the war wanes in the regions",
        "Related parties: who owns the recruitment agencies",
        "Join the dots: how recruiters find migrants",
    ],
)
def test_headlines_are_not_noise(headline):
    assert not is_noise(headline)


def test_title_skips_a_donation_banner():
    text = "Support independent journalism — donate today: https://kyivledger.example/donate\nThe headline\n\nBody.\n"
    assert parse(text).title == "The headline"


def test_masthead_line_is_skipped_when_an_outlet_line_names_it():
    text = "Baltic Wire Service\nArmy contracts offered to migrants\nSource: Baltic Wire Service\n\nBody text.\n"
    doc = parse(text)
    assert doc.title == "Army contracts offered to migrants"
    assert doc.outlet == "Baltic Wire Service"


def test_masthead_matching_the_url_is_skipped_and_becomes_the_outlet():
    text = ("The Morning Register\nWorld | Europe | Business | Opinion\n"
            "Russia says thousands of new citizens have been sent to fight\n"
            "https://morningregister.example/world/story\nBy Daniel Whitcombe, Europe correspondent\n\nBody.\n")
    doc = parse(text)
    assert doc.title == "Russia says thousands of new citizens have been sent to fight"
    assert doc.outlet == "The Morning Register"
    assert doc.author == "Daniel Whitcombe"


def test_a_rubric_line_is_not_the_title():
    assert parse("EXCLUSIVE\nRecruiters target students\n\nBody.\n").title == "Recruiters target students"


def test_markdown_emphasised_byline():
    assert parse("# Head\n\n*By Jane Roe*\n\nBody.\n", "a.md").author == "Jane Roe"


def test_a_paragraph_as_first_line_gives_its_first_sentence():
    first = ("Migrant workers from Central Asia have received call-up papers in Russia. " * 4).strip()
    doc = parse(first + "\n\nMore text.\n", "notes.txt")
    assert doc.title == "Migrant workers from Central Asia have received call-up papers in Russia."


def test_an_overlong_line_without_sentences_gives_the_file_stem():
    doc = parse("word " * 100 + "\n", "my-saved_article.txt")
    assert doc.title == "my saved article"


def test_title_is_capped():
    doc = parse(("x" * 180) + " " + ("y" * 19) + "\n\nBody.\n")
    assert len(doc.title) <= 200


def test_title_falls_back_to_the_file_stem_when_everything_is_noise():
    doc = parse("Donate\nShare\nhttps://example.org/\n", "2024-06-15_kyiv-ledger-report.txt")
    assert doc.title == "2024 06 15 kyiv ledger report"


@pytest.mark.parametrize(
    ("name", "stem"),
    [("a-b_c.txt", "a b c"), ("report.final.md", "report.final"), ("/tmp/x/story.html", "story"), (None, "Untitled document"),
     ("---.txt", "Untitled document")],
)
def test_title_from_file_name(name, stem):
    assert title_from_file_name(name) == stem


def test_stdin_title_comes_from_text_never_empty():
    doc = parse("Donate\n\nhttps://x.example/\n", None)
    assert doc.title
    assert parse("Headline from stdin\n\nBody\n", None).title == "Headline from stdin"


# --- URL, outlet, author ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "https://balticwire.example/en/wire/story-0712",
        "<https://balticwire.example/en/wire/story-0712>",
        "URL: https://balticwire.example/en/wire/story-0712",
        "Source: https://balticwire.example/en/wire/story-0712",
        "Link: https://balticwire.example/en/wire/story-0712",
    ],
)
def test_url_lines(line):
    doc = parse(f"Headline\n{line}\n\nBody.\n")
    assert doc.url == "https://balticwire.example/en/wire/story-0712"
    assert doc.outlet == "balticwire.example"


def test_url_deep_in_the_body_is_not_the_source_url():
    body = "\n".join(f"Paragraph {i}." for i in range(40))
    assert parse(f"Headline\n\n{body}\nhttps://example.org/late\n").url is None


def test_url_inside_a_sentence_is_not_the_source_url():
    assert parse("Headline\nDonate at https://example.org/donate today\n\nBody.\n").url is None


@pytest.mark.parametrize(
    ("line", "outlet"),
    [
        ("Outlet: Kyiv Ledger", "Kyiv Ledger"),
        ("Source: Baltic Wire Service", "Baltic Wire Service"),
        ("Publisher: Harbour Line News", "Harbour Line News"),
        ("Published by Eurasia Rights Digest", "Eurasia Rights Digest"),
        ("Источник: Миграционный вестник", "Миграционный вестник"),
    ],
)
def test_outlet_lines(line, outlet):
    doc = parse(f"Headline\n{line}\nhttps://www.other.example/story\n\nBody.\n")
    assert doc.outlet == outlet


def test_outlet_falls_back_to_url_host_without_www():
    assert parse("Headline\nhttps://www.kyivledger.example/story\n\nBody.\n").outlet == "kyivledger.example"


def test_no_outlet_without_any_hint():
    assert parse("Headline\n\nBody.\n").outlet is None


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By First Last", "First Last"),
        ("BY FIRST LAST", "FIRST LAST"),
        ("By Daniel Whitcombe, Europe correspondent", "Daniel Whitcombe"),
        ("By Anna Smith and Ivan Petrov", "Anna Smith and Ivan Petrov"),
        ("By Karim Haddad — 29 June 2024", "Karim Haddad"),
        ("By Petro Lysenko | Ukraine desk", "Petro Lysenko"),
        ("Author: Dilani Wickramasinghe", "Dilani Wickramasinghe"),
        ("Written by Jane Roe", "Jane Roe"),
        ("Автор: Динара Исмаилова", "Динара Исмаилова"),
    ],
)
def test_author_lines(line, author):
    assert parse(f"Headline\n{line}\n\nBody.\n").author == author


def test_by_followed_by_lower_case_is_not_an_author():
    assert parse("Headline\nby the way, nothing here\n\nBody.\n").author is None


# --- Dates -----------------------------------------------------------------------------------------


def test_published_line_wins_and_raw_is_only_the_date():
    text = "Headline\nUpdated: 16 June 2024\nPublished: Saturday, 15 June 2024, 03:15 | Updated 16 June 2024\n\nBody.\n"
    assert parse(text).published == PublicationDate("2024-06-15", "Saturday, 15 June 2024, 03:15", "day")


def test_updated_line_is_used_when_there_is_no_published_line():
    text = "Headline\nSee the 3 May 2020 report\nUpdated: 16 June 2024\n\nBody.\n"
    assert parse(text).published.iso == "2024-06-16"


def test_date_line_label():
    assert parse("Headline\nDate: 12.10.2022\n\nBody.\n").published.iso == "2022-10-12"


def test_first_date_in_the_top_lines():
    text = "Headline\n07/12/2023 19h42\nURL: https://example.org/x\n\nOn 29 November 2023 the border closed.\n"
    assert parse(text).published == PublicationDate("2023-12-07", "07/12/2023 19h42", "day")


def test_dayfirst_option():
    text = "Headline\n07/12/2023 19h42\n\nBody.\n"
    assert parse(text, dayfirst=False).published.iso == "2023-07-12"
    assert parse(text, dayfirst=True).published.iso == "2023-12-07"


def test_weekday_date_in_the_body_without_a_year():
    lines = "\n".join(f"Paragraph {i}." for i in range(30))
    text = f"Headline\n\n{lines}\nBastrykin said on Thursday, June 27 that 10,000 had been sent.\n"
    assert parse(text).published == PublicationDate(None, "Thursday, June 27", "none")


def test_plain_date_deep_in_the_body_is_not_the_publication_date():
    lines = "\n".join(f"Paragraph {i}." for i in range(30))
    assert parse(f"Headline\n\n{lines}\nThe last crossing closed on 29 November 2023.\n").published == PublicationDate(
        None, None, "none"
    )


def test_cyrillic_dates_in_text():
    assert parse("Заголовок\n15 червня 2024 р.\n\nТекст.\n").published == PublicationDate(
        "2024-06-15", "15 червня 2024 р.", "day"
    )
    assert parse("Заголовок\nОпубликовано: 12 октября 2022\n\nТекст.\n").published.iso == "2022-10-12"


def test_date_option_overrides_and_keeps_unparseable_input():
    text = "Headline\nPublished: 15 June 2024\n\nBody.\n"
    assert parse(text, date="2023").published == PublicationDate("2023", "2023", "year")
    assert parse(text, date="early June").published == PublicationDate(None, "early June", "none")


# --- Markdown -------------------------------------------------------------------------------------


FRONT_MATTER = """\
---
title: "Investigative Committee chief: 10,000 new citizens sent to the front"
outlet: Eurasia Rights Digest
url: https://eurasiadigest.example/2024/06/27/bastrykin
date: 2024-06-27
author: 'Mariam Tsereteli'
lang: en
tags: [recruitment, citizenship]
nested:
  key: ignored
---

> **Eurasia Rights Digest is reader-funded.** [support our work](https://eurasiadigest.example/support).

# A different heading

Body text.
"""


def test_markdown_front_matter():
    doc = parse(FRONT_MATTER, "digest.md")
    assert doc.format == "markdown"
    assert doc.title == "Investigative Committee chief: 10,000 new citizens sent to the front"
    assert doc.outlet == "Eurasia Rights Digest"
    assert doc.url == "https://eurasiadigest.example/2024/06/27/bastrykin"
    assert doc.author == "Mariam Tsereteli"
    assert doc.published == PublicationDate("2024-06-27", "2024-06-27", "day")
    assert doc.language == "en"
    assert doc.text == FRONT_MATTER


def test_front_matter_parser():
    values, lines = parse_front_matter(FRONT_MATTER)
    assert lines == 11
    assert values["tags"] == "recruitment, citizenship"
    assert "key" not in values  # nested YAML is not read
    assert "nested" not in values  # empty value
    assert parse_front_matter("---\ntitle: no closing line\n\nBody") == ({}, 0)
    assert parse_front_matter("Title\n---\n") == ({}, 0)


def test_front_matter_alternative_keys():
    text = "---\npublication: Harbour Line\nsource_url: https://harbourline.example/a\npublished: June 2024\n---\n# Head\n"
    doc = parse(text, "a.md")
    assert (doc.outlet, doc.url, doc.published.iso, doc.title) == (
        "Harbour Line", "https://harbourline.example/a", "2024-06", "Head")


def test_front_matter_year_only_date():
    assert parse("---\ndate: 2024\n---\n# Head\n", "a.md").published == PublicationDate("2024", "2024", "year")


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Offered a driving job, sent to the front #\n\nOutlet: Harbour Line News\n", "Offered a driving job, sent to the front"),
        ("Intro line that is not a heading.\n\n## Second-level **heading**\n\nBody.\n", "Second-level heading"),
        ("*Subscribe to the newsletter*\n\n#  [Linked](https://x.example) title  \n", "Linked title"),
        ("Setext title\n============\n\nBody.\n", "Setext title"),
        ("Support our work\n\nPlain first line\n\nBody.\n", "Plain first line"),
    ],
)
def test_markdown_titles(text, title):
    assert parse(text, "a.md").title == title


def test_markdown_with_labelled_lines():
    text = ("# Offered a driving job, sent to the front\n\nOutlet: Harbour Line News  \n"
            "URL: https://harbourline.example/world/story  \nPublished: 2024-06-15  \nAuthor: Dilani Wickramasinghe  \n")
    doc = parse(text, "harbour.markdown")
    assert (doc.outlet, doc.url, doc.published.iso, doc.author) == (
        "Harbour Line News", "https://harbourline.example/world/story", "2024-06-15", "Dilani Wickramasinghe")


def test_text_file_with_front_matter():
    doc = parse("---\ntitle: From front matter\n---\nFirst line\n", "notes.text")
    assert (doc.format, doc.title) == ("text", "From front matter")


# --- Russian text in cp1251 --------------------------------------------------------------------------


def test_cp1251_russian_article():
    text = (
        "Поддержите независимую журналистику — оформите пожертвование на migvestnik.example/donate\n"
        "Главная | Новости | Право | Работа | Документы\n"
        "Мигранты из Центральной Азии получают повестки\n"
        "Миграционный вестник\n"
        "https://migvestnik.example/news/2022/10/12/povestki-migrantam/\n"
        "12.10.2022\n"
        "Автор: Динара Исмаилова\n\n"
        "Трудовые мигранты из Узбекистана получают повестки в военкоматы.\n"
    )
    doc = parse_document(text.replace("\n", "\r\n").encode("cp1251"), "migvestnik.txt")
    assert doc.encoding == "cp1251"
    assert doc.text == text
    assert doc.title == "Мигранты из Центральной Азии получают повестки"
    assert doc.outlet == "Миграционный вестник"
    assert doc.author == "Динара Исмаилова"
    assert doc.url == "https://migvestnik.example/news/2022/10/12/povestki-migrantam/"
    assert doc.published == PublicationDate("2022-10-12", "12.10.2022", "day")
