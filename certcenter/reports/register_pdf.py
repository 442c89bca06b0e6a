"""A register as a PDF in bounded memory: rows are read in chunks, each chunk is laid out as its own small WeasyPrint
document and written to a temporary file, and the pages are joined at the end with pikepdf. The running header and
"page X of Y" are drawn afterwards, as one light document of empty pages laid over the joined ones, because the
page count is known only once the last chunk is laid out.

One document for 10,000 rows costs WeasyPrint over a gigabyte (the whole box tree stays alive until the PDF is
written); a chunk of a few hundred rows costs some tens of megabytes and is released before the next.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from certcenter.applications.workflow import STATE_LABELS
from certcenter.certificates.models import STATUS_LABELS
from certcenter.core.i18n import localized
from certcenter.core.models import utcnow
from certcenter.core.pdf import render_document, static_url
from certcenter.core.settings import centre_settings
from certcenter.extensions import db
from certcenter.reports import exports
from certcenter.reports.forms import ExportForm

CHUNK_ROWS = 400


def _columns(dataset: str) -> list[str]:
    if dataset == "certificates":
        return [
            _("Number"),
            _("Holder"),
            _("Qualification"),
            _("NQF level"),
            _("Date of issue"),
            _("Valid until"),
            _("Status"),
        ]
    return [_("Application"), _("Candidate"), _("Qualification"), _("NQF level"), _("State"), _("Submitted")]


def _table_rows(dataset: str, filters: dict[str, Any]) -> Iterator[list[str]]:
    """The export's rows, shaped for reading: titles in the report's language, dates as the locale writes them."""
    data = exports.rows(dataset, filters)[1]
    if dataset == "certificates":
        for number, holder, latin, code, title_kk, title_ru, level, _eqf, issued, expires, status in data:
            yield [
                number,
                f"{holder}\n{latin}",
                f"{code} · {localized({'kk': title_kk, 'ru': title_ru})}",
                str(level),
                format_date(date.fromisoformat(issued), "short"),
                format_date(date.fromisoformat(expires), "short"),
                str(STATUS_LABELS.get(status, status)),
            ]
    else:
        for application, candidate, code, level, state, submitted, _eligibility, _created in data:
            yield [
                str(application),
                candidate,
                code,
                str(level),
                str(STATE_LABELS.get(state, state)),
                format_date(datetime.fromisoformat(submitted), "short") if submitted else "—",
            ]


def register_title(dataset: str) -> str:
    return _("Register of issued certificates") if dataset == "certificates" else _("Register of applications")


def register_pdf(dataset: str, filters: dict[str, Any], *, progress: Callable[[int, int], None] | None = None) -> bytes:
    import pikepdf

    total = db.session.scalar(exports.count_query(dataset, filters)) or 0
    title = register_title(dataset)
    columns = _columns(dataset)
    generated_at = utcnow()
    filter_labels = {
        name: field.label.text for name, field in ExportForm(meta={"csrf": False}, formdata=None)._fields.items()
    }
    with tempfile.TemporaryDirectory(prefix="certcenter-register-") as folder:
        chunk_files: list[Path] = []
        chunk: list[list[str]] = []
        done = 0

        def flush() -> None:
            nonlocal done
            html = render_template(
                "pdf/register.html",
                title=title,
                columns=columns,
                rows=chunk,
                first=not chunk_files,
                total=total,
                filters=filters,
                filter_labels=filter_labels,
                generated_at=generated_at,
                static_url=static_url,
                dataset=dataset,
            )
            path = Path(folder) / f"chunk-{len(chunk_files):05d}.pdf"
            # the register's stylesheet sets what it uses; WeasyPrint's full defaults cost a fifth of the time
            path.write_bytes(render_document(html, lean_defaults=True).write_pdf())
            chunk_files.append(path)
            done += len(chunk)
            chunk.clear()
            if progress:
                progress(done, total)

        for row in _table_rows(dataset, filters):
            chunk.append(row)
            if len(chunk) >= CHUNK_ROWS:
                flush()
        if chunk or not chunk_files:
            flush()

        joined = pikepdf.new()
        sources = []
        for path in chunk_files:
            source = pikepdf.open(path)
            sources.append(source)
            joined.pages.extend(source.pages)
        furniture = pikepdf.open(
            io.BytesIO(_page_furniture(title, len(joined.pages), generated_at, localized(centre_settings().name)))
        )
        for page, overlay in zip(joined.pages, furniture.pages, strict=True):
            page.add_overlay(overlay)
        joined.docinfo["/Title"] = title
        output = io.BytesIO()
        joined.save(output, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        for source in sources:
            source.close()
        return output.getvalue()


def css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the style element early."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;·-–—()/№" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def _page_furniture(title: str, pages: int, generated_at, centre_name: str) -> bytes:
    """Empty pages carrying only the running header and the page numbers, to lay over the register's pages."""
    marker = "\x00"
    label = _("Page %(page)s of %(pages)s", page=marker, pages=pages)
    before, _marker, after = label.partition(marker)
    html = render_template(
        "pdf/register_furniture.html",
        pages=pages,
        header_content=Markup(css_string(f"{centre_name} · {title}")),
        generated_content=Markup(css_string(format_datetime(generated_at, "short"))),
        page_content=Markup(f"{css_string(before)} counter(page) {css_string(after)}"),
    )
    return render_document(html).write_pdf()
