"""The quick select widget writes exactly the markup WTForms' own Select writes."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from guide.web.widgets import PlainOptionsSelect

CHOICES = [
    SelectChoice("", "All guides"),
    SelectChoice('a"b<c>&', "Åse <b>Ødegård</b> & co"),
    SelectChoice("plain", "Plain"),
    SelectChoice("bare-value", ""),
]


def _both(choices, chosen: str):
    class Pair(Form):
        theirs = SelectField(choices=choices, widget=Select())
        ours = SelectField(choices=choices, widget=PlainOptionsSelect())

    form = Pair(MultiDict({"theirs": chosen, "ours": chosen}))
    return str(form.theirs()), str(form.ours()).replace("ours", "theirs")


@pytest.mark.parametrize("chosen", ["", 'a"b<c>&', "plain", "not-a-choice"])
def test_same_markup_as_wtforms(chosen):
    theirs, ours = _both(CHOICES, chosen)
    assert ours == theirs


def test_options_with_their_own_attributes_still_render():
    class WithAttributes(Form):
        pick = SelectField(
            choices=[SelectChoice("x", "X", render_kw={"disabled": True}), SelectChoice("y", "Y")],
            widget=PlainOptionsSelect(),
        )

    html = str(WithAttributes(MultiDict({"pick": "y"})).pick())
    assert '<option disabled value="x">X</option>' in html
    assert '<option selected value="y">Y</option>' in html
