"""A user's CSV (issue 10, item 4): ordinary variants are read as meant, bad rows are refused one by
one with their row, line and column, and reads are bounded by bytes."""

import time

import pytest

from model.catalog.csv_rows import MAX_CELL_CHARS, read_user_csv

KNOWN = {"hw", "model", "batch", "note"}


def table(tmp_path, data: bytes | str, known=KNOWN):
    path = tmp_path / "in.csv"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return read_user_csv(path, known)


@pytest.mark.parametrize("header", ["hw, model, batch", " HW ,Model,Batch", "hw;model;batch", "hw\tmodel\tbatch"])
def test_spaces_case_and_delimiters_are_read_as_the_keys(tmp_path, header):
    sep = ";" if ";" in header else "\t" if "\t" in header else ","
    result = table(tmp_path, f"{header}\nh200{sep} llama-3.1-8b{sep}7\n")
    assert result.header == ["hw", "model", "batch"] and result.notes == []
    assert [(r.error, r.values["batch"].strip(), r.values["model"].strip()) for r in result.records] == [
        ("", "7", "llama-3.1-8b")]


def test_short_and_long_rows_are_refused_naming_the_columns(tmp_path):
    result = table(tmp_path, "hw,model,batch\nh200,llama-3.1-8b\nh200,llama-3.1-8b,8,9\nh200,llama-3.1-8b,8,,\n")
    short, long, trailing = result.records
    assert short.error == "2 cells, the header has 3: no value for batch"
    assert long.error == "4 cells, the header has 3: more cells than columns"
    assert trailing.error == "" and trailing.values["batch"] == "8"  # empty trailing cells are harmless


@pytest.mark.parametrize("header", ["hw,batch,batch", "hw,batch, Batch"])
def test_a_duplicate_column_is_refused_naming_it(tmp_path, header):
    with pytest.raises(ValueError, match="duplicate column 'batch' \\(columns 2 and 3"):
        table(tmp_path, f"{header}\nh200,1,2\n")


def test_line_numbers_follow_quoted_multi_line_cells(tmp_path):
    result = table(tmp_path, 'hw,note\nh200,"two\nlines"\nh100-sxm,x\n\nh200\n')
    assert [r.line for r in result.records] == [2, 4, 6]
    assert result.records[2].where == "row 3 (line 6)" and "no value for note" in result.records[2].error


def test_one_oversized_cell_or_latin1_byte_rejects_only_its_row(tmp_path):
    data = ("hw,note\nh200,ok\nh200," + "x" * (MAX_CELL_CHARS + 1) + "\n").encode() + b"h200,caf\xe9\nh200,fine\n"
    result = table(tmp_path, data)
    assert [bool(r.error) for r in result.records] == [False, True, True, False]
    assert result.records[1].error == f"column note: a cell of {MAX_CELL_CHARS + 1:,} characters (at most 10,000)"
    assert result.records[2].error.startswith("column note: not UTF-8 text (byte 0xE9 at position 4)")
    assert result.records[2].values["hw"] == "h200"  # what can be shown of a refused row still is
    assert result.records[3].values == {"hw": "h200", "note": "fine"}


def test_utf8_text_and_a_byte_order_mark_are_kept(tmp_path):
    result = table(tmp_path, "\ufeffhw,note\nh200,café ☕\n")
    assert result.header == ["hw", "note"] and result.records[0].values["note"] == "café ☕"


def test_unknown_columns_get_one_note_each(tmp_path):
    result = table(tmp_path, "hw,bacth,note,\nh200,8,x,y\n")
    assert result.notes == ["column 'bacth' is not a column this command reads: carried through unchanged, not used",
                            "a column without a name holds values: they are ignored"]


def test_reads_are_bounded_by_bytes_not_by_the_reported_size():
    start = time.perf_counter()
    with pytest.raises(ValueError, match="/dev/zero: larger than 64,000,000 bytes"):
        read_user_csv("/dev/zero")
    assert time.perf_counter() - start < 10


def test_a_quote_left_open_is_named_as_the_likely_cause(tmp_path):
    result = table(tmp_path, 'hw,note\nh200,"open\n' + "h200,x\n" * 2000)
    assert len(result.records) == 1 and result.records[0].error.endswith("it spans several lines: a quote left open?")
