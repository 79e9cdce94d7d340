"""Benchmark of account_debtor_collection against the peer users would pick
instead, OCA's account_invoice_overdue_reminder.

Run it through ``tools/benchmark``, which starts a throwaway PostgreSQL
cluster, installs both addons and calls this file (with the Python that runs
Odoo) in three steps:

``build``
    fills the database: debtors with open and paid invoices (bulk SQL copies
    of one invoice posted through the ORM), the past correspondence of both
    addons, then checks that both addons see the expected amounts.
``measure``
    times, in a fresh transaction rolled back after each run, what the web
    client asks the server for: the overview's first page, "select all
    overdue", opening and sending reminders to the reminder set, and one
    debtor's invoices and log; with the peak memory while sending. One process
    per side (``--side ours`` / ``--side peer``), so that the memory of one
    does not hide the other's.
``report``
    prints the table and writes BENCHMARKS.md.
"""

import argparse
import cProfile
import gc
import importlib
import io
import json
import logging
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

_logger = logging.getLogger("benchmark")

ADDON = "account_debtor_collection"
PEER = "account_invoice_overdue_reminder"
SCALE_PARAM = f"{ADDON}.benchmark_scale"
ADMIN_UID = 2
# the name prefix of the bulk-created invoices; sequence numbers follow it
NAME_PREFIX = "BNCH/"
# the debtor row ids of account.debtor pack the company in their low bits
DEBTOR_ID_COMPANY_BITS = 16
LANGS = ("en_US", "lv_LV", "de_DE")
# a reminder sent in the past to every debtor, by each addon
HISTORY_DAYS = 30
# the web client asks for one more than its count limit
WEB_COUNT_LIMIT = 10001
TARGETS = {
    # operation: (seconds, label)
    "overview": (0.3, "< 300 ms"),
    "select": (2.0, "< 2 s"),
    "send": (15.0, "< 15 s"),
    "panel": (0.3, "< 300 ms"),
    "partner": (0.02, "< 20 ms"),
    "worklist": (1.0, "< 1 s"),
    "effect": (1.0, "< 1 s"),
    "dso": (1.0, "< 1 s"),
}
OPERATIONS = (
    "overview",
    "select",
    "send",
    "panel",
    "partner",
    "worklist",
    "effect",
    "dso",
)
# sending first: its memory is measured before other operations (the peer's
# selection above all) leave the process bigger than any sending needs
MEASURE_ORDER = (
    "send",
    "overview",
    "select",
    "panel",
    "partner",
    "worklist",
    "effect",
    "dso",
)


# ------------------------------------------------------------------ odoo --
def import_odoo(odoo_src):
    """Import Odoo from its source checkout (or from the Python path)."""
    if odoo_src and odoo_src not in sys.path:
        sys.path.insert(0, odoo_src)
    import odoo  # noqa: F401  (imported for its side effects on sys.modules)


def open_registry(args):
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    options = [
        "--database",
        args.db,
        "--addons-path",
        args.addons_path,
        "--log-level",
        "warn",
        "--without-demo",
        "all",
        "--max-cron-threads",
        "0",
    ]
    if args.db_host:
        options += ["--db_host", args.db_host]
    if args.db_port:
        options += ["--db_port", str(args.db_port)]
    config.parse_config(options, setup_logging=True)
    # our own progress lines, next to Odoo's warnings
    logging.getLogger("benchmark").setLevel(logging.INFO)
    odoo.service.server.load_server_wide_modules()
    return Registry(args.db)


def new_env(cr, uid=ADMIN_UID, company_id=None, **context):
    from odoo import api

    ctx = {"lang": "en_US", "tz": "Europe/Riga", "uid": uid}
    if company_id:
        ctx["allowed_company_ids"] = [company_id]
    ctx.update(context)
    return api.Environment(cr, uid, ctx)


def today_of(env):
    """Today in the benchmark's time zone (the context's, Europe/Riga)."""
    from odoo import fields

    return fields.Date.context_today(env["res.users"])


# ----------------------------------------------------------------- build --
def debtor_items(index, scale, today):
    """The invoices of debtor ``index``: tuples (invoice date, due date,
    amount, paid). The last index is the big debtor."""
    big = index == scale["debtors"]
    n_open = scale["big_items"] if big else scale["items"]
    if big:
        n_overdue = n_open // 2
    elif index >= scale["remind"] and index % 4 == 3:
        # a quarter of the debtors outside the reminder set owe nothing late
        n_overdue = 0
    else:
        n_overdue = min(scale["overdue"], n_open)
    items = []
    for k in range(n_open):
        amount = round(
            40 + (index * 7919 + k * 104729) % 1960 + (index + k) % 100 / 100, 2
        )
        if k < n_overdue:
            due = today - timedelta(days=1 + (index + 13 * k) % 150)
        else:
            # at least 5 days ahead: a database built a few days ago still
            # has the same overdue items
            due = today + timedelta(days=5 + (index + 7 * k) % 60)
        items.append((due - timedelta(days=30), due, amount, False))
    for k in range(n_open):  # as many paid invoices, as history
        amount = round(
            40 + (index * 104729 + k * 7919) % 1960 + (index + k) % 100 / 100, 2
        )
        invoice_date = today - timedelta(days=100 + (index + 11 * k) % 300)
        items.append((invoice_date, invoice_date + timedelta(days=30), amount, True))
    return items


