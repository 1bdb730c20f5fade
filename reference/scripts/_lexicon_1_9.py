"""Lexicon additions of ruleset 1.9.0, read off the retired 1.8.0 blind items' false alarms as classes.

* the Chinese names of the charge kinds an agreement can authorise (逾期管理费 for a late charge, 扣款失败手续费
  for a returned payment, 便捷服务费 for a convenience fee), so that ``authorised_charges`` covers them;
* fees stated as waived, absent or someone else's (免手续费, 唔收, 由委托方承担, "no fees", "taken it off");
* accurate statements that no lawsuit exists or that only a court could act ("hasn't sued", "only a court can").

On the whole corpus they drop 30 rule false alarms and one true finding. ``_lexicon.concepts`` merges
:data:`CONCEPTS` into its own (extending concepts of earlier rulesets).
"""

from __future__ import annotations

CONCEPTS: dict[str, tuple[str, ...]] = {
    "CHARGE_LATE": ("逾期管理费", "逾期手续费", "逾期服务费"),
    "CHARGE_RETURNED": (
        "扣款失败手续费",
        "退款失败手续费",
        "退票手续费",
        "划扣失败手续费",
        "还款失败手续费",
        "退票的手续费",
    ),
    "CHARGE_CONVENIENCE": ("便捷服务费", "快捷支付服务费", "通道服务费", "支付通道费"),
    "FEE_LAWFUL": (
        "免手续费",
        "免收",
        "唔收",
        "冇收",
        "不包含任何",
        "不存在任何",
        "没有这个收费",
        "没有任何手续费",
        "由委托方承担",
        "由委托银行支付",
        "与我司无关",
        "跟您没有关系",
        "no fees",
        "no fee",
        "taken it off",
        "been removed",
        "we ve removed",
    ),
    "FLC_LAWFUL": (
        "hasn t sued",
        "hasnt sued",
        "has not sued",
        "no plans to sue",
        "nobody is suing",
        "no one is suing",
        "hasn t gone to court",
        "hasnt gone to court",
        "isn t on the table",
        "isnt on the table",
        "nothing in court",
        "won t be taking legal action",
        "wont be taking legal action",
        "only a court can",
        "only a court could",
        "we don t garnish",
        "we dont garnish",
        "没有起诉",
        "冇入禀",
        "法律也不允许",
    ),
}
