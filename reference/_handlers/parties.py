"""Debtors, contact points, debts, validation information and charges."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .. import _erasure, _evidence
from .._auth import Principal
from .._crypto import mask_contact, mask_digits, mask_name
from .._problems import Problem
from .._routing import Call, Reply, handles, tenant_scoped
from .._tables import ContactPoint, Debt, Debtor, Event
from ._common import check_language, iso, iso_date, new_id, page, profile_of, receipt_url, strip_none
from .sandbox import new_client

if TYPE_CHECKING:
    from icss.reference.conduct import Rules

#: Roles that see personal data in clear in getDebtor (DS-05: collectors and auditors see it masked).
CLEAR_VIEW_ROLES = frozenset({"supervisor", "admin", "debtor"})

_FLAG_EVENTS = {
    "cease_request": "cease_communication",
    "attorney_representation": "attorney_represented",
    "bankruptcy": "bankruptcy",
    "vulnerability": "vulnerable",
    "hardship": "hardship",
}


def _pii(call: Call, debtor: Debtor) -> dict[str, Any]:
    value: dict[str, Any] = call.ctx.cipher.open(debtor.pii_sealed, tenant=debtor.tenant_id, field="debtor.pii")
    return value


def _contact_value(call: Call, point: ContactPoint) -> Any:
    return call.ctx.cipher.open(point.value_sealed, tenant=point.tenant_id, field="contact_point.value")


def contact_point_view(call: Call, point: ContactPoint, *, clear: bool) -> dict[str, Any]:
    stored = _contact_value(call, point) if clear else None
    doc: dict[str, Any] = {
        "id": point.id,
        "kind": point.kind,
        "owner": point.owner,
        "relationship": point.relationship or ("self" if point.owner == "debtor" else "other"),
        "is_workplace": point.is_workplace,
        "timezone": point.timezone,
    }
    extra = point.data if isinstance(point.data, dict) else {}
    doc.update({k: v for k, v in extra.items() if k in ("phone_type", "sms_capable", "label")})
    if point.kind == "address":
        masked = {"lines": [point.value_masked], "country": extra.get("country", "ZZ")}
        doc["address"] = stored["address"] if clear and stored else masked
    else:
        doc["value"] = stored["value"] if clear and stored else point.value_masked
    if clear and stored and stored.get("owner_name"):
        doc["owner_name"] = stored["owner_name"]
    return doc


def debtor_flags(call: Call, debtor_id: str) -> list[str]:
    types = call.session.execute(
        select(Event.type).where(Event.tenant_id == call.tenant_id, Event.debtor_id == debtor_id)
    ).scalars()
    flags = {_FLAG_EVENTS[t] for t in types if t in _FLAG_EVENTS}
    return sorted(flags)


def debtor_view(call: Call, debtor: Debtor, *, clear: bool) -> dict[str, Any]:
    points = call.session.execute(
        select(ContactPoint).where(ContactPoint.debtor_id == debtor.id).order_by(ContactPoint.id)
    ).scalars()
    doc: dict[str, Any] = {
        "id": debtor.id,
        "language": debtor.language,
        "profile": debtor.profile,
        "timezones": debtor.timezones,
        "contact_points": [contact_point_view(call, p, clear=clear) for p in points],
        "created_at": iso(debtor.created_at),
        "pii_masked": not clear,
        "flags": debtor_flags(call, debtor.id),
    }
    if clear:
        pii = _pii(call, debtor)
        doc.update(strip_none({k: pii.get(k) for k in ("name", "national_id", "date_of_birth", "external_ref")}))
    else:
        doc.update(debtor.masked)
    return doc


def check_debtor_scope(call: Call, debtor_id: str) -> None:
    """A debtor token reaches only its own debtor: any other id is answered 404, as if unknown."""
    if not call.who.may_see_debtor(debtor_id) and not call.ctx.fault("ds_debtor_scope_ignored"):
        raise Problem("not-found")


def load_debtor(call: Call, debtor_id: str) -> Debtor:
    """The tenant's debtor ``debtor_id``; a debtor token reaches only itself (404 otherwise)."""
    check_debtor_scope(call, debtor_id)
    debtor: Debtor = tenant_scoped(call.session, Debtor, call.tenant_id, debtor_id)
    return debtor


