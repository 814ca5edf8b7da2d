"""HTML: readable text only, paragraphs, entities, metadata from every source, broken markup."""

from __future__ import annotations

import pytest

from evidence_tui.errors import DocumentError
from evidence_tui.importers import ImportOptions, PublicationDate, parse_document


def page(body: str = "<p>Body text of the article.</p>", head: str = "", lang: str | None = None) -> bytes:
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"<!DOCTYPE html><html{lang_attr}><head>{head}</head><body>{body}</body></html>".encode()


def parse(data: bytes, name: str = "page.html", **options):
    return parse_document(data, name, ImportOptions(**options))


# --- Readable text -----------------------------------------------------------------------------


def test_scripts_styles_navigation_and_chrome_are_dropped():
    body = """
    <header><a href="/">Site logo</a><p>Tagline of the site</p></header>
    <nav><a href="/">Home</a> | <a href="/news">News</a></nav>
    <div role="navigation">Breadcrumbs here</div>
    <div role="banner">Banner text</div>
    <script>var tracking = "script text";</script>
    <style>p { color: red }</style>
    <noscript>Enable JavaScript</noscript>
    <template><p>Template text</p></template>
    <iframe src="ad.html">Iframe text</iframe>
    <p>First real paragraph.</p>
    <form><input value="x"><label>Search the site</label></form>
    <button>Click me</button>
    <svg><text>Svg text</text></svg>
    <aside>Related stories</aside>
    <div aria-hidden="true">Hidden icon text</div>
    <p hidden>Hidden paragraph</p>
    <p>Second real paragraph.</p>
    <footer>Copyright footer</footer>
    <div role="contentinfo">Contact info</div>
    """
    doc = parse(page(body))
    assert doc.text == "First real paragraph.\n\nSecond real paragraph."


def test_article_is_preferred_over_the_rest_of_the_body():
    body = """
    <div class="promo">Promo outside the article</div>
    <article>
      <header><h1>The headline</h1><p class="byline">By Jane Roe</p></header>
      <p>Article paragraph.</p>
      <footer>Reporting by the desk.</footer>
    </article>
    <div class="more">More stories</div>
    """
    doc = parse(page(body))
    assert doc.text == "The headline\n\nBy Jane Roe\n\nArticle paragraph.\n\nReporting by the desk."


def test_article_header_without_headline_is_dropped():
    body = "<article><header><a>Section: World</a></header><h1>Headline</h1><p>Text.</p></article>"
    assert parse(page(body)).text == "Headline\n\nText."


def test_main_is_used_when_there_is_no_article():
    body = "<div>Site chrome</div><main><h1>Title</h1><p>Main text.</p></main><div>After</div>"
    assert parse(page(body)).text == "Title\n\nMain text."


def test_the_longest_article_wins():
    body = ("<article><p>Short teaser.</p></article>"
            "<article><h1>Real story</h1><p>" + "Long text. " * 30 + "</p></article>")
    doc = parse(page(body))
    assert doc.text.startswith("Real story\n\nLong text.")
    assert "teaser" not in doc.text


def test_blocks_become_paragraphs_and_inline_text_is_joined():
    body = """<div><p>One   <b>bold</b>
    <i>word</i>,<span>joined</span></p><h2>Sub heading</h2>
    <ul><li>first item</li><li>second <a href="#">item</a></li></ul>
    <blockquote>A quote.</blockquote>line<br>break<br/>again
    <table><tr><th>Name</th><td>Value</td></tr><tr><td>A</td><td>1</td></tr></table>
    <figure><img src="x.jpg" alt="alt text"><figcaption>A caption.</figcaption></figure>
    <section>Section text</section></div>"""
    doc = parse(page(body))
    assert doc.text == (
        "One bold word,joined\n\nSub heading\n\nfirst item\nsecond item\n\nA quote.\n\n"
        "line\nbreak\nagain\n\nName Value\nA 1\n\nA caption.\n\nSection text"
    )


def test_pre_text_is_kept_as_is():
    body = "<p>Before</p><pre>  line one\n    indented   line\n\nlast</pre><p>After</p>"
    assert parse(page(body)).text == "Before\n\n  line one\n    indented   line\n\nlast\n\nAfter"


def test_entities_are_decoded():
    body = "<p>Tom &amp; Jerry &mdash; a&nbsp;b &#8216;q&#8217; &lt;tag&gt; &euro;5 &#x41F;&#x440;&#x438;</p>"
    assert parse(page(body)).text == "Tom & Jerry — a b ‘q’ <tag> €5 При"


def test_the_title_is_not_prepended_to_the_text():
    head = '<title>Headline | Outlet</title><meta property="og:title" content="Headline">'
    doc = parse(page("<article><h1>Headline</h1><p>Text.</p></article>", head))
    assert doc.title == "Headline"
    assert doc.text.count("Headline") == 1