def build(args):
    from psycopg2.extras import execute_values

    from odoo import SUPERUSER_ID, Command
    from odoo.tools import SQL

    scale = {
        "debtors": args.debtors,
        "items": args.items,
        "overdue": args.overdue,
        "remind": min(args.remind, args.debtors),
        "big_items": args.big_items,
        "notes": args.notes,
    }
    registry = open_registry(args)
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = new_env(
            cr,
            uid=SUPERUSER_ID,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
        has_peer = "overdue.reminder.action" in env
        company = env.ref("base.main_company")
        admin = env["res.users"].browse(ADMIN_UID)
        admin.write(
            {
                "lang": "en_US",
                "tz": "Europe/Riga",
                "email": "credit.control@example.com",
                "groups_id": [
                    Command.link(env.ref("account.group_account_manager").id)
                ],
            }
        )
        company.write({"email": "accounts@example.com", "debtor_reminder_interval": 7})
        if has_peer:
            # ours attaches nothing by default: neither does the peer here
            company.overdue_reminder_attach_invoice = False
        today = today_of(env)
        installed = dict(env["res.lang"].get_installed())
        langs = [code for code in LANGS if code in installed] or ["en_US"]

        # partners, through the ORM in batches
        t0 = time.perf_counter()
        Partner = env["res.partner"]
        partner_ids = []
        total = scale["debtors"] + 1
        for first in range(0, total, 1000):
            vals_list = [
                {
                    "name": f"Debtor {i:05d}" if i < scale["debtors"] else "Big Debtor",
                    "ref": f"BENCH-{i:05d}",
                    "email": f"debtor{i:05d}@example.com",
                    "lang": langs[i % len(langs)],
                    "is_company": True,
                    "customer_rank": 1,
                }
                for i in range(first, min(first + 1000, total))
            ]
            partner_ids += Partner.create(vals_list).ids
        _logger.info("%s partners in %.1f s", total, time.perf_counter() - t0)

        # one invoice posted through the ORM: the template of every copy
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
        )
        income = env["account.account"].search(
            [("account_type", "=", "income"), ("company_ids", "in", company.id)],
            limit=1,
        )
        template = (
            env["account.move"]
            .with_user(ADMIN_UID)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner_ids[0],
                    "journal_id": journal.id,
                    "invoice_date": today,
                    "invoice_date_due": today,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Services",
                                "quantity": 1,
                                "price_unit": 100,
                                "account_id": income.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        template.action_post()
        env.flush_all()
        lines = {line.display_type: line for line in template.line_ids}
        assert set(lines) == {"product", "payment_term"}, lines
        cr.execute(
            SQL(
                """SELECT ARRAY_AGG(rel.mail_message_subtype_id)
                     FROM mail_followers follower
                     JOIN mail_followers_mail_message_subtype_rel rel
                       ON rel.mail_followers_id = follower.id
                    WHERE follower.res_model = 'account.move'
                      AND follower.res_id = %s AND follower.partner_id = %s""",
                template.id,
                partner_ids[0],
            )
        )
        follower_subtypes = cr.fetchone()[0] or []

        # the plan: every invoice as a row, with the expected totals
        t0 = time.perf_counter()
        plan = []
        expected = {"due": 0.0, "overdue": 0.0, "overdue_invoices": 0}
        overdue_debtors = set()
        for index, partner_id in enumerate(partner_ids):
            for invoice_date, due, amount, paid in debtor_items(index, scale, today):
                seq = len(plan) + 1
                plan.append(
                    (
                        seq,
                        f"{NAME_PREFIX}{seq:07d}",
                        partner_id,
                        invoice_date,
                        due,
                        amount,
                        paid,
                    )
                )
                if not paid:
                    expected["due"] += amount
                    if due < today:
                        expected["overdue"] += amount
                        expected["overdue_invoices"] += 1
                        overdue_debtors.add(partner_id)
        expected["overdue_debtors"] = len(overdue_debtors)
        cr.execute(
            SQL(
                """CREATE TEMP TABLE bench_plan (
                       seq integer, name varchar, partner_id integer,
                       invoice_date date, date_due date, amount numeric,
                       paid boolean
                   ) ON COMMIT DROP"""
            )
        )
        execute_values(
            cr._obj, "INSERT INTO bench_plan VALUES %s", plan, page_size=10000
        )
        cr.execute(SQL("ANALYZE bench_plan"))
        move_columns = table_columns(cr, "account_move")
        line_columns = table_columns(cr, "account_move_line")
        now = SQL("(NOW() AT TIME ZONE 'UTC')")
        residual = SQL("CASE WHEN plan.paid THEN 0 ELSE plan.amount END")
        amount = SQL("plan.amount")
        move_values = {
            "name": SQL("plan.name"),
            "payment_reference": SQL("plan.name"),
            "sequence_prefix": SQL("%s", NAME_PREFIX),
            "sequence_number": SQL("plan.seq"),
            "partner_id": SQL("plan.partner_id"),
            "commercial_partner_id": SQL("plan.partner_id"),
            "partner_shipping_id": SQL("plan.partner_id"),
            "invoice_partner_display_name": SQL("partner.complete_name"),
            "date": SQL("plan.invoice_date"),
            "invoice_date": SQL("plan.invoice_date"),
            "invoice_date_due": SQL("plan.date_due"),
            "amount_untaxed": amount,
            "amount_total": amount,
            "amount_untaxed_signed": amount,
            "amount_untaxed_in_currency_signed": amount,
            "amount_total_signed": amount,
            "amount_total_in_currency_signed": amount,
            "amount_residual": residual,
            "amount_residual_signed": residual,
            "payment_state": SQL(
                "CASE WHEN plan.paid THEN %s ELSE %s END", "paid", "not_paid"
            ),
            # the invoices were sent: their portal links exist
            "access_token": SQL("gen_random_uuid()::varchar"),
            "is_move_sent": SQL("TRUE"),
            "create_date": now,
            "write_date": now,
        }
        cr.execute(
            SQL(
                "CREATE TEMP TABLE bench_move (id integer, name varchar) ON COMMIT DROP"
            )
        )
        cr.execute(
            SQL(
                """WITH new_move AS (%s RETURNING id, name)
                   INSERT INTO bench_move SELECT id, name FROM new_move""",
                copy_rows(
                    "account_move",
                    move_columns,
                    move_values,
                    SQL(
                        """FROM bench_plan plan
                           JOIN res_partner partner ON partner.id = plan.partner_id
                           JOIN account_move tmpl ON tmpl.id = %s""",
                        template.id,
                    ),
                ),
            )
        )
        cr.execute(SQL("ANALYZE bench_move"))
        common_line = {
            "move_id": SQL("move.id"),
            "move_name": SQL("plan.name"),
            "partner_id": SQL("plan.partner_id"),
            "date": SQL("plan.invoice_date"),
            "invoice_date": SQL("plan.invoice_date"),
            "create_date": now,
            "write_date": now,
        }
        line_values = {
            "product": {
                **common_line,
                "debit": SQL("0"),
                "credit": amount,
                "balance": SQL("-plan.amount"),
                "amount_currency": SQL("-plan.amount"),
                "price_unit": amount,
                "price_subtotal": amount,
                "price_total": amount,
            },
            "payment_term": {
                **common_line,
                "name": SQL("plan.name"),
                "date_maturity": SQL("plan.date_due"),
                "debit": amount,
                "credit": SQL("0"),
                "balance": amount,
                "amount_currency": amount,
                "amount_residual": residual,
                "amount_residual_currency": residual,
                "reconciled": SQL("plan.paid"),
            },
        }
        for kind, line in lines.items():
            cr.execute(
                copy_rows(
                    "account_move_line",
                    line_columns,
                    line_values[kind],
                    SQL(
                        """FROM bench_plan plan
                           JOIN bench_move move ON move.name = plan.name
                           JOIN account_move_line tmpl ON tmpl.id = %s""",
                        line.id,
                    ),
                )
            )
        # the customer follows its invoices, as after posting through the ORM
        cr.execute(
            SQL(
                """WITH follower AS (
                       INSERT INTO mail_followers (res_model, res_id, partner_id)
                       SELECT 'account.move', move.id, plan.partner_id
                         FROM bench_plan plan
                         JOIN bench_move move ON move.name = plan.name
                       RETURNING id)
                   INSERT INTO mail_followers_mail_message_subtype_rel
                               (mail_followers_id, mail_message_subtype_id)
                   SELECT follower.id, subtype
                     FROM follower CROSS JOIN UNNEST(%s::int[]) AS subtype""",
                follower_subtypes,
            )
        )
        _logger.info("%s invoices in %.1f s", len(plan), time.perf_counter() - t0)

        # the template goes: it was only a model to copy
        t0 = time.perf_counter()
        cr.execute(
            SQL(
                """DELETE FROM mail_message
                    WHERE model = 'account.move' AND res_id = %(id)s;
                   DELETE FROM mail_followers
                    WHERE res_model = 'account.move' AND res_id = %(id)s;
                   DELETE FROM account_move WHERE id = %(id)s""",
                id=template.id,
            )
        )
        history_date = today - timedelta(days=HISTORY_DAYS)
        big_partner_id = partner_ids[-1]
        build_history(
            env, company.id, partner_ids, big_partner_id, history_date, scale, has_peer
        )
        _logger.info("correspondence history in %.1f s", time.perf_counter() - t0)
        env.invalidate_all(flush=False)
        env.registry.clear_cache()

        remind_ids = partner_ids[: scale["remind"]]
        param = {
            "scale": scale,
            "built_on": today.isoformat(),
            "company_id": company.id,
            "remind_partner_ids": remind_ids,
            "big_partner_id": big_partner_id,
            "langs": langs,
            "invoices": len(plan),
            "expected": expected,
            "peer": has_peer,
        }
        env["ir.config_parameter"].set_param(SCALE_PARAM, json.dumps(param))
    vacuum(args.db)
    with registry.cursor() as cr:
        check_build(new_env(cr, company_id=param["company_id"]), param)
    _logger.info("database built in %.1f s", time.perf_counter() - started)


def table_columns(cr, table):
    from odoo.tools import SQL

    cr.execute(
        SQL(
            """SELECT column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = %s
                  AND column_name != 'id'
             ORDER BY ordinal_position""",
            table,
        )
    )
    return [row[0] for row in cr.fetchall()]


def copy_rows(table, columns, values, from_clause):
    """INSERT INTO table SELECT ...: ``values`` per column, else the
    template's (aliased ``tmpl``) value."""
    from odoo.tools import SQL

    return SQL(
        "INSERT INTO %s (%s) SELECT %s %s",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(column) for column in columns),
        SQL(", ").join(
            values.get(column) or SQL.identifier("tmpl", column) for column in columns
        ),
        from_clause,
    )