def _seal(call: Call, value: Any, field: str) -> str:
    return call.ctx.cipher.seal(value, tenant=call.tenant_id, field=field)


def _check_contact_points(call: Call, points: list[dict[str, Any]]) -> None:
    """Client-given ids are unique within the tenant (time zones were checked with the body)."""
    given = [raw["id"] for raw in points if raw.get("id")]
    if len(given) != len(set(given)):
        raise Problem(
            "validation-failed",
            "contact point ids repeat within the request",
            errors=[{"pointer": "/contact_points", "message": "ids must be unique"}],
        )
    if (
        given
        and call.session.execute(
            select(ContactPoint.id).where(ContactPoint.tenant_id == call.tenant_id, ContactPoint.id.in_(given))
        ).first()
    ):
        raise Problem("conflict", "a contact point with one of these ids already exists in this tenant")


def _add_contact_points(call: Call, debtor_id: str, points: list[dict[str, Any]]) -> None:
    _check_contact_points(call, points)
    for raw in points:
        if raw["kind"] == "address":
            display = raw["address"]["lines"][0]
            stored = {"address": raw["address"]}
        else:
            display = raw["value"]
            stored = {"value": raw["value"]}
        if raw.get("owner_name"):
            stored["owner_name"] = raw["owner_name"]
        call.session.add(
            ContactPoint(
                id=raw.get("id") or new_id("cp"),
                tenant_id=call.tenant_id,
                debtor_id=debtor_id,
                kind=raw["kind"],
                owner=raw["owner"],
                relationship=raw.get("relationship"),
                timezone=raw.get("timezone"),
                is_workplace=bool(raw.get("is_workplace")),
                value_sealed=_seal(call, stored, "contact_point.value"),
                value_masked=mask_contact(raw["kind"], display)[:200],  # the column's width
                data={k: raw[k] for k in ("phone_type", "sms_capable", "label") if k in raw}
                | ({"country": raw["address"]["country"]} if raw["kind"] == "address" else {}),
            )
        )


def _masked_identity(body: dict[str, Any]) -> dict[str, Any]:
    masked: dict[str, Any] = {"name": mask_name(body["name"])}
    if body.get("national_id"):
        masked["national_id"] = mask_digits(body["national_id"])
    if body.get("external_ref"):
        masked["external_ref"] = body["external_ref"]
    return masked


def _check_locale(body: dict[str, Any]) -> None:
    if "language" in body:
        check_language(body["language"], "/language")


@handles("createDebtor")
def create_debtor(call: Call) -> Reply:
    body = call.body
    profile_of(call, body["profile"])
    _check_locale(body)
    now = call.now()
    debtor = Debtor(
        id=new_id("dbr"),
        tenant_id=call.tenant_id,
        pii_sealed=_seal(
            call,
            {k: body.get(k) for k in ("name", "national_id", "date_of_birth", "external_ref")},
            "debtor.pii",
        ),
        masked=_masked_identity(body),
        timezones=body["timezones"],
        language=body.get("language") or "zh",
        profile=body["profile"],
        preferences={},
        created_at=now,
        external_ref=body.get("external_ref"),
    )
    call.session.add(debtor)
    call.session.flush()
    _add_contact_points(call, debtor.id, body["contact_points"])
    call.session.flush()
    doc = debtor_view(call, debtor, clear=call.who.role in CLEAR_VIEW_ROLES)
    if call.tenant.sandbox:
        doc["debtor_credentials"] = new_client(call, call.tenant_id, "debtor", debtor.id)
    return Reply(201, doc, headers={"Location": f"/icss/v1/debtors/{debtor.id}"}, resource_id=debtor.id)


@handles("getDebtor")
def get_debtor(call: Call) -> Reply:
    _erasure.sweep_due(call)  # DS-08: nothing is shown past its retain_until
    debtor = load_debtor(call, call.params["debtorId"])
    return Reply(200, debtor_view(call, debtor, clear=call.who.role in CLEAR_VIEW_ROLES))