def test_text_has_no_headline_when_the_page_has_none_in_the_body():
    doc = parse(page("<p>Only text.</p>", "<title>Page title</title>"))
    assert doc.title == "Page title"
    assert doc.text == "Only text."


def test_cyrillic_emoji_and_rtl_text_are_intact():
    body = '<p>Кислиця закликав 🇺🇦</p><p class="ar" dir="rtl">قال المتحدث إن «الوضع» صعب</p>'
    doc = parse(page(body))
    assert doc.text == "Кислиця закликав 🇺🇦\n\nقال المتحدث إن «الوضع» صعب"


# --- Broken and empty pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><p>Unclosed <b>bold <i>italic</div></div></span><p>Next",
        "<p>no html or body tags</div></p></p>",
        "<div><p>nested<div>deeper</p></div>",
        "<html><body><p>text</p></bodyx></htm",
        "<p>text<!-- unclosed comment",
        "<p>attr <a href='x>broken</a> quote</p>",
        '<html><head><script type="application/ld+json">{broken json</script></head><body><p>text</p></body></html>',
        "<table><td>cell<tr>row</table><p>after",
    ],
)
def test_broken_html_does_not_raise(html):
    doc = parse(html.encode())
    assert doc.format == "html"
    assert doc.text.strip()


def test_broken_html_keeps_its_text():
    doc = parse(b"<html><body><p>Unclosed <b>bold</div></div><p>Next para")
    assert doc.text == "Unclosed bold\n\nNext para"


def test_deeply_nested_markup_does_not_overflow():
    html = "<div>" * 3000 + "deep text" + "</div>" * 3000
    assert parse(page(html)).text == "deep text"


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Only a title</title></head><body></body></html>",
        "<html><body><script>var x = 1;</script><nav>Menu</nav></body></html>",
        "<!doctype html><html><body>   &nbsp; </body></html>",
    ],
)
def test_page_without_readable_text_is_refused(html):
    with pytest.raises(DocumentError) as caught:
        parse(html.encode(), "empty.html")
    assert str(caught.value) == "empty.html: no readable text in this HTML page"


# --- Format by suffix and by sniffing ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["page.html", "PAGE.HTM", "x.Html"])
def test_html_suffixes(name):
    assert parse(page(), name).format == "html"


@pytest.mark.parametrize("start", [b"<!DOCTYPE html>", b"  \n<!doctype html>", b"<html>", b"\xef\xbb\xbf<HTML lang=en>"])
def test_html_is_sniffed_without_a_suffix(start):
    doc = parse_document(start + b"<body><p>Hello</p></body></html>", None)
    assert doc.format == "html"
    assert doc.text == "Hello"
    assert parse_document(start + b"<body><p>Hello</p></body></html>", "-").format == "html"


def test_text_mentioning_tags_is_not_sniffed_as_html():
    doc = parse_document(b"Notes\nUse <p> for paragraphs.", None)
    assert doc.format == "text"
    assert doc.text == "Notes\nUse <p> for paragraphs."


def test_html_in_a_txt_file_stays_text():
    doc = parse(page(), "page.txt")
    assert doc.format == "text"
    assert doc.text.startswith("<!DOCTYPE html>")


# --- Metadata: title ---------------------------------------------------------------------------------


def test_title_prefers_og_title():
    head = ('<title>Page title | Outlet</title><meta name="twitter:title" content="Twitter title">'
            '<meta property="og:title" content="OG &amp; title">')
    assert parse(page(head=head)).title == "OG & title"


def test_title_from_twitter_title():
    head = '<title>Page title</title><meta name="twitter:title" content="Twitter title">'
    assert parse(page(head=head)).title == "Twitter title"


def test_title_from_first_h1_in_the_article():
    body = "<h1>Site name</h1><article><h1>Article   headline</h1><h1>Second</h1><p>x</p></article>"
    assert parse(page(body, "<title>Page title</title>")).title == "Article headline"


@pytest.mark.parametrize("separator", [" | ", " - ", " — ", " – "])
def test_title_tag_loses_the_outlet_suffix(separator):
    head = f'<title>The headline{separator}Steppe Monitor</title><meta property="og:site_name" content="Steppe Monitor">'
    assert parse(page(head=head)).title == "The headline"


def test_title_suffix_is_kept_when_it_is_not_the_outlet():
    head = '<title>Ukraine - the war, day 800</title><meta property="og:site_name" content="Steppe Monitor">'
    assert parse(page(head=head)).title == "Ukraine - the war, day 800"


def test_title_with_a_colon_is_not_cut():
    head = ('<title>Foreign Ministry: Russia\'s draft breaks the Convention</title>'
            '<meta property="og:site_name" content="Foreign Ministry">')
    assert parse(page(head=head)).title == "Foreign Ministry: Russia's draft breaks the Convention"


