"""Body rows carry Quarto's odd/even classes; head rows and rows with attributes do not."""

from __future__ import annotations

from bookbuild.writers.html import stripe_rows


def test_body_rows_alternate_odd_and_even_per_table():
    body = (
        "<table><thead>\n<tr>\n<th>h</th>\n</tr>\n</thead><tbody>\n<tr>\n<td>1</td>\n</tr>\n"
        "<tr>\n<td>2</td>\n</tr>\n<tr>\n<td>3</td>\n</tr>\n</tbody></table>"
        '<table><tbody><tr style="x"><td>a</td></tr><tr><td>b</td></tr></tbody></table>'
    )
    out = stripe_rows(body)
    assert out.count('<tr class="odd">') == 3 and out.count('<tr class="even">') == 1
    assert "<thead>\n<tr>\n" in out  # the head row is not striped
    assert '<tr style="x"><td>a</td></tr><tr class="odd"><td>b</td></tr>' in out
    first = out.split("</table>")[0]
    assert [part.split('"')[0] for part in first.split('<tr class="')[1:]] == ["odd", "even", "odd"]