@handles("listDebtors")
def list_debtors(call: Call) -> Reply:
    stmt = select(Debtor).where(Debtor.tenant_id == call.tenant_id)
    if (ref := call.query.get("external_ref")) is not None:
        stmt = stmt.where(Debtor.external_ref == ref)
    # DS-05: lists never carry personal data in clear, whatever the role.
    clear = call.ctx.fault("ds_list_unmasked")
    return Reply(200, page(call, stmt, Debtor.id, lambda d: debtor_view(call, d, clear=clear)))


@handles("updateDebtor")
def update_debtor(call: Call) -> Reply:
    debtor = load_debtor(call, call.params["debtorId"])
    body = call.body
    _check_locale(body)
    pii = _pii(call, debtor)
    for key in ("name", "national_id", "date_of_birth", "external_ref"):
        if key in body:
            pii[key] = body[key]
    debtor.pii_sealed = _seal(call, pii, "debtor.pii")
    debtor.masked = _masked_identity({**pii, "name": pii["name"]})
    debtor.external_ref = pii.get("external_ref")
    if "profile" in body:
        profile_of(call, body["profile"])
        debtor.profile = body["profile"]
    for key in ("language", "timezones"):
        if key in body:
            setattr(debtor, key, body[key])
    if "contact_points" in body:
        _add_contact_points(call, debtor.id, body["contact_points"])
    call.session.flush()
    return Reply(200, debtor_view(call, debtor, clear=True))


# -- debts ---------------------------------------------------------------------------------------


