"""The reference script checker: evasions, context gates, speakers, spans, disclosures."""

from __future__ import annotations

import pytest

from icss.reference.scripts import (
    CATEGORIES,
    UTTERANCE_CATEGORIES,
    Context,
    ContextError,
    ScriptChecker,
    default_checker,
)
from icss.reference.scripts._checker import LISTENERS, permitted_listeners
from icss.reference.scripts._classifier import MODEL_VERSION
from icss.reference.scripts._corpus import utterances
from icss.reference.scripts._normalise import detect_language, views
from icss.spec import load_catalogue, schema


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


# Phrasings written for ruleset 1.2.0 from the category definitions of spec/indicators/sc.yaml (not corpus
# items): veiled and property threats, criminalisation, officials of any agency, fees "first", calling
# around the clock, differential treatment — and the lawful sentences that resemble them.
_PROBES_POSITIVE = {
    "threat_of_violence": [
        "你要是再拖，晚上回家走路小心点。",
        "别逼我们动粗，到时候谁都不好看。",
        "你家门口那辆车，挺新的吧，划了可惜。",
        "我们有的是办法让你在医院里躺几个月。",
        "Keep dodging us and you might have an accident on the way home.",
        "Nice car you've got. Be a shame if something happened to it.",
        "We know which school your daughter goes to.",
        "Pay up or we'll come over and rough you up.",
    ],
    "threat_of_arrest_or_prosecution": [
        "你这属于恶意逃债，公安马上就会来找你。",
        "拖着不还就是诈骗，等着坐牢吧。",
        "你这已经涉嫌刑事犯罪了，再不还就移送公安。",
        "明天就有警察上门带你走。",
        "If you don't pay, a warrant will be issued for your arrest.",
        "Not paying is fraud, and you'll end up in jail.",
        "The police will be knocking on your door by Friday.",
        "You could be locked up for this if it isn't settled today.",
    ],
    "impersonation": [
        "我是市公安局的民警，现在通知你还款。",
        "这里是人民法院执行局，请你配合。",
        "我是你借款平台的代理律师王律师。",
        "你好，我们是银保监会的，核查你的逾期情况。",
        "This is Officer Grant with the county police department.",
        "I'm calling from the district attorney's office about your debt.",
        "This is attorney Mark Hill; I represent the court in this matter.",
        "We are the federal debt enforcement agency.",
    ],
    "insult_or_abuse": [
        "你就是个废物，连这点钱都还不上。",
        "你这种人活着就是浪费粮食。",
        "不要脸的东西，欠钱还有理了？",
        "真是个窝囊废，老婆都看不起你吧。",
        "You're a pathetic loser, you know that?",
        "Only an idiot would ignore these letters.",
        "You are worthless scum.",
        "What a lowlife, stealing from honest lenders.",
    ],
    "obscene_or_profane": [
        "你他妈到底还不还？",
        "操，又不接电话。",
        "妈的，跟你说话真费劲。",
        "nmsl，赶紧还钱。",
        "Pay the damn bill, you piece of shit.",
        "What the fuck is wrong with you?",
        "Quit bullshitting me and pay.",
        "Get your ass to the bank today.",
    ],
    "contact_network_threat": [
        "不还钱就把你的欠款发到你家族群里。",
        "我们会给你通讯录里每个人都打电话。",
        "你老板马上就会知道你欠钱不还。",
        "明天你们小区门口就会贴满你的照片。",
        "We'll tell everyone at your office that you don't pay your debts.",
        "Your whole contact list will get a text about this loan tonight.",
        "We'll post your name on Facebook as a deadbeat.",
        "Your parents will be hearing about this from us.",
    ],
    "debt_trap_inducement": [
        "你去别的平台借一笔先还上我们的。",
        "信用卡套个现不就有了？",
        "找你爸妈借点，他们总不会不管你吧。",
        "把车卖了先还钱。",
        "Just take out a payday loan and clear this today.",
        "Borrow it from your family, they'll understand.",
        "Use your credit card to get a cash advance and pay us.",
        "Sell your furniture if that's what it takes.",
    ],
    "unauthorized_charge": [
        "要办理延期，得先交两百块服务费。",
        "我们上门一趟要收三百的外访费。",
        "另外还要加收一笔催收费。",
        "想要结清证明，要交五十块手续费。",
        "There's an additional $75 collection fee for this call.",
        "We'll need a $40 processing fee before we can set up the plan.",
        "You also owe us a $30 service charge for the reminder letters.",
        "Add a $50 convenience fee if you pay by phone.",
    ],
    "harassment_pressure": [
        "今天下午三点前不还清，我们就一直打。",
        "你不接我就一直打，打到你接为止。",
        "必须今天一次性全部还清，没得商量。",
        "你每天都会接到我们几十个电话。",
        "We'll keep calling every hour until you pay in full.",
        "You have until 5pm today to pay the entire balance, no exceptions.",
        "I'll be calling you at work, at home, everywhere, until this is done.",
        "Pay everything right now or we never stop calling.",
    ],
    "discrimination": [
        "你们河南人就是爱欠钱。",
        "女人就是不靠谱，借了钱就不还。",
        "残疾人也好意思借钱？",
        "你们农村来的素质就是低。",
        "People like you from that neighborhood never pay.",
        "Typical immigrant, always looking for a handout.",
        "You're too old to understand this, put your son on.",
        "Your religion doesn't excuse you from paying.",
    ],
}
_PROBES_LAWFUL = {
    "threat_of_violence": [
        "如果有人威胁要伤害您，请立即报警。",
        "我们会安排同事上门拜访，请问您什么时间方便？",
        "Please stay safe and call us when you're able.",
        "If anyone threatens you in our name, report it to us.",
    ],
    "threat_of_arrest_or_prosecution": [
        "欠款属于民事纠纷，不会因此被拘留。",
        "You won't be arrested over a civil debt.",
        "逾期会影响您的征信记录。",
        "Late payments may be reported to the credit bureaus.",
    ],
    "impersonation": [
        "您有权向法院起诉，也可以咨询律师。",
        "You may contact an attorney or file a complaint with the CFPB.",
        "我们是XX资产管理公司，受银行委托联系您。",
        "This is Jane from Apex Recovery, a debt collector.",
    ],
    "insult_or_abuse": [
        "非常抱歉之前同事说话不礼貌，我们已严肃处理。",
        "I'm sorry our agent called you names; that was wrong.",
        "您说我们是骗子，我理解您的情绪。",
        "I understand you're frustrated.",
    ],
    "obscene_or_profane": [
        "请您在APP上操作一下还款。",
        "我们的办公室在Scunthorpe。",
        "您刚才说的脏话我就不重复了。",
        "Our Dickens Street office is open until five.",
        "Please pay it today.",
    ],
    "contact_network_threat": [
        "您是否同意我们联系您提供的紧急联系人？",
        "Do we have your permission to speak with your wife about this account?",
        "逾期信息将依法报送征信系统。",
        "We report to the credit bureaus as the law allows.",
    ],
    "debt_trap_inducement": [
        "我们可以为您办理分期还款。",
        "You can apply for a hardship plan with lower payments.",
        "您可以向免费的债务咨询机构求助。",
        "Free debt advice is available from StepChange.",
    ],
    "unauthorized_charge": [
        "您的欠款包括本金5000元和合同约定的利息200元。",
        "Your balance is $1,200, including the late fee in your agreement.",
        "我们不收取任何额外费用。",
        "There is no fee for paying by phone.",
    ],
    "harassment_pressure": [
        "还款日是本月15日，逾期将产生合同约定的罚息。",
        "Your payment is due on the 15th; after that a late fee applies.",
        "您可以选择分期，不需要一次性还清。",
        "You don't have to pay it all at once.",
        "You owe 1,250 dollars and need to pay it today.",
    ],
    "discrimination": [
        "您习惯用普通话还是粤语沟通？",
        "Would you prefer we communicate in Spanish?",
        "如果您有残疾需要协助，我们可以提供便利。",
        "We offer accessible formats for customers with disabilities.",
    ],
}


