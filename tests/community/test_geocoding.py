import pytest

from community.geocoding import (
    LAT_MAX,
    LAT_MIN,
    LON_MAX,
    LON_MIN,
    geocode,
    state_for_postal_code,
    validate_position,
)

# (postal code, town, Bundesland): every state, and towns whose names exist in more than one state
REAL_PLACES = [
    ("10115", "Berlin", "BE"),
    ("20095", "Hamburg", "HH"),
    ("80331", "München", "BY"),
    ("50667", "Köln", "NW"),
    ("60311", "Frankfurt am Main", "HE"),
    ("15230", "Frankfurt (Oder)", "BB"),
    ("06108", "Halle (Saale)", "ST"),
    ("33790", "Halle", "NW"),
    ("28195", "Bremen", "HB"),
    ("01067", "Dresden", "SN"),
    ("99084", "Erfurt", "TH"),
    ("24103", "Kiel", "SH"),
    ("18055", "Rostock", "MV"),
    ("66111", "Saarbrücken", "SL"),
    ("55116", "Mainz", "RP"),
    ("70173", "Stuttgart", "BW"),
    ("30159", "Hannover", "NI"),
    ("26122", "Oldenburg", "NI"),
    ("23758", "Oldenburg in Holstein", "SH"),
]


@pytest.mark.parametrize(("postal_code", "town", "state"), REAL_PLACES)
def test_real_towns_land_in_germany_and_in_their_state(postal_code, town, state):
    place = geocode(postal_code=postal_code, city=town)
    assert place is not None, town
    assert LAT_MIN <= place.latitude <= LAT_MAX and LON_MIN <= place.longitude <= LON_MAX
    assert place.state == state


def test_spelling_without_umlauts_is_found():
    assert geocode(postal_code="50667", city="Koeln").state == "NW"
    assert geocode(city="MUENCHEN").state == "BY"


def test_postal_code_decides_between_towns_of_one_name():
    oder = geocode(postal_code="15230", city="Frankfurt")
    main = geocode(postal_code="60311", city="Frankfurt")
    assert (oder.state, main.state) == ("BB", "HE")
    assert oder.longitude > 14 > 9 > main.longitude


@pytest.mark.parametrize(
    ("postal_code", "town"),
    [("00000", "Berlin"), ("1234", "Berlin"), ("ABCDE", "Berlin"), ("10115", "Nirgendwohausen"), ("80331", "Kiel")],
)
def test_unknown_postal_code_or_town_gives_none(postal_code, town):
    assert geocode(postal_code=postal_code, city=town) is None


def test_state_of_postal_code():
    assert state_for_postal_code("04109") == "SN"
    assert state_for_postal_code("99999") is None


@pytest.mark.parametrize(
    ("lat", "lon", "fragment"),
    [
        (48.85, 2.35, "nicht in Deutschland"),  # Paris
        (52.5, 200, "nicht in Deutschland"),
        ("abc", 13.4, "Dezimalzahlen"),
        (None, 13.4, "Dezimalzahlen"),
        ("nan", "nan", "Dezimalzahlen"),
    ],
)
def test_bad_coordinates_are_refused_with_a_clear_message(lat, lon, fragment):
    with pytest.raises(ValueError, match=fragment):
        validate_position(lat, lon)


def test_good_coordinates_with_a_decimal_comma():
    assert validate_position("52,52", "13,405") == (52.52, 13.405)