def _dec(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise Problem("validation-failed", "amounts are decimal strings") from None


def _check_itemization(item: dict[str, Any]) -> None:
    """Reg F 1006.34(c)(2)(viii): the current amount reconciles with the itemization."""
    expected = (
        _dec(item["amount_on_itemization_date"])
        + _dec(item["interest"])
        + _dec(item["fees"])
        - _dec(item["payments"])
        - _dec(item["credits"])
    )
    if expected != _dec(item["current_amount"]):
        raise Problem(
            "validation-failed",
            "current_amount must equal amount_on_itemization_date + interest + fees - payments - credits",
            errors=[{"pointer": "/itemization/current_amount", "message": f"expected {expected}"}],
        )


def debt_view(call: Call, debt: Debt, *, clear: bool) -> dict[str, Any]:
    data = dict(debt.data)
    account = (
        call.ctx.cipher.open(debt.account_sealed, tenant=debt.tenant_id, field="debt.account")
        if clear and debt.account_sealed
        else debt.account_masked
    )
    doc = {
        "id": debt.id,
        "debtor_id": debt.debtor_id,
        "account_number": account,
        "placed_at": iso(debt.created_at),
        "evidence_index": data.pop("evidence_index", None),
        **data,
    }
    doc["receipt_url"] = receipt_url(doc["evidence_index"])
    doc.setdefault("status", "active")
    doc.setdefault("balance", data.get("itemization", {}).get("current_amount", "0"))
    if doc["status"] == "active" and "dispute_pending" in debtor_flags_for_debt(call, debt):
        doc["status"] = "disputed"
    return strip_none(doc)


def debtor_flags_for_debt(call: Call, debt: Debt) -> set[str]:
    rows = call.session.execute(
        select(Event.type, Event.effective_at).where(
            Event.tenant_id == call.tenant_id,
            Event.debt_id == debt.id,
            Event.type.in_(("dispute", "verification_sent", "original_creditor_info_sent")),
        )
    ).all()
    last_dispute = max((at for t, at in rows if t == "dispute"), default=None)
    last_answer = max((at for t, at in rows if t != "dispute"), default=None)
    if last_dispute is not None and (last_answer is None or last_answer < last_dispute):
        return {"dispute_pending"}
    return set()


def load_debt(call: Call, debt_id: str) -> Debt:
    debt: Debt = tenant_scoped(call.session, Debt, call.tenant_id, debt_id)
    if not call.who.may_see_debtor(debt.debtor_id) and not call.ctx.fault("dr_debt_scope_ignored"):
        raise Problem("not-found")
    return debt


@handles("createDebt")
def create_debt(call: Call) -> Reply:
    body = dict(call.body)
    debtor = load_debtor(call, body["debtor_id"])
    profile_of(call, body["profile"])
    _check_itemization(body["itemization"])
    now = call.now()
    account = body.pop("account_number")
    debt = Debt(
        id=new_id("dbt"),
        tenant_id=call.tenant_id,
        debtor_id=debtor.id,
        data={k: v for k, v in body.items() if k != "debtor_id"},
        account_sealed=_seal(call, account, "debt.account"),
        account_masked=mask_digits(account),
        created_at=now,
    )
    call.session.add(debt)
    call.session.flush()
    index = _evidence.record(
        call.session,
        call.tenant_id,
        "debt",
        {"debt_id": debt.id, "currency": body["currency"], "current_amount": body["itemization"]["current_amount"]},
        debtor_id=debtor.id,
        at=now,
    )
    debt.data = {
        **debt.data,
        "status": "active",
        "balance": body["itemization"]["current_amount"],
        "evidence_index": index,
    }
    return Reply(
        201,
        debt_view(call, debt, clear=call.who.role in CLEAR_VIEW_ROLES),
        headers={"Location": f"/icss/v1/debts/{debt.id}"},
        resource_id=debt.id,
    )


@handles("getDebt")
def get_debt(call: Call) -> Reply:
    debt = load_debt(call, call.params["debtId"])
    return Reply(200, debt_view(call, debt, clear=call.who.role in CLEAR_VIEW_ROLES))


@handles("listDebts")
def list_debts(call: Call) -> Reply:
    stmt = select(Debt).where(Debt.tenant_id == call.tenant_id)
    if debtor_id := call.query.get("debtor_id"):
        stmt = stmt.where(Debt.debtor_id == debtor_id)
    return Reply(200, page(call, stmt, Debt.id, lambda d: debt_view(call, d, clear=False)))


@handles("addDebtCharge")
def add_charge(call: Call) -> Reply:
    debt = load_debt(call, call.params["debtId"])
    body = call.body
    data = dict(debt.data)
    if body["currency"] != data["currency"]:
        raise Problem("validation-failed", "the charge currency differs from the debt's")
    authorised = set(data.get("authorised_charges") or ())
    now = call.now()
    if body["kind"] not in authorised and not call.ctx.fault("sc_unauthorized_charge_accepted"):
        # Reg F 1006.22(b): collect only amounts expressly authorised by the agreement or permitted by law.
        raise Problem(
            "unauthorized-charge",
            f"a {body['kind']} charge is not authorised for this debt",
            reasons=["unauthorized_charge"],
        )
    item = dict(data["itemization"])
    bucket = "interest" if body["kind"] == "interest" else "fees"
    item[bucket] = str(_dec(item[bucket]) + _dec(body["amount"]))
    item["current_amount"] = str(_dec(item["current_amount"]) + _dec(body["amount"]))
    data["itemization"] = item
    data["balance"] = item["current_amount"]
    charge_id = new_id("chg")
    index = _evidence.record(
        call.session,
        call.tenant_id,
        "charge",
        {"debt_id": debt.id, "charge_id": charge_id, "kind": body["kind"], "amount": body["amount"]},
        debtor_id=debt.debtor_id,
        at=now,
    )
    debt.data = data
    doc = {
        "id": charge_id,
        "debt_id": debt.id,
        "kind": body["kind"],
        "amount": body["amount"],
        "currency": body["currency"],
        "basis": body["basis"],
        "basis_reference": body.get("basis_reference"),
        "applied_at": iso(now),
        "balance_after": item["current_amount"],
        "evidence_index": index,
    }
    return Reply(201, strip_none(doc), resource_id=charge_id)


@handles("getValidationNotice")
def validation_notice(call: Call) -> Reply:
    from icss.reference.conduct import Rules, validation_dates

    debt = load_debt(call, call.params["debtId"])
    debtor = call.session.get(Debtor, debt.debtor_id)
    assert debtor is not None  # noqa: S101 - foreign key
    data = debt.data
    profile = profile_of(call, data["profile"])
    rules = Rules.from_profile(profile)
    sent = (
        call.session.execute(
            select(Event.effective_at)
            .where(Event.tenant_id == call.tenant_id, Event.debt_id == debt.id, Event.type == "validation_notice_sent")
            .order_by(Event.effective_at)
        )
        .scalars()
        .first()
    )
    provided_on = (sent or call.now()).astimezone(UTC).date()
    assumed, end = validation_dates(provided_on, rules)
    due = _validation_due(call, debtor, debt, rules)
    address = _postal_address(call, debtor)
    if address is None:
        raise Problem("conflict", "the debtor has no postal address on file; validation information needs one")
    item = data["itemization"]
    settings = call.ctx.settings
    doc = {
        "debt_id": debt.id,
        "profile": profile.id,
        "debt_collector": {"name": settings.collector_name, "mailing_address": settings.collector_address},
        "consumer": {"name": _pii(call, debtor)["name"], "mailing_address": address},
        "account_number_truncated": debt.account_masked,
        # Reg F 1006.34(c)(2)(iii); unless the creditor told otherwise, the current creditor held it then too.
        "creditor_on_itemization_date": item.get("creditor_on_itemization_date") or data["creditor"]["name"],
        "current_creditor": data["creditor"]["name"],
        "itemization_date": item["itemization_date"],
        "itemization_date_basis": item.get("itemization_date_basis"),
        "currency": data["currency"],
        **{k: item[k] for k in ("amount_on_itemization_date", "interest", "fees", "payments", "credits")},
        "current_amount": item["current_amount"],
        "due_date": iso_date(due) if due else None,
        "provided_at": iso_date(provided_on) if sent else None,
        "assumed_receipt_date": iso_date(assumed),
        "validation_end_date": iso_date(end),
        "dispute_instructions": {
            # Reg F 1006.34(c)(3)(i)-(iii): the right to dispute and to ask for the original creditor, by the end date.
            "text": f"To dispute all or part of this debt, tell us by {iso_date(end)}. You may also ask us by "
            f"{iso_date(end)} for the name and address of the original creditor.",
            "dispute_by": iso_date(end),
            "original_creditor_request": True,
        },
        "cfpb_url": "https://www.cfpb.gov/debt-collection" if profile.jurisdiction.startswith("us") else None,
        "language": debtor.language,
    }
    return Reply(200, strip_none(doc))


def _validation_due(call: Call, debtor: Debtor, debt: Debt, rules: Rules) -> date | None:
    """CP-14: the date the validation information is due, from the debt's first initial communication.

    It is dated in every zone the debtor may be in (stated zones and those of its own contact
    points, as the notice hold reads them), and the earliest date is reported.
    """
    from icss.reference.conduct import validation_notice_due_date

    initial = call.session.execute(
        select(Event.effective_at)
        .where(Event.tenant_id == call.tenant_id, Event.debt_id == debt.id, Event.type == "initial_communication")
        .order_by(Event.effective_at)
        .limit(1)
    ).scalar()
    if initial is None:
        return None
    own_zones = call.session.execute(
        select(ContactPoint.timezone).where(
            ContactPoint.tenant_id == call.tenant_id,
            ContactPoint.debtor_id == debtor.id,
            ContactPoint.owner == "debtor",
            ContactPoint.timezone.is_not(None),
        )
    ).scalars()
    zones = [*(debtor.timezones or []), *sorted(z for z in own_zones if z)] or ["UTC"]
    due = validation_notice_due_date(initial, zones, rules)
    if call.ctx.fault("cp_validation_due_date_late"):  # test mode: the due date is reported a day late
        due += timedelta(days=1)
    return due


def _postal_address(call: Call, debtor: Debtor) -> dict[str, Any] | None:
    for point in call.session.execute(
        select(ContactPoint).where(ContactPoint.debtor_id == debtor.id, ContactPoint.kind == "address")
    ).scalars():
        if point.owner == "debtor":
            stored = _contact_value(call, point)
            address: dict[str, Any] = stored["address"]
            return address
    return None


def principal_sees_clear(principal: Principal) -> bool:
    return principal.role in CLEAR_VIEW_ROLES