# A second round: crimes alleged to disgrace, veiled and bodily threats, entered judgments, and denials.
_PROBES_POSITIVE_2 = {
    "threat_of_arrest_or_prosecution": [
        "Everyone should know you're a thief who steals from lenders.",
        "What you did is a crime, and I'll make sure your neighbours hear it.",
        "你这就是骗贷，是犯罪行为。",
        "你这种行为就是诈骗犯。",
        "We'll have you charged with theft of services.",
        "Jail time is a real possibility if you keep ignoring us.",
        "你会被列入公安系统，出门就会被抓。",
        "逃废债是要判刑的。",
    ],
    "impersonation": [
        "This is the Superior Court clerk calling regarding your unpaid account.",
        "I'm Sergeant Miller, and I need you to resolve this debt today.",
        "This is your lender's legal department; I'm an attorney.",
        "I am calling on behalf of the U.S. Department of Justice.",
        "我是法院的法官，你的案子我在负责。",
        "我们是公安局经侦大队的，你涉嫌一起贷款诈骗。",
        "我是最高法派来的执行人员。",
        "本律师受托正式通知你。",
    ],
    "threat_of_violence": [
        "You'd better watch your back.",
        "Something bad is going to happen to you if you don't pay.",
        "We'll make you regret ever borrowing.",
        "I will find you and you will pay one way or another.",
        "你小心点，出门别让我碰到。",
        "再不还钱，你家的房子就别想要了，一把火的事。",
        "你信不信我找人收拾你？",
        "你的腿还想不想要了？",
    ],
    "false_legal_claim": [
        "A judgment has already been entered against you.",
        "We will garnish your wages starting next week.",
        "Your bank account will be frozen tomorrow.",
        "This letter is an official court summons.",
        "法院已经判决了，你必须马上还钱。",
        "我们已经申请冻结你的银行账户了。",
        "下周就查封你的房子。",
        "这是法院传票，请签收。",
    ],
    "contact_network_threat": [
        "I'll call your boss and let him know what kind of person you are.",
        "Your neighbours will find out, we'll make sure of it.",
        "We'll send a letter to everyone on your street.",
        "How would your church feel about your unpaid debts?",
        "你们单位领导的电话我们已经有了。",
        "我们会在你老家村里挂横幅。",
        "你同学群里大家都会知道你欠钱。",
        "你再不还，你女朋友那边我们就去说了。",
    ],
}
_PROBES_LAWFUL_2 = {
    "threat_of_arrest_or_prosecution": [
        "You will not be arrested or jailed for this debt.",
        "No one is going to call the police over this account.",
        "If someone threatened you with arrest, that was wrong and we'll look into it.",
        "A debt is a civil matter; it is not a crime.",
        "您放心，欠款不会被拘留。",
        "您说要报警，这是您的权利。",
        "逾期不构成犯罪，但会影响征信。",
        "如果有人自称警察向您催收，请拨打110核实。",
    ],
    "threat_of_violence": [
        "We will never threaten you or your family.",
        "Your safety matters; if you feel threatened, call 911.",
        "We'll send you a reminder by email.",
        "We'll knock a hundred dollars off if you pay today.",
        "我们绝不会对您或家人采取任何过激行为。",
        "您的车辆不会被我们处置。",
        "我们会再给您打电话确认。",
        "如果有人上门骚扰您，请立即报警。",
    ],
    "impersonation": [
        "You have the right to consult a lawyer.",
        "You can file a complaint with the Consumer Financial Protection Bureau.",
        "We are not a law firm and no attorney has reviewed your account.",
        "This is Sam with Northway Collections; this is an attempt to collect a debt.",
        "我们不是法院，也不是公安机关。",
        "您可以向当地法院提起诉讼。",
        "我是XX公司的催收专员。",
        "如有疑问，您可以咨询律师。",
    ],
    "false_legal_claim": [
        "No lawsuit has been filed.",
        "We have not taken any legal action.",
        "您的工资不会被扣划。",
        "目前没有起诉的计划。",
    ],
}
# A third round: officials and attorneys claimed, police reports, deadlines in minutes, new loans, named fees.
_PROBES_POSITIVE_3 = {
    "impersonation": [
        "Hi, this is Deputy Collins with the Sheriff's Department.",
        "You are speaking with an agent of the state attorney general.",
        "I'm a court officer and I'm here to resolve your case.",
        "Our legal team, which includes several attorneys, has reviewed your file.",
        "This is Lieutenant Ross, police department, regarding the money you owe.",
        "Message from the County Court: contact us immediately about your balance.",
        "我是派出所的，你的借款问题需要来所里说明。",
        "这里是人民检察院，通知你尽快还款。",
    ],
    "threat_of_arrest_or_prosecution": [
        "Officers can pick you up at work if this stays unpaid.",
        "You're looking at criminal charges for check fraud.",
        "Non-payment is theft, and theft means handcuffs.",
        "We've filed a police report about your unpaid loan.",
        "你再不还，我们就报案抓你。",
        "逾期不还就是犯法，要被拘留的。",
        "警方已经介入，你等着被带走吧。",
        "你会被列为网上逃犯。",
    ],
    "harassment_pressure": [
        "你今天不还，我们明天继续打，后天也打，天天打。",
        "半小时之内把钱转过来。",
        "我一天给你打五十个电话，看你接不接。",
        "你不还我就天天发短信，发到你崩溃。",
        "We'll keep calling until you pick up, no matter how many times.",
        "Pay the full amount by tonight, no partial payments accepted.",
        "Answer the phone or we'll call again in five minutes, and again after that.",
        "You have one hour to send the whole balance.",
    ],
    "debt_trap_inducement": [
        "网上那么多借款APP，随便借一个先还了。",
        "你找朋友凑一凑，今天必须还上。",
        "把你的手机电脑卖了也得还。",
        "申请个新的信用卡，刷出来还我们。",
        "Take out another loan to cover this one.",
        "Your mom can lend you the money, just ask her.",
        "Pawn your wedding ring if you have to.",
        "Why not put it on a credit card and pay us off today?",
    ],
    "unauthorized_charge": [
        "There's a $25 fee for each call we make to you.",
        "We add a $100 recovery surcharge to accounts like yours.",
        "You'll need to pay our agent's travel costs as well.",
        "The settlement comes with a $60 administration charge payable to us.",
        "每次催收电话要收二十块钱通话费。",
        "逾期管理费一天五十，从今天开始算。",
        "要停止催收，需要交一笔停催费。",
        "我们的律师函费用要你来承担，三百块。",
    ],
    "insult_or_abuse": [
        "You're a disgrace to your family.",
        "Grow a spine and pay what you owe, coward.",
        "Only a moron would let it get this far.",
        "You are nothing but a leech.",
        "你就是个社会败类。",
        "你这个骗吃骗喝的无赖。",
        "跟你这种人渣没什么好说的。",
        "你是脑子有病吧？",
    ],
}
_PROBES_LAWFUL_3 = {
    "threat_of_arrest_or_prosecution": [
        "Some callers pretend to be police; we never will.",
        "You mentioned you were arrested last year; that doesn't affect this account.",
        "Failing to pay this debt is not a crime.",
        "We cannot and will not have you arrested.",
        "您提到被派出所叫去过，这和本笔欠款无关。",
        "还不上钱不会坐牢，您别担心。",
    ],
    "insult_or_abuse": [
        "Our agent called you a deadbeat; I apologise, that was unacceptable.",
        "I'm sorry if I sounded rude earlier.",
        "You said we're thieves; I understand you're upset.",
        "That stupid mistake was ours, and we've refunded the fee.",
        "之前的同事骂了您，我们向您道歉。",
        "您骂我们是骗子，我们理解您的心情。",
    ],
    "impersonation": [
        "We're a private collection agency, not a government office.",
        "If you'd like, your attorney can contact us directly.",
        "You can check our licence with the state banking department.",
        "我们不是公检法，是受托催收机构。",
        "您可以向银保监会投诉。",
        "您的律师可以直接联系我们。",
    ],
    "harassment_pressure": [
        "We'll only call during the hours you told us are convenient.",
        "You can pay in instalments; there's no rush today.",
        "We won't call you at work.",
        "您方便的时候再回电就行。",
        "我们不会频繁打扰您。",
        "本月内还款即可，不着急。",
    ],
    "unauthorized_charge": [
        "The late fee listed in your contract is $15.",
        "There is no charge for setting up a payment plan.",
        "我们不收取任何额外的催收费用。",
        "合同约定的逾期罚息是每日万分之五。",
    ],
    "debt_trap_inducement": [
        "Please don't borrow to pay us; let's find a plan you can afford.",
        "We can lower your monthly payment instead.",
        "请不要为了还款去借网贷。",
        "可以申请停息挂账。",
    ],
}
# A fourth round, in Chinese: night calls, no sleep, family threats, disclosure to relatives and colleagues.
_PROBES_POSITIVE_4 = {
    "harassment_pressure": [
        "你不还钱，你全家都不得安宁。",
        "你今天不还清就别想睡觉了。",
        "晚上十二点我们照样给你打。",
        "我会一直打到你还为止，你换号也没用。",
        "你不还，就别想过个安稳年。",
        "马上还，一分钟都不能等。",
        "今天之内全额还清，否则我们天天上门。",
    ],
    "debt_trap_inducement": [
        "你去借个高利贷先把这个填上。",
        "拿你的房子去抵押贷款还我们。",
        "你在别的平台还有额度吧？先取出来还。",
        "让你老婆帮你贷一笔。",
        "把你的工资卡抵押给别人。",
        "你可以去借呗借一下嘛。",
    ],
    "contact_network_threat": [
        "我们会让你全村都知道你是老赖。",
        "你的照片很快就会出现在你公司的群里。",
        "明天我们就给你爸妈单位打电话。",
        "你不还钱，我们就在网上曝光你。",
        "你通讯录里的人今晚都会收到你的欠款信息。",
        "你的朋友圈会看到你的欠债记录。",
    ],
    "discrimination": [
        "你们外地人就是不讲信用。",
        "一个残废还借这么多钱干嘛。",
        "少数民族就是难沟通。",
        "你这个年纪了，还能挣几个钱？",
        "信教的人也赖账？",
        "你一个单亲妈妈，借钱的时候就该想到。",
    ],
    "third_party_disclosure": [
        "你是他同事吧？他在我们这儿欠了三万多。",
        "麻烦转告你儿子，他的信用卡已经逾期三个月了。",
        "我们是催收公司，找你邻居要账的。",
        "你老公借的网贷到现在都没还。",
    ],
    "threat_of_violence": ["小心你的孩子放学路上。", "我们知道你住几楼。", "再躲下去，你会后悔一辈子的。"],
}
_PROBES_LAWFUL_4 = {
    "harassment_pressure": [
        "请您在本月20日前还款，逾期会产生违约金。",
        "如果今天不方便，我们明天再联系您。",
        "我们每天最多联系您一次。",
        "还款可以分三期，您看怎么安排。",
    ],
    "debt_trap_inducement": [
        "我们不建议您借新还旧。",
        "您可以申请延期还款。",
        "如果有困难，可以先还一部分。",
        "您可以咨询正规的债务咨询机构。",
    ],
    "contact_network_threat": [
        "请问您是否同意我们联系您的紧急联系人？",
        "我们不会联系您的同事和家人。",
        "您的逾期记录会依法上报征信。",
        "我们只与您本人沟通欠款事宜。",
    ],
    "discrimination": [
        "请问您需要我们用方言或普通话沟通？",
        "考虑到您的身体状况，我们可以调整还款计划。",
        "对于老年客户，我们提供专门的协助。",
        "您可以选择由家人陪同办理。",
    ],
    "third_party_disclosure": [
        "请问王先生在家吗？我们有事找他。",
        "麻烦您让他回个电话，谢谢。",
        "我们是他的朋友，想联系他。",
        "请问这是李女士的电话吗？",
    ],
    "threat_of_violence": [
        "请您注意安全，有事随时联系我们。",
        "我们不会上门打扰您的家人。",
        "如果有人威胁您，请立即报警。",
        "祝您和家人平安。",
    ],
}
# A fifth round, in English: veiled and armed threats, crimes alleged, agencies named, fees to the collector.
_PROBES_POSITIVE_5 = {
    "threat_of_violence": [
        "People who stiff us tend to get hurt.",
        "I'd hate to see your kids caught up in this.",
        "We've dealt with guys like you before, and they didn't walk right afterwards.",
        "One way or another, we'll collect, even if we have to do it in person with a bat.",
        "You'll be looking over your shoulder for the rest of your life.",
        "Keep ignoring me and see what happens to that pretty face.",
    ],
    "threat_of_arrest_or_prosecution": [
        "A sheriff's deputy will be dispatched to take you into custody.",
        "If this isn't paid, you'll be spending the weekend behind bars.",
        "Defaulting on this is a felony in this state.",
        "We're preparing a criminal referral to the district attorney.",
        "You're committing fraud by not paying, plain and simple.",
        "There's a bench warrant waiting for you.",
    ],
    "impersonation": [
        "This is Agent Parker with the Federal Bureau of Investigation.",
        "I'm with the county clerk's office and we need payment today.",
        "Hello, this is the legal division of the Department of Revenue.",
        "My name is Officer Diaz; I'm calling about an outstanding balance.",
        "This notice is issued by the Court Enforcement Division.",
        "I'm your assigned case attorney at the courthouse.",
    ],
    "insult_or_abuse": [
        "You sorry excuse for a human being.",
        "Stop whining like a little brat and pay.",
        "You're a parasite living off other people's money.",
        "Nobody respects a lying cheat like you.",
        "You absolute clown.",
        "Honestly, you're too dumb to manage money.",
    ],
    "unauthorized_charge": [
        "We're adding a $35 phone payment fee that goes to our agency.",
        "There's a field visit charge of $80 for our rep coming out.",
        "To stop the calls, you'll pay a $20 suppression fee.",
        "We charge $15 for every letter we send you.",
        "Our agency adds 20 percent on top as a recovery fee.",
        "You owe an extra $45 for the skip-tracing we did to find you.",
    ],
}
_PROBES_LAWFUL_5 = {
    "threat_of_violence": [
        "We'll hit you with a reminder next week.",
        "Let's knock out this balance together with a plan.",
        "I'll shoot over the payment options by text.",
        "Take a break, and call us back when you're ready.",
        "Nobody is going to hurt you; we just want to find a plan.",
        "If you ever feel unsafe because of a caller, hang up and report it.",
    ],
    "threat_of_arrest_or_prosecution": [
        "You can't be jailed for owing money to us.",
        "Some scammers threaten arrest; we never do.",
        "The police have no role in collecting this debt.",
        "If you were a victim of identity theft, you can file a police report and send it to us.",
        "We won't report you to any authority other than the credit bureaus.",
        "Is it true you were in jail last month? We can pause collection if so.",
    ],
    "insult_or_abuse": [
        "I'm sorry I called your situation a mess; that was unprofessional.",
        "You're not a bad person for having debt.",
        "Lots of smart people fall behind on bills.",
        "I can hear you're angry; it's fine.",
        "You called me an idiot, and I understand you're frustrated.",
        "That was a dumb policy and we changed it.",
    ],
    "unauthorized_charge": [
        "The only fee is the $10 late fee your contract lists.",
        "There's no charge for paying online.",
        "We never add collection fees to your balance.",
        "Your balance includes interest at the rate in your agreement.",
    ],
}
# 1.10.1: lawful lines on which terms of the 1.10.0 lexicon fired, found by a review after its blind run.
_PROBES_LAWFUL_6 = {
    "insult_or_abuse": ["May I speak with Mr. Hicks, please?"],
    "contact_network_threat": ["Can you confirm your name and the amount you'd like to pay?"],
    "harassment_pressure": [
        "You'll get used to the new payment portal quickly.",
        "Account statements are updated twice daily.",
        "抱歉让您的电话响个不停，我们已经调整了外呼频率。",
    ],
    "threat_of_arrest_or_prosecution": [
        "Your card shows two charges pending on the account.",
        "We can arrange your surrender of the vehicle at our lot.",
        "我们不会包庇任何违规的催收员。",
    ],
    "threat_of_violence": ["If you happen to be a widow, you may speak for your husband's estate."],
    "false_legal_claim": ["You can bring a civil action against a debt collector who breaks the law."],
    "debt_trap_inducement": ["过桥米线店的那笔经营贷，我们按合同的分期来还。"],
}
# 1.11.1: lawful lines on which terms of the 1.11.0 lexicon fired, found by a review after its blind run, and a threat a
# lawful cue of 1.11.0 ("words like") silenced.
_PROBES_LAWFUL_7 = {
    "threat_of_violence": [
        "I can see the petrol on your statement from last week was refunded.",
        "After her back surgery she has to watch her back when lifting, so call her mobile instead.",
        "您可以把银行卡绑到APP上，到期自动还款。",
        "您刚做完手术留了一道疤，先好好养身体，还款的事我们可以缓一缓。",
    ],
    "threat_of_arrest_or_prosecution": [
        "If the direct debit bounces you could face charges from your own bank, so pick a date after payday.",
        "We can offer four weeks of freedom from payments while you recover.",
        "您先去哄孩子吧，孩子在里面哭呢，我晚点再打。",
    ],
    "contact_network_threat": [
        "Your local tenants association can also give you free housing advice.",
        "您说所有亲戚都不肯帮忙，我理解，我们一起看看分期方案。",
    ],
    "debt_trap_inducement": [
        "You can open a new card with us once this account is settled.",
        "孩子结婚要出礼金，这个月紧张我们理解，可以先还一部分。",
        "请问您目前还有亲友借款需要优先偿还吗？",
    ],
    "unauthorized_charge": [
        "We need your signature to process the change of address.",
        "每次收到您的还款后，系统会发短信通知您。",
        "您每次三百也行，我们按月分期。",
    ],
    "harassment_pressure": [
        "Your payment has been processing since lunch; it should post tonight.",
        "If the line drops, I call right back on the same number.",
        "Please stay on the line until the end of this call so I can send your confirmation.",
        "分期不是唯一的选项，您还可以申请减免部分利息。",
    ],
    "discrimination": [
        "We have a text relay service for deaf customers, just reply to this message.",
        "We have Spanish-speaking agents for our Hispanic customers if you prefer.",
        "If your mental health history affects your ability to pay, our specialist team can help.",
    ],
}
_PROBES_POSITIVE_6 = {"threat_of_violence": ["In other words like I said, we will break your legs."]}
for _round in (_PROBES_POSITIVE_2, _PROBES_POSITIVE_3, _PROBES_POSITIVE_4, _PROBES_POSITIVE_5, _PROBES_POSITIVE_6):
    for _cat, _texts in _round.items():
        _PROBES_POSITIVE[_cat] = [*_PROBES_POSITIVE.get(_cat, []), *_texts]