def build_history(
    env, company_id, partner_ids, big_partner_id, history_date, scale, has_peer
):
    """One past reminder to every debtor in each addon's log (linked to its
    open invoices due by then), and notes (ours) or phone calls (the peer's)
    about the big debtor."""
    from odoo.tools import SQL

    cr = env.cr
    now = SQL("(NOW() AT TIME ZONE 'UTC')")
    reminded_moves = SQL(
        """JOIN account_move move
             ON move.commercial_partner_id = entry.partner_id
            AND move.payment_state = 'not_paid'
            AND move.invoice_date_due < %s""",
        history_date,
    )
    cr.execute(
        SQL(
            """WITH entry AS (
                   INSERT INTO account_debtor_correspondence
                          (partner_id, company_id, user_id, kind, source, date,
                           level_id,
                           create_uid, write_uid, create_date, write_date)
                   -- at the company's first level, as a reminder sent by
                   -- the addon is (the level rule reads them)
                   SELECT partner, %(company)s, %(uid)s, 'reminder', 'user', %(date)s,
                          (SELECT id FROM account_debtor_reminder_level
                            WHERE company_id = %(company)s
                         ORDER BY sequence, id LIMIT 1),
                          %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM UNNEST(%(partners)s::int[]) AS partner
                   RETURNING id, partner_id),
               recipient AS (
                   INSERT INTO account_debtor_correspondence_recipient_rel
                          (correspondence_id, partner_id)
                   SELECT id, partner_id FROM entry),
               link AS (
                   INSERT INTO account_debtor_correspondence_move_rel
                          (correspondence_id, move_id)
                   SELECT entry.id, move.id FROM entry %(moves)s
                   RETURNING move_id)
               UPDATE account_move SET debtor_last_reminder_date = %(date)s
                WHERE id IN (SELECT move_id FROM link)""",
            company=company_id,
            uid=ADMIN_UID,
            date=history_date,
            now=now,
            partners=partner_ids,
            moves=reminded_moves,
        )
    )
    today = history_date + timedelta(days=HISTORY_DAYS)
    notes = [
        (
            big_partner_id,
            today - timedelta(days=2 + 3 * k),
            f"Called the accountant ({k}).",
        )
        for k in range(scale["notes"])
    ]
    if notes:
        cr.execute(
            SQL(
                """INSERT INTO account_debtor_correspondence
                          (partner_id, company_id, user_id, kind, source, date, note,
                           create_uid, write_uid, create_date, write_date)
                   SELECT note.partner, %(company)s, %(uid)s, 'note', 'user', note.date,
                          note.text, %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM UNNEST(%(partners)s::int[], %(dates)s::date[],
                                 %(texts)s::text[]) AS note(partner, date, text)""",
                company=company_id,
                uid=ADMIN_UID,
                now=now,
                partners=[n[0] for n in notes],
                dates=[n[1] for n in notes],
                texts=[n[2] for n in notes],
            )
        )
    if not has_peer:
        return
    cr.execute(
        SQL(
            """WITH entry AS (
                   INSERT INTO overdue_reminder_action
                          (commercial_partner_id, partner_id, user_id, company_id,
                           reminder_type, date, reminder_count,
                           create_uid, write_uid, create_date, write_date)
                   SELECT partner, partner, %(uid)s, %(company)s, 'mail', %(date)s, 0,
                          %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM UNNEST(%(partners)s::int[]) AS partner
                   RETURNING id, commercial_partner_id AS partner_id),
               reminder AS (
                   INSERT INTO account_invoice_overdue_reminder
                          (invoice_id, action_id, action_commercial_partner_id,
                           action_partner_id, counter, company_id,
                           action_reminder_type, action_date,
                           create_uid, write_uid, create_date, write_date)
                   SELECT move.id, entry.id, entry.partner_id, entry.partner_id, 1,
                          %(company)s, 'mail', %(date)s,
                          %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM entry %(moves)s
                   RETURNING invoice_id)
               UPDATE account_move
                  SET overdue_reminder_last_date = %(date)s,
                      overdue_reminder_counter = 1
                WHERE id IN (SELECT invoice_id FROM reminder)""",
            company=company_id,
            uid=ADMIN_UID,
            date=history_date,
            now=now,
            partners=partner_ids,
            moves=reminded_moves,
        )
    )
    cr.execute(
        SQL(
            """UPDATE overdue_reminder_action action
                  SET reminder_count = counted.count
                 FROM (SELECT action_id, COUNT(*) AS count
                         FROM account_invoice_overdue_reminder
                     GROUP BY action_id) AS counted
                WHERE counted.action_id = action.id"""
        )
    )
    if notes:
        cr.execute(
            SQL(
                """INSERT INTO overdue_reminder_action
                          (commercial_partner_id, partner_id, user_id, company_id,
                           reminder_type, date, reminder_count, result_notes,
                           create_uid, write_uid, create_date, write_date)
                   SELECT call.partner, call.partner, %(uid)s, %(company)s, 'phone',
                          call.date, 0, call.text,
                          %(uid)s, %(uid)s, %(now)s, %(now)s
                     FROM UNNEST(%(partners)s::int[], %(dates)s::date[],
                                 %(texts)s::text[]) AS call(partner, date, text)""",
                company=company_id,
                uid=ADMIN_UID,
                now=now,
                partners=[n[0] for n in notes],
                dates=[n[1] for n in notes],
                texts=[f"<p>{n[2]}</p>" for n in notes],
            )
        )


def vacuum(dbname, command="VACUUM ANALYZE"):
    """What autovacuum would have done on a database that grew slowly."""
    import psycopg2

    from odoo.sql_db import connection_info_for

    _db, info = connection_info_for(dbname)
    connection = psycopg2.connect(**info)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            t0 = time.perf_counter()
            cursor.execute(command)
            _logger.info("%s in %.1f s", command, time.perf_counter() - t0)
    finally:
        connection.close()


def check_build(env, param):
    """Both addons see the invoices built: the debtor overview its totals, the
    peer's start step the overdue invoices."""
    expected = param["expected"]
    scale = param["scale"]
    company_id = param["company_id"]
    today = date.fromisoformat(param["built_on"])
    Debtor = env["account.debtor"].with_context(debtor_as_of_date=today.isoformat())
    [(count, due, overdue)] = Debtor._read_group(
        [("company_id", "=", company_id)],
        aggregates=["__count", "amount_due:sum", "amount_overdue:sum"],
    )
    debtors = scale["debtors"] + 1
    checks = [
        ("account.debtor rows", count, debtors),
        ("account.debtor amount due", round(due, 2), round(expected["due"], 2)),
        (
            "account.debtor amount overdue",
            round(overdue, 2),
            round(expected["overdue"], 2),
        ),
        (
            "account.debtor rows with an overdue amount",
            Debtor.search_count(
                [("company_id", "=", company_id), ("amount_overdue", ">", 0)]
            ),
            expected["overdue_debtors"],
        ),
        (
            "account.debtor rows with another invoice count than --items",
            Debtor.search_count(
                [
                    ("company_id", "=", company_id),
                    ("partner_id", "!=", param["big_partner_id"]),
                    ("invoice_count", "!=", scale["items"]),
                ]
            ),
            0,
        ),
    ]
    if param["peer"]:
        start = env["overdue.reminder.start"].new({"company_id": company_id})
        domain = start._prepare_remind_trigger_domain(start._prepare_base_domain())
        Move = env["account.move"]
        checks += [
            (
                "peer: overdue invoices to remind",
                Move.search_count(domain),
                expected["overdue_invoices"],
            ),
            (
                "peer: customers to remind",
                len(Move._read_group(domain, ["commercial_partner_id"])),
                expected["overdue_debtors"],
            ),
        ]
    failed = [check for check in checks if check[1] != check[2]]
    for name, got, want in checks:
        _logger.info("check %s: %s (expected %s)", name, got, want)
    if failed:
        raise SystemExit(
            "The database built is not what was planned: "
            + "; ".join(
                f"{name}: {got} instead of {want}" for name, got, want in failed
            )
        )


