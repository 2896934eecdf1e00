import re

from geo import eventstyle
from geo.events import EVENT_TYPES


def test_every_type_has_a_label_a_definition_and_its_own_colour():
    assert len(set(eventstyle.COLOURS.values())) == len(EVENT_TYPES)
    for t in EVENT_TYPES:
        assert eventstyle.label(t)[0].isupper() and "_" not in eventstyle.label(t)
        assert eventstyle.definition(t)
        assert re.fullmatch(r"#[0-9A-F]{6}", eventstyle.colour(t))
    assert eventstyle.label("air_strike") == "Air or drone strike"
    assert eventstyle.label("attack_on_civilians") == "Attack on civilians"
    assert eventstyle.colour("no_such_type") == eventstyle.UNKNOWN_COLOUR


def test_legend_lists_only_the_types_given():
    html = eventstyle.legend_html(["shelling", "talks"])
    assert re.findall(r"data-legend-type='(\w+)'", html) == ["shelling", "talks"]
    assert "Shelling" in html and "Air" not in html
    assert eventstyle.legend_html([]) == ""


def test_chip_escapes_the_actor_and_names_a_status():
    html = eventstyle.chip_html("shelling", "denied", "<script>x</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Shelling · denied" in html and "cm-chip-faint" in html
    assert "cm-chip-faint" not in eventstyle.chip_html("shelling")