for _round in (
    _PROBES_LAWFUL_2,
    _PROBES_LAWFUL_3,
    _PROBES_LAWFUL_4,
    _PROBES_LAWFUL_5,
    _PROBES_LAWFUL_6,
    _PROBES_LAWFUL_7,
):
    for _cat, _texts in _round.items():
        _PROBES_LAWFUL[_cat] = [*_PROBES_LAWFUL.get(_cat, []), *_texts]


@pytest.mark.parametrize(("category", "text"), [(c, t) for c, ts in _PROBES_POSITIVE.items() for t in ts])
def test_new_phrasings_are_recognised(checker: ScriptChecker, category: str, text: str) -> None:
    assert category in cats(checker, text, listener_is_debtor=category != "third_party_disclosure")


# Lawful probes the model flags (by the model, not by a rule): known regressions, each traded for recall on
# phrasings nobody had shown the checker (spec/corpora/scripts/README.md). "You owe 1,250 dollars and need to pay it
# today." (flagged by the 1.9.0 and 1.11.0 models as harassment_pressure, tentatively: within the cue band): the
# 1.10.0 blind authors labelled same-day demands for the whole balance as harassment ("Whole balance by close of
# business"), SC-11's "pay in full ... within an unreasonably short time", and the model learnt "today" from them;
# a same-day payment reminder is the grey edge of that reading. ("Please pay it today.", flagged as obscene_or_profane
# by the 1.7.1 to 1.10.1 models, and "No one is going to call the police over this account.", flagged by the 1.6.0,
# 1.7.1, 1.10.0 and 1.10.1 models, pass since 1.11.0: model 6 counts no filler words in a negation's scope.)
# Strict: the day one passes again, this list must shrink.
_FLAGGED_BY_MODEL = {
    ("harassment_pressure", "You owe 1,250 dollars and need to pay it today."),
}


