import os

from evokd_spacy.util.io import atomic_write_json, read_jsonl_lenient


def test_atomic_writes_have_the_usual_permissions_and_leave_no_temporary_file(tmp_path):
    path = tmp_path / "sub" / "data.json"
    atomic_write_json(path, {"a": 1})
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in path.parent.iterdir()] == ["data.json"]


def test_a_half_written_last_jsonl_line_is_skipped(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text('{"round": 0}\n{"round": 1, "dev')
    assert read_jsonl_lenient(path) == [{"round": 0}]
