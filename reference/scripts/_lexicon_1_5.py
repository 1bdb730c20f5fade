"""Lexicon additions of ruleset 1.5.0, written from the category definitions of spec/indicators/sc.yaml.

Three kinds, each a class of phrasing rather than a single sentence:

* **charge kinds** (``CHARGE_<KIND>``): the names of the charges an agreement can authorise, one concept
  per value of the request's ``context.authorised_charges`` (late fee, interest, collection fee,
  returned-payment fee, convenience fee, legal costs). A demand for a fee is unlawful only when the
  agreement does not authorise it: the checker drops an ``unauthorized_charge`` finding when every charge
  the utterance names is of an authorised kind (:data:`CHARGE_KINDS`, ``_checker._charges_authorised``).
  ``CHARGE_WORD`` holds the bare fee nouns; one outside every authorised kind's name is a charge the
  agreement may not cover (a "$25 collection surcharge" beside an authorised late fee), unless the
  agreement authorises ``other`` charges too; ``CHARGE_EXTRA`` ("on top of", 另收一笔, 重新计算) marks a
  charge beyond or recomputed from the authorised ones, which the authorisation does not cover.
* **lawful and reported-speech cues** the 1.4.0 false alarms showed missing: a colleague's or the
  debtor's words repeated to apologise, to log or to act on them (质检备注, "the agent's remark"), an
  authority word inside a street or building name ("Marshall Street", 曹操花园), a licence named as one.
* **broader concept terms** for the categories whose new phrasings the 1.4.0 checker missed most.

``_lexicon.concepts`` merges :data:`CONCEPTS` into its own; :data:`RULES` are appended to its rules.
"""

from __future__ import annotations

from ._engine import Rule

#: The concept naming each kind of charge of ``context.authorised_charges`` (``other`` has none: it is
#: whatever the utterance names outside these).
CHARGE_KINDS: dict[str, str] = {
    "late_fee": "CHARGE_LATE",
    "interest": "CHARGE_INTEREST",
    "collection_fee": "CHARGE_COLLECTION",
    "returned_payment_fee": "CHARGE_RETURNED",
    "convenience_fee": "CHARGE_CONVENIENCE",
    "legal_cost": "CHARGE_LEGAL",
}

CONCEPTS: dict[str, tuple[str, ...]] = {
    # --- charge kinds (see the module docstring) ------------------------------------------------------
    "CHARGE_LATE": (
        "late fee",
        "late fees",
        "late charge",
        "late charges",
        "late payment fee",
        "late payment fees",
        "late payment charge",
        "滞纳金",
        "违约金",
        "逾期违约金",
        "逾期费",
        "罚息",
        "逾期罚息",
    ),
    "CHARGE_INTEREST": (
        "interest",
        "apr",
        "interest charge",
        "interest charges",
        "finance charge",
        "finance charges",
        "利息",
        "正常利息",
        "年化",
    ),
    "CHARGE_COLLECTION": (
        "collection fee",
        "collection fees",
        "collection cost",
        "collection costs",
        "collection charge",
        "collection charges",
        "催收费",
        "催收费用",
        "催收服务费",
        "催收服務費",
    ),
    "CHARGE_RETURNED": (
        "returned payment fee",
        "returned-payment fee",
        "returned check fee",
        "returned cheque fee",
        "bounced check fee",
        "bounced cheque fee",
        "nsf fee",
        "dishonoured payment fee",
        "扣款失败费",
        "退票费",
        "退款失败费",
    ),
    "CHARGE_CONVENIENCE": (
        "convenience fee",
        "convenience fees",
        "card payment fee",
        "payment processing fee",
        "手续费",
        "便捷支付服务费",
        "支付服务费",
        "通道费",
    ),
    "CHARGE_LEGAL": (
        "legal costs",
        "legal cost",
        "court costs",
        "court cost",
        "costs in the judgment",
        "costs in the judgement",
        "attorney fees",
        "attorney s fees",
        "attorneys fees",
        "诉讼费",
        "诉讼费用",
        "律师费",
        "执行费",
    ),
    # A charge beyond the authorised ones, or an authorised one recomputed: the authorisation does not cover it.
    "CHARGE_EXTRA": (
        "on top of the",
        "on top of that",
        "plus a new",
        "a new charge",
        "another fee",
        "an extra fee",
        "re-calculated",
        "recalculated",
        "再另外",
        "再加收",
        "另收一笔",
        "另外加收一笔",
        "之外",
        "重新算",
        "重新计算",
        "统一按",
    ),
    # --- reported speech and lawful cues ---------------------------------------------------------------
    # A colleague's or the debtor's words repeated to apologise, log or act on them.
    "REPORTED": (
        "remark that",
        "broke our policy",
        "against our policy",
        "no longer handles",
        "reviewed the recording",
        "told you he was",
        "told you she was",
        "told you they were",
        "he wasn t",
        "she wasn t",
        "been dismissed",
        "to the regulator",
        "you called the",
        "you called it",
        "i hear you",
        "质检",
        "客户骂",
        "骂了",
        "回骂",
        "称您为",
        "称呼您为",
        "不当的用语",
        "不当用语",
        "不文明用语",
    ),
    # Innocent words: an authority word inside a street, building or historical name, tuition.
    "SAFE": (
        "marshall street",
        "marshal street",
        "government street",
        "court street",
        "court road",
        "courthouse building",
        "old courthouse",
        "police street",
        "state street",
        "federal street",
        "kill two birds",
        "fool s gold",
        "曹操",
        "学费",
    ),
    "IMP_LAWFUL": ("licensed as", "licensed by", "license number", "licence number", "licensed collection"),
    "ARREST_LAWFUL": (
        "that doesn t happen",
        "doesn t happen",
        "won t happen",
        "people worry",
        "can t arrest",
        "cannot arrest",
        "not a crime",
        "isn t a crime",
        "no criminal record",
    ),
    "VIOLENCE_LAWFUL": ("not trying to", "beat yourself up"),
    "FLC_LAWFUL": (
        "without a court judgment",
        "without a court judgement",
        "without a judgment",
        "no lawsuit has been filed",
        "don t take legal action",
        "do not take legal action",
        "we don t sue",
        "不是法院",
        "没有强制执行",
        "不具有强制",
    ),
    # On a time-barred debt: the collector says it will not sue.
    "TB_LAWFUL": (
        "don t take legal action",
        "do not take legal action",
        "won t take legal action",
        "will not take legal action",
        "don t sue",
        "do not sue",
        "不会起诉",
        "不会对您起诉",
    ),
    "TPD_LAWFUL": ("不能透露", "无法透露", "不便透露", "不方便透露", "请本人", "让本人"),
    "TRAP_LAWFUL": ("never ask you to borrow", "would never ask", "d never ask", "entirely up to them"),
    "FEE_LAWFUL": (
        "shouldn t be there",
        "i ve removed it",
        "we ve removed it",
        "removed it",
        "no such fee",
        "是诈骗",
        "那是诈骗",
        "不要相信",
        "请不要转账",
        "退回",
        "退还",
        "申请取消",
        "跟我们无关",
        "与我们无关",
        "不归我们",
        "从来没有",
        "发卡行",
    ),
    # Bare fee nouns: a charge that is not named by an authorised kind.
    "CHARGE_WORD": (
        "fee",
        "fees",
        "charge",
        "charges",
        "surcharge",
        "commission",
        "costs",
        "费",
        "佣金",
        "保证金",
        "罚金",
        "诚意金",
        "红包",
    ),
}

RULES: tuple[Rule, ...] = ()
