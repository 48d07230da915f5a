"""One build at a time per build folder: a second one waits, or exits 2 with --no-wait."""

from __future__ import annotations

import os
import threading

import pytest

from deck import cli
from deck.build.buildlock import BuildBusy, held
from deck.project import Project
from deck.talk import Talk


def test_a_second_holder_is_refused_or_waits(tmp_path):
    said = []
    acquired = threading.Event()

    def second() -> None:
        with held(tmp_path, wait=True, waiting=said.append):
            acquired.set()

    with held(tmp_path, wait=False, waiting=said.append):
        busy = rf"another deck build \(pid {os.getpid()}\)"
        with pytest.raises(BuildBusy, match=busy), held(tmp_path, wait=False, waiting=print):
            pass
        waiter = threading.Thread(target=second)
        waiter.start()
        assert not acquired.wait(0.3)  # it waits while the first holds the lock
    waiter.join(5)
    assert acquired.is_set()
    assert len(said) == 1 and "waiting for it to finish" in said[0]


def test_no_wait_exits_2_with_one_line(tmp_path, capsys):
    project = Project(tmp_path)
    with held(project.build(Talk.for_preset(), "low").folder, wait=False, waiting=print):
        assert cli.main(["build", "--quality", "low", "--no-wait"], project) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("deck: another deck build")
