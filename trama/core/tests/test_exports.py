from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from trama.core.exports import csv_bytes, safe_cell, safe_row, xlsx_bytes

PAYLOADS = [
    '=HYPERLINK("http://evil.example","click")',
    "+39 333 1234567",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_neutralises_text_a_spreadsheet_would_run(payload):
    assert safe_cell(payload) == f"'{payload}"


@pytest.mark.parametrize("value", ["Laboratorio di comunità", "", "via Roma 1 = centro", "a-b", "'già citato"])
def test_it_leaves_ordinary_text_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [None, 3, -3, 4.5, Decimal("-45.10"), date(2024, 1, 2)])
def test_it_leaves_numbers_dates_and_empty_cells_alone(value):
    assert safe_cell(value) == value


def test_it_neutralises_a_whole_row():
    assert safe_row(["ok", "=1", 2]) == ["ok", "'=1", 2]


def test_it_writes_csv_with_neutralised_cells_and_a_byte_order_mark():
    data = csv_bytes(["Nome", "=Intestazione"], [["=cmd|' /C calc'!A0", 7], ["Città, sì", None]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Nome", "'=Intestazione"], ["'=cmd|' /C calc'!A0", "7"], ["Città, sì", ""]]


def test_it_writes_xlsx_with_text_cells_never_formulas():
    data = xlsx_bytes(["Nome", "Numero"], [["=1+1", 3], ["@SUM(A1)", None], ["bell\x07 char", 1]], sheet_title="Mappa")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Mappa"
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows == [["Nome", "Numero"], ["'=1+1", 3], ["'@SUM(A1)", None], ["bell char", 1]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.freeze_panes == "A2"
