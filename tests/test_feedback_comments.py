"""The shared ``comments`` result: one row per answer up to as_of, with its sentiment and complaints."""

import pandas as pd

from workbench import feedback
from workbench.results import RESULTS, read_result, write_result


def _answers() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["1", "1", "2", "3", "1"],
        "submitted_at": pd.to_datetime(["2024-03-01 10:00", "2024-03-01 10:00", "2024-03-02 08:00",
                                        "2024-03-31 23:00", "2024-04-01 09:00"]),
        "nps": [2.0, None, 10.0, 5.0, 0.0],
        "comment": ["快递太慢了，包装也破了，非常失望", None, "质量很好，非常满意，下次还买",
                    "客服态度很差，问题一直没解决", "物流太慢"],
    })


def test_response_ids_are_stable_and_unique():
    answers = _answers()
    ids = feedback.response_ids(answers)
    assert ids.tolist()[:2] == ["1-20240301100000-0", "1-20240301100000-1"]  # same second: counted
    assert ids.is_unique and ids.equals(feedback.response_ids(answers.copy()))
    given = answers.assign(response_id=["r1", "r2", "r3", "r4", "r5"])
    assert feedback.response_ids(given).tolist() == ["r1", "r2", "r3", "r4", "r5"]


def test_comments_result_matches_its_schema_and_the_feedback_analysis(tmp_path):
    as_of = pd.Timestamp("2024-03-31")
    result = feedback.analyse(_answers(), as_of=as_of, n_topics=2)
    frame = feedback.comments_frame(result)
    assert list(frame.columns) == list(RESULTS["comments"].columns)
    assert len(frame) == 4  # the answer of 2024-04-01 is after as_of
    write_result("comments", frame, tmp_path)
    back = read_result("comments", tmp_path)
    assert back["response_id"].is_unique
    negative = frame["sentiment"] == "negative"
    assert frame.loc[~negative, "complaint_categories"].isna().all()  # complaints are negative
    assert frame.loc[0, "sentiment"] == "negative" and "logistics" in frame.loc[0, "complaint_categories"]
    assert pd.isna(frame.loc[1, "sentiment"])  # no comment
    # the same rows and values as the per-customer result of the same analysis
    last = frame.dropna(subset=["sentiment"]).groupby("customer_id").last()
    per_customer = feedback.result_frame(result).set_index("customer_id")
    assert last["sentiment"].tolist() == per_customer["sentiment"].loc[last.index].tolist()
    # straight from the table (a report opened alone) with the same functions: same frame
    alone = feedback.comments_result(_answers(), as_of)
    pd.testing.assert_frame_equal(alone, frame)