# --------------------------------------------------------------- measure --
def read_status_kb(key):
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_rss():
    """Make VmHWM (the peak RSS) start again from the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def node_spec(env, model, node, in_form):
    """What the web client asks for the fields of a view node: a list's
    x2many fields as ids (tags with their names), a form's inline lists with
    their own fields, 40 rows."""
    spec = {}
    Model = env[model]
    for child in node.iter("field"):
        # only this view's fields, not those of an embedded sub-view
        parent = child.getparent()
        while parent is not None and parent is not node and parent.tag != "field":
            parent = parent.getparent()
        if parent is not node:
            continue
        name = child.get("name")
        field = Model._fields[name]
        if field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field.type in ("one2many", "many2many"):
            if child.get("widget") == "many2many_tags":
                spec[name] = {"fields": {"display_name": {}}}
            elif not in_form:
                spec.setdefault(name, {})
            else:
                sub_view = child.find("list")
                if sub_view is None:
                    context = child.get("context") or ""
                    ref = re.search(r"'list_view_ref':\s*'([^']+)'", context)
                    view_id = env.ref(ref.group(1)).id if ref else False
                    sub_view = view_arch(env, field.comodel_name, "list", view_id)
                spec[name] = {
                    "fields": node_spec(env, field.comodel_name, sub_view, False),
                    "limit": 40,
                }
        else:
            spec.setdefault(name, {})
    return spec


def view_arch(env, model, view_type, view_id=False):
    from lxml import etree

    views = env[model].get_views([(view_id, view_type)])
    return etree.fromstring(views["views"][view_type]["arch"])


def view_spec(env, model, view_type="list", xmlid=None):
    view_id = env.ref(xmlid).id if xmlid else False
    arch = view_arch(env, model, view_type, view_id)
    return node_spec(env, model, arch, view_type == "form")


class Side:
    """The operations of one addon, each ``fn(env) -> details``."""

    name = ""

    def __init__(self, env, param):
        self.param = param
        self.company_id = param["company_id"]
        self.today = today_of(env)
        self.remind_ids = param["remind_partner_ids"]
        self.big_partner_id = param["big_partner_id"]
        self.specs = {}

    def mail_count(self, env):
        return env["mail.mail"].sudo().search_count([])

    def sent_all(self, details):
        """Every debtor got its reminder, each an e-mail in the queue."""
        return (
            details["sent"] == details["debtors"]
            and details["mails"] >= details["debtors"]
        )


class Ours(Side):
    name = "ours"

    def __init__(self, env, param):
        super().__init__(env, param)
        self.specs["overview"] = view_spec(env, "account.debtor", "list")
        self.specs["wizard"] = view_spec(
            env,
            "account.debtor.remind",
            "form",
            f"{ADDON}.account_debtor_remind_view_form",
        )
        self.panel_method = hasattr(env["account.debtor"], "get_workspace_panel")
        if not self.panel_method:
            form = view_spec(env, "account.debtor", "form")
            self.specs["panel"] = {
                name: form[name] for name in ("open_move_ids", "correspondence_ids")
            }
        self.debtor_id = (
            self.big_partner_id << DEBTOR_ID_COMPANY_BITS
        ) + self.company_id
        self.specs["partner"] = view_spec(env, "res.partner", "form")

    def overview(self, env):
        result = env["account.debtor"].web_search_read(
            [("amount_overdue", ">", 0)],
            self.specs["overview"],
            limit=80,
            count_limit=WEB_COUNT_LIMIT,
        )
        return {"rows": len(result["records"]), "count": result["length"]}

    def _open_wizard(self, env, values):
        wizard = env["account.debtor.remind"].create(
            {"date": self.today, "company_id": self.company_id, **values}
        )
        env.flush_all()
        return wizard

    def select(self, env):
        wizard = self._open_wizard(env, {})
        wizard.action_select_overdue()
        env.flush_all()
        # the wizard's form opens again, with the check lines
        values = wizard.web_read(self.specs["wizard"])[0]
        return {
            "selected": len(wizard.partner_ids),
            "lines": len(values["line_ids"]),
            "to_send": wizard.send_count,
        }

    def send(self, env, partner_ids=None):
        """The wizard's Send queues a run; the scheduled action sends it, one
        batch a call, as its user (root), until no debtor is left to send.
        Each batch ends as a commit would end it (flushed, caches dropped),
        so that a batch sees no more of the others than in a real run."""
        from odoo import SUPERUSER_ID, api

        # debtors per call of the scheduled action: the addon's own setting
        batch_size = importlib.import_module(
            f"odoo.addons.{ADDON}.models.account_debtor_reminder_run"
        ).REMINDER_BATCH_SIZE
        partner_ids = partner_ids or self.remind_ids
        mails = self.mail_count(env)
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        wizard = self._open_wizard(env, {"partner_ids": [(6, 0, partner_ids)]})
        wizard.web_read(self.specs["wizard"])
        opened = time.perf_counter() - t0
        wizard.action_send()
        env.flush_all()
        queued = time.perf_counter() - t0 - opened
        run_id = wizard.run_id.id
        cron = env.ref(f"{ADDON}.ir_cron_debtor_reminder_run")
        progress = (
            env["ir.cron.progress"]
            .sudo()
            .create({"cron_id": cron.id, "done": 0, "remaining": 0})
        )
        # the cron's environment: its user, no context but its progress
        cron_env = api.Environment(
            env.cr, SUPERUSER_ID, {"ir_cron_progress_id": progress.id}
        )
        Line = cron_env["account.debtor.reminder.run.line"]
        to_send = [("run_id", "=", run_id), ("state", "=", "to_send")]
        batches = []
        # bounded: the run's batches, and a few more to see it stop
        for _ in range(len(partner_ids) // batch_size + 5):
            if not Line.search_count(to_send):
                break
            t1 = time.perf_counter()
            cron_env["account.debtor.reminder.run"]._cron_send_runs()
            cron_env.flush_all()
            batches.append(time.perf_counter() - t1)
            cron_env.invalidate_all()
        processed = sum(batches)
        # the Odoo process's own CPU time (the rest is PostgreSQL's and
        # waiting): steadier than wall time on a shared machine
        cpu = time.process_time() - cpu0
        run = env["account.debtor.reminder.run"].browse(run_id)
        env.invalidate_all()
        return {
            "debtors": len(partner_ids),
            "sent": run.sent_count,
            "skipped": run.skipped_count,
            "failed": run.failed_count,
            "to_send": run.to_send_count,
            "state": run.state,
            "mails": self.mail_count(env) - mails,
            "open_s": round(opened, 3),
            "queue_s": round(queued, 3),
            "batches": len(batches),
            "batch_size": batch_size,
            "odoo_cpu_s": round(cpu, 2),
            "batch_s": [round(seconds, 3) for seconds in batches],
            "debtors_per_s": round(run.sent_count / processed, 1)
            if processed
            else None,
        }

    def panel(self, env):
        debtor = env["account.debtor"].browse(self.debtor_id)
        if self.panel_method:
            values = debtor.with_context(
                debtor_as_of_date=self.today.isoformat()
            ).get_workspace_panel()
            return {
                "invoices": len(values["invoices"]),
                "invoice_count": values["invoice_count"],
                "entries": len(values["entries"]),
                "entry_count": values["entry_count"],
            }
        [values] = debtor.web_read(self.specs["panel"])
        return {
            "invoices": len(values["open_move_ids"]),
            "entries": len(values["correspondence_ids"]),
        }

    def partner(self, env):
        """The big debtor's form as it opens, and its amount overdue alone:
        the time measured is the field's (what this addon adds to the form),
        the whole form's is in the details."""
        partner = env["res.partner"].browse(self.big_partner_id)
        t0 = time.perf_counter()
        [form] = partner.web_read(self.specs["partner"])
        form_s = time.perf_counter() - t0
        env.invalidate_all()
        [values] = partner.web_read({"debtor_amount_overdue": {}})
        assert form["debtor_amount_overdue"] == values["debtor_amount_overdue"]
        return {
            "overdue": values["debtor_amount_overdue"],
            "form_fields": len(self.specs["partner"]),
            "form_ms": round(form_s * 1000, 1),
            # run_once times the field's read only
            "untimed_s": form_s,
        }

    def _prepare_collection(self, env):
        """What the worklist and the effect report read, made in the run's
        own transaction (rolled back, untimed; the build stays the peer's
        too): every debtor is the admin's, a quarter has its next action
        today, the past reminders know what they asked for, and each
        reminded invoice got a third paid some days after its reminder.
        The matchings are bare rows against the invoice's own income line:
        enough for the query's work, nothing else reads them."""
        from odoo.tools import SQL

        t0 = time.perf_counter()
        cr = env.cr
        cr.execute(
            SQL(
                """UPDATE res_partner
                      SET debtor_collector_id = jsonb_build_object(%(company)s, %(uid)s)
                    WHERE id IN (SELECT partner_id FROM account_debtor_correspondence
                                  WHERE kind = 'reminder')""",
                company=str(self.company_id),
                uid=ADMIN_UID,
            )
        )
        cr.execute(
            SQL(
                """UPDATE account_debtor_correspondence entry
                      SET next_action_date = CASE WHEN MOD(entry.partner_id, 4) = 0
                                                  THEN %(today)s END,
                          amount_reminded = asked.amount
                     FROM (SELECT rel.correspondence_id, SUM(move.amount_residual)
                                  AS amount
                             FROM account_debtor_correspondence_move_rel rel
                             JOIN account_move move ON move.id = rel.move_id
                         GROUP BY rel.correspondence_id) AS asked
                    WHERE asked.correspondence_id = entry.id
                      AND entry.kind = 'reminder'""",
                today=self.today,
            )
        )
        cr.execute(
            SQL(
                """INSERT INTO account_partial_reconcile
                          (debit_move_id, credit_move_id, amount,
                           debit_amount_currency, credit_amount_currency,
                           debit_currency_id, credit_currency_id, company_id,
                           max_date, create_uid, write_uid, create_date, write_date)
                   SELECT term.id, income.id, ROUND(term.debit / 3, 2),
                          ROUND(term.debit / 3, 2), ROUND(term.debit / 3, 2),
                          term.currency_id, term.currency_id, term.company_id,
                          entry.date + MOD(term.id, 40), %(uid)s, %(uid)s,
                          NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC'
                     FROM account_debtor_correspondence entry
                     JOIN account_debtor_correspondence_move_rel rel
                       ON rel.correspondence_id = entry.id
                     JOIN account_move_line term
                       ON term.move_id = rel.move_id
                      AND term.display_type = 'payment_term'
                     JOIN account_move_line income
                       ON income.move_id = rel.move_id
                      AND income.display_type = 'product'
                    WHERE entry.kind = 'reminder'""",
                uid=ADMIN_UID,
            )
        )
        env.invalidate_all()
        return time.perf_counter() - t0

    def worklist(self, env):
        """My Worklist as it opens: the admin's debtors that need action."""
        untimed = self._prepare_collection(env)
        result = env["account.debtor"].web_search_read(
            [
                ("collector_id", "=", env.uid),
                "|",
                "|",
                "|",
                ("next_action_date", "<=", self.today),
                ("promise_state", "=", "broken"),
                ("delivery_problem", "=", True),
                ("amount_disputed", ">", 0),
            ],
            self.specs["overview"],
            limit=80,
            count_limit=WEB_COUNT_LIMIT,
        )
        return {
            "rows": len(result["records"]),
            "count": result["length"],
            "untimed_s": untimed,
        }

    def effect(self, env):
        """The effect report's pivot by month, every measure (its total and
        its rows, as the pivot asks), and the promises' graph by collector."""
        untimed = self._prepare_collection(env)
        Effect = env["account.debtor.collection.effect"]
        measures = [
            "reminder_count",
            "amount_reminded",
            "amount_paid_7",
            "paid_7_rate",
            "amount_paid_14",
            "paid_14_rate",
            "amount_paid_30",
            "paid_30_rate",
        ]
        reminders = [("kind", "=", "reminder")]
        [total] = Effect.read_group(reminders, measures, [], lazy=False)
        months = Effect.read_group(reminders, measures, ["date:month"], lazy=False)
        promises = Effect.read_group(
            [("promise_state", "in", ("kept", "broken"))],
            ["promise_kept_count", "promise_broken_count"],
            ["collector_id", "promise_state"],
            lazy=False,
        )
        return {
            "reminders": total["reminder_count"],
            "months": len(months),
            "paid_30_rate": round(total["paid_30_rate"] or 0.0, 1),
            "promise_groups": len(promises),
            "untimed_s": untimed,
        }

    def dso(self, env):
        """Days sales outstanding: the graph by company and the list's first
        page of customers."""
        Dso = env["account.debtor.dso"]
        companies = Dso.read_group(
            [], ["days_sales_outstanding"], ["company_id"], lazy=False
        )
        result = Dso.web_search_read(
            [],
            {
                name: {}
                for name in (
                    "amount_receivable",
                    "amount_invoiced",
                    "first_invoice_date",
                    "days_sales_outstanding",
                )
            }
            | {"partner_id": {"fields": {"display_name": {}}}},
            limit=80,
            count_limit=WEB_COUNT_LIMIT,
        )
        return {
            "companies": len(companies),
            "dso": round(companies[0]["days_sales_outstanding"], 1)
            if companies
            else None,
            "rows": len(result["records"]),
            "count": result["length"],
        }

    def describe(self):
        return {
            "worklist": "account.debtor web_search_read, My Worklist's domain "
            "(the admin collects from every debtor, a quarter has an action "
            "today), 80 rows + count",
            "effect": "account.debtor.collection.effect read_group: the pivot "
            "by month with every measure (total and rows, over one reminder "
            "per debtor, each invoice a third paid after it), and the "
            "promises by collector",
            "dso": "account.debtor.dso read_group by company (the graph) + "
            "web_search_read of 80 customers + count",
            "overview": "account.debtor web_search_read, overdue filter, "
            "80 rows + count (every column of the list, the ageing included)",
            "select": "account.debtor.remind create + action_select_overdue "
            "+ form read",
            "send": "wizard create with the debtors (check lines) + action_send "
            "(queues the run) + _cron_send_runs as root, batch after batch, "
            "until none is left to send",
            "partner": "res.partner web_read of the big debtor's "
            "debtor_amount_overdue, after a web_read with the form's fields "
            "(its time in form_ms)",
            "panel": (
                "account.debtor.get_workspace_panel (40 invoices + 40 log entries)"
                if self.panel_method
                else "account.debtor web_read of open_move_ids + correspondence_ids"
            ),
        }


