import codecs

import pytest

from trellis import csvfiles

LOOKUP = {"employeeid": "employee_id", "empid": "employee_id", "email": "email"}


def test_decodes_utf8_with_bom_and_utf16():
    assert csvfiles.decode(codecs.BOM_UTF8 + "a,é\n".encode()) == "a,é\n"
    assert csvfiles.decode("a;é\n".encode("utf-16")) == "a;é\n"
    with pytest.raises(csvfiles.CsvFileError, match=r"not UTF-8 text .*position 3"):
        csvfiles.decode(b"ab\xff")


def test_header_aliases_delimiter_and_positions():
    reader, header = csvfiles.read_header("Emp ID;Notes;E-Mail\n1;x;a@b.c\n", LOOKUP)
    assert header.columns == {"employee_id": "Emp ID", "email": "E-Mail"}
    assert header.positions == {"employee_id": 0, "email": 2}
    assert header.ignored == ["Notes"]
    assert next(reader) == ["1", "x", "a@b.c"] and reader.line_num == 2


def test_two_columns_for_one_field_is_an_error_on_line_1():
    with pytest.raises(csvfiles.CsvFileError, match="both mean employee_id") as error:
        csvfiles.read_header("employee_id,emp_id\n", LOOKUP)
    assert error.value.line == 1
    with pytest.raises(csvfiles.CsvFileError, match="empty"):
        csvfiles.read_header("  \n", LOOKUP)


def test_data_rows_skip_blank_lines_and_report_rows_of_the_wrong_width():
    text = 'emp_id,email\n1,a@b.c\n\n2,"x\ny@b.c"\n3\n4,d@b.c,,\n'
    reader, header = csvfiles.read_header(text, LOOKUP)
    rows = list(csvfiles.data_rows(reader, header))
    assert rows[0] == (2, {"employee_id": "1", "email": "a@b.c"})
    assert rows[1] == (4, {"employee_id": "2", "email": "x\ny@b.c"})
    assert rows[2][0] == 6 and "has 1 values but the header has 2 columns" in rows[2][1]
    assert rows[3] == (7, {"employee_id": "4", "email": "d@b.c"})  # trailing empty cells
