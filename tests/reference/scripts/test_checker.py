"""The reference script checker: evasions, context gates, speakers, spans, disclosures."""

from __future__ import annotations

import pytest

from icss.reference.scripts import CATEGORIES, UTTERANCE_CATEGORIES, Context, ScriptChecker, default_checker
from icss.reference.scripts._corpus import utterances
from icss.reference.scripts._normalise import detect_language, views
from icss.spec import schema


@pytest.fixture(scope="module")
def checker() -> ScriptChecker:
    return default_checker()


def cats(checker: ScriptChecker, text: str, role: str = "collector", **ctx: object) -> set[str]:
    return {v.category for v in checker.check(text, speaker_role=role, context=Context(**ctx)).violations}  # type: ignore[arg-type]


def test_categories_match_the_common_schema() -> None:
    assert list(CATEGORIES) == schema("common.schema.json")["$defs"]["script_category"]["enum"]
    assert set(UTTERANCE_CATEGORIES) == set(CATEGORIES) - {"missing_required_disclosure"}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("再不还钱，弄 死 你。", "threat_of_violence"),  # inserted spaces
        ("給你三天時間，不還錢就打斷你的手。", "threat_of_violence"),  # traditional characters
        ("ｗｅ ｋｎｏｗ ｗｈｅｒｅ ｙｏｕ ｌｉｖｅ, pay the bill.", "threat_of_violence"),  # full-width
        ("你真是个煞笔，这点道理都不懂。", "insult_or_abuse"),  # homophone
        ("你TM是不是耳朵聋了？", "obscene_or_profane"),  # letter abbreviation inside Chinese
        ("Pay or I'll k1ll you.", "threat_of_violence"),  # leetspeak
        ("i will b r e a k your legs", "threat_of_violence"),  # spaced letters
        ("Pay your f*cking bill.", "obscene_or_profane"),  # masked letters
        ("Stop the bullsh!t and pay.", "obscene_or_profane"),  # "!" for i inside a word (1.1.0)
        ("不还就bao你tong xun lu。", "contact_network_threat"),  # pinyin
        ("你的WeChat好友我们会挨个通知。", "contact_network_threat"),  # zh/en mixing
    ],
)
def test_evasions_are_seen_through(checker: ScriptChecker, text: str, category: str) -> None:
    assert category in cats(checker, text)


@pytest.mark.parametrize(
    "text",
    [
        "请您在手机APP上操作一下。",
        "您不用操心，分期手续我们这边帮您办好。",
        "您妈的身体好些了吗？",
        "Our Scunthorpe branch handles accounts in your area.",
        "Please complete the assessment form.",
        "Our office is on Dickens Street.",
    ],
)
def test_innocent_words_with_sensitive_substrings_pass(checker: ScriptChecker, text: str) -> None:
    assert cats(checker, text) == set()


def test_debtor_and_third_party_words_are_never_blamed_on_the_collector(checker: ScriptChecker) -> None:
    text = "他妈的，再打电话我就找人弄死你们！"
    assert {"obscene_or_profane", "threat_of_violence"} <= cats(checker, text)
    assert cats(checker, text, role="debtor") == set()
    assert cats(checker, text, role="third_party") == set()
    assert cats(checker, text, role="ai_agent") == cats(checker, text)


def test_litigation_context_decides_false_legal_claim(checker: ScriptChecker) -> None:
    text = "We intend to file a lawsuit against you if the balance is not paid by the 15th."
    assert "false_legal_claim" in cats(checker, text, litigation_intended=False)
    assert "false_legal_claim" not in cats(checker, text, litigation_intended=True)
    assert "false_legal_claim" in cats(checker, text, litigation_intended=True, time_barred=True)


def test_listener_decides_third_party_disclosure(checker: ScriptChecker) -> None:
    text = "阿姨，您儿子借了我们两万块，已经逾期三个月了。"
    assert "third_party_disclosure" in cats(checker, text, listener_is_debtor=False)
    assert "third_party_disclosure" not in cats(checker, text, listener_is_debtor=True)
    location = "请问张伟先生现在还住这里吗？麻烦让他回个电话。"
    assert cats(checker, location, listener_is_debtor=False) == set()


def test_negation_and_lawful_notice(checker: ScriptChecker) -> None:
    assert cats(checker, "我们不会联系您的家人和单位，也不会透露您的任何信息。") == set()
    assert cats(checker, "按照规定，您的逾期信息会报送中国人民银行征信中心。") == set()
    assert cats(checker, "Please know that you cannot be arrested for not paying this debt.") == set()
    assert cats(checker, "We report account information to the credit bureaus as permitted by law.") == set()