class Peer(Side):
    name = "peer"

    def __init__(self, env, param):
        super().__init__(env, param)
        self.specs["overview"] = [
            "amount_residual_signed:sum",
            "amount_total_in_currency_signed:sum",
        ]
        invoice_env = env(context=dict(env.context, default_move_type="out_invoice"))
        self.specs["steps"] = view_spec(
            env, "overdue.reminder.step", "list", f"{PEER}.overdue_reminder_step_tree"
        )
        self.specs["invoices"] = view_spec(
            invoice_env,
            "account.move",
            "list",
            "account.view_invoice_tree",
        )
        self.specs["actions"] = view_spec(env, "overdue.reminder.action", "list")

    def overview(self, env):
        # the peer has no debtor overview: its users open Customer Invoices,
        # filter "Overdue" and group by customer, largest amount due first
        result = (
            env["account.move"]
            .with_context(default_move_type="out_invoice")
            .web_read_group(
                [
                    ("move_type", "=", "out_invoice"),
                    ("invoice_date_due", "<", self.today),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial", "in_payment")),
                ],
                self.specs["overview"],
                ["commercial_partner_id"],
                limit=80,
                orderby="amount_residual_signed desc",
            )
        )
        return {"rows": len(result["groups"]), "count": result["length"]}

    def _start(self, env, partner_ids=()):
        start = env["overdue.reminder.start"].create(
            {"interface": "mass", "partner_ids": [(6, 0, list(partner_ids))]}
        )
        action = start.run()
        env.flush_all()
        from odoo.tools.safe_eval import safe_eval

        domain = safe_eval(action.get("domain") or "[]", {"uid": env.uid})
        # the list of steps opens
        steps = env["overdue.reminder.step"].web_search_read(
            domain, self.specs["steps"], limit=80, count_limit=WEB_COUNT_LIMIT
        )
        return domain, steps

    def select(self, env, partner_ids=()):
        _domain, steps = self._start(env, partner_ids)
        return {"selected": steps["length"], "lines": len(steps["records"])}

    def send(self, env, partner_ids=None):
        partner_ids = partner_ids or self.remind_ids
        mails = self.mail_count(env)
        t0 = time.perf_counter()
        domain, _steps = self._start(env, partner_ids)
        opened = time.perf_counter() - t0
        steps = env["overdue.reminder.step"].search(domain)
        # "Validate" on all the steps of the list (the mass update wizard)
        env["overdue.reminder.mass.update"].with_context(
            active_model="overdue.reminder.step", active_ids=steps.ids
        ).create({"update_action": "validate"}).run()
        env.flush_all()
        return {
            "debtors": len(partner_ids),
            "sent": len(steps.filtered(lambda step: step.state == "done")),
            "mails": self.mail_count(env) - mails,
            "open_s": round(opened, 3),
        }

    def panel(self, env):
        # the customer's unpaid invoices and its reminder history
        invoices = (
            env["account.move"]
            .with_context(default_move_type="out_invoice")
            .web_search_read(
                [
                    ("commercial_partner_id", "=", self.big_partner_id),
                    ("move_type", "in", ("out_invoice", "out_refund")),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial", "in_payment")),
                ],
                self.specs["invoices"],
                limit=80,
                count_limit=WEB_COUNT_LIMIT,
            )
        )
        actions = env["overdue.reminder.action"].web_search_read(
            [("commercial_partner_id", "=", self.big_partner_id)],
            self.specs["actions"],
            limit=80,
            count_limit=WEB_COUNT_LIMIT,
        )
        return {
            "invoices": len(invoices["records"]),
            "invoice_count": invoices["length"],
            "entries": len(actions["records"]),
            "entry_count": actions["length"],
        }

    def describe(self):
        return {
            "overview": "Customer Invoices, Overdue filter, grouped by customer "
            "(web_read_group, 80 groups + count): the peer has no overview",
            "select": "overdue.reminder.start create + run (mass) + list of steps",
            "send": "overdue.reminder.start run on the debtors + Validate all steps",
            "panel": "the customer's unpaid invoices + its reminder actions "
            "(two web_search_read, 80 rows each)",
        }


def run_once(registry, param, side, op, profile=None, **kwargs):
    """One run of ``side.op`` in a fresh transaction, rolled back: a dict of
    seconds, queries, details and the growth of the peak RSS (kB)."""
    cr = registry.cursor()
    try:
        env = new_env(cr, company_id=param["company_id"])
        gc.collect()
        rss_before = read_status_kb("VmRSS")
        hwm = reset_peak_rss()
        queries = cr.sql_log_count
        if profile:
            profile.enable()
        t0 = time.perf_counter()
        details = getattr(side, op)(env, **kwargs)
        env.flush_all()
        seconds = time.perf_counter() - t0 - details.pop("untimed_s", 0)
        if profile:
            profile.disable()
        return {
            "seconds": seconds,
            "queries": cr.sql_log_count - queries,
            "details": details,
            "rss_before_kb": rss_before,
            "peak_kb": read_status_kb("VmHWM") if hwm else None,
        }
    finally:
        cr.rollback()
        cr.close()


