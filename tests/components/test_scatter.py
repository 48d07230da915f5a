"""Where the scatter plot puts a point's label: right of its dot, or, where that would leave
the plot, under the dot flush with its right edge (left of it with no room there)."""

from __future__ import annotations

from deck.components.scatter import Point, Scatter

TOUCH = 1e-6


def plot(*points: Point) -> Scatter:
    return Scatter(
        points, width=6, height=4, x_step=0.5, y_step=0.5, x_title="time", y_title="score"
    )


def test_a_label_goes_right_of_its_dot_where_there_is_room():
    chart = plot(Point("left", "0.2 s", 0.2, 1.0, "#FFFFFF"), Point("top", "", 1.5, 2.0, "#FFFFFF"))
    dot, label = chart.dot("left"), chart.label("left")
    assert label.get_left()[0] > dot.get_right()[0]


def test_a_label_that_would_leave_the_plot_goes_under_its_dot_flush_right():
    chart = plot(
        Point("low", "", 0.2, 1.0, "#FFFFFF"),
        Point("far right of it", "1.5 s", 1.5, 2.0, "#FFFFFF"),
    )
    dot, label = chart.dot("far right of it"), chart.label("far right of it")
    assert label.get_top()[1] < dot.get_bottom()[1]
    assert abs(label.get_right()[0] - dot.get_right()[0]) < TOUCH
    assert label.get_right()[0] <= chart.width_units + TOUCH


def test_without_room_under_it_the_label_goes_left():
    chart = plot(
        Point("high", "", 0.2, 2.0, "#FFFFFF"),
        Point("corner of the plot", "1.5 s", 1.5, 1.0, "#FFFFFF"),
    )
    dot, label = chart.dot("corner of the plot"), chart.label("corner of the plot")
    assert label.get_right()[0] < dot.get_left()[0]