def test_title_prefix_outlet_is_removed():
    head = '<title>Levant Monitor | From Aleppo to the front</title><meta property="og:site_name" content="Levant Monitor">'
    assert parse(page(head=head)).title == "From Aleppo to the front"


def test_title_from_json_ld_headline():
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "LD headline"}</script>'
    assert parse(page("<p>x</p>", head + "<title>Page</title>")).title == "LD headline"


def test_title_falls_back_to_the_file_stem():
    assert parse(page(), "kyiv-ledger_un-report.html").title == "kyiv ledger un report"


def test_title_option_overrides():
    head = '<meta property="og:title" content="OG title">'
    assert parse(page(head=head), title="  My title ").title == "My title"


# --- Metadata: outlet, author, url, language ----------------------------------------------------


def test_outlet_from_og_site_name():
    head = '<meta property="og:site_name" content="Levant Monitor"><meta name="application-name" content="App">'
    assert parse(page(head=head)).outlet == "Levant Monitor"


def test_outlet_from_application_name():
    assert parse(page(head='<meta name="application-name" content="Dnipro Daily">')).outlet == "Dnipro Daily"


def test_outlet_from_json_ld_publisher():
    head = ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",'
            ' "publisher": {"@type": "Organization", "name": "East European Observer"}}</script>')
    assert parse(page(head=head)).outlet == "East European Observer"


def test_outlet_from_the_url_host():
    head = '<link rel="canonical" href="https://www.balticwire.example/en/story">'
    doc = parse(page(head=head))
    assert (doc.url, doc.outlet) == ("https://www.balticwire.example/en/story", "balticwire.example")


def test_outlet_option_and_url_option():
    doc = parse(page(head='<meta property="og:site_name" content="Site">'), outlet="Mine", url="https://x.example/a")
    assert (doc.outlet, doc.url) == ("Mine", "https://x.example/a")
    assert parse(page(), url="https://www.news.example/a").outlet == "news.example"


def test_author_from_meta_name_author():
    head = '<meta name="author" content="Iryna Bondar"><meta property="article:author" content="Other">'
    assert parse(page(head=head)).author == "Iryna Bondar"


def test_author_from_article_author_but_not_a_profile_url():
    assert parse(page(head='<meta property="article:author" content="Petro Lysenko">')).author == "Petro Lysenko"
    head = '<meta property="article:author" content="https://facebook.com/someone">'
    assert parse(page(head=head)).author is None


def test_author_from_json_ld():
    head = ('<script type="application/ld+json">[{"@type": "WebSite"}, {"@type": "NewsArticle", '
            '"author": [{"@type": "Person", "name": "A. Author"}, {"name": "B. Author"}]}]</script>')
    assert parse(page(head=head)).author == "A. Author, B. Author"


def test_author_from_rel_author_and_byline():
    assert parse(page('<p>x</p><a rel="author" href="/a/jane">Jane Roe</a>')).author == "Jane Roe"
    assert parse(page('<p class="byline">By  Karim Haddad</p><p>x</p>')).author == "Karim Haddad"


def test_byline_names_starting_with_by_are_kept():
    assert parse(page('<p class="byline">Byron Smith</p><p>x</p>')).author == "Byron Smith"


def test_url_from_canonical_then_og_url():
    head = ('<meta property="og:url" content="https://og.example/a">'
            '<link rel="canonical" href="https://canonical.example/a">')
    assert parse(page(head=head)).url == "https://canonical.example/a"
    assert parse(page(head='<meta property="og:url" content="https://og.example/a">')).url == "https://og.example/a"


def test_relative_canonical_is_resolved_against_og_url():
    head = '<meta property="og:url" content="https://site.example/x/y"><link rel="canonical" href="/story">'
    assert parse(page(head=head)).url == "https://site.example/story"


def test_language_from_html_lang_as_given():
    assert parse(page(lang="en-GB")).language == "en-GB"
    assert parse(page(lang="uk")).language == "uk"
    assert parse(page()).language is None


# --- Metadata: dates from each source -------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="article:published_time" content="2024-10-01T18:20:00+03:00">',
        '<meta property="og:published_time" content="2024-10-01T18:20:00+03:00">',
        '<meta name="date" content="2024-10-01T18:20:00+03:00">',
        '<meta name="pubdate" content="2024-10-01T18:20:00+03:00">',
        '<meta name="publishdate" content="2024-10-01T18:20:00+03:00">',
        '<meta name="DC.date" content="2024-10-01T18:20:00+03:00">',
        '<meta itemprop="datePublished" content="2024-10-01T18:20:00+03:00">',
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2024-10-01T18:20:00+03:00"}</script>',
        '<script type="application/ld+json">{"@graph": [{"@type": "Article", "datePublished": "2024-10-01T18:20:00+03:00"}]}</script>',
    ],
)
def test_date_from_metadata(head):
    assert parse(page(head=head)).published == PublicationDate("2024-10-01", "2024-10-01T18:20:00+03:00", "day")