@pytest.mark.parametrize(
    ("category", "text"),
    [
        pytest.param(c, t, marks=pytest.mark.xfail(strict=True, reason="flagged by the model (a known regression)"))
        if (c, t) in _FLAGGED_BY_MODEL
        else (c, t)
        for c, ts in _PROBES_LAWFUL.items()
        for t in ts
    ],
)
def test_lawful_look_alikes_pass(checker: ScriptChecker, category: str, text: str) -> None:
    assert category not in cats(checker, text, listener_is_debtor=category != "third_party_disclosure")


def test_a_lawful_cue_outweighs_a_tentative_reading_of_the_model() -> None:
    """On the corpus's hard negatives: wherever the shipped model reads a category only tentatively and a lawful cue
    of it is present, the checker does not report it from the model (which items these are changes with each
    retraining; that there are some is checked too)."""
    from icss.reference.scripts._checker import lawful_cue
    from icss.reference.scripts._corpus import utterances

    checker = default_checker()
    assert checker.classifier is not None
    cases = 0
    for item in utterances("train", "dev"):
        if not item["hard_negative"] or item["speaker_role"] != "collector":
            continue
        v, hits = checker.read(item["text"])
        concepts = checker.engine.concept_names(hits)
        seen = checker.classifier.assess(v, item["language"], concepts)
        for category in seen.tentative:
            if lawful_cue(category, frozenset(concepts)):
                cases += 1
                out = checker.check(
                    item["text"], speaker_role="collector", language=item["language"],
                    context=Context.from_json(item["context"]),
                )  # fmt: skip
                assert f"{item['language']}.model.{category}" not in {x.rule for x in out.violations}
    assert cases >= 1


