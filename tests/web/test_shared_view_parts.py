"""Parts every page shares: the status of a re-shown form and the data-table macro."""

from __future__ import annotations

import pytest
from flask import render_template_string

from guide.web.responses import form_status

TABLE = """
{%- from "_macros/tables.html" import data_table -%}
{%- call(row) data_table(rows, caption="Fruit", headings=["Name", "Colour"],
                         empty="No fruit yet.", hide_caption=hide) -%}
<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td></tr>
{%- endcall -%}
"""


@pytest.mark.parametrize(("method", "status"), [("GET", 200), ("POST", 400)])
def test_a_form_shown_again_after_posting_answers_400(app, method, status):
    with app.test_request_context(method=method):
        assert form_status() == status


def test_the_data_table_lists_one_row_per_item_under_its_headings(app):
    with app.test_request_context():
        html = render_template_string(TABLE, rows=[("Eple", "rød"), ("Pære", "grønn")], hide=True)
    assert html.count("<tr><td>") == 2
    assert '<th scope="col">Name</th>' in html and '<th scope="col">Colour</th>' in html
    assert '<caption class="ds-sr-only">Fruit</caption>' in html
    assert "No fruit yet." not in html


def test_the_data_table_says_so_when_there_is_nothing_to_list(app):
    with app.test_request_context():
        html = render_template_string(TABLE, rows=[], hide=False)
    assert '<p class="ds-paragraph">No fruit yet.</p>' in html
    assert "<table" not in html
