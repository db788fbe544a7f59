import pandas as pd
import pytest

from workbench.safety import (
    atomic_write,
    escape_html,
    mask_frame,
    mask_text,
    neutralise_formulas,
    write_csv,
    write_excel,
)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("call 13812345678 now", "call 138****5678 now"),
        ("+86 139-1234-5678", "+86 139****5678"),
        ("li.lei@example.com", "l***@example.com"),
        ("ID 11010119900307123X", "ID 110101********123X"),
        ("tel 010-88881234", "tel 010-****1234"),
        ("order 202401051234567890", "order 202401051234567890"),  # not an ID card: no birth date
        ("amount 12345678901234", "amount 12345678901234"),  # 14 digits: neither phone nor ID
    ],
)
def test_mask_text(raw, masked):
    assert mask_text(raw) == masked


def test_mask_frame_masks_pii_columns_and_text():
    frame = pd.DataFrame({"name": ["张三丰"], "phone": ["13912345678"],
                          "note": ["reach me at a.b@c.com"], "amount": [1.0]})
    out = mask_frame(frame)
    assert out.loc[0, "name"] == "张**"
    assert out.loc[0, "phone"] == "139****5678"
    assert out.loc[0, "note"] == "reach me at a***@c.com"
    assert frame.loc[0, "phone"] == "13912345678"  # input untouched


def test_escape_html_escapes_and_masks():
    assert escape_html("<script>alert(1)</script> 13812345678") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; 138****5678")


def test_formula_injection_neutralised_numbers_untouched():
    frame = pd.DataFrame({"text": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "ok"],
                          "number": [-1, 2, 3, 4, 5, 6, 7]})
    out = neutralise_formulas(frame)
    assert out["text"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ok"]
    assert out["number"].tolist() == [-1, 2, 3, 4, 5, 6, 7]


def test_write_csv_has_bom_and_is_formula_safe(tmp_path):
    path = write_csv(pd.DataFrame({"客户": ["=1+1"], "x": [1]}), tmp_path / "sub" / "out.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines() == ["客户,x", "'=1+1,1"]
    plain = write_csv(pd.DataFrame({"a": ["b"]}), tmp_path / "plain.csv", excel_bom=False)
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    path = tmp_path / "report.html"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write("half")
        raise RuntimeError("boom")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    with atomic_write(path) as handle:
        handle.write("new")
    assert path.read_text() == "new"


def test_write_excel_is_formula_safe_and_can_mask(tmp_path):
    frame = pd.DataFrame({"name": ["王小明"], "note": ["=cmd|' /C calc'!A0"], "phone": ["13700001111"]})
    path = write_excel(frame, tmp_path / "list.xlsx", mask_pii=True)
    back = pd.read_excel(path, dtype=str)
    assert back.loc[0, "note"] == "'=cmd|' /C calc'!A0"
    assert back.loc[0, "phone"] == "137****1111" and back.loc[0, "name"] == "王**"
