"""The report's and objective pages' bar chart: every label and value fits its column."""

import re

from consult.common.svg_charts import MAX_LABEL_WIDTH, bar_chart, text_width


def _columns(svg: str) -> tuple[int, int]:
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    label_end = int(re.search(r'<rect x="(\d+)"', svg).group(1))
    return label_end, width


def test_the_label_column_is_as_wide_as_the_longest_label():
    short = bar_chart([("Asti", 3), ("Biella", 2)], "Territori")
    long = bar_chart([("Operatrice o operatore sociale", 3), ("Altro", 1)], "Ruoli")
    assert _columns(long)[0] > _columns(short)[0]
    assert _columns(long)[0] >= text_width("Operatrice o operatore sociale")
    assert ">Operatrice o operatore sociale</text>" in long


def test_a_very_long_label_ends_in_an_ellipsis_and_keeps_its_whole_text_in_the_title():
    label = "Comitato dei cittadini per la riqualificazione del quartiere e dei servizi sociali"
    svg = bar_chart([(label, 5)], "Ruoli")
    shown = re.search(r'text-anchor="end"[^>]*>([^<]+)</text>', svg).group(1)
    assert shown.endswith("…") and len(shown) < len(label)
    assert text_width(shown) <= MAX_LABEL_WIDTH
    assert f"<title>{label}: 5</title>" in svg


def test_values_are_written_by_the_given_formatter_and_fit_after_the_longest_bar():
    svg = bar_chart([("Online", 100000), ("Su carta", 5)], "Canali", number="{:,}".format)
    assert ">100,000</text>" in svg
    _label_end, width = _columns(svg)
    value_x = float(re.findall(r'<text x="([\d.]+)" y="[\d.]+" font-size', svg)[-2])
    assert value_x + text_width("100,000") <= width


def test_the_chart_escapes_labels():
    assert "<b>" not in bar_chart([("<b>x</b>", 1)], "t")
