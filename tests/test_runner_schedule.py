"""The runner's scheduler on stand-in reports (threads instead of kernels): a report that
awaits another starts beside it and its read waits for it; an error outside a notebook, or
Ctrl-C, never leaves a report waiting; customers.csv is written once its inputs have ended."""

import threading
import time

import pytest

from workbench import report, runner


def _run(tmp_path, runnable, jobs, work, feeding=frozenset(), fed=lambda: "table"):
    """_schedule with ``work(topic)`` as each report; returns (value of fed, results, log of
    (event, topic, time))."""
    events, lock = [], threading.Lock()

    def note(event, topic):
        with lock:
            events.append((event, topic, time.perf_counter()))

    def execute(topic):
        note("start", topic)
        try:
            work(topic)
        finally:
            note("end", topic)
        return runner.NotebookResult(topic, "ok")

    results = {}
    value = runner._schedule(runnable, jobs, execute, tmp_path / report.RUNNING_DIR,
                             lambda line: None, results, set(feeding), fed)
    return value, results, events


def _at(events, event, topic):
    return next(t for e, tp, t in events if e == event and tp == topic)


def test_an_awaiting_report_starts_beside_its_producer_and_waits_for_its_result(tmp_path):
    read = {}

    def work(topic):
        if topic == "campaigns":
            time.sleep(0.6)
        else:  # churn reads the campaigns' uplift late
            report.await_producer("churn", tmp_path, "campaign_uplift")
            read["at"] = time.perf_counter()

    _, results, events = _run(tmp_path, ["churn", "campaigns"], 2, work)
    assert {t: r.status for t, r in results.items()} == {"churn": "ok", "campaigns": "ok"}
    # churn starts while campaigns runs, not after it ...
    assert _at(events, "start", "churn") < _at(events, "end", "campaigns") - 0.3
    # ... and its read of the result waits until campaigns has ended
    assert read["at"] >= _at(events, "end", "campaigns")
    assert not (tmp_path / report.RUNNING_DIR).exists()


def test_with_one_job_the_awaited_report_runs_first(tmp_path):
    _, _, events = _run(tmp_path, ["churn", "campaigns"], 1,
                        lambda topic: report.await_producer(topic, tmp_path, "campaign_uplift"))
    assert [tp for e, tp, _ in events] == ["campaigns", "campaigns", "churn", "churn"]


def test_an_error_outside_the_notebook_fails_the_report_and_frees_its_waiters(tmp_path):
    def work(topic):
        if topic == "campaigns":
            time.sleep(0.2)
            raise OSError("No space left on device")
        report.await_producer("churn", tmp_path, "campaign_uplift")

    done = {}
    thread = threading.Thread(target=lambda: done.update(
        out=_run(tmp_path, ["churn", "campaigns", "data_quality"], 3, work)))
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "the run hangs"
    _, results, _ = done["out"]
    assert results["campaigns"].status == "failed"
    assert "No space left on device" in results["campaigns"].error
    assert results["churn"].status == "ok" and results["data_quality"].status == "ok"


def test_an_interrupted_run_leaves_no_report_waiting(tmp_path):
    def work(topic):
        if topic == "campaigns":
            time.sleep(0.5)
        else:
            report.await_producer("churn", tmp_path, "campaign_uplift")

    def interrupted():
        # Ctrl-C reaches the runner's wait(), not the reports
        original = runner.wait

        def wait(*args, **kwargs):
            raise KeyboardInterrupt

        runner.wait = wait
        try:
            _run(tmp_path, ["churn", "campaigns"], 2, work)
        except KeyboardInterrupt:
            pass
        finally:
            runner.wait = original

    thread = threading.Thread(target=interrupted)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive(), "the interrupted run hangs"
    assert not (tmp_path / report.RUNNING_DIR).exists()


def test_customers_table_is_written_once_its_inputs_have_ended(tmp_path):
    written = []

    def work(topic):
        time.sleep(0.4 if topic == "overview" else 0.05)

    def fed():
        written.append(time.perf_counter())
        return {"customers": 3}

    value, _, events = _run(tmp_path, ["segmentation", "overview"], 2, work,
                            feeding={"segmentation"}, fed=fed)
    assert value == {"customers": 3} and len(written) == 1
    assert _at(events, "end", "segmentation") <= written[0] < _at(events, "end", "overview")


@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_every_report_of_the_suite_runs_once_in_an_order_that_respects_uses(tmp_path, jobs):
    from workbench.registry import REPORTS, uses_among

    topics = [r.topic for r in REPORTS]
    _, results, events = _run(tmp_path, topics, jobs,
                              lambda topic: time.sleep(0.01))
    assert set(results) == set(topics)
    for topic in topics:
        for used in uses_among(topic, topics):
            assert _at(events, "end", used) <= _at(events, "start", topic), (topic, used)