def measure(args):
    registry = open_registry(args)
    with registry.cursor() as cr:
        env = new_env(cr)
        param = json.loads(
            env["ir.config_parameter"].sudo().get_param(SCALE_PARAM) or "{}"
        )
        if not param:
            raise SystemExit(
                f"{args.db} was not built by tools/benchmark (no {SCALE_PARAM})"
            )
        name = PEER if args.side == "peer" else ADDON
        module = env["ir.module.module"].search([("name", "=", name)])
        if module.state != "installed":
            raise SystemExit(f"{name} is not installed in {args.db}")
        env = new_env(cr, company_id=param["company_id"])
        today = today_of(env)
        side = (Ours if args.side == "ours" else Peer)(env, param)
        result = {
            "side": args.side,
            "module_version": module.latest_version,
            "today": today.isoformat(),
            "load_before": os.getloadavg()[0],
            "describe": side.describe(),
            "param": {k: v for k, v in param.items() if k != "remind_partner_ids"},
            "operations": {},
        }
    built_on = date.fromisoformat(param["built_on"])
    if (today - built_on).days > 4:
        _logger.warning(
            "The data was built on %s: due dates have moved since; rebuild it",
            built_on,
        )
    budget = args.budget if args.side == "peer" else None
    for op in MEASURE_ORDER:
        if (args.only and op not in args.only) or not hasattr(side, op):
            continue  # the peer has no partner form of its own
        _logger.info("%s: %s ...", args.side, op)
        data = {}
        if op == "send":
            remind_ids = param["remind_partner_ids"]
            # two batches of the addon's 100, or a fifth of a small set
            small = remind_ids[: min(200, max(len(remind_ids) // 5, 1))]
            # warm-up (templates compiled, caches filled), not counted
            run_once(registry, param, side, op, partner_ids=remind_ids[:10])
            run = run_once(registry, param, side, op, partner_ids=small)
            # every peak is taken from this baseline: the RSS a worker has
            # once warm, before its first big sending
            baseline = run["rss_before_kb"]
            data["memory"] = {
                "baseline_kb": baseline,
                "small_debtors": len(small),
                "small_growth_kb": run["peak_kb"] and max(run["peak_kb"] - baseline, 0),
            }
            _logger.info(
                "  %s debtors: %.2f s, peak RSS %s kB over %s kB",
                len(small),
                run["seconds"],
                data["memory"]["small_growth_kb"],
                baseline,
            )
        elif op == "select" and args.side == "peer":
            # warm-up on a few debtors: a full one takes minutes; not counted
            run_once(
                registry, param, side, op, partner_ids=param["remind_partner_ids"][:10]
            )
        else:
            run_once(registry, param, side, op)  # warm-up, not counted
        runs = []
        for index in range(args.runs):
            if op == "send":
                # a sending rolled back leaves the rows it wrote dead (some
                # 10,000 invoices updated, the messages and e-mails inserted),
                # which a committed sending would not: vacuumed before each
                # run, as autovacuum would between two days' sendings, so
                # that no run pays for the ones before it (untimed)
                vacuum(args.db, "VACUUM")
            run = run_once(registry, param, side, op)
            runs.append(run)
            _logger.info(
                "  run %s: %.3f s, %s queries, %s",
                index + 1,
                run["seconds"],
                run["queries"],
                run["details"],
            )
            spent = sum(r["seconds"] for r in runs)
            if budget and spent > budget and index + 1 < args.runs:
                _logger.info(
                    "  %.0f s spent, over the budget of %s s: %s run(s) only",
                    spent,
                    budget,
                    index + 1,
                )
                break
        if op == "send":
            data["complete"] = all(side.sent_all(run["details"]) for run in runs)
            if not data["complete"]:
                _logger.warning("%s: some debtors were not reminded", args.side)
            memory = data["memory"]
            # from the baseline, or from a lower RSS if the process gave
            # memory back since: never less than the run's own growth
            growths = [
                run["peak_kb"] - min(memory["baseline_kb"], run["rss_before_kb"])
                for run in runs
                if run["peak_kb"]
            ]
            memory["big_debtors"] = len(param["remind_partner_ids"])
            memory["big_growth_kb"] = max(growths) if growths else None
            memory["peak_rss_kb"] = max(
                (run["peak_kb"] for run in runs if run["peak_kb"]), default=None
            )
        if args.profile_dir:
            profile_op(args, registry, param, side, op)
        data["median"] = statistics.median(run["seconds"] for run in runs)
        data["runs"] = runs
        result["operations"][op] = data
    result["load_after"] = os.getloadavg()[0]
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1, default=str)


def profile_op(args, registry, param, side, op):
    """One more run under cProfile: a .prof file and its top functions."""
    profile = cProfile.Profile()
    run_once(registry, param, side, op, profile=profile)
    os.makedirs(args.profile_dir, exist_ok=True)
    path = os.path.join(args.profile_dir, f"{args.side}-{op}")
    profile.dump_stats(path + ".prof")
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    with open(path + ".txt", "w", encoding="utf-8") as out:
        out.write(text.getvalue())
    _logger.info("  profile: %s.prof (.txt)", path)


# --------------------------------------------------------------- workers --
class JsonRpc:
    """The web client's JSON-RPC, with its session cookie; 127.0.0.1 only."""

    def __init__(self, url, timeout):
        import http.cookiejar
        import urllib.parse
        import urllib.request

        host = urllib.parse.urlsplit(url).hostname
        if host != "127.0.0.1":
            raise SystemExit(f"the workers run talks to 127.0.0.1 only, not {host}")
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            # no proxy from the environment: straight to the local server
            urllib.request.ProxyHandler({}),
        )
        self.calls = 0

    def post(self, path, params):
        import urllib.request

        self.calls += 1
        payload = {"jsonrpc": "2.0", "method": "call", "id": self.calls}
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps({**payload, "params": params}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            answer = json.load(response)
        if answer.get("error"):
            error = answer["error"]
            message = error.get("data", {}).get("message") or error.get("message")
            raise RuntimeError(f"{path}: {message}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self.post(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )


def worker_pids(log_path):
    """The live workers of the server, by kind, from the lines its workers
    log when they start (``Worker WorkerCron (1234) alive``)."""
    pids = {}
    try:
        with open(log_path, encoding="utf-8", errors="replace") as log:
            for line in log:
                found = re.search(r"Worker (Worker\w+) \((\d+)\) alive", line)
                if found:
                    pids[int(found.group(2))] = found.group(1)
    except OSError:
        return {}
    return {pid: kind for pid, kind in pids.items() if os.path.exists(f"/proc/{pid}")}


def worker_kills(log_path):
    """The lines of the server's log saying it killed a worker."""
    try:
        with open(log_path, encoding="utf-8", errors="replace") as log:
            return [
                re.sub(
                    r" \(\d+\)", "", line.split(" odoo.service.server: ", 1)[-1]
                ).strip()
                for line in log
                if re.search(
                    r"timeout after \d+s|CPU time limit \(\d+\) reached|memory limit",
                    line,
                )
            ]
    except OSError:
        return []


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def workers_run(args):
    """Through the web client's JSON-RPC, as admin, on a server in workers
    mode: open the reminder wizard, select all overdue, Send (timed), then
    wait for the scheduled action to send the run, sampling the workers'
    memory; every line must end sent, skipped or failed."""
    rpc = JsonRpc(args.url, timeout=args.request_timeout)
    result = {"load_before": os.getloadavg()[0], "samples": []}
    session = rpc.post(
        "/web/session/authenticate",
        {"db": args.db, "login": args.login, "password": args.password},
    )
    param = json.loads(
        rpc.call("ir.config_parameter", "get_param", SCALE_PARAM) or "{}"
    )
    if not param:
        raise SystemExit(f"{args.db} was not built by tools/benchmark")
    company_id = param["company_id"]
    result["param"] = {k: v for k, v in param.items() if k != "remind_partner_ids"}
    context = dict(session["user_context"], allowed_company_ids=[company_id])
    spec = {"line_ids": {"fields": {"state": {}}}, "send_count": {}, "run_id": {}}
    t0 = time.perf_counter()
    [wizard] = rpc.call(
        "account.debtor.remind",
        "web_save",
        [],
        {"company_id": company_id},
        specification={"send_count": {}},
        context=context,
    )
    result["open_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rpc.call(
        "account.debtor.remind",
        "action_select_overdue",
        [wizard["id"]],
        context=context,
    )
    [form] = rpc.call(
        "account.debtor.remind", "web_read", [wizard["id"]], spec, context=context
    )
    result["select_s"] = time.perf_counter() - t0
    result["selected"] = len(form["line_ids"])
    result["to_send"] = form["send_count"]
    _logger.info(
        "wizard: %s debtors selected, %s to send (%.2f s)",
        result["selected"],
        result["to_send"],
        result["select_s"],
    )
    t0 = time.perf_counter()
    action = rpc.call(
        "account.debtor.remind", "action_send", [wizard["id"]], context=context
    )
    result["send_s"] = time.perf_counter() - t0
    result["send_action"] = action.get("tag")
    [form] = rpc.call(
        "account.debtor.remind", "web_read", [wizard["id"]], spec, context=context
    )
    run_id = form["run_id"]
    _logger.info("Send returned in %.3f s: run %s", result["send_s"], run_id)
    fields_ = ["state", "line_count", "to_send_count", "sent_count"]
    fields_ += ["skipped_count", "failed_count"]
    started = time.monotonic()
    deadline = started + args.max_wait
    run = {}
    while time.monotonic() < deadline:
        [run] = rpc.call(
            "account.debtor.reminder.run", "read", [run_id], fields_, context=context
        )
        workers = worker_pids(args.server_log)
        sample = {
            "t": round(time.monotonic() - started, 1),
            "to_send": run["to_send_count"],
            "rss_kb": {
                f"{kind} {pid}": rss_kb(pid) for pid, kind in sorted(workers.items())
            },
        }
        result["samples"].append(sample)
        _logger.info(
            "  %5.0f s: %s, %s to send; RSS %s",
            sample["t"],
            run["state"],
            run["to_send_count"],
            ", ".join(f"{name}: {fmt_mb(kb)}" for name, kb in sample["rss_kb"].items()),
        )
        if run["state"] == "done":
            break
        time.sleep(args.poll)
    result["run_s"] = time.monotonic() - started
    result["run"] = run
    # every line ends sent, skipped or failed: none is left to send
    groups = rpc.call(
        "account.debtor.reminder.run.line",
        "read_group",
        [("run_id", "=", run_id)],
        ["state"],
        ["state"],
        context=context,
    )
    result["line_states"] = {group["state"]: group["state_count"] for group in groups}
    result["complete"] = run.get("state") == "done" and not result["line_states"].get(
        "to_send"
    )
    result["load_after"] = os.getloadavg()[0]
    # workers the server killed for their time limits (the cron worker runs
    # every job that is due, the mail queue's too, within its one limit)
    result["kills"] = worker_kills(args.server_log)
    _logger.info(
        "run %s: %s in %.0f s, lines %s",
        run_id,
        run.get("state"),
        result["run_s"],
        result["line_states"],
    )
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)
    if not result["complete"]:
        raise SystemExit(f"the run did not finish within {args.max_wait} s")


# ---------------------------------------------------------------- report --
def machine_info():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = "?"
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            kb = int(meminfo.readline().split()[1])
            ram = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores, {ram} RAM"


def git_commit(repo):
    try:
        commit = subprocess.run(
            ["git", "-C", repo, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" + uncommitted changes" if dirty else "")


def fmt_seconds(seconds):
    if seconds is None:
        return "n/a"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(ratio):
    """x times, with the precision that shows which side of 2x it is on."""
    if not ratio:
        return "n/a"
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.2f}x"


def fmt_mb(kb):
    return "n/a" if kb is None else f"{kb / 1024:.0f} MB"


HEADER = """# Benchmarks

`tools/benchmark` measures the server side of what a credit controller does
with this addon, at a chosen scale, and the same operations with the addon
users would pick instead: OCA's `account_invoice_overdue_reminder` (its wheel
from PyPI, installed into the benchmark database only). It is not part of
`tools/test`; it needs Odoo 18 and PostgreSQL as `tools/test` does, and PyPI
(or a wheel cached by an earlier run) for the peer.

    tools/benchmark                # default scale, writes this file (~35 min,
                                   # 12 of them for one run of the peer's selection)
    tools/benchmark --quick        # smoke run: 500 debtors (~5 min)
    tools/benchmark --debtors 20000 --workers-only --output /tmp/big.md
    tools/benchmark --help         # every option (scale, runs, peer budget, ...)

What it does:

1. Starts a throwaway PostgreSQL cluster (deleted on exit) and installs this
   addon and the peer into one database, with `lv_LV` and `de_DE` loaded,
   without demo data.
2. Builds the data: `--debtors` companies (e-mail, language en/lv/de) with
   `--items` open invoices each (`--overdue` of them overdue, except a quarter
   of those outside the reminder set, which owe nothing late) and as many paid
   invoices as history; one big debtor with `--big-items` open invoices and
   `--notes` log entries; one past reminder to every debtor in each addon's
   log. One invoice is posted through the ORM, the others are SQL copies of
   its move and lines (with portal tokens, as sent invoices have them); the
   customers follow their invoices. It then checks that `account.debtor` shows
   the planned count and sums, and that the peer's start step finds the
   planned overdue invoices.
3. Times each operation as the web client calls it, as the admin user (an
   accounting manager), each run in a fresh transaction that is rolled back
   (so no run sees the reminders of another), after one warm-up run: the
   median of `--runs` runs (3 by default). Each side runs in its own process.
   The peer's runs of an operation stop once they have used `--peer-budget`
   seconds (the last column says how many runs were made). Before each timed
   sending the database is vacuumed (untimed): a sending rolled back leaves
   dead the rows it wrote, which a committed one would not.
4. Memory: the growth of the process's peak RSS (VmHWM, reset before each run)
   over its RSS before sending, after a warm-up. "No growth beyond a batch"
   compares the reminder set with a run of two of the addon's batches
   (200 debtors): PASS when it needs at most 1.5 times as much + 16 MB.
5. Sending is what the addon does since reminder runs: the wizard's Send
   queues a run, then the scheduled action's method `_cron_send_runs()` is
   called as its user (root) batch after batch until no debtor is left to
   send, each batch ended as its commit would end it (flushed, caches
   dropped). The time is the whole (open, Send, every batch); the split, the
   time per batch and the debtors per second are given below the table.
6. Workers mode: a copy of the database is served by Odoo with `--workers 2
   --max-cron-threads 1` and the default time limits, on 127.0.0.1 only, its
   SMTP a local sink (tools/smtp_sink.py). Through JSON-RPC, as admin: the
   reminder wizard, Select All Overdue, Send (timed: it must return in under
   2 s), then the run's state is polled until it is done (at most
   `--workers-wait` seconds), sampling the RSS of every worker. Every line
   must end sent, skipped or failed. The server is stopped and the copy
   dropped at the end.
7. Writes the section below (this file) and prints it.

The peer is set up as close to ours as it allows: no PDF attached to its
e-mails (ours attaches none by default), its "mass" interface, its default
trigger delay (0 days) and minimum interval. It selects at today's date only,
so the as-of date is today for both. It has no debtor overview, so the
overview row compares with what its users open instead: Customer Invoices
filtered on Overdue and grouped by customer. Its "select" renders the e-mail
of every overdue customer (a step each), which is why it is slow.

The numbers are wall-clock times on a shared machine: the load average line
says how busy it was; other work running at the same time slows both sides.

"""


def report(args):
    sides = {}
    for path in args.results:
        with open(path, encoding="utf-8") as data:
            result = json.load(data)
        sides[result["side"]] = result
    # with one side only (tools/benchmark --sides), its rows only
    ours = sides.get("ours") or {"side": "ours", "operations": {}, "describe": {}}
    peer = sides.get("peer")
    workers = None
    if args.workers:
        with open(args.workers, encoding="utf-8") as data:
            workers = json.load(data)
    if not (sides or workers):
        raise SystemExit("nothing to report: no results given")
    # with the workers run only (tools/benchmark --workers-only), its section
    param = (sides.get("ours") or peer or workers)["param"]
    scale = param["scale"]
    rows = []
    misses = []
    for op in OPERATIONS:
        mine = ours["operations"].get(op)
        if not mine:
            continue
        limit, target = TARGETS[op]
        ok = mine["median"] < limit
        theirs = peer and peer["operations"].get(op)
        ratio = theirs["median"] / mine["median"] if theirs and mine["median"] else None
        rows.append(
            [
                OP_LABELS[op].format(**scale),
                fmt_seconds(mine["median"]),
                target,
                "PASS" if ok else "MISS",
                fmt_seconds(theirs["median"]) if theirs else "not run",
                fmt_ratio(ratio),
                ("PASS" if ratio >= 2 else "MISS") if ratio else "n/a",
                f"{len(mine['runs'])} / {len(theirs['runs']) if theirs else 0}",
            ]
        )
        if not ok:
            misses.append(f"{op}: {fmt_seconds(mine['median'])} (target {target})")
        if ratio is not None and ratio < 2:
            misses.append(f"{op}: only {fmt_ratio(ratio)} the peer's speed (target 2x)")
    send = ours["operations"].get("send")
    if send:
        rows.append(memory_row(send, peer and peer["operations"].get("send"), misses))
    headers = [
        "Operation",
        "Ours (median)",
        "Target",
        "Target met",
        "Peer (median)",
        "Peer / ours",
        ">= 2x",
        "Runs (ours / peer)",
    ]
    table = (
        markdown_table(headers, rows) if rows else "No operation measured in-process."
    )
    facts = [
        f"- Date: {datetime.now().strftime('%Y-%m-%d %H:%M')}",
        f"- Machine: {machine_info()}",
        f"- Commit: {args.commit or git_commit(args.repo)}",
        f"- Odoo: {args.odoo_version or 'unknown'}; "
        f"PostgreSQL: {args.pg_version or 'unknown'}",
        f"- Ours: {ADDON} {ours.get('module_version')}; peer: "
        + (f"{PEER} {peer.get('module_version')}" if peer else "not run"),
        f"- Scale: {scale['debtors']:,} debtors x {scale['items']} open invoices "
        f"({scale['overdue']} overdue) + as many paid; "
        f"big debtor: {scale['big_items']:,} open invoices, "
        f"{scale['notes']} log entries; {param['invoices']:,} invoices in all",
    ]
    loads = [
        f"{side['side']} {side['load_before']:.1f} to {side['load_after']:.1f}"
        for side in filter(None, (ours, peer))
        if "load_before" in side
    ]
    if loads:
        # other work on the machine slows every number down
        facts.append(f"- Load average (1 min) while measuring: {', '.join(loads)}")
    if args.note:
        facts.append(f"- Note: {args.note}")
    details = ["", "What each row calls:", ""]
    for op in OPERATIONS:
        if op in ours["operations"]:
            details.append(f"- {op}, ours: {ours['describe'][op]}")
            if peer and op in peer["operations"]:
                details.append(f"- {op}, peer: {peer['describe'][op]}")
    details += ["", "Per run (seconds, SQL queries, what came back):", ""]
    for side in filter(None, (ours, peer)):
        for op, data in side["operations"].items():
            runs = ", ".join(
                f"{run['seconds']:.3f} s / {run['queries']} q" for run in data["runs"]
            )
            last = data["runs"][-1]["details"]
            details.append(f"- {side['side']} {op}: {runs}; {last}")
    if send and "batch_s" in send["runs"][-1]["details"]:
        details[0:0] = ["", *sending_lines(send)]
    verdict = (
        ["", "Missed targets:", ""] + [f"- {miss}" for miss in misses]
        if misses
        else ["", "Every target is met."]
    )
    if workers:
        details += ["", *workers_lines(workers, misses)]
        verdict = (
            ["", "Missed targets:", ""] + [f"- {miss}" for miss in misses]
            if misses
            else ["", "Every target is met."]
        )
    body = "\n".join(["## Latest run", "", *facts, "", table, *verdict, *details, ""])
    print(body)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as out:
            out.write(HEADER + body)


def sending_lines(send):
    """Ours' sending split: the wizard (open, Send) and the run's batches."""
    runs = send["runs"]
    batches = [seconds for run in runs for seconds in run["details"]["batch_s"]]
    last = runs[-1]["details"]
    rates = [run["details"]["debtors_per_s"] for run in runs]
    return [
        "Sending, ours (every run): the wizard opens in "
        + ", ".join(fmt_seconds(run["details"]["open_s"]) for run in runs)
        + "; Send (queues the run) returns in "
        + ", ".join(fmt_seconds(run["details"]["queue_s"]) for run in runs)
        + f"; the run then takes {last['batches']} calls of the scheduled action "
        f"({last.get('batch_size', 100)} debtors each): median "
        f"{fmt_seconds(statistics.median(batches))} per batch "
        f"(min {fmt_seconds(min(batches))}, max {fmt_seconds(max(batches))}), "
        f"{statistics.median(rates):.0f} debtors per second (median of the runs; "
        f"{', '.join(f'{rate:.0f}' for rate in rates)}). Outcome: "
        f"{last['sent']} sent, {last['skipped']} skipped, {last['failed']} failed, "
        f"{last['to_send']} left to send.",
    ]


WORKERS_SEND_TARGET = 2.0  # seconds for the wizard's Send to return


def workers_lines(workers, misses):
    """The section of the run in workers mode, through JSON-RPC."""
    run = workers["run"]
    ok = workers["send_s"] < WORKERS_SEND_TARGET
    if not ok:
        misses.append(
            f"workers: Send returned in {fmt_seconds(workers['send_s'])} "
            f"(target < {WORKERS_SEND_TARGET:.0f} s)"
        )
    if not workers["complete"]:
        misses.append("workers: the run did not finish, or left debtors to send")
    scale = workers["param"]["scale"]
    sent = run.get("sent_count") or 0
    lines = [
        "### In workers mode, through JSON-RPC",
        "",
        f"A server with `--workers 2 --max-cron-threads 1` and the default time "
        f"limits (60 s CPU, 120 s real), on 127.0.0.1, its SMTP a local sink; "
        f"a copy of the database ({scale['debtors']:,} debtors). As admin: open "
        f"the reminder wizard, Select All Overdue, Send; then the scheduled "
        f"action sends the run while its state is polled every few seconds.",
        "",
        f"- Select All Overdue: {workers['selected']:,} debtors, "
        f"{workers['to_send']:,} to send, in {fmt_seconds(workers['select_s'])}",
        f"- Send returned in {fmt_seconds(workers['send_s'])} (target < "
        f"{WORKERS_SEND_TARGET:.0f} s: {'PASS' if ok else 'MISS'})",
        f"- The run: {run.get('state')} after {workers['run_s']:.0f} s; "
        f"{sent:,} sent, {run.get('skipped_count', 0):,} skipped, "
        f"{run.get('failed_count', 0):,} failed, {run.get('to_send_count', 0):,} "
        f"left to send ({'PASS' if workers['complete'] else 'MISS'}); "
        f"{sent / workers['run_s']:.1f} debtors per second"
        if workers["run_s"]
        else "- The run: no time measured",
        f"- Load average (1 min): {workers['load_before']:.1f} before, "
        f"{workers['load_after']:.1f} after",
        "- Memory (RSS) of each worker over the run, first / max / last "
        "sample: "
        + "; ".join(
            f"{name}: {fmt_mb(series[0])} / {fmt_mb(max(series))} / "
            f"{fmt_mb(series[-1])}"
            for name, series in worker_series(workers["samples"]).items()
        ),
    ]
    kills = workers.get("kills") or []
    lines.append(
        f"- Workers killed by the server's limits during the run: {len(kills)}"
        + (f" ({'; '.join(sorted(set(kills)))})" if kills else "")
    )
    cron = [
        (sample["t"], kb)
        for sample in workers["samples"]
        for name, kb in sample["rss_kb"].items()
        if name.startswith("WorkerCron") and kb
    ]
    if cron:
        step = max(len(cron) // 12, 1)
        lines.append(
            "- The cron worker's RSS during the run (seconds: MB): "
            + ", ".join(f"{t:.0f}: {kb / 1024:.0f}" for t, kb in cron[::step])
        )
    return lines


def worker_series(samples):
    series = {}
    for sample in samples:
        for name, kb in sample["rss_kb"].items():
            if kb:
                series.setdefault(name, []).append(kb)
    return series


def memory_row(mine, theirs, misses):
    """The row of the peak memory while sending, with its verdict: the
    reminder set may need no more than the 2-batch run did (noise allowed:
    1.5x and 16 MB)."""
    memory = mine["memory"]
    small, big = memory["small_growth_kb"], memory["big_growth_kb"]
    grows = None
    if small is not None and big is not None:
        grows = big > 1.5 * small + 16 * 1024
        if grows:
            misses.append(
                f"memory: the peak RSS grew by {fmt_mb(big)} for "
                f"{memory['big_debtors']:,} debtors, {fmt_mb(small)} for "
                f"{memory['small_debtors']}: it grows with the number of debtors"
            )
    peer_memory = theirs and theirs["memory"]
    peer_big = peer_memory and peer_memory["big_growth_kb"]
    ratio = peer_big / big if peer_big and big else None
    return [
        f"Peak RSS growth while sending to {memory['big_debtors']:,} debtors "
        f"(in brackets: to {memory['small_debtors']})",
        f"{fmt_mb(big)} ({fmt_mb(small)}); "
        f"peak RSS {fmt_mb(memory.get('peak_rss_kb'))}",
        "no growth beyond a batch",
        "n/a" if grows is None else ("MISS" if grows else "PASS"),
        f"{fmt_mb(peer_big)} ({fmt_mb(peer_memory['small_growth_kb'])}); "
        f"peak RSS {fmt_mb(peer_memory.get('peak_rss_kb'))}"
        if peer_memory
        else "not run",
        fmt_ratio(ratio),
        "",
        "",
    ]


OP_LABELS = {
    "overview": "Overview first page (80 of the overdue debtors + count)",
    "select": "Select all overdue (+ check lines)",
    "send": "Open the wizard and send reminders to {remind:,} debtors",
    "panel": "One debtor's invoices and log ({big_items:,} open invoices)",
    "partner": "The big debtor's partner form: its amount overdue",
    "worklist": "My Worklist (80 of the debtors that need action + count)",
    "effect": "Paid after reminders by month, and promises per collector",
    "dso": "Days sales outstanding by company + 80 customers",
}


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------ main --
def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("build", "measure"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--db", required=True)
        cmd.add_argument("--db-host")
        cmd.add_argument("--db-port", type=int)
        cmd.add_argument("--addons-path", required=True)
        cmd.add_argument("--odoo-src")
    build_cmd = sub.choices["build"]
    build_cmd.add_argument("--debtors", type=int, default=5000)
    build_cmd.add_argument("--items", type=int, default=20)
    build_cmd.add_argument("--overdue", type=int, default=10)
    build_cmd.add_argument("--remind", type=int, default=1000)
    build_cmd.add_argument("--big-items", type=int, default=2000)
    build_cmd.add_argument("--notes", type=int, default=100)
    measure_cmd = sub.choices["measure"]
    measure_cmd.add_argument("--side", choices=("ours", "peer"), required=True)
    measure_cmd.add_argument("--runs", type=int, default=3)
    measure_cmd.add_argument("--budget", type=float, default=120)
    measure_cmd.add_argument("--only", nargs="*", choices=OPERATIONS)
    measure_cmd.add_argument("--profile-dir")
    measure_cmd.add_argument("--out", required=True)
    workers_cmd = sub.add_parser("workers")
    workers_cmd.add_argument("--url", required=True)
    workers_cmd.add_argument("--db", required=True)
    workers_cmd.add_argument("--login", default="admin")
    workers_cmd.add_argument("--password", default="admin")
    workers_cmd.add_argument("--server-log", required=True)
    workers_cmd.add_argument("--poll", type=float, default=5)
    workers_cmd.add_argument("--max-wait", type=float, default=1800)
    workers_cmd.add_argument("--request-timeout", type=float, default=300)
    workers_cmd.add_argument("--out", required=True)
    report_cmd = sub.add_parser("report")
    report_cmd.add_argument("results", nargs="*")
    report_cmd.add_argument("--markdown")
    report_cmd.add_argument(
        "--repo", default=os.path.dirname(os.path.dirname(__file__))
    )
    report_cmd.add_argument(
        "--commit", help="the commit measured (default: the repository's HEAD now)"
    )
    report_cmd.add_argument("--odoo-version")
    report_cmd.add_argument("--pg-version")
    report_cmd.add_argument("--note")
    report_cmd.add_argument("--workers", help="the result of the workers run")
    args = parser.parse_args()
    if args.command == "report":
        report(args)
        return
    if args.command == "workers":
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
        workers_run(args)
        return
    import_odoo(args.odoo_src)
    {"build": build, "measure": measure}[args.command](args)


if __name__ == "__main__":
    main()
