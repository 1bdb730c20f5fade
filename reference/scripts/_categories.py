"""The closed vocabulary of script-check categories (common.schema.json ``script_category``).

Each category maps to the SC indicator it breaches (spec/indicators/sc.yaml) and a default severity.
SC-01..SC-09 and SC-11 ask for *blocking* verdicts, so those categories default to blocking;
an unauthorised charge (SC-10) and a missing disclosure (SC-12) are breaches to review (major).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    """One category of the closed vocabulary."""

    id: str
    indicator: str
    default_severity: str
    title_zh: str
    title_en: str


_TABLE = (
    Category("threat_of_violence", "SC-01", "blocking", "暴力或伤害威胁", "Threat of violence or harm"),
    Category(
        "threat_of_arrest_or_prosecution",
        "SC-02",
        "blocking",
        "以拘捕或刑事追究相威胁",
        "Threat of arrest or prosecution",
    ),
    Category("false_legal_claim", "SC-03", "blocking", "虚假法律主张", "False legal claim"),
    Category(
        "impersonation",
        "SC-04",
        "blocking",
        "冒充公检法、政府机关或律师",
        "Impersonation of police, courts, government or lawyers",
    ),
    Category("insult_or_abuse", "SC-05", "blocking", "侮辱或辱骂", "Insult or abuse"),
    Category("obscene_or_profane", "SC-06", "blocking", "淫秽或粗俗语言", "Obscene or profane language"),
    Category(
        "third_party_disclosure", "SC-07", "blocking", "向第三人透露债务", "Disclosure of the debt to a third party"
    ),
    Category(
        "contact_network_threat",
        "SC-08",
        "blocking",
        "以向亲友、单位、通讯录或社会公开相威胁",
        "Threat to expose to family, employer, contacts or the public",
    ),
    Category("debt_trap_inducement", "SC-09", "blocking", "诱导借新还旧", "Urging new borrowing to repay"),
    Category("unauthorized_charge", "SC-10", "major", "索要未经授权的费用", "Demand for unauthorised fees or amounts"),
    Category("harassment_pressure", "SC-11", "blocking", "骚扰施压或羞辱", "Harassment, undue pressure or humiliation"),
    Category("discrimination", "SC-11", "blocking", "歧视性言论", "Discriminatory remarks"),
    Category("missing_required_disclosure", "SC-12", "major", "缺少必要告知", "Missing required disclosure"),
)

#: category id -> Category, in the order of common.schema.json.
CATEGORIES: dict[str, Category] = {c.id: c for c in _TABLE}
#: Categories an utterance can breach on its own (all but the conversation-level one).
UTTERANCE_CATEGORIES: tuple[str, ...] = tuple(c.id for c in _TABLE if c.id != "missing_required_disclosure")


def severity_of(category: str) -> str:
    """The default severity of ``category``."""
    return CATEGORIES[category].default_severity


def indicator_of(category: str) -> str:
    """The SC indicator ``category`` breaches."""
    return CATEGORIES[category].indicator
