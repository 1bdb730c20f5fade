"""Lexicon additions of ruleset 1.8.0: the frames in which a prohibited phrase is mentioned, not used.

A collector's utterance can carry the very words a rule looks for without saying them to anyone: a
training note that lists what must never be said, a quality review quoting what an agent or a debtor
said, a compliance manual's example. A third of the rules' false alarms on the hard negatives of the 1.7.0
blind set were of this kind. The checker reads such a phrase as mentioned when it lies inside quotation marks
and the utterance carries one of these frames (``_checker``): quotation marks alone are not enough (a
collector can quote a threat to make it), and neither is the frame (a trainer can also speak plainly).

``_lexicon.concepts`` merges :data:`CONCEPTS` into its own.
"""

from __future__ import annotations

CONCEPTS: dict[str, tuple[str, ...]] = {
    "MENTION_FRAME": (
        # prohibitions and training material
        "training",
        "trainee",
        "coaching",
        "roleplay",
        "role play",
        "compliance",
        "banned",
        "prohibited",
        "forbidden",
        "never say",
        "never use",
        "do not say",
        "don t say",
        "do not use",
        "don t use",
        "must not",
        "must never",
        "not allowed",
        "what not to say",
        "example of",
        "examples of",
        "script note",
        "quality note",
        "qa review",
        "call review",
        "dismissal offence",
        "disciplinary",
        # another speaker's words, repeated
        "the customer said",
        "the debtor said",
        "the caller said",
        "customer said",
        "you said",
        "you told us",
        "i said",
        "培训",
        "话术对比",
        "错误示范",
        "正确示范",
        "错误话术",
        "正确话术",
        "禁用词",
        "禁止使用",
        "禁止说",
        "禁止对客户说",
        "严禁",
        "不得说",
        "不能说",
        "不要说",
        "一个字都不能说",
        "质检",
        "合规",
        "案例",
        "引以为戒",
        "红线",
        "扣分",
        "客户说",
        "客户一直说",
        "您刚才说",
        "您说的",
        "原话",
    ),
}

#: Opening and closing quotation marks; a quoted stretch runs from one to its partner.
QUOTES: dict[str, str] = {'"': '"', "\u201c": "\u201d", "\u300c": "\u300d", "\u300e": "\u300f", "\u2018": "\u2019"}