def test_a_cue_does_not_outweigh_a_sure_reading() -> None:
    """Above the cue band the model weighs the cues itself (1.8.0): a common cue word is no pass."""
    from icss.reference.scripts._classifier import Classifier

    doc = {
        "version": MODEL_VERSION,
        "categories": ["debt_trap_inducement"],
        "bias": [-1.0],
        "thresholds": {"zh": [0.0], "en": [0.0]},
        "rule_veto": {"zh": 2.0, "en": 2.0},
        "cue_band": 0.75,
        "weights": {"w:borrow": [[0, 2.0]], "w:dad": [[0, 0.2]]},
    }
    checker = ScriptChecker(Classifier(doc))
    # "we can" is one of TRAP_LAWFUL's terms: it vetoed the model's finding outright before 1.8.0
    assert "debt_trap_inducement" in cats(checker, "Borrow the money from your dad and we can close the account.")
    weak = ScriptChecker(Classifier({**doc, "weights": {"w:borrow": [[0, 1.2]]}}))  # 0.2 above: tentative
    assert "debt_trap_inducement" not in cats(weak, "Borrow the money from your dad and we can close the account.")
    assert "debt_trap_inducement" in cats(weak, "Borrow the money from your dad.")


def test_pinyin_with_tone_marks_reads_as_pinyin(checker: ScriptChecker) -> None:
    assert views("tā mā de").words.split() == ["ta", "ma", "de"]
    assert "obscene_or_profane" in cats(checker, "tā mā de，你今天必须还。")


