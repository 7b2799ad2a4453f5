"""The /screen page screens an uploaded file: hits on the page or as a download, and every
file it cannot screen answered with a 400 page that says why."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from belwatch.api import create_app
from belwatch.settings import Settings
from belwatch.store import Store
from belwatch.web.pages import MAX_UPLOAD_BYTES, MAX_UPLOAD_ROWS

CUSTOMERS = (
    "customer_no,full_name,dob\n"
    "1,Лукашенко Александр Григорьевич,1954-08-30\n"
    "2,Ivan Testovich Nobody,1980\n"
    "3,,1990\n"
).encode()
MAPPING = {
    "name_column": "full_name",
    "id_column": "customer_no",
    "birth_date_column": "dob",
    "default_schema": "Person",
}


@pytest.fixture(scope="module")
def client(real_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(db=real_store.url), store=real_store)) as client:
        yield client


def upload(client: TestClient, name: str, data: bytes, **form: str) -> httpx.Response:
    return client.post("/screen", files={"file": (name, data)}, data=form)


def page_of(response: httpx.Response) -> str:
    """The page's text as a reader sees it (entities such as &#39; unescaped)."""
    return html.unescape(response.text)


def xlsx(*rows: tuple[object, ...]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_page_offers_an_accessible_upload_form(client: TestClient) -> None:
    page = client.get("/screen").text
    assert 'enctype="multipart/form-data"' in page and 'method="post"' in page
    for field in ("file", "name_column", "id_column", "birth_date_column", "country_column"):
        assert f'<label for="{field}">' in page and f'id="{field}"' in page
    assert 'value="name"' in page  # the name column defaults to "name"


def test_csv_upload_shows_hits_linked_and_problems_by_line(client: TestClient) -> None:
    response = upload(client, "customers.csv", CUSTOMERS, **MAPPING)
    assert response.status_code == 200
    page = page_of(response)
    assert "3 rows, 2 screened, 1 with a match" in page
    table = page[page.index("<table") : page.index("</table>")]
    links = re.findall(r'<a href="(/entity/[^"]+)">', table)
    assert links
    for link in links:  # each hit links to its entity's page
        entity_page = client.get(link)
        assert entity_page.status_code == 200 and "1954-08-30" in entity_page.text
    assert "Лукашенко Александр Григорьевич" in table and "customer_no 1" in table
    assert "born 1954-08-30 on both" in table
    assert "765/2006" in table  # the EU regulation he is listed under
    assert "Nobody" not in table
    assert "line 4: no name in column 'full_name'" in page
    assert 'value="full_name"' in page  # the form keeps the chosen columns


def test_xlsx_upload_matches_columns_without_regard_to_case(client: TestClient) -> None:
    data = xlsx(("Name", "Born"), ("Viktar Sheiman", datetime(1958, 5, 26)), ("Fresh Bakery", None))
    form = {"birth_date_column": "born", "default_schema": "Person"}
    response = upload(client, "people.xlsx", data, **form)
    assert response.status_code == 200, response.text
    page = page_of(response)
    assert "2 rows, 2 screened, 1 with a match" in page
    table = page[page.index("<table") : page.index("</table>")]
    assert "Viktar Sheiman" in table and 'href="/entity/' in table
    assert "born 1958-05-26 on both" in table  # a date cell counts as the date it shows
    assert "Fresh Bakery" not in table


def test_jsonl_upload_reports_a_broken_line(client: TestClient) -> None:
    data = b'{"name": "Viktar Sheiman"}\n{"name": \n'
    response = upload(client, "people.jsonl", data, default_schema="Person")
    assert response.status_code == 200
    page = page_of(response)
    assert "2 rows, 1 screened, 1 with a match" in page
    assert "line 2: not JSON" in page


def test_csv_download(client: TestClient) -> None:
    response = upload(client, "customers.csv", CUSTOMERS, **MAPPING, output="csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="customers-hits.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and {r["input_id"] for r in rows} == {"1"}
    assert {r["entity_id"].split("-sanctions-")[0] for r in rows} >= {"gb-hmt", "eu-journal"}
    assert all(r["input_name"] == "Лукашенко Александр Григорьевич" for r in rows)
    assert all(r["match"] == "True" and float(r["score"]) >= 0.7 for r in rows)


def test_xlsx_download(client: TestClient) -> None:
    response = upload(client, "customers.csv", CUSTOMERS, **MAPPING, output="xlsx")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="customers-hits.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    hits = list(book["hits"].iter_rows(values_only=True))
    assert hits[0][:3] == ("row", "input_id", "input_name")
    assert len(hits) > 1 and hits[0][5] == "entity_id"
    assert all(row[4] is True and row[5] for row in hits[1:])
    assert {row[2] for row in hits[1:]} == {"Лукашенко Александр Григорьевич"}
    problems = [row[0] for row in book["not screened"].iter_rows(min_row=2, values_only=True)]
    assert problems == ["line 4: no name in column 'full_name'"]


def test_xlsx_download_keeps_a_name_like_a_formula_as_text(client: TestClient) -> None:
    data = b"name\n=Viktar Sheiman\n"
    response = upload(client, "odd.csv", data, default_schema="Person", output="xlsx")
    assert response.status_code == 200
    cells = [row[2] for row in load_workbook(io.BytesIO(response.content))["hits"].iter_rows(2)]
    assert cells and all(c.value == "=Viktar Sheiman" and c.data_type == "s" for c in cells)


@pytest.mark.parametrize(
    ("name", "data", "form", "message"),
    [
        ("empty.csv", b"", {}, "empty.csv is empty"),
        ("blank.csv", b"\n  \n", {}, "blank.csv is empty"),
        ("header.csv", b"name,dob\n", {}, "header.csv has no rows to screen"),
        ("scan.pdf", b"%PDF-1.4\n\xe2\xe3\xcf\xd3\n", {}, "not valid utf-8"),
        ("archive.xlsx", b"PK\x03\x04not really a workbook", {}, "not a readable xlsx workbook"),
        (
            "customers.csv",
            CUSTOMERS,
            {},
            "customers.csv has no name column 'name'; "
            "its columns are: 'customer_no', 'full_name', 'dob'",
        ),
        (
            "customers.csv",
            CUSTOMERS,
            {"name_column": "full_name", "country_column": "nationality"},
            "has no country column 'nationality'",
        ),
        (
            "huge.csv",
            b"name\n" + b"x" * MAX_UPLOAD_BYTES,
            {},
            "huge.csv is larger than 10 MiB",
        ),
        (
            "long.csv",
            b"name\n" + b"Ivan Petrov\n" * (MAX_UPLOAD_ROWS + 1),
            {},
            "long.csv has more than 10,000 rows, the limit for the web page; "
            "screen it with the command line: belwatch screen",
        ),
    ],
)
def test_bad_upload_is_a_400_page_that_says_why(
    client: TestClient, name: str, data: bytes, form: dict[str, str], message: str
) -> None:
    response = upload(client, name, data, **form)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert 'class="error" role="alert"' in response.text
    assert message in page_of(response)


def test_no_file_is_a_400_page(client: TestClient) -> None:
    for response in (
        client.post("/screen", data={"name_column": "name"}),
        client.post("/screen", data={"name_column": "name"}, files={"file": ("", b"")}),
    ):
        assert response.status_code == 400
        assert "Choose a CSV, JSON lines or xlsx file to upload." in response.text


def test_one_name_screening_is_unchanged(client: TestClient) -> None:
    page = client.get("/screen", params={"name": "Viktar Sheiman"}).text
    assert 'class="hits"' in page and 'href="/entity/' in page