def test_published_time_wins_over_other_dates():
    head = ('<meta name="date" content="2020-01-01"><meta property="article:published_time" content="2024-10-01">')
    body = '<article><time datetime="2019-05-05">5 May 2019</time><p>x</p></article>'
    assert parse(page(body, head)).published.iso == "2024-10-01"


def test_date_from_the_first_time_element_in_the_article_with_visible_raw():
    body = ('<time datetime="2001-01-01">sidebar</time><article><h1>T</h1><p class="meta">By K — '
            '<time datetime="2024-06-29T11:40:00+03:00">29 June 2024</time></p>'
            '<time datetime="2024-07-01">1 July 2024</time><p>x</p></article>')
    assert parse(page(body)).published == PublicationDate("2024-06-29", "29 June 2024", "day")


def test_date_from_the_visible_text_near_the_top():
    body = '<div class="content"><h1>T</h1><div class="meta"><span>Oct 2, 2024 - 21:00</span> | Iryna</div><p>x</p></div>'
    assert parse(page(body)).published == PublicationDate("2024-10-02", "Oct 2, 2024 - 21:00", "day")


def test_unparseable_metadata_date_falls_through():
    head = '<meta property="article:published_time" content="soon">'
    body = "<article><p>Published: 12 October 2022</p></article>"
    assert parse(page(body, head)).published.iso == "2022-10-12"


def test_no_date_anywhere():
    assert parse(page()).published == PublicationDate(None, None, "none")


def test_us_english_page_reads_numeric_dates_month_first():
    body = "<article><p>07/12/2023</p><p>x</p></article>"
    assert parse(page(body, lang="en-US")).published.iso == "2023-07-12"
    assert parse(page(body, lang="en-GB")).published.iso == "2023-12-07"
    assert parse(page(body, lang="en-US"), dayfirst=True).published.iso == "2023-12-07"


def test_date_option_overrides_the_page():
    head = '<meta property="article:published_time" content="2024-10-01">'
    doc = parse(page(head=head), date="15 June 2024")
    assert doc.published == PublicationDate("2024-06-15", "15 June 2024", "day")


# --- A realistic saved page ------------------------------------------------------------------------


def test_realistic_page():
    html = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Call-up papers for people who cannot be called up | Steppe Rights Monitor</title>
<meta name="author" content="Steppe Rights Monitor research team">
<meta property="og:site_name" content="Steppe Rights Monitor">
<link rel="canonical" href="https://steppemonitor.example/cases/call-up-papers">
<style>body { font-family: Georgia; }</style>
<script>function trackShare(n) { return n; }</script>
</head>
<body>
<header><a class="logo" href="/">Steppe Rights Monitor</a></header>
<nav><a href="/">Home</a> | <a href="/cases/">Cases</a></nav>
<main>
<article>
<h1>Call-up papers for people who cannot be called up</h1>
<p class="kicker">Case file &mdash; Central Asian migrants</p>
<figure><img src="x.jpg" alt="blurred"><figcaption>A call-up notice.</figcaption></figure>
<p>Migrant workers from Uzbekistan have received
   conscription notices.</p>
<p class="hotline" lang="uz">Agar sizga harbiy chaqiruv qog&#8216;ozi kelgan bo&#8216;lsa &mdash; yordam bepul.</p>
</article>
</main>
<aside><h3>Related cases</h3><ul><li><a href="/x">Prison recruitment</a></li></ul></aside>
<div class="share">Share: <a href="#">Telegram</a> &middot; <a href="#">WhatsApp</a></div>
<footer><p>&copy; Steppe Rights Monitor.&nbsp;|&nbsp;<a href="/privacy/">Privacy</a></p></footer>
</body>
</html>"""
    doc = parse(html.encode(), "steppe.html")
    assert doc.title == "Call-up papers for people who cannot be called up"
    assert doc.outlet == "Steppe Rights Monitor"
    assert doc.author == "Steppe Rights Monitor research team"
    assert doc.url == "https://steppemonitor.example/cases/call-up-papers"
    assert doc.language == "en"
    assert doc.published == PublicationDate(None, None, "none")
    assert doc.text == (
        "Call-up papers for people who cannot be called up\n\n"
        "Case file — Central Asian migrants\n\n"
        "A call-up notice.\n\n"
        "Migrant workers from Uzbekistan have received conscription notices.\n\n"
        "Agar sizga harbiy chaqiruv qog‘ozi kelgan bo‘lsa — yordam bepul."
    )
    assert doc.original == html.encode()
