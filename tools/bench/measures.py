"""Phase 2, ``measure``: times, in a fresh transaction rolled back after
each run, what the web client asks the server for (the overview's first page,
"select all overdue", opening and sending reminders, one debtor's invoices
and log), with the peak memory while sending. One process per side, so that
the memory of one does not hide the other's."""

import cProfile
import gc
import importlib
import io
import json
import logging
import os
import pstats
import re
import statistics
import time
from datetime import date

from .common import (
    ADDON,
    ADMIN_UID,
    CREDIT_CONTROL,
    DEBTOR_ID_COMPANY_BITS,
    MEASURE_ORDER,
    PEER,
    SCALE_PARAM,
    WEB_COUNT_LIMIT,
    new_env,
    open_registry,
    today_of,
)
from .data import vacuum

_logger = logging.getLogger("benchmark")


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
        # the panel's RPC: on its own model (before: on the overview's)
        self.panel_model = next(
            (
                model
                for model in ("account.debtor.workspace", "account.debtor")
                if model in env and hasattr(env[model], "get_workspace_panel")
            ),
            None,
        )
        self.panel_method = bool(self.panel_model)
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
        # bounded: as many batches as debtors at worst (the run sizes its
        # batches by time, smaller on a loaded machine), a few more to see
        # it stop
        for _ in range(len(partner_ids) + 5):
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
            debtor = debtor.with_context(debtor_as_of_date=self.today.isoformat())
            if self.panel_model == "account.debtor":
                values = debtor.get_workspace_panel()
            else:
                values = debtor.env[self.panel_model].get_workspace_panel(debtor.ids)
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
                "account.debtor.workspace.get_workspace_panel"
                " (40 invoices + 40 log entries)"
                if self.panel_method
                else "account.debtor web_read of open_move_ids + correspondence_ids"
            ),
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
        from .peers import CreditControl, Peer  # noqa: PLC0415 - built on Side

        name, side_class = {
            "ours": (ADDON, Ours),
            "peer": (PEER, Peer),
            "credit_control": (CREDIT_CONTROL, CreditControl),
        }[args.side]
        module = env["ir.module.module"].search([("name", "=", name)])
        if module.state != "installed":
            raise SystemExit(f"{name} is not installed in {args.db}")
        env = new_env(cr, company_id=param["company_id"])
        today = today_of(env)
        side = side_class(env, param)
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
    budget = args.budget if args.side != "ours" else None
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
            split = profile_op(args, registry, param, side, op)
            if split:
                data["split"] = split
        data["median"] = statistics.median(run["seconds"] for run in runs)
        data["runs"] = runs
        result["operations"][op] = data
    result["load_after"] = os.getloadavg()[0]
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1, default=str)


# Where the time of our sending goes: the cumulative time of these methods of
# the run (each with the SQL it runs), and PostgreSQL's time in all.
SEND_SPLIT = {
    "checks": ("_get_reminder_checks",),
    "document (items named, stored)": ("_get_reminder_documents", "_create_reminders"),
    "rendering": ("_render_reminders",),
    "messages, e-mails, notifications": (
        "_message_create",
        "_notify_reminders",
    ),
}
SQL_EXECUTE = "<method 'execute' of 'psycopg2.extensions.cursor' objects>"


def time_split(stats, seconds, debtors):
    """Seconds of each part of SEND_SPLIT in a profiled sending, SQL's, and
    the same per debtor; a part the code no longer has is left out."""
    split = {"total": seconds, "debtors": debtors, "parts": {}}
    for label, names in SEND_SPLIT.items():
        spent = [
            cumulative
            for (_file, _line, name), (_cc, _nc, _tt, cumulative, _callers) in (
                stats.stats.items()
            )
            if name in names
        ]
        if spent:
            split["parts"][label] = sum(spent)
    split["parts"]["SQL (PostgreSQL, in all of the above and the rest)"] = sum(
        own
        for (_file, _line, name), (_cc, _nc, own, _ct, _callers) in stats.stats.items()
        if name == SQL_EXECUTE
    )
    return split


def profile_op(args, registry, param, side, op):
    """One more run under cProfile: a .prof file and its top functions; for
    our sending, where its time goes (time_split)."""
    profile = cProfile.Profile()
    run = run_once(registry, param, side, op, profile=profile)
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
    if side.name != "ours" or op != "send":
        return None
    return time_split(stats, run["seconds"], run["details"].get("debtors") or 0)
