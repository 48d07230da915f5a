"""Where the scatter plot puts a point's label: right of its dot, or, where that would leave
the plot, under the dot flush with its right edge (left of it with no room there)."""

from __future__ import annotations

from deck import theme
from deck.components.scatter import Point, Scatter

TOUCH = 1e-6


def placed(shown: tuple, other: tuple):
    """The dot and label of point `shown` (name, detail, x, y) beside point `other`, and
    the plot's width."""
    points = [Point(*p, theme.TEXT) for p in (other, shown)]
    chart = Scatter(
        points, width=6, height=4, x_step=0.5, y_step=0.5, x_title="time", y_title="score"
    )
    return chart.dot(shown[0]), chart.label(shown[0]), chart.width_units


def test_a_label_goes_right_of_its_dot_where_there_is_room():
    dot, label, _ = placed(("left", "0.2 s", 0.2, 1.0), ("top", "", 1.5, 2.0))
    assert label.get_left()[0] > dot.get_right()[0]


def test_a_label_that_would_leave_the_plot_goes_under_its_dot_flush_right():
    dot, label, width = placed(("far right of it", "1.5 s", 1.5, 2.0), ("low", "", 0.2, 1.0))
    assert label.get_top()[1] < dot.get_bottom()[1]
    assert abs(label.get_right()[0] - dot.get_right()[0]) < TOUCH
    assert label.get_right()[0] <= width + TOUCH


def test_without_room_under_it_the_label_goes_left():
    # the lowest point, half a step above the x axis: no room for two lines under it
    dot, label, _ = placed(("corner of the plot", "1.5 s", 1.5, 1.0), ("high", "", 0.2, 2.0))
    assert label.get_right()[0] < dot.get_left()[0]
