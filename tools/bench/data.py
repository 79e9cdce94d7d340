"""Phase 1, ``build``: fills the database with debtors with open and paid
invoices (bulk SQL copies of one invoice posted through the ORM), the past
correspondence of both addons, then checks that both see the expected
amounts."""

import json
import logging
import time
from datetime import date, timedelta

from .common import (
    ADMIN_UID,
    HISTORY_DAYS,
    LANGS,
    NAME_PREFIX,
    SCALE_PARAM,
    new_env,
    open_registry,
    today_of,
)

_logger = logging.getLogger("benchmark")


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
        # a company in Riga, as its user: both on one day at any hour
        company.partner_id.tz = "Europe/Riga"
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
