"""Text normalisation for matching, with a map back to the original text.

Collectors dodge keyword filters with full-width letters (ｋｉｌｌ), traditional characters (還錢),
pinyin with tone marks (tā mā de),
inserted spaces and symbols (弄 死 你, f.u.c.k), leetspeak (k1ll) and script mixing (你TM). The
checker matches its lexicons against two *views* of an utterance, both built in one pass:

* the **compact** view — NFKC, lower case, traditional→simplified, every character that is not a
  letter or digit removed. Chinese terms are matched here, so inserted spaces and symbols vanish.
* the **word** view — the same characters split into tokens at separators and at every change
  between CJK and Latin script, leetspeak digits mapped to letters inside Latin tokens, ``*`` and
  apostrophes dropped inside words, and runs of three or more single letters (``b r e a k``) joined.
  Latin terms are matched here between token boundaries, so "skill" never matches "kill".

Every view character remembers the index of the original character it came from, so a match
becomes a span of code-point offsets into the text the caller sent. Per-character results are
cached: after warm-up, normalising an utterance is a few dictionary look-ups per character.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

#: Leetspeak digits and symbols read as letters inside a Latin word (k1ll, p0lice, $hit; "!" in sh!t too).
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}


@functools.cache
def _t2s_table() -> dict[str, str]:
    """Traditional→simplified, character level, from OpenCC's tables (shipped in the wheel)."""
    table: dict[str, str] = {}
    try:
        dictionary = resources.files("opencc") / "dictionary"
        lines = (dictionary / "TSCharacters.txt").read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - opencc is a dependency
        return table
    for line in lines:
        source, _, targets = line.partition("\t")
        if source and targets and len(source) == 1:
            first = targets.split()[0]
            if len(first) == 1:
                table[source] = first
    return table