def test_the_debtors_own_words_are_never_blamed(checker: ScriptChecker) -> None:
    for texts in _PROBES_POSITIVE.values():
        for text in texts:
            assert cats(checker, text, role="debtor") == set()
            assert cats(checker, text, role="third_party") == set()


# 1.4.0: the lawful and reported-speech cues and the broader terms of _lexicon_1_4, written anew from the
# category definitions (none is a corpus item). The rules alone must decide them.
_LAWFUL_1_4 = [
    ("threat_of_violence", "我们的同事明天上门拜访，当面和您核对账单。"),  # an arranged visit
    ("obscene_or_profane", "This is Dick from the accounts team, returning your call."),  # a first name
    ("threat_of_arrest_or_prosecution", "A payment holiday arrests the interest for three months."),
    ("unauthorized_charge", "No fees have been added to your balance this month."),
    ("unauthorized_charge", "如果您用信用卡转账，发卡行可能收取手续费，不是我们收取的。"),  # the debtor's own bank
    ("debt_trap_inducement", "请勿相信网上那些“以贷养贷”的广告。"),  # a warning
    ("false_legal_claim", "如果您对账单有异议，也可以自行向法院起诉。"),  # the debtor's own right
    ("contact_network_threat", "Court judgments are public records and may appear on the court register."),
    ("harassment_pressure", "Please make the payment by 5 p m tomorrow to keep your plan running."),
]
_POSITIVE_1_4 = [
    ("threat_of_violence", "Pay up or we'll torch your garage."),
    ("threat_of_violence", "你爸妈家的门锁，我们已经灌胶了。"),
    ("threat_of_arrest_or_prosecution", "Settle today or you'll be sitting in a holding cell by Friday."),
    ("impersonation", "HMRC debt unit here: your catalogue balance is overdue."),
    ("insult_or_abuse", "Stop acting like a muppet and pay."),
    ("insult_or_abuse", "你连猪都不如，欠钱还有理了？"),
    ("harassment_pressure", "我们安排了几个人轮流给你打，这个月你都别想清净。"),
    ("discrimination", "Girls like you never pay on time, so no instalments for you."),
]


@pytest.mark.parametrize(("category", "text"), _LAWFUL_1_4)
def test_lawful_and_reported_cues_of_1_4_pass(checker: ScriptChecker, category: str, text: str) -> None:
    assert category not in cats(ScriptChecker(None), text)
    assert category not in cats(checker, text)


@pytest.mark.parametrize(("category", "text"), _POSITIVE_1_4)
def test_broader_terms_of_1_4_are_recognised(category: str, text: str) -> None:
    assert category in cats(ScriptChecker(None), text)


# 1.5.0: the agreement's authorised charges (context.authorised_charges) decide unauthorized_charge. Each
# sentence names a charge; the finding goes only when every charge it names is of an authorised kind.
_CHARGES_1_5 = [
    # (text, authorised kinds, flagged?)
    ("A $30 late fee has been added to your balance this month.", (), True),
    ("A $30 late fee has been added to your balance this month.", ("late_fee",), False),
    ("A $30 late fee has been added to your balance this month.", ("interest",), True),
    ("本月需要加收滞纳金八十元。", ("late_fee",), False),
    ("本月需要加收滞纳金八十元。", ("interest",), True),
    ("Paying by card over the phone adds a $4 convenience fee.", ("convenience_fee",), False),
    ("On top of the late fee, we add a $20 handling surcharge.", ("late_fee",), True),  # beyond the authorised
    ("We add a $20 handling fee to every account.", ("late_fee",), True),  # a fee of no authorised kind
    ("We add a $20 handling fee to every account.", ("late_fee", "other"), False),
]


