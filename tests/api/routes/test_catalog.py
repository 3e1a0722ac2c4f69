from __future__ import annotations

import httpx

OFFICES = [
    "praha-zukovskeho",
    "praha-cigankova",
    "praha-kolbenova",
    "praha-hladkov",
    "benesov",
    "beroun",
    "kladno",
    "kolin",
    "kutna-hora",
    "melnik",
    "mlada-boleslav",
    "pribram",
]
VISIT_TYPES = [
    "ltr-new",
    "ltr-extension",
    "ltr-purpose-change",
    "permanent-residence",
    "biometrics",
    "card-pickup",
    "eu-family-temporary",
]


async def test_offices_in_menu_order_with_five_names(ivr: httpx.AsyncClient) -> None:
    offices = (await ivr.get("/offices")).json()
    assert [office["code"] for office in offices] == OFFICES
    assert [office["menu_order"] for office in offices] == list(range(1, 13))
    assert {office["region"] for office in offices[:4]} == {"praha"}
    assert {office["region"] for office in offices[4:]} == {"stredocesky"}
    assert offices[0]["address"].startswith("Žukovského 888/2")
    for office in offices:
        assert set(office["names"]) == {"cs", "en", "uk", "ru", "vi"}
        assert all(office["names"].values())
        assert office["active"] is True


async def test_visit_types_and_those_of_an_office(ivr: httpx.AsyncClient) -> None:
    visits = (await ivr.get("/visit-types")).json()
    assert [visit["code"] for visit in visits] == VISIT_TYPES
    assert all(visit["duration_minutes"] % 5 == 0 for visit in visits)
    kutna = (await ivr.get("/offices/kutna-hora/visit-types")).json()
    assert [visit["code"] for visit in kutna] == ["ltr-extension", "biometrics", "card-pickup"]
    missing = await ivr.get("/offices/brno/visit-types")
    assert missing.status_code == 404
    assert missing.json()["error_id"] == "office-not-found"
