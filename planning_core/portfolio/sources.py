"""Reading portfolio files into plain tables of text: CSV (any common encoding) and Excel workbooks.

Row numbers are the ones a spreadsheet shows: the first line of a CSV file is row 1 (usually the
header), so the first data row is row 2. Headers are matched by a key that ignores case, stray or
doubled spaces, underscores and punctuation ("  Application ID " == "application_id").
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from planning_core.errors import PortfolioFormatError
from planning_core.limits import MAX_DECOMPRESSED_BYTES, MAX_DECOMPRESSED_MB, MAX_IMPORT_ROWS
from planning_core.portfolio.models import Problems

MAX_FILE_BYTES = 500 * 1024 * 1024
HEADER_SEARCH_ROWS = 20
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def header_key(text: str) -> str:
    """The key headers are matched by: lower case, words of letters and digits joined by one space."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


@dataclass
class Table:
    """One sheet or CSV file: rows of text cells with their spreadsheet row numbers."""

    name: str
    rows: list[tuple[int, list[str]]]
    header_row: int = 0
    headers: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    positions: dict[str, list[int]] = field(default_factory=dict)

    def best_hits(self, wanted: tuple[str, ...] | list[str]) -> int:
        """How many of the wanted headers the best of the first 20 rows holds (nothing changes)."""
        keys = {header_key(w) for w in wanted}
        return max(
            (len(keys & {header_key(c) for c in cells}) for _, cells in self.rows[:HEADER_SEARCH_ROWS]),
            default=0,
        )

    def locate_header(self, wanted: tuple[str, ...]) -> int:
        """Use the row (among the first 20) holding most of the wanted headers; return how many it holds."""
        keys = {header_key(w) for w in wanted}
        best, best_hits = 0, -1
        for index, (_, cells) in enumerate(self.rows[:HEADER_SEARCH_ROWS]):
            hits = len(keys & {header_key(c) for c in cells})
            if hits > best_hits:
                best, best_hits = index, hits
        if self.rows:
            self._set_header(best)
        return max(best_hits, 0)

    def _set_header(self, index: int) -> None:
        number, cells = self.rows[index]
        self.header_row = number
        self.headers = [" ".join(c.split()) for c in cells]
        self.columns = {}
        self.positions = {}
        for position, cell in enumerate(cells):
            key = header_key(cell)
            if key:
                self.columns.setdefault(key, position)
                self.positions.setdefault(key, []).append(position)
        self.rows = self.rows[index + 1 :]

    def count(self, name: str) -> int:
        """How many columns of the header carry this name (App2App heads two 'Application ID')."""
        return len(self.positions.get(header_key(name), ()))

    def repeated(self) -> list[tuple[str, list[int]]]:
        """Headers that appear more than once, with their positions."""
        return [(self.headers[p[0]], p) for p in self.positions.values() if len(p) > 1]

    def has(self, name: str) -> bool:
        """Whether the header has this column."""
        return header_key(name) in self.columns

    def missing(self, names: tuple[str, ...] | list[str]) -> list[str]:
        """The wanted columns the header lacks, in the order given."""
        return [n for n in names if header_key(n) not in self.columns]

    def getter(self, name: str, occurrence: int = 0):
        """A fast function row -> stripped cell text ('' when the column or cell is absent); with
        ``occurrence`` n, the n-th (from 0) of the columns carrying this name."""
        found = self.positions.get(header_key(name), ())
        index = found[occurrence] if occurrence < len(found) else None
        if index is None:
            return lambda cells: ""
        return lambda cells: cells[index].strip() if index < len(cells) else ""


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column position (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def report_repeated_headers(table: Table, problems: Problems) -> None:
    """Warn about every header that appears more than once: only its first column is read."""
    for header, positions in table.repeated():
        shown = ", ".join(column_letter(p) for p in positions)
        problems.warn(
            row=table.header_row or None,
            column=header,
            message=f"{table.name}: the column {header!r} appears {len(positions)} times (columns {shown})",
            action=f"only column {column_letter(positions[0])} is read; the others are ignored",
        )


def _too_many_rows(name: str) -> PortfolioFormatError:
    return PortfolioFormatError(
        f"{name} holds more than {MAX_IMPORT_ROWS:,} rows; the import reads at most {MAX_IMPORT_ROWS:,} "
        "rows per file: split it into several files"
    )


def _too_large(name: str) -> PortfolioFormatError:
    return PortfolioFormatError(
        f"{name} expands to more than {MAX_DECOMPRESSED_MB} MB once decompressed; the import reads at most "
        f"{MAX_DECOMPRESSED_MB} MB: split it into several files"
    )


def check_line_count(data: bytes, name: str) -> None:
    """Refuse text with far more lines than the row limit before decoding or parsing any of it."""
    if data.count(b"\n") > 2 * MAX_IMPORT_ROWS:
        raise _too_many_rows(name)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing folders, missing and oversized files with a clear message."""
    if not path.exists():
        raise PortfolioFormatError(f"{path} does not exist")
    if not path.is_file():
        raise PortfolioFormatError(f"{path} is not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise PortfolioFormatError(f"{path.name} is {size // 2**20} MB; the import reads files up to 500 MB")
    if size == 0:
        raise PortfolioFormatError(f"{path.name} is empty")
    return path.read_bytes()


def is_workbook(data: bytes) -> bool:
    """Whether bytes look like an .xlsx/.xlsm workbook (a zip archive)."""
    return data.startswith(_ZIP_MAGIC)


def decode_text(data: bytes, *, encoding: str | None, name: str, problems: Problems) -> str:
    """Text from bytes: a BOM wins, then the given encoding, then UTF-8, then Windows-1252 (warned)."""
    if data.startswith(_OLE_MAGIC):
        raise PortfolioFormatError(f"{name} is an old binary Excel (.xls) file; save it as .xlsx or CSV")
    if is_workbook(data):
        raise PortfolioFormatError(f"{name} is a zip archive (an Excel workbook?), not a CSV text file")
    check_line_count(data, name)
    text = _decode(data, encoding=encoding, name=name, problems=problems)
    sample = text[:65536]
    if "\x00" in sample or len(_CONTROL_RE.findall(sample)) > max(3, len(sample) // 1000):
        raise PortfolioFormatError(f"{name} does not look like a CSV text file (it contains binary data)")
    return text


def _decode(data: bytes, *, encoding: str | None, name: str, problems: Problems) -> str:
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _strict(data, codec, name)
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise PortfolioFormatError(f"unknown encoding {encoding!r}") from None
        return _strict(data, encoding, name)
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        problems.warn(
            row=None,
            column=None,
            message=f"{name} is not UTF-8; it was read as {label} (Western European)",
            action="check accented names in the preview; re-export as UTF-8 or choose the encoding",
        )
        return text
    raise PortfolioFormatError(f"{name}: cannot determine the text encoding")  # pragma: no cover


def _utf16_without_bom(data: bytes) -> str | None:
    """Decode UTF-16 without a BOM when every other byte of the start is zero (ASCII text)."""
    head = data[:2000]
    if len(head) < 4 or head.count(0) < len(head) // 3:
        return None
    codec = "utf-16-le" if head[1::2].count(0) > len(head) // 3 else "utf-16-be"
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _strict(data: bytes, codec: str, name: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise PortfolioFormatError(
            f"{name} is not valid {codec} text (byte {exc.start}); re-export it as UTF-8"
        ) from None


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def parse_csv_text(text: str, *, name: str, problems: Problems | None = None) -> Table:
    """Rows of a CSV text (delimiter ',', ';' or tab from the first line); blank rows skipped.

    At most ``MAX_IMPORT_ROWS`` rows. A text that looks cut off (it ends inside a quoted cell, or
    without a line break in a row shorter than the one before) is warned about in ``problems``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            if number > MAX_IMPORT_ROWS:
                raise _too_many_rows(name)
            if "".join(cells).strip():
                rows.append((number, cells))
    except csv.Error as exc:
        raise PortfolioFormatError(f"{name}, row {number + 1}: not a readable CSV row ({exc})") from None
    if not rows:
        raise PortfolioFormatError(f"{name} has no rows")
    if problems is not None:
        _report_cut_off(text, rows, name=name, problems=problems)
    return Table(name=name, rows=rows)


def _report_cut_off(text: str, rows: list[tuple[int, list[str]]], *, name: str, problems: Problems) -> None:
    """Warn when the text ends mid-row: inside a quoted cell, or a short last row without a line break."""
    last_row, last = rows[-1]
    unterminated = not text.endswith(("\n", "\r"))
    if text.count('"') % 2 == 1 and _ends_in_quote(text):
        reason = "it ends inside a quoted cell"
    elif unterminated and len(rows) > 1 and len(last) < len(rows[-2][1]):
        reason = f"its last row has {len(last)} of {len(rows[-2][1])} cells and no line break after it"
    else:
        return
    problems.warn(
        row=last_row,
        column=None,
        message=f"{name} looks cut off: {reason}",
        action="the last row is read as it is; check the file is complete (re-export it if not)",
    )


def _ends_in_quote(text: str) -> bool:
    """Whether the text ends inside a quoted cell (a strict reader runs out of data in it)."""
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def read_csv(path: Path, *, encoding: str | None, problems: Problems) -> Table:
    """A CSV file as a table (see ``decode_text`` for encodings)."""
    data = read_bytes(path)
    return parse_csv_text(
        decode_text(data, encoding=encoding, name=path.name, problems=problems),
        name=path.name,
        problems=problems,
    )


def is_spreadsheet_archive(data: bytes) -> bool:
    """Whether a zip archive is an Excel workbook (rather than a zip of CSV files)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return True  # let the workbook reader explain what is wrong with it
    return "[Content_Types].xml" in names or "xl/workbook.xml" in names


def read_csv_archive(
    path: Path, data: bytes, *, encoding: str | None, problems: Problems
) -> dict[str, Table]:
    """The CSV files of a zip archive as tables named after the files (e.g. applications, dependencies)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                info
                for info in archive.infolist()
                if info.filename.lower().endswith(".csv") and not info.filename.startswith("__MACOSX/")
            ]
            if not members:
                raise PortfolioFormatError(f"{path.name} is a zip archive without CSV files")
            budget = _Budget(path.name)
            tables: dict[str, Table] = {}
            for info in members:
                name = Path(info.filename).name
                data = _read_member(archive, info, budget)
                text = decode_text(data, encoding=encoding, name=name, problems=problems)
                del data
                tables[Path(name).stem] = parse_csv_text(text, name=name, problems=problems)
                budget.rows += len(tables[Path(name).stem].rows)
                if budget.rows > MAX_IMPORT_ROWS:
                    raise _too_many_rows(path.name)
            return tables
    except PortfolioFormatError:
        raise
    except Exception as exc:  # zipfile raises many kinds of errors on damaged archives
        raise PortfolioFormatError(
            f"{path.name} is not a readable zip archive ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None


@dataclass
class _Budget:
    """What an archive may still expand to: bytes decompressed and lines (or rows) read so far."""

    name: str
    size: int = 0
    lines: int = 0
    rows: int = 0

    def take(self, chunk: bytes, *, lines: int) -> None:
        """Count a decompressed chunk; PortfolioFormatError as soon as a limit is passed."""
        self.size += len(chunk)
        self.lines += lines
        if self.size > MAX_DECOMPRESSED_BYTES:
            raise _too_large(self.name)
        if self.lines > 2 * MAX_IMPORT_ROWS:
            raise _too_many_rows(self.name)


_CHUNK = 1 << 20


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    """A member's bytes, decompressed in chunks and counted against the budget while streaming."""
    if info.file_size > MAX_DECOMPRESSED_BYTES:
        raise _too_large(budget.name)
    parts: list[bytes] = []
    with archive.open(info) as handle:
        while chunk := handle.read(_CHUNK):
            budget.take(chunk, lines=chunk.count(b"\n"))
            parts.append(chunk)
    return b"".join(parts)


def cell_text(value: object) -> str:
    """An Excel cell value as text (whole floats without '.0', dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


_FORMULA_TAGS = (b"<f>", b"<f ", b":f>", b":f ")
_ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")


def _scan_workbook(data: bytes, name: str) -> bool:
    """Whether any worksheet holds a formula, from a streaming scan of the workbook's XML that
    refuses it as soon as it expands past ``MAX_DECOMPRESSED_BYTES`` or holds more rows than
    ``MAX_IMPORT_ROWS`` (so a compressed bomb never reaches the spreadsheet reader)."""
    budget = _Budget(name)
    formulas = False
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > MAX_DECOMPRESSED_BYTES:
            raise _too_large(name)
        for info in infos:
            sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            tail = b""
            with archive.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    window = tail + chunk
                    budget.take(chunk, lines=0)
                    if sheet:
                        formulas = formulas or any(tag in window for tag in _FORMULA_TAGS)
                        budget.rows += sum(window.count(tag) for tag in _ROW_TAGS) - sum(
                            tail.count(tag) for tag in _ROW_TAGS
                        )
                        if budget.rows > MAX_IMPORT_ROWS:
                            raise _too_many_rows(name)
                    tail = chunk[-8:]
    return formulas


def read_workbook(path: Path, *, problems: Problems) -> dict[str, Table]:
    """Every sheet of an .xlsx/.xlsm workbook (cached formula values; formulas without one reported)."""
    data = read_bytes(path)
    if data.startswith(_OLE_MAGIC):
        raise PortfolioFormatError(f"{path.name} is an old binary Excel (.xls) file; save it as .xlsx")
    if not is_workbook(data):
        raise PortfolioFormatError(f"{path.name} is not an Excel workbook (.xlsx/.xlsm)")
    try:
        return _read_workbook(data, name=path.name, problems=problems)
    except PortfolioFormatError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many kinds of errors on damaged files
        raise PortfolioFormatError(
            f"{path.name} is not a readable Excel workbook ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None


def _read_workbook(data: bytes, *, name: str, problems: Problems) -> dict[str, Table]:
    import openpyxl

    has_formulas = _scan_workbook(data, name)
    values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = (
        openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False) if has_formulas else None
    )
    tables: dict[str, Table] = {}
    read = 0
    try:
        for sheet in values.worksheets:
            formula_rows = formulas[sheet.title].iter_rows(values_only=True) if formulas is not None else None
            rows: list[tuple[int, list[str]]] = []
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                read += 1
                if read > MAX_IMPORT_ROWS:
                    raise _too_many_rows(name)
                raw = next(formula_rows, ()) if formula_rows is not None else ()
                texts = [cell_text(c) for c in cells]
                _report_uncached(texts, raw, sheet=sheet.title, row=number, problems=problems)
                if any(t.strip() for t in texts):
                    rows.append((number, texts))
            tables[sheet.title.strip()] = Table(name=sheet.title.strip(), rows=rows)
    finally:
        values.close()
        if formulas is not None:
            formulas.close()
    return tables


def _report_uncached(texts: list[str], raw: tuple, *, sheet: str, row: int, problems: Problems) -> None:
    for index, formula in enumerate(raw):
        if isinstance(formula, str) and formula.startswith("=") and index < len(texts) and texts[index] == "":
            problems.warn(
                row=row,
                column=f"{sheet}!{column_letter(index)}",
                message=f"sheet {sheet!r}: the formula {formula[:80]} has no saved value "
                "(the file was written by a program that does not calculate formulas)",
                action="treated as blank; open and save the file in Excel to keep the value",
            )