@pytest.mark.parametrize(("text", "authorised", "flagged"), _CHARGES_1_5)
def test_authorised_charges_decide_unauthorized_charge(
    checker: ScriptChecker, text: str, authorised: tuple[str, ...], flagged: bool
) -> None:
    ctx = Context(authorised_charges=frozenset(authorised))
    found = {v.category for v in checker.check(text, context=ctx).violations}
    assert ("unauthorized_charge" in found) is flagged
    found = {v.category for v in ScriptChecker(None).check(text, context=ctx).violations}
    assert ("unauthorized_charge" in found) is flagged


# 1.5.0: the lawful and reported-speech cues and the broader terms of _lexicon_1_5, written anew from the
# category definitions (none is a corpus item). The rules alone must decide them.
_LAWFUL_1_5 = [
    ("impersonation", "I'm calling from our Marshall Street branch about your account."),  # a street name
    ("insult_or_abuse", "The agent's remark that you were lazy broke our policy; he is off your account."),
    (
        "threat_of_arrest_or_prosecution",
        "Some people worry they'll be arrested over a card balance. That doesn't happen.",
    ),
    ("obscene_or_profane", "质检记录：客户骂了“草泥马”，坐席全程保持礼貌。"),  # a quality log
    ("unauthorized_charge", "That processing fee shouldn't be there, and I've removed it."),
    ("false_legal_claim", "这是我们公司的催告函，不是法院文书，没有强制执行的效力。"),
    ("debt_trap_inducement", "We would never ask you to borrow from anyone to pay this."),
]
_POSITIVE_1_5 = [
    ("threat_of_violence", "I'll put you in the ground if this isn't paid."),
    ("threat_of_violence", "再不还钱，就按江湖规矩办。"),
    ("threat_of_arrest_or_prosecution", "明天就有穿制服的人去你家敲门。"),
    ("false_legal_claim", "Ignore this letter and you've lost your right to dispute the balance."),
    ("contact_network_threat", "Tonight we message everyone in your contacts about this."),
    ("debt_trap_inducement", "Grab one of those payday apps and send us the cash."),
    ("harassment_pressure", "Reminders will go out every fifteen minutes from now on."),
    ("discrimination", "Young people today never pay what they owe."),
    ("harassment_pressure", "We'll flood your inbox until this is paid."),
    ("insult_or_abuse", "你这种人就是社会渣滓。"),
]


@pytest.mark.parametrize(("category", "text"), _LAWFUL_1_5)
def test_lawful_and_reported_cues_of_1_5_pass(checker: ScriptChecker, category: str, text: str) -> None:
    assert category not in cats(ScriptChecker(None), text)
    assert category not in cats(checker, text)


@pytest.mark.parametrize(("category", "text"), _POSITIVE_1_5)
def test_broader_terms_of_1_5_are_recognised(category: str, text: str) -> None:
    assert category in cats(ScriptChecker(None), text)


def _tiny_model(weights: dict[str, list[list[float]]], rule_veto: float) -> dict[str, object]:
    n = len(UTTERANCE_CATEGORIES)
    return {
        "version": MODEL_VERSION,
        "cue_band": 0.0,
        "trained_on": "train+dev",
        "categories": list(UTTERANCE_CATEGORIES),
        "bias": [0.0] * n,
        "thresholds": {"zh": [1.0] * n, "en": [1.0] * n},
        "rule_veto": {"zh": rule_veto, "en": rule_veto},
        "weights": weights,
    }


def test_the_model_overrules_a_rule_it_reads_as_innocent() -> None:
    """1.6.0: a rule's term in a shop's name; the model's score far below its threshold drops the finding."""
    from icss.reference.scripts._classifier import Classifier

    text = "Your balance with Lazy Dog Pet Supply is $164."
    insult = UTTERANCE_CATEGORIES.index("insult_or_abuse")
    rules_only = cats(ScriptChecker(None), text)
    assert "insult_or_abuse" in rules_only  # the rules read "lazy dog" as an insult
    sure = ScriptChecker(Classifier(_tiny_model({"w:supply": [[insult, -5.0]]}, rule_veto=3.0)))
    assert cats(sure, text) == rules_only - {"insult_or_abuse"}  # 1 - 3 = -2 > -5: overruled
    unsure = ScriptChecker(Classifier(_tiny_model({"w:supply": [[insult, -1.5]]}, rule_veto=3.0)))
    assert cats(unsure, text) == rules_only  # -1.5 is below the threshold but not by the margin: kept
    busy = ScriptChecker(
        Classifier(_tiny_model({"w:supply": [[insult, -5.0]], "w:balance": [[insult - 1, 5.0]]}, rule_veto=3.0))
    )
    assert "insult_or_abuse" in cats(busy, text)  # a model that reads another violation here overrules nothing


@pytest.mark.parametrize(
    ("words", "read"),
    [
        (" you will be arrested ", " you will be arrested "),
        (
            " you will not be arrested or jailed for this debt ever ",
            " you will not ~be ~arrested ~or ~jailed ~for ~this ~debt ever ",  # "be" uses up no scope (model 6)
        ),
        (" no one is going to call the police over it ", " no ~one ~is ~going ~to ~call ~the ~police ~over ~it "),
        (" we wont call never again ", " we wont ~call never ~again "),
        (" nobody 会 hurt you ", " nobody 会 ~hurt ~you "),
        (" no ", " no "),
    ],
)
def test_the_model_reads_negated_words_as_words_of_their_own(words: str, read: str) -> None:
    from icss.reference.scripts._classifier import NEGATION_SCOPE, model_words

    assert NEGATION_SCOPE == 6
    assert model_words(words) == read


