"""The normaliser's word view: spelled-out phrases (1.4.0)."""

from __future__ import annotations

import pytest

from icss.reference.scripts._normalise import views


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # Wider gaps mark the word boundaries of a spelled-out phrase: each piece is a word of its own.
        ("a r r e s t   w a r r a n t pending", " arrest warrant pending "),
        ("W E   K E E P   C A L L I N G", " we keep calling "),
        ("an a d m i n   f e e of 60", " an admin fee of 60 "),  # no article is split off a piece
        # Even gaps: joined from three letters on, a leading "a" kept as the article (as before 1.4.0).
        ("i will b r e a k your legs", " i will break your legs "),
        ("you are a f u c k", " you are a fuck "),
        ("a b", " a b "),
    ],
)
def test_spelled_out_letters_become_words(text: str, words: str) -> None:
    assert views(text).words == words


def test_spelled_out_words_map_back_to_their_letters() -> None:
    text = "a r r e s t   w a r r a n t"
    v = views(text)
    start = v.words.index("warrant")
    assert text[v.words_map[start]] == "w"
    assert text[v.words_map[start + len("warrant") - 1]] == "t"
