import json

import pytest
import yaml
from sqlmodel import select

from consult.framework import loader as frameworks
from consult.framework.models import Axis, Consultation, Framework, Objective, Phase, Territory

PIEMONTE_CODES = [
    "distretti",
    "isee",
    "sistema-informativo",
    "socio-sanitario",
    "poverta",
    "famiglie-minori",
    "abitare",
    "servizio-civile",
]
PROVINCES = {
    "alessandria",
    "asti",
    "biella",
    "cuneo",
    "novara",
    "torino",
    "verbano-cusio-ossola",
    "vercelli",
}


def _snapshot(db):
    """Every row the loader writes, as plain tuples, to prove a reload changes nothing."""
    rows = []
    for model in (Framework, Axis, Objective, Territory, Consultation, Phase):
        for obj in db.exec(select(model)).all():
            rows.append((model.__name__, tuple(sorted(obj.model_dump().items(), key=str))))
    return sorted(rows, key=str)


def _write(tmp_path, data, name="framework.yaml"):
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _minimal():
    return {
        "code": "mini",
        "title": "Mini",
        "axes": [{"number": 1, "title": "Asse uno"}],
        "objectives": [
            {"code": "uno", "kind": "sectoral", "axis": 1, "title": "Uno", "description": "D"},
            {"code": "due", "kind": "cross-cutting", "title": "Due", "description": "D"},
        ],
        "territories": [{"code": "t1", "name": "T1", "kind": "province"}],
    }


def test_piemonte_framework_has_the_eight_objectives_and_provinces(db):
    frameworks.load(db, frameworks.bundled_path("piemonte-2018"))
    db.commit()
    objectives = db.exec(select(Objective).order_by(Objective.position)).all()
    assert [o.code for o in objectives] == PIEMONTE_CODES
    assert [o.kind for o in objectives].count("cross-cutting") == 3
    sectoral = [o for o in objectives if o.kind == "sectoral"]
    assert sorted(o.axis_number for o in sectoral) == [1, 2, 3, 4, 5]
    assert all(o.keywords and o.description for o in objectives)
    provinces = db.exec(select(Territory).where(Territory.kind == "province")).all()
    assert {t.code for t in provinces} == PROVINCES
    assert len(db.exec(select(Axis)).all()) == 5
    assert db.exec(select(Consultation)).one().slug == "piemonte-2018"


def test_territories_carry_the_article_their_name_takes(db):
    frameworks.load(db, frameworks.bundled_path("piemonte-2018"))
    articles = {t.code: t.article for t in db.exec(select(Territory))}
    assert articles["torino"] == "la"  # stated nowhere: "Città metropolitana di ..."
    assert articles["verbano-cusio-ossola"] == "il"  # stated in the file
    assert articles["asti"] == "" and articles["torino-nord-ovest"] == "l'"


def test_loading_twice_changes_nothing(db):
    path = frameworks.bundled_path("piemonte-2018")
    frameworks.load(db, path)
    db.commit()
    before = _snapshot(db)
    frameworks.load(db, path)
    db.commit()
    assert _snapshot(db) == before


def test_reload_updates_changed_fields_in_place(db, tmp_path):
    data = _minimal()
    frameworks.load(db, _write(tmp_path, data))
    db.commit()
    data["objectives"][0]["title"] = "Uno, rivisto"
    frameworks.load(db, _write(tmp_path, data))
    db.commit()
    objectives = db.exec(select(Objective)).all()
    assert len(objectives) == 2
    assert {o.title for o in objectives} == {"Uno, rivisto", "Due"}


def test_json_files_load_too(db, tmp_path):
    framework = frameworks.load(db, _write(tmp_path, _minimal(), "mini.json"))
    assert framework.code == "mini"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["objectives"][1].pop("title"), "objectives[1].title: Field required"),
        (
            lambda d: d["objectives"][1].update(code="uno"),
            "objectives[1].code: duplicate code 'uno' (already used at objectives[0])",
        ),
        (lambda d: d["objectives"][0].update(axis=7), "objectives[0].axis: axis 7 is not declared"),
        (lambda d: d["objectives"][0].update(kind="other"), "objectives[0].kind"),
        (lambda d: d["territories"][0].update(parent="nowhere"), "territories[0].parent"),
        (lambda d: d["territories"][0].update(article="the"), "territories[0].article"),
        (lambda d: d.pop("objectives"), "objectives: Field required"),
        (lambda d: d.update(colour="blue"), "colour: Extra inputs are not permitted"),
    ],
)
def test_broken_file_is_refused_with_field_and_position(db, tmp_path, mutate, expected):
    frameworks.load(db, frameworks.bundled_path("piemonte-2018"))
    db.commit()
    before = _snapshot(db)
    data = _minimal()
    mutate(data)
    with pytest.raises(frameworks.FrameworkError) as error:
        frameworks.load(db, _write(tmp_path, data))
    db.rollback()
    assert expected in str(error.value)
    assert _snapshot(db) == before


def test_invalid_yaml_and_wrong_top_level_are_refused(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(frameworks.FrameworkError, match="not valid YAML"):
        frameworks.parse(broken)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(frameworks.FrameworkError, match="top level must be a mapping"):
        frameworks.parse(listing)


def test_resolve_accepts_bundled_codes_and_rejects_unknown_names():
    assert frameworks.resolve("piemonte-2018").name == "piemonte-2018.yaml"
    with pytest.raises(frameworks.FrameworkError, match="no such file"):
        frameworks.resolve("atlantide-2099")


def test_two_frameworks_listing_the_same_territory_code_keep_a_territory_each(db, tmp_path):
    first = frameworks.load(db, _write(tmp_path, _minimal(), "first.yaml"))
    other = {**_minimal(), "code": "altra", "title": "Altra"}
    other["territories"] = [
        {"code": "t1", "name": "T1 dell'altra", "kind": "province"},
        {"code": "t1-nord", "name": "T1 Nord", "kind": "ambito", "parent": "t1"},
    ]
    second = frameworks.load(db, _write(tmp_path, other, "second.yaml"))
    frameworks.load(db, _write(tmp_path, _minimal(), "first.yaml"))  # a reload of the first
    db.commit()
    rows = db.exec(select(Territory).order_by(Territory.id)).all()
    assert [(t.framework_id, t.code, t.name) for t in rows] == [
        (first.id, "t1", "T1"),
        (second.id, "t1", "T1 dell'altra"),
        (second.id, "t1-nord", "T1 Nord"),
    ]
    assert rows[2].parent_id == rows[1].id  # the parent is found within its own framework
