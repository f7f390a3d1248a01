"""Chinese text made searchable by full-text engines that split words on spaces.

SQLite's FTS5 (``unicode61``) and PostgreSQL's ``simple`` configuration both take a run of Chinese
characters with no space in it as one word: "初级技术经纪人培训班" is a single token, so "初级"
finds nothing. Here each run of Chinese characters becomes overlapping two-character tokens
(bigrams), plus each character alone, and the query is cut the same way:

- indexed text: "初级培训" -> "初 级 培 训 初级 级培 培训"
- a query:      "初级培训" -> "初级 级培 培训" (all of them required), "粤" -> "粤"

Bigrams rather than a dictionary segmenter (jieba): no dictionary to load (jieba's takes about a
second and 50 MB), and a query matches whatever characters the text holds, so partial names
("晓彤" for 周晓彤) and words no dictionary knows are found. The price is a loose match when a
long query's bigrams occur apart in one page; the ranking puts pages holding the whole run first.
See docs/decisions for the measurement.

Pure Python, no Django: any app (cms, courses, certification) may import it.
"""

import re
import unicodedata

# CJK Unified Ideographs with Extension A and the compatibility block; extensions B and beyond
# (rare characters) are included through the supplementary planes' range.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_RUN = re.compile(f"[{_HAN}]+")
_SPACES = re.compile(r"\s+")
_WORDLIKE = re.compile(r"\w")
_EDGES = re.compile(r"^[^\w]+|[^\w]+$")


def _normalised(text: str) -> str:
    """Full-width letters and digits as ASCII (NFKC), and punctuation outside ASCII (，。、“”《》)
    as spaces: PostgreSQL's parser would otherwise glue it to the word beside it."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        " " if ord(ch) > 127 and unicodedata.category(ch)[0] in "PSZ" else ch for ch in text
    )


def han_bigrams(run: str) -> list[str]:
    """The overlapping two-character pieces of a run of Chinese characters; a single character
    is its own piece."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str) -> str:
    """Text as it is stored in the search index: each Chinese run as its single characters and
    its bigrams, everything else as it was (the engines split Latin words themselves)."""
    if not text:
        return ""
    text = _normalised(text)
    if not HAN_RUN.search(text):
        return text

    def tokens(match):
        run = match.group(0)
        pieces = list(run) + (han_bigrams(run) if len(run) > 1 else [])
        return " " + " ".join(pieces) + " "

    return _SPACES.sub(" ", HAN_RUN.sub(tokens, text)).strip()


def query_text(query: str) -> str:
    """A typed query cut like the index: each Chinese run as its bigrams (all required, with the
    backend's AND), a lone character as itself, other words unchanged."""
    if not query:
        return ""
    query = _normalised(query)
    if not HAN_RUN.search(query):
        return _SPACES.sub(" ", query).strip()
    cut = HAN_RUN.sub(lambda match: " " + " ".join(han_bigrams(match.group(0))) + " ", query)
    # Quotes or brackets left alone once the Chinese is cut out ('"高级"' -> '" 高级 "') would
    # be words of no letters, which the engines can never match: dropped.
    return " ".join(word for word in cut.split() if _WORDLIKE.search(word))


def query_terms(query: str) -> list[str]:
    """The words of a query as a person typed them (Chinese runs and other words), for
    highlighting: "华南 初级班" -> ["华南", "初级班"]."""
    query = _normalised(query or "")
    terms = []
    for word in query.split():
        # "GD-J" stays one term; a word mixing scripts ("初级Junior") gives both parts.
        parts = re.split(f"([{_HAN}]+)", word)
        # Quotes and brackets around a word are no part of it: '"高级"' marks 高级.
        terms.extend(part for part in (_EDGES.sub("", p) for p in parts) if part)
    seen = set()
    return [t for t in terms if not (t.casefold() in seen or seen.add(t.casefold()))]