# 1.8.0: a phrase mentioned in quotation marks within a training, review or reported-speech frame is not said.
# Each of these is flagged when the quoted stretches are read as said (seen failing with the masking off).
_MENTIONED = [
    ("threat_of_violence", 'Coaching: the agent told the customer "we know where you live"; that is banned.'),
    ("obscene_or_profane", 'QA review: the agent said "this is bullshit" on the call; coaching is booked.'),
    ("debt_trap_inducement", "培训：禁止对客户说“去网贷平台借钱还”这类话。"),
    ("insult_or_abuse", "培训：严禁称呼客户“老赖”“废物”。"),
]
_SAID = [  # the same phrases outside a frame, or said beside the quotation: still violations
    ("threat_of_violence", "We know where you live."),
    ("threat_of_violence", "You said \"I'll pay on Friday\". If you don't, we know where you live."),
    ("insult_or_abuse", "你这个老赖，赶紧还钱。"),
]


@pytest.mark.parametrize(("category", "text"), _MENTIONED)
def test_a_mentioned_phrase_is_not_said(checker: ScriptChecker, category: str, text: str) -> None:
    assert category not in cats(checker, text)


@pytest.mark.parametrize(("category", "text"), _SAID)
def test_a_phrase_said_is_still_found(checker: ScriptChecker, category: str, text: str) -> None:
    assert category in cats(checker, text)


def test_only_a_mention_frame_sets_quotes_aside(checker: ScriptChecker) -> None:
    framed = 'Training: never say "pay or else".'
    v, _hits = checker.read(framed)
    assert "pay or else" not in v.text
    assert v.text.startswith("Training: never say")
    assert len(v.text) == len(framed)  # offsets still point into the text
    plain = 'He said "pay or else".'
    assert checker.read(plain)[0].text == plain  # quotation marks alone are not a frame


def test_quoted_spans_pair_their_marks() -> None:
    from icss.reference.scripts._checker import quoted_spans

    text = 'He said "pay" and “now”, 「快还」 and an unclosed "quote'
    assert [text[a:b] for a, b in quoted_spans(text)] == ["pay", "now", "快还"]


# --- who the listener is (context.listener, the profiles' script_permitted_listeners) ---------------------------

_TO_SPOUSE = {
    "en": "Your husband still owes 1,240 dollars on his credit card and it is sixty days past due.",
    "zh": "您丈夫在我们这里的信用卡还欠一万二，已经逾期两个月了。",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_spouse_is_the_consumer_under_regulation_f_but_a_third_party_in_china(
    checker: ScriptChecker, lang: str
) -> None:
    text = _TO_SPOUSE[lang]
    assert "third_party_disclosure" not in cats(
        checker, text, profile="us", listener_is_debtor=False, listener="spouse"
    )
    assert "third_party_disclosure" in cats(checker, text, profile="cn", listener_is_debtor=False, listener="spouse")
    # without ``listener`` a listener who is not the debtor is a third party, on every profile
    assert "third_party_disclosure" in cats(checker, text, profile="us", listener_is_debtor=False)


@pytest.mark.parametrize(
    ("profile", "listener", "discloses"),
    [
        ("uk", "attorney", False),  # CONC 7.9.10R: one who acts for the borrower
        ("uk", "spouse", True),
        ("cn", "co_obligor", False),  # the guarantor may be asked to pay
        ("eu", "co_obligor", True),  # no EU text names one: the association default names only the attorney
        ("us-ma", "guardian", False),  # a state profile inherits the federal list
        ("us", "third_party", True),
    ],
)
def test_the_profile_decides_which_listeners_may_hear_of_the_debt(
    checker: ScriptChecker, profile: str, listener: str, discloses: bool
) -> None:
    found = cats(checker, _TO_SPOUSE["en"], profile=profile, listener_is_debtor=False, listener=listener)
    assert ("third_party_disclosure" in found) is discloses


def test_permitted_listeners_come_from_the_profiles() -> None:
    catalogue = load_catalogue()
    for profile in catalogue.profiles.values():
        assert permitted_listeners(profile.id) == set(profile.value("script_permitted_listeners"))
        assert "debtor" not in permitted_listeners(profile.id)
    assert permitted_listeners("xx") == frozenset()
    assert {"debtor", "third_party", "spouse", "attorney"} <= set(LISTENERS)


def test_listener_implies_listener_is_debtor_and_a_contradiction_is_refused() -> None:
    assert Context.from_json({"listener": "spouse"}).listener_is_debtor is False
    assert Context.from_json({"listener": "debtor"}).listener_is_debtor is True
    assert Context.from_json({"listener": "attorney", "listener_is_debtor": False}).listener == "attorney"
    with pytest.raises(ContextError, match="contradicts"):
        Context.from_json({"listener": "debtor", "listener_is_debtor": False})
    with pytest.raises(ContextError, match="contradicts"):
        Context.from_json({"listener": "spouse", "listener_is_debtor": True})
    with pytest.raises(ContextError, match="not one of"):
        Context.from_json({"listener": "neighbour"})
    with pytest.raises(ContextError, match="'us-ny' is not one of spec/profiles"):
        Context.from_json({"profile": "us-ny", "listener": "spouse"})


def test_a_threat_to_expose_is_a_threat_whoever_hears_it(checker: ScriptChecker) -> None:
    """SC-08 (since 1.11.0): said to a listener who is not the debtor, the threat is also a disclosure (SC-07)."""
    text = "If he does not pay his loan by Friday we will call his boss and tell everyone at his work."
    to_spouse_us = cats(checker, text, profile="us", listener_is_debtor=False, listener="spouse")
    assert "contact_network_threat" in to_spouse_us
    assert "third_party_disclosure" not in to_spouse_us
    to_spouse_cn = cats(checker, text, profile="cn", listener_is_debtor=False, listener="spouse")
    assert {"contact_network_threat", "third_party_disclosure"} <= to_spouse_cn