@functools.lru_cache(maxsize=65536)
def _fold(ch: str) -> str:
    """NFKC, case folding and traditional→simplified for one original character; a Latin letter loses
    its diacritics, so pinyin with tone marks (tā mā de) reads as plain pinyin."""
    folded = unicodedata.normalize("NFKC", ch).lower()
    if len(folded) == 1 and not folded.isascii() and folded.isalpha():
        bare = "".join(c for c in unicodedata.normalize("NFD", folded) if not unicodedata.combining(c))
        if len(bare) == 1 and bare.isascii():
            folded = bare
    table = _t2s_table()
    return "".join(table.get(c, c) for c in folded)


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds (and caches) each character on first sight."""

    def __missing__(self, code: int) -> str:
        folded = _fold(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_LATIN = rf"[^\W_{_CJK}]|[@$]"
#: A token: a run of CJK characters, or of Latin letters/digits with joiners (* ') inside.
_TOKEN = re.compile(rf"[{_CJK}]+|(?:{_LATIN})+(?:(?:[*'’‘`]+|!(?=[a-z]))(?:{_LATIN})+)*")
_JOINER_RE = re.compile(r"[*'’‘`]+")
_BREAK = re.compile(r"[,.!?;:，。！？；：…\n\r]")
_HAS_LEET = re.compile(r"[0-9@$]")


class Views(NamedTuple):
    """The normalised views of one utterance and their maps to original offsets.

    A named tuple rather than a frozen dataclass: one is built per utterance, and a frozen dataclass
    pays an ``object.__setattr__`` call per field.
    """

    text: str
    compact: str
    compact_map: tuple[int, ...]
    words: str
    words_map: tuple[int, ...]
    breaks: tuple[int, ...]
    cjk_chars: int
    latin_chars: int

    def clause(self, offset: int) -> int:
        """The clause (0-based) the original character at ``offset`` belongs to."""
        return bisect.bisect_right(self.breaks, offset)


def _breaks(text: str) -> tuple[int, ...]:
    out = []
    n = len(text)
    for m in _BREAK.finditer(text):
        i = m.start()
        ch = text[i]
        if ch in ",." and i < n - 1 and text[i + 1].isalnum():
            continue  # 1,250 and D.O.J. do not end a clause
        if ch == "!" and 0 < i < n - 1 and text[i - 1].isalpha() and text[i + 1].isalpha():
            continue  # sh!t is one word
        if ch == "." and i >= 1 and text[i - 1].isalpha() and (i < 2 or not text[i - 2].isalpha()):
            continue  # U.S. and Mr. neither
        out.append(i)
    return tuple(out)


def _emit_run(run: list[tuple[str, Sequence[int]]], words: list[str], words_map: list[int]) -> None:
    """Move a run of single Latin letters into the word view: joined from three on (b r e a k -> break).

    Spelled-out phrases mark their word boundaries with wider gaps ("a r r e s t   w a r r a n t"): when
    the gaps between the letters differ, the run is cut at the wider ones and each piece of two letters
    or more is a word ("arrest warrant", not "arrestwarrant"; "w e" is "we"), its first letter never taken
    for an article ("a d m i n   f e e").
    """
    if len(run) >= 4:
        gaps = [run[i + 1][1][0] - run[i][1][-1] for i in range(len(run) - 1)]
        narrow = min(gaps)
        if max(gaps) > narrow:
            start = 0
            for i, gap in enumerate(gaps):
                if gap > narrow:
                    _emit_piece(run[start : i + 1], words, words_map, 2)
                    start = i + 1
            _emit_piece(run[start:], words, words_map, 2)
            run.clear()
            return
    if len(run) >= 4 and run[0][0] in ("a", "i"):  # "a f u c k" keeps its article
        tok, offs = run.pop(0)
        words.append(tok)
        words_map.extend(offs)
        words_map.append(offs[-1])
    _emit_piece(run, words, words_map, 3)
    run.clear()


def _emit_piece(
    run: Sequence[tuple[str, Sequence[int]]], words: list[str], words_map: list[int], min_letters: int
) -> None:
    if len(run) >= min_letters:
        words.append("".join(t for t, _ in run))
        words_map.extend([o for _, offs in run for o in offs])
        words_map.append(run[-1][1][-1])
    else:
        for tok, offs in run:
            words.append(tok)
            words_map.extend(offs)
            words_map.append(offs[-1])


def _read_leet(tok: str) -> str:
    """A Latin token holding a digit, @ or $ with its leetspeak read as letters (k1ll -> kill); a number
    stays a number. Callers test _HAS_LEET first: most tokens have none, and a call per token costs."""
    if any(c.isalpha() for c in tok):
        return "".join(_LEET.get(c, c) for c in tok)
    return tok


def _assembled(
    text: str, compact: list[str], compact_map: list[int], words: list[str], words_map: list[int], cjk: int
) -> Views:
    """The views from the pieces both paths collect (the word view closes with its trailing separator)."""
    words.append("")
    compact_text = "".join(compact)
    return Views(
        text,
        compact_text,
        tuple(compact_map),
        " ".join(words),
        tuple(words_map),
        _breaks(text),
        cjk,
        len(compact_text) - cjk,
    )


#: What sends an ASCII utterance down the general path: a joiner other than the apostrophe, two joiners in a
#: row, or a "!" before a letter or digit (sh!t). Anything else ASCII is words, numbers and separators.
_NOT_PLAIN = re.compile(r"[*`]|''|![a-z0-9@$]")
#: A token of such an utterance, as _TOKEN reads it there: Latin characters joined by single apostrophes.
_PLAIN_TOKEN = re.compile(r"[a-z0-9@$]+(?:'[a-z0-9@$]+)*")


def _plain_views(text: str, folded: str) -> Views | None:
    """The views of an ASCII utterance of words, numbers and separators; None where the general path is needed.

    Most English utterances are such, and for them the general loop's branches (Chinese runs, joiners other
    than the apostrophe, "!" inside words) never fire; three single letters in a row (a spelled-out word)
    hand the utterance back to the general path. tests/reference/scripts/test_fast_paths.py holds the two
    paths equal.
    """
    compact: list[str] = []
    compact_map: list[int] = []
    words: list[str] = [""]
    words_map: list[int] = [0]
    singles = 0
    for m in _PLAIN_TOKEN.finditer(folded):
        a, b = m.span()
        tok = folded[a:b]
        offs: Sequence[int]
        if "'" in tok:  # don't -> dont, the apostrophe's offset left out
            offs = [a + i for i, c in enumerate(tok) if c != "'"]
            tok = tok.replace("'", "")
        else:
            offs = range(a, b)
        compact.append(tok)
        compact_map.extend(offs)
        if len(tok) == 1 and tok.isalpha():
            singles += 1
            if singles == 3:
                return None
        else:
            singles = 0
            if _HAS_LEET.search(tok):
                tok = _read_leet(tok)
        words.append(tok)
        words_map.extend(offs)
        words_map.append(offs[-1])
    return _assembled(text, compact, compact_map, words, words_map, 0)


def views(text: str) -> Views:
    """Build the compact and word views of ``text`` (see the module docstring)."""
    if text.isascii():
        # ASCII folds to its lower case (NFKC and the traditional table leave it alone; a test holds _fold
        # to that), and str.lower() runs in C without the per-character look-ups of translate().
        folded = text.lower()
        if not _NOT_PLAIN.search(folded):
            plain = _plain_views(text, folded)
            if plain is not None:
                return plain
    else:
        folded = text.translate(_FOLD)
    if len(folded) == len(text):
        offsets: list[int] | range = range(len(text))
    else:  # a character expanded under NFKC (㈱, ﬁ): map every folded character to its source
        offsets = [i for i, ch in enumerate(text) for _ in range(len(_fold(ch)))]
        folded = "".join(_fold(ch) for ch in text)
    compact: list[str] = []
    compact_map: list[int] = []
    # The word view is " tok tok ... tok ": the tokens between two empty strings, joined by spaces at the end;
    # its map has one entry per character, each separator pointing at the last character of the token before.
    words: list[str] = [""]
    words_map: list[int] = [0]
    run: list[tuple[str, Sequence[int]]] = []
    cjk = 0
    # This loop is the hot path of the checker: the two common tokens (a CJK run, a plain Latin word) take the
    # first two branches, written out inline, and everything below them is as rare as it is fiddly.
    for m in _TOKEN.finditer(folded):
        tok = m.group()
        first = tok[0]
        if "\u3400" <= first <= "\u9fff" or "\uf900" <= first <= "\ufaff":
            a, b = m.span()
            offs = offsets[a:b]
            cjk += b - a
            compact.append(tok)
            compact_map.extend(offs)
            if run:
                _emit_run(run, words, words_map)
            words.append(tok)
            words_map.extend(offs)
            words_map.append(offs[-1])
            continue
        if len(tok) > 1 and tok.isalpha():  # a plain word: no joiners, no leetspeak
            a, b = m.span()
            offs = offsets[a:b]
            compact.append(tok)
            compact_map.extend(offs)
            if run:
                _emit_run(run, words, words_map)
            words.append(tok)
            words_map.extend(offs)
            words_map.append(offs[-1])
            continue
        a, b = m.span()
        if "!" in tok:  # sh!t, b!tch: "!" between letters stands for an i
            tok = tok.replace("!", "i")
        if len(tok) > 1 and _JOINER_RE.search(tok):
            keep = [i for i, c in enumerate(tok) if c not in "*'’‘`"]
            offs = [offsets[a + i] for i in keep]
            tok = "".join(tok[i] for i in keep)
        else:
            offs = offsets[a:b]
        compact.append(tok)
        compact_map.extend(offs)
        if _HAS_LEET.search(tok):
            tok = _read_leet(tok)
        if len(tok) == 1 and tok.isalpha():
            run.append((tok, offs))
            continue
        if run:
            _emit_run(run, words, words_map)
        words.append(tok)
        words_map.extend(offs)
        words_map.append(offs[-1])
    if run:
        _emit_run(run, words, words_map)
    return _assembled(text, compact, compact_map, words, words_map, cjk)


def detect_language(v: Views) -> str:
    """zh when the utterance has Chinese characters in any real share, else en."""
    if v.cjk_chars >= 2 and v.cjk_chars * 3 >= v.latin_chars:
        return "zh"
    return "zh" if v.cjk_chars and not v.latin_chars else "en"
