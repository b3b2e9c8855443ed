"""Shared text normalization: tokenizing, stemming, alias canonicalization, vocabulary.

Matching rule used everywhere (score and grounding):

1. Text is tokenized into words that keep technical punctuation (``C++``, ``C#``,
   ``.NET``, ``Node.js``, ``R&D``); hyphens and slashes separate words, so
   ``CI/CD`` == ``CI CD`` and ``full-stack`` == ``full stack``.
2. Each word is lowercased and lightly stemmed (plural ``-s/-es/-ies``, ``-ing``,
   ``-ed``, final ``-e``), so "databases" == "database" and "testing" == "tested".
3. Ambiguous short/English words (``AMBIGUOUS_WORDS``: Go, R, C, Excel, Spring...)
   only count when capitalized. "Go" followed by "to"/"-to" (go-to-market) and "C"
   followed by a hyphen (C-level, C-suite) never count. Whole-word matching is
   guaranteed by the tokenizer, so "AI" never matches inside "maintain".
4. Aliases (``ALIASES``) are replaced by their canonical form, longest match first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from .aliases import ALIASES, AMBIGUOUS_WORDS, CERTIFICATIONS, VOCABULARY

_V = TypeVar("_V")

# A run of letters at a time, and no backtracking into it (possessive *+): the same tokens as
# one character at a time, since nothing after the run could use what it gave back.
TOKEN_RE = re.compile(r"\.?[^\W_](?:[^\W_]+|[&']|\.(?=[^\W_]))*+[+#]*")
_DOUBLE_OK = frozenset("lsz")


def clean(text: str) -> str:
    """Normalize typographic apostrophes so tokens are stable."""
    # Three replaces, not str.translate: translate looks every character up in a dict (~1 ms
    # on 30,000 characters, and every line is cleaned several times).
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")


# A resume uses a few hundred distinct words, each many times: each is stemmed once.
# clear_caches() empties it.
@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """Very small suffix stemmer; both sides of every comparison use it."""
    w = word.lower()
    if w.endswith("'s"):
        w = w[:-2]
    w = w.rstrip("'")
    if not w.isalpha() or len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ing") and len(w) >= 6:
        w = _undouble(w[:-3])
    elif w.endswith("ed") and len(w) >= 5:
        w = _undouble(w[:-2])
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def _undouble(w: str) -> str:
    if len(w) > 2 and w[-1] == w[-2] and w[-1] not in "aeiou" and w[-1] not in _DOUBLE_OK:
        return w[:-1]
    return w


class Token(NamedTuple):
    """A word of a text: as written, its key (stemmed, ambiguity-marked), its offsets. A named
    tuple rather than a frozen dataclass: a 30,000-character resume makes ~20,000 of them per
    reading, and a frozen dataclass's __init__ costs five times a tuple's."""

    raw: str
    key: str
    start: int
    end: int


def raw_tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def _word_key(raw: str, text: str, end: int, lenient: bool = False) -> str:
    low = raw.lower()
    base = stem(raw)
    if low in AMBIGUOUS_WORDS and not lenient:
        if not raw[0].isupper():
            return "~" + base
        after = text[end : end + 4].lower()
        if low == "go" and (after.startswith("-") or after.startswith(" to")):
            return "~" + base
        if low in {"c", "r"} and after.startswith("-"):
            return "~" + base
    return base


def tokens(text: str, lenient: bool = False) -> list[Token]:
    """Tokens with stemmed/ambiguity-marked keys, before alias replacement.

    ``lenient`` skips the ambiguity rule; used for vocabulary/alias data, which is
    always meant as the technical term.
    """
    text = clean(text)
    return [Token(r, _word_key(r, text, e, lenient), s, e) for r, s, e in raw_tokens(text)]


@lru_cache(maxsize=1)
def _alias_index() -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    index: dict[tuple[str, ...], tuple[str, ...]] = {}
    for variant, canonical in ALIASES.items():
        vkeys = tuple(t.key for t in tokens(variant, lenient=True))
        ckeys = tuple(t.key for t in tokens(canonical, lenient=True))
        if vkeys and ckeys:
            index[vkeys] = ckeys
    longest = max(len(k) for k in index)
    return index, longest


_FIRST_KEYS: dict[int, dict[str, int]] = {}


def _first_keys(index: dict[tuple[str, ...], Any]) -> dict[str, int]:
    """The keys an entry of ``index`` can start with, each with the length of its longest entry
    (the indexes are built once: by id)."""
    firsts = _FIRST_KEYS.get(id(index))
    if firsts is None:
        firsts = {}
        for entry in index:
            if entry:
                firsts[entry[0]] = max(firsts.get(entry[0], 0), len(entry))
        _FIRST_KEYS[id(index)] = firsts
    return firsts


def _scan(
    keys: Sequence[str],
    index: dict[tuple[str, ...], _V],
    longest: int,
    whole: Callable[[int, int], bool] = lambda _i, _n: True,
) -> Iterator[tuple[int, int, _V | None]]:
    """Longest-first, left-to-right runs of ``keys`` that are in ``index``: (start, length,
    value); a key in no run comes as (i, 1, None). ``whole(i, n)`` can refuse a run."""
    firsts = _first_keys(index)
    i = 0
    while i < len(keys):
        most = firsts.get(keys[i], 0)
        if not most:  # most words start no entry: skip the tuple building
            yield i, 1, None
            i += 1
            continue
        # no entry that starts with this word is longer than ``most``
        for length in range(min(most, longest, len(keys) - i), 0, -1):
            found = index.get(tuple(keys[i : i + length]))
            if found is not None and whole(i, length):
                yield i, length, found
                i += length
                break
        else:
            yield i, 1, None
            i += 1


def canonical(text: str, lenient: bool = False) -> list[Token]:
    """Tokens after alias replacement (multi-word aliases collapse onto one span)."""
    # The score and the grounding check read the same lines several times (before, after,
    # as written): a line is tokenized once. Tokens are frozen; the list is the caller's own.
    return list(_canonical(text, lenient))


@lru_cache(maxsize=16384)
def _tokens(text: str, lenient: bool) -> tuple[Token, ...]:
    return tuple(tokens(text, lenient))


@lru_cache(maxsize=16384)
def _canonical(text: str, lenient: bool) -> tuple[Token, ...]:
    toks = _tokens(text, lenient)
    index, longest = _alias_index()
    cleaned = clean(text)
    out: list[Token] = []
    for i, length, target in _scan([t.key for t in toks], index, longest):
        if target is None:
            out.append(toks[i])
            continue
        first, last = toks[i], toks[i + length - 1]
        raw = cleaned[first.start : last.end]
        out.extend(Token(raw, k, first.start, last.end) for k in target)
    return tuple(out)


@lru_cache(maxsize=16384)
def keys_of(text: str, lenient: bool = False) -> tuple[str, ...]:
    # the keys of a line are read as often as its tokens (the score's three reads share lines)
    return tuple(t.key for t in _canonical(text, lenient))


def keys_of_text(text: str) -> tuple[str, ...]:
    """``keys_of(text)`` of a long text, from the tokens of its lines (memoized, and most of them
    already read line by line): no token spans a line break, and aliases are then matched over
    the whole text as ``keys_of`` matches them ("MS\nExcel" is Excel there too)."""
    keys = [t.key for line in text.split("\n") for t in _tokens(line, False)]
    index, longest = _alias_index()
    out: list[str] = []
    for i, _length, target in _scan(keys, index, longest):
        out.extend(target if target is not None else (keys[i],))
    return tuple(out)


def contains_seq(haystack: tuple[str, ...] | list[str], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    if n == 0 or n > len(haystack):
        return False
    first = needle[0]
    for i in range(len(haystack) - n + 1):
        if haystack[i] == first and tuple(haystack[i : i + n]) == needle:
            return True
    return False


@dataclass(frozen=True, slots=True)
class VocabHit:
    term: str
    category: str
    start: int  # char offsets in the scanned text
    end: int
    keys: tuple[str, ...]


@lru_cache(maxsize=1)
def vocab_index() -> tuple[dict[tuple[str, ...], tuple[str, str]], int]:
    index: dict[tuple[str, ...], tuple[str, str]] = {}
    for term, category in VOCABULARY.items():
        index.setdefault(keys_of(term, lenient=True), (term, category))
    for cert in CERTIFICATIONS:
        index[keys_of(cert, lenient=True)] = (cert, "certification")
    # canonical alias targets that are vocabulary terms are covered above; make sure
    # the canonical display wins for alias targets (e.g. "machine learning").
    index.pop((), None)
    return index, max(len(k) for k in index)


def find_vocab(text: str, toks: list[Token] | None = None) -> list[VocabHit]:
    """Longest, left-to-right, non-overlapping vocabulary matches in ``text``."""
    toks = canonical(text) if toks is None else toks
    index, longest = vocab_index()

    def whole(i: int, length: int) -> bool:
        # never end a match in the middle of a multi-token alias expansion
        end = i + length
        return not (end < len(toks) and toks[end].start == toks[end - 1].start)

    return [
        VocabHit(
            found[0],
            found[1],
            toks[i].start,
            toks[i + length - 1].end,
            tuple(t.key for t in toks[i : i + length]),
        )
        for i, length, found in _scan([t.key for t in toks], index, longest, whole)
        if found is not None
    ]


def spelling(text: str, keys: tuple[str, ...], toks: list[Token] | None = None) -> str | None:
    """How ``text`` writes its first occurrence of ``keys``: its own words, before aliases
    ("BLS" for the keys of "Basic Life Support"). ``toks`` are ``canonical(text)``, if known."""
    if not keys:
        return None
    toks = canonical(text) if toks is None else toks
    n = len(keys)
    for i in range(len(toks) - n + 1):
        if toks[i].key == keys[0] and tuple(t.key for t in toks[i : i + n]) == keys:
            return clean(text)[toks[i].start : toks[i + n - 1].end]
    return None


def lines_keys(text: str) -> list[tuple[str, ...]]:
    return [keys_of(line) for line in text.splitlines()]


def any_line_contains(lines: Iterable[tuple[str, ...]], needle: tuple[str, ...]) -> bool:
    return any(contains_seq(line, needle) for line in lines)
