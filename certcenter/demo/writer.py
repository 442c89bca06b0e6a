"""Bulk writing for the demo-scale data set: primary keys handed out in blocks, and rows written with COPY on
PostgreSQL, Core executemany elsewhere. Rows are plain dicts, not ORM objects: neither an audit entry nor a
notification is written per row."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import insert, text

from certcenter.extensions import db

INSERT_BATCH = 5000  # rows per executemany

# Generated tables in the order they are written (parents before children); the summary counts rows per table in
# this order.
TABLES = (
    "users",
    "user_roles",
    "candidate_profiles",
    "education_records",
    "experience_records",
    "applications",
    "application_events",
    "assessment_rounds",
    "assignments",
    "moderators",
    "assessment_results",
    "criterion_ratings",
    "final_ratings",
    "decisions",
    "certificates",
)


class Ids:
    """Primary keys for a table, handed out in blocks: from the table's sequence on PostgreSQL (so that later
    inserts by the application never collide), counting on from the largest id on SQLite."""

    def __init__(self, table: str, block: int = 10000) -> None:
        self.table, self.block, self.free = table, block, []
        self.postgresql = db.session.get_bind().dialect.name == "postgresql"
        self.next_sqlite = None

    def __call__(self) -> int:
        if not self.free:
            if self.postgresql:
                self.free = list(
                    db.session.scalars(
                        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
                        {"table": self.table, "n": self.block},
                    )
                )
            else:
                if self.next_sqlite is None:
                    self.next_sqlite = (db.session.scalar(text(f"SELECT max(id) FROM {self.table}")) or 0) + 1
                self.free = list(range(self.next_sqlite, self.next_sqlite + self.block))
                self.next_sqlite += self.block
            self.free.reverse()
        return self.free.pop()


class Writer:
    """Collects rows per table and writes them, parents before children: with COPY on PostgreSQL (psycopg's
    executemany manages some 20,000 rows a second, COPY five times that), with Core executemany elsewhere."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.counts: Counter = Counter()
        self.dialect = db.session.get_bind().dialect

    def add(self, table: str, row: dict) -> None:
        self.rows[table].append(row)

    def flush(self) -> None:
        for name in TABLES:
            rows = self.rows.pop(name, None)
            if not rows:
                continue
            table = db.metadata.tables[name]
            if self.dialect.name == "postgresql":
                self._copy(table, rows)
            else:
                for start in range(0, len(rows), INSERT_BATCH):
                    db.session.execute(insert(table), rows[start : start + INSERT_BATCH])
            self.counts[name] += len(rows)

    def _copy(self, table, rows: list[dict]) -> None:
        # Each value goes through its column type's bind processor (JSON, UTC timestamps), as an INSERT would.
        columns = [
            (name, table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)) for name in rows[0]
        ]
        names = ", ".join(f'"{name}"' for name, _ in columns)
        cursor = db.session.connection().connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([process(row[name]) if process else row[name] for name, process in columns])
