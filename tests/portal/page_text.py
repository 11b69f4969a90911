"""What a page shows as text, and the problems of that text (untranslated, raw values).

Shared by the test modules (no test module imports from another)."""

import re
from html.parser import HTMLParser

# Latin words users may see. Keep this short: a word belongs here only when it is the name people use in Chinese
# too. Login names come from the cast, per test.
ALLOWED_WORDS = {
    "ECharts",  # the chart library, named in the "charts need JavaScript" notice
    "Excel",  # 「导出 Excel」: what a secretary calls a spreadsheet
    "QR",  # 二维码 posters say "QR"
    "PDF",
    "CSV",
    "IP",
    "SVG",  # the QR code's download format
    "xlsx",  # file types in the upload hints
    "JPEG",
    "PNG",
    "WebP",  # photo formats in the upload hints
    "MB",  # file sizes
}


TEMPLATE_SYNTAX = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}")


# A Latin word standing alone: not part of a code such as 党支部A, ORG001 or a short link's a1B2c3.
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_./@-])[A-Za-z]{2,}(?![A-Za-z0-9_@-])")


LONG_DECIMAL = re.compile(r"\d+\.\d{3,}")


# Links printed for copying (a rating or questionnaire link) are addresses, not words.
ADDRESS = re.compile(r"https?://\S+")


class _VisibleText(HTMLParser):
    """The text between tags, without <script>, <style> and <template> contents (attributes never reach it)."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def _around(text: str, match: re.Match) -> str:
    return text[max(match.start() - 20, 0) : match.end() + 20]


def text_problems(html: str, logins: set[str] = frozenset()) -> list[str]:
    """What a reader would stumble over on this page, each with a little of the text around it."""
    text = visible_text(html)
    problems = [f"template syntax: …{_around(text, m)}…" for m in TEMPLATE_SYNTAX.finditer(text)]
    allowed = ALLOWED_WORDS | set(logins)
    words = ADDRESS.sub(" ", text)
    problems += [
        f"English: {m.group()!r} in …{_around(words, m)}…"
        for m in LATIN_WORD.finditer(words)
        if m.group() not in allowed
    ]
    problems += [f"long decimal: …{_around(text, m)}…" for m in LONG_DECIMAL.finditer(text)]
    return problems
