"""The raw floor of a ticket create: the same rows written by hand in one transaction.

A create through the API writes: the round-robin rule's pointer (one statement before the
create's transaction, read and moved at once), then in one transaction the ticket row (with
its due time) with its field-history row and its timeline row, the dispatch row, two SLA
clocks (response and resolution) with a running segment each, the notification's Message-ID
row and its outbox row. The floor writes the same rows, each copied from the
rows of one create made through the API (``INSERT … SELECT`` of the template row by primary
key, its links pointed at the new ticket and its unique values made unique), so every
column, index and foreign key is maintained as the product's insert maintains it; reading
the template row by its primary key is the only extra work. On PostgreSQL the number comes
from a sequence (``nextval``, as the product's numbering), on SQLite from the process.
"""

from __future__ import annotations

import itertools
import os


class Template:
    """The rows one API create wrote, found by its ticket id, and the statements copying them."""

    def __init__(self, conn, vendor: str, ticket_id: int):
        self.vendor = vendor
        self.pg = vendor == "postgresql"
        cur = conn.cursor()
        q = self._q

        def one(sql, params):
            cur.execute(q(sql), params)
            row = cur.fetchone()
            if row is None:
                raise SystemExit(f"raw floor: no template row for {sql!r} {params}")
            return row[0]

        def many(sql, params):
            cur.execute(q(sql), params)
            return [row[0] for row in cur.fetchall()]

        content_type = one(
            "SELECT id FROM django_content_type WHERE app_label = 'desk' AND model = 'ticket'", []
        )
        self.ids = {
            "desk_ticket": ticket_id,
            "desk_historicalticket": one(
                "SELECT history_id FROM desk_historicalticket WHERE id = %s", [ticket_id]
            ),
            "core_timelineentry": one(
                "SELECT id FROM core_timelineentry WHERE content_type_id = %s AND object_id = %s",
                [content_type, str(ticket_id)],
            ),
            "desk_assignment": one(
                "SELECT id FROM desk_assignment WHERE ticket_id = %s", [ticket_id]
            ),
            "desk_ticketmessage": one(
                "SELECT id FROM desk_ticketmessage WHERE ticket_id = %s", [ticket_id]
            ),
            "outbox_outboxmessage": one(
                "SELECT id FROM outbox_outboxmessage WHERE key LIKE %s", [f"desk:{ticket_id}:%"]
            ),
        }
        self.clocks = many(
            "SELECT id FROM clocks_clock WHERE content_type_id = %s AND object_id = %s "
            "ORDER BY metric",
            [content_type, ticket_id],
        )
        if len(self.clocks) != 2:
            raise SystemExit(f"raw floor: the template ticket has {len(self.clocks)} clocks, not 2")
        self.segments = [
            one("SELECT id FROM clocks_clocksegment WHERE clock_id = %s", [clock])
            for clock in self.clocks
        ]
        assignment = self._fetch(cur, "desk_assignment", ["rule_id", "assignee_id"])
        self.rule_id, self.assignee_id = assignment
        self.due_at = self._fetch(cur, "desk_ticket", ["due_at"])[0]
        self.columns = {
            table: self._columns(cur, table)
            for table in (*self.ids, "clocks_clock", "clocks_clocksegment")
        }
        cur.close()
        self.counter = itertools.count(1)

    # --- SQL text ---------------------------------------------------------------------------

    def _q(self, sql: str) -> str:
        return sql if self.pg else sql.replace("%s", "?")

    def _fetch(self, cur, table: str, columns: list[str]) -> tuple:
        key = "history_id" if table == "desk_historicalticket" else "id"
        cur.execute(
            self._q(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = %s"),
            [self.ids[table]],
        )
        return cur.fetchone()

    def _columns(self, cur, table: str) -> list[str]:
        if self.pg:
            cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND is_generated = 'NEVER' AND column_default IS DISTINCT FROM "
                "'nextval(''' || table_name || '_id_seq''::regclass)' ORDER BY ordinal_position",
                [table],
            )
            names = [row[0] for row in cur.fetchall()]
        else:
            cur.execute(f"PRAGMA table_info({table})")
            names = [row[1] for row in cur.fetchall()]
        skip = {"history_id"} if table == "desk_historicalticket" else {"id"}
        return [name for name in names if name not in skip]

    def copy_sql(self, table: str, overrides: dict[str, str], returning: bool = True):
        """``(sql, names)``: ``INSERT INTO table (…) SELECT … FROM table WHERE key = %s``
        with *overrides* (column → SQL expression; a ``%s`` one is a parameter) and the
        names of the parameters in their order (the template row's key last)."""
        columns = self.columns[table]
        key = "history_id" if table == "desk_historicalticket" else "id"
        values = ", ".join(overrides.get(c, f'"{c}"') for c in columns)
        names = [c for c in columns if overrides.get(c) == "%s"] + ["template"]
        quoted = ", ".join(f'"{c}"' for c in columns)
        sql = f"INSERT INTO {table} ({quoted}) SELECT {values} FROM {table} WHERE {key} = %s"
        return self._q(sql + (" RETURNING id" if returning else "")), names

    def statements(self) -> dict:
        now = "now()" if self.pg else "strftime('%Y-%m-%d %H:%M:%f', 'now')"
        return {
            "ticket": self.copy_sql(
                "desk_ticket",
                {"number": "%s", "due_at": "%s", "created_at": now, "updated_at": now},
            ),
            "history": self.copy_sql(
                "desk_historicalticket",
                {"id": "%s", "number": "%s", "history_date": now},
                returning=False,
            ),
            "timeline": self.copy_sql("core_timelineentry", {"object_id": "%s", "at": now}, False),
            "assignment": self.copy_sql("desk_assignment", {"ticket_id": "%s"}, False),
            "clock": self.copy_sql(
                "clocks_clock", {"object_id": "%s", "record_label": "%s", "created_at": now}
            ),
            "segment": self.copy_sql("clocks_clocksegment", {"clock_id": "%s"}, False),
            "message": self.copy_sql(
                "desk_ticketmessage", {"ticket_id": "%s", "message_id": "%s"}, False
            ),
            "outbox": self.copy_sql("outbox_outboxmessage", {"key": "%s"}, False),
            # the round-robin turn: read and moved in one statement before the transaction
            "rule": self._q(
                "UPDATE desk_dispatchrule SET last_assignee_id = %s WHERE id = %s "
                "RETURNING last_assignee_id"
            ),
            "number": "SELECT nextval('bench_ticket_raw_number')" if self.pg else "",
        }

    # --- one create -------------------------------------------------------------------------

    @staticmethod
    def _run(cur, statement, template: int, **values):
        sql, names = statement
        cur.execute(sql, [template if name == "template" else values[name] for name in names])

    def create(self, conn, sql: dict) -> None:
        """The rows of one create in one transaction (*conn*: psycopg or sqlite3)."""
        cur = conn.cursor()
        if self.rule_id is not None:
            cur.execute(sql["rule"], [self.assignee_id, self.rule_id])
            cur.fetchone()
        if self.pg:
            cur.execute("BEGIN")
            cur.execute(sql["number"])
            number = f"R-{cur.fetchone()[0]:08d}"
        else:
            cur.execute("BEGIN IMMEDIATE")
            number = f"R-{os.getpid()}-{next(self.counter)}"
        ids = self.ids
        self._run(cur, sql["ticket"], ids["desk_ticket"], number=number, due_at=self.due_at)
        ticket = cur.fetchone()[0]
        self._run(cur, sql["history"], ids["desk_historicalticket"], id=ticket, number=number)
        self._run(cur, sql["timeline"], ids["core_timelineentry"], object_id=str(ticket))
        self._run(cur, sql["assignment"], ids["desk_assignment"], ticket_id=ticket)
        for clock, segment in zip(self.clocks, self.segments, strict=True):
            self._run(cur, sql["clock"], clock, object_id=ticket, record_label=number)
            new_clock = cur.fetchone()[0]
            self._run(cur, sql["segment"], segment, clock_id=new_clock)
        self._run(
            cur,
            sql["message"],
            ids["desk_ticketmessage"],
            ticket_id=ticket,
            message_id=f"<raw.{ticket}@bench.invalid>",
        )
        self._run(cur, sql["outbox"], ids["outbox_outboxmessage"], key=f"raw:{ticket}")
        cur.execute("COMMIT")
        cur.close()


def connect(vendor: str, target: str):
    """An autocommit connection (transactions by hand): psycopg URL or SQLite path."""
    if vendor == "postgresql":
        import psycopg

        return psycopg.connect(target, autocommit=True)
    import sqlite3

    conn = sqlite3.connect(target, isolation_level=None, timeout=60)
    # as the product's connections (settings.py's init_command)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn
