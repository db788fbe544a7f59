"""Bold Chinese chart text renders without a font warning, whatever matplotlib's cache holds.

Each case runs in a fresh interpreter whose matplotlib cache directory holds a copy of the real
font list with every CJK font removed: the state of a machine where ``fonts-noto-cjk`` was
installed after matplotlib built its cache, or where no system CJK font exists at all. The
script draws a chart with a bold Chinese title and reports every warning and log record that
matplotlib produced, the family used and any character the font lacks (tofu).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
import io, json, logging, os, sys, warnings
warnings.simplefilter("error")
records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger("matplotlib").addHandler(Keep(level=logging.WARNING))
import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager
fake = os.environ.get("FAKE_SYSTEM_FONTS")
if fake is not None:  # what the system font folders hold on this imagined machine
    listed = [os.path.join(fake, n) for n in sorted(os.listdir(fake))] if fake else []
    font_manager.findSystemFonts = lambda fontpaths=None, fontext="ttf": [
        p for p in listed if p.endswith("." + fontext)]
import matplotlib.pyplot as plt
from workbench.style import use_style
family = use_style()
title = "客户分层 重要价值客户 Champions 铂金"
fig, ax = plt.subplots()
ax.bar(["门店", "小程序"], [1, 2])
ax.set(title=title, xlabel="月份", ylabel="销售额")
fig.savefig(io.BytesIO(), format="png")
font = font_manager.get_font(font_manager.findfont(ax.title.get_fontproperties()))
regular = font_manager.get_font(font_manager.findfont(ax.xaxis.label.get_fontproperties()))
missing = [ch for ch in set(title + "月份销售额门店小程序") if not ch.isspace()
           and font.get_char_index(ord(ch)) == 0 and regular.get_char_index(ord(ch)) == 0]
print(json.dumps({"family": family, "records": records, "missing": missing,
                  "title_font": font.family_name, "title_style": font.style_name,
                  "bold_file": font.fname}))
"""

CJK_WORDS = ("cjk", "wenquanyi", "source han", "workbench", "yahei", "pingfang", "hei")


@pytest.fixture(scope="module")
def cache_without_cjk(tmp_path_factory) -> Path:
    """A matplotlib config/cache dir whose font list lists no CJK font."""
    import matplotlib
    from matplotlib import font_manager

    folder = tmp_path_factory.mktemp("mplcache")
    cached = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    if not cached:  # make sure matplotlib has written its list
        font_manager.json_dump(font_manager.fontManager,
                               Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json")
        cached = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    for path in cached:
        data = json.loads(path.read_text())
        data["ttflist"] = [f for f in data["ttflist"]
                           if not any(w in f["name"].lower() for w in CJK_WORDS)]
        (folder / path.name).write_text(json.dumps(data))
    return folder


def _run(cache: Path, fake_fonts: str | None) -> dict:
    env = dict(os.environ, MPLCONFIGDIR=str(cache))
    env.pop("MPLBACKEND", None)
    if fake_fonts is not None:
        env["FAKE_SYSTEM_FONTS"] = fake_fonts
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_no_system_cjk_font_uses_bundled_regular_and_bold_without_warning(cache_without_cjk):
    found = _run(cache_without_cjk, fake_fonts="")
    assert found["family"] == "Workbench CJK Sans"
    assert found["records"] == []  # no "findfont: Failed to find font weight bold"
    assert found["missing"] == []  # no tofu
    assert found["title_font"] == "Workbench CJK Sans"
    assert found["title_style"] == "Bold"  # a real bold face, not regular passed off as bold


def _fake_noto(folder: Path) -> None:
    """Copies of the bundled subsets renamed to Noto Sans CJK SC: a font the cache never saw."""
    from importlib.resources import files

    from fontTools.ttLib import TTFont

    for weight in ("Regular", "Bold"):
        font = TTFont(str(files("workbench") / "fonts" / f"NotoSansCJKsc-{weight}-subset.otf"))
        for record in font["name"].names:
            if record.nameID in (1, 4):
                text = record.toUnicode().replace("Workbench CJK Sans", "Noto Sans CJK SC")
                record.string = text
        font.save(folder / f"NotoSansCJKsc-{weight}.otf")


def test_cjk_font_installed_after_the_cache_is_found_and_used(cache_without_cjk, tmp_path):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    _fake_noto(fonts)
    found = _run(cache_without_cjk, fake_fonts=str(fonts))
    assert found["family"] == "Noto Sans CJK SC"
    assert found["records"] == []
    assert found["missing"] == []
    assert found["title_style"] == "Bold"
    assert Path(found["bold_file"]).parent == fonts


def test_system_family_without_bold_face_is_not_chosen(cache_without_cjk, tmp_path):
    """A one-weight system font (like WenQuanYi Micro Hei) would make bold titles warn."""
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    _fake_noto(fonts)
    (fonts / "NotoSansCJKsc-Bold.otf").unlink()
    found = _run(cache_without_cjk, fake_fonts=str(fonts))
    assert found["family"] == "Workbench CJK Sans"
    assert found["records"] == []
    assert found["title_style"] == "Bold"
