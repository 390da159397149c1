"""The CLI: one JSON object per file, rejections are results, overlays are written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from palm.vision.cli import main


def test_json_lines_for_palms_backs_and_junk(samples, tmp_path: Path, capsys) -> None:
    junk = tmp_path / "notes.jpg"  # wrong extension: text named like a photo
    junk.write_text("not a photo")
    bomb_named_png = tmp_path / "bomb.png"
    bomb_named_png.write_bytes(b"GIF89a" + b"\x00" * 64)
    palm = tmp_path / "palm.jpg"
    palm.write_bytes(samples.bytes("palm_m_hanging"))
    back = tmp_path / "back.jpg"
    back.write_bytes(samples.bytes("back_f_hanging"))
    overlays = tmp_path / "overlays"
    code = main(
        [
            str(palm),
            str(back),
            str(junk),
            str(bomb_named_png),
            "--json",
            "--overlay-dir",
            str(overlays),
        ]
    )
    assert code == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [record["file"] for record in records] == [
        str(palm),
        str(back),
        str(junk),
        str(bomb_named_png),
    ]
    good, rejected, text, gif = records
    assert good["ok"] and good["error_code"] is None and good["palm_side"] == "palm"
    assert good["hand"] in ("left", "right") and good["hand_shape"] in (
        "earth",
        "air",
        "fire",
        "water",
    )
    assert set(good["timings_ms"]) >= {"load", "landmarks", "lines", "total"}
    assert good["version"].startswith("vision-")
    heart = good["lines"]["heart"]
    assert heart["found"] and len(heart["points"]) > 10
    assert set(heart) == {
        "found",
        "length_rel",
        "depth",
        "curvature",
        "breaks",
        "branches",
        "confidence",
        "points",
    }
    assert rejected["ok"] is False and rejected["error_code"] == "BACK_OF_HAND"
    assert text["error_code"] == "UNSUPPORTED_FORMAT" and gif["error_code"] == "UNSUPPORTED_FORMAT"
    assert sorted(path.name for path in overlays.iterdir()) == ["palm.png"]


def test_plain_output_mentions_found_lines(tmp_path: Path, capsys) -> None:
    palm = tmp_path / "p.jpg"
    shutil.copyfile(Path(__file__).parents[1] / "data" / "palms" / "palm_f_hanging.jpg", palm)
    assert main([str(palm), "--hand", "right"]) == 0
    out = capsys.readouterr().out
    assert "right palm" in out and "heart" in out


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path / "nope.jpg")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["x.jpg", "--hand", "middle"]])
def test_bad_arguments_are_usage_errors(argv: list[str]) -> None:
    assert main(argv) == 2