def test_spans_point_into_the_original_text(checker: ScriptChecker) -> None:
    text = "喂！！你　他 妈 的，赶紧还钱。"
    (v,) = checker.check(text).violations
    assert v.span is not None
    covered = text[v.span[0] : v.span[1]]
    assert "".join(covered.split()) in {"你他妈", "他妈的"}  # the original characters, spaces and all
    assert covered.startswith(("你", "他"))
    assert covered != "".join(covered.split())
    assert v.indicator == "SC-06"
    assert v.severity == "blocking"
    assert v.rule.startswith("zh.")


def test_every_violation_names_its_indicator(checker: ScriptChecker) -> None:
    out = checker.check("I'll have the sheriff pick you up at work, you deadbeat.")
    assert {(v.category, v.indicator) for v in out.violations} == {
        ("threat_of_arrest_or_prosecution", "SC-02"),
        ("insult_or_abuse", "SC-05"),
    }
    assert out.verdict == "block"


def test_unauthorised_charge_is_major(checker: ScriptChecker) -> None:
    out = checker.check("另外你还要交五百块的上门费，我们外访人员不能白跑。")
    assert [(v.category, v.severity) for v in out.violations] == [("unauthorized_charge", "major")]
    assert out.verdict == "review"


def test_language_detection() -> None:
    assert detect_language(views("你好，我是小李")) == "zh"
    assert detect_language(views("Hello, this is Sam")) == "en"
    assert detect_language(views("你的WeChat好友我们会挨个通知")) == "zh"


@pytest.mark.parametrize(
    ("turns", "ctx", "rules"),
    [
        (
            [
                (
                    "collector",
                    "Hi, this is Sam from Acme Recovery. This is an attempt to collect a debt, and any "
                    "information obtained will be used for that purpose.",
                )
            ],
            Context(profile="us", communication="initial"),
            [],
        ),
        (
            [("collector", "Hi, this is Sam from Acme Recovery about your balance.")],
            Context(profile="us", communication="initial"),
            ["en.disclosure.mini_miranda"],
        ),
        (
            [("collector", "Hi, it's Sam again from Acme Recovery about your balance.")],
            Context(profile="us", communication="subsequent"),
            ["en.disclosure.debt_collector"],
        ),
        ([("ai_agent", "您好，这里是XX银行信用卡中心，您的账单已逾期。")], Context(profile="cn"), ["zh.disclosure.ai"]),
        ([("ai_agent", "您好，我是XX银行的智能语音助手，您的账单已逾期。")], Context(profile="cn"), []),
        (
            [("collector", "喂，是王强吗？"), ("debtor", "是我。"), ("collector", "你那笔钱什么时候还？")],
            Context(profile="cn"),
            ["zh.disclosure.identity", "zh.disclosure.purpose"],
        ),
        ([("collector", "请问刘涛先生在吗？麻烦让他回个电话。")], Context(profile="cn", listener_is_debtor=False), []),
    ],
)
def test_conversation_disclosures(
    checker: ScriptChecker, turns: list[tuple[str, str]], ctx: Context, rules: list[str]
) -> None:
    out = checker.check_conversation(turns, context=ctx)
    assert [v.rule for v in out.violations] == rules
    assert all(v.span is None and v.indicator == "SC-12" for v in out.violations)


def test_the_default_checker_carries_the_committed_model() -> None:
    """1.2.0: rules and the model of model.json together; a model finding names the model as its rule."""
    checker = default_checker()
    assert checker.classifier is not None
    assert checker.classifier.categories == list(UTTERANCE_CATEGORIES)
    rules_only = ScriptChecker(None)
    by_model = [
        (i["text"], i["language"])
        for i in utterances("train")
        if i["speaker_role"] == "collector" and i["context"]["listener_is_debtor"] and i["labels"]
        if not cats(rules_only, i["text"]) and cats(checker, i["text"])
    ]
    assert by_model, "the model adds nothing the rules miss"
    text, lang = by_model[0]
    assert any(v.rule.startswith(f"{lang}.model.") for v in checker.check(text, language=lang).violations)


def test_contractions_of_added_terms_match_the_word_view(checker: ScriptChecker) -> None:
    """1.1.0 terms are written "don t"; the word view writes "don't" as "dont" — both spellings match."""
    assert "harassment_pressure" in cats(checker, "Pay it all now, I don't care if you're at a funeral.")
    assert "insult_or_abuse" not in cats(checker, "That was a dumb mistake on our part; we'll refund it.")
