"""Phase 4, ``report``: the table of the results and BENCHMARKS.md."""

import json
import logging
import os
import platform
import statistics
import subprocess
from datetime import datetime

from .common import ADDON, CREDIT_CONTROL, OPERATIONS, PEER, TARGETS

_logger = logging.getLogger("benchmark")


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
from PyPI, installed into the benchmark database only), and the sending with
OCA's `account_credit_control` 18.0 (its run of credit lines and their
e-mails for the same debtors, its wheel likewise). It is not part of
`tools/test`; it needs Odoo 18 and PostgreSQL as `tools/test` does, and PyPI
(or a wheel cached by an earlier run) for the peer.

    tools/benchmark                # default scale, writes this file (~35 min,
                                   # 12 of them for one run of the peer's selection)
    tools/benchmark --quick        # smoke run: 500 debtors (~5 min)
    tools/benchmark --debtors 20000 --workers-only --output /tmp/big.md
    tools/benchmark --help         # every option (scale, runs, peer budget, ...)

The code is the package `tools/bench/`, one module per phase, each readable on
its own: `common.py` (names, scale, targets, opening Odoo), `data.py` (the
build), `measures.py` (the in-process measures of our side), `peers.py` (the
peers' side of the same operations), `workers.py` (the runs in workers mode
through JSON-RPC) and `report.py` (this file); `python -m bench` (with
`tools/` on `PYTHONPATH`) is its command line.

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
   dead the rows it wrote, which a committed one would not. With
   `--profile-dir DIR` each operation runs once more under cProfile (the
   profiles go to DIR); for our sending the report then says where one
   reminder's time goes (checks, rendering, messages/e-mails/notifications,
   PostgreSQL) and the floor (PostgreSQL's time per reminder).
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
6. Workers mode, three runs, each on a fresh copy of the database with
   Odoo's mail queue switched off (so that nothing but the engine wakes the
   cron worker), served on 127.0.0.1 only with the default time limits (60 s
   CPU, 120 s real), its SMTP a local sink (tools/smtp_sink.py):
   - *cron*: `--workers 2 --max-cron-threads 1`; the scheduled action sends
     the run, waking itself up while work remains;
   - *queue_job x1* and *queue_job x2*: OCA's `queue_job` (its wheel from
     PyPI without dependencies, `--queue-job-version`, installed on a copy
     only) loaded server-wide (`--load base,web,queue_job`), the channel
     `root.debtor_collection` with a capacity of 1, then 2 job workers
     (`--workers` two more, so that the web client and the job runner's
     dispatch are answered at once: queue_job 18.0.1.x sets a job back to
     pending when its dispatch waits a second); each job sends its batch's
     e-mails itself.
   Through JSON-RPC, as admin: the reminder wizard, Select All Overdue, Send
   (timed: it must return in under 2 s), then the run's state is polled until
   it is done (at most `--workers-wait` seconds), sampling the RSS of every
   worker; the e-mails the sink received by then are counted. Every line must
   end sent, skipped or failed. The server is stopped and the copy dropped at
   the end of each run. The table compares the debtors per second of the
   three; the targets: the scheduled action alone sends the 4,001 reminders of
   the default scale in at most 180 s, two job workers at least 1.6 times as
   fast.
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
    workers = []
    for path in args.workers:
        with open(path, encoding="utf-8") as data:
            workers.append(json.load(data))
    if not (sides or workers):
        raise SystemExit("nothing to report: no results given")
    # with the workers runs only (tools/benchmark --workers-only), their section
    param = (sides.get("ours") or peer or workers[0])["param"]
    scale = param["scale"]
    rows = []
    misses = []
    for op in OPERATIONS:
        mine = ours["operations"].get(op)
        if not mine:
            continue
        limit, target = TARGETS[op]
        ok = mine["median"] <= limit
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
    if send and send.get("split"):
        details[0:0] = ["", *split_lines(send["split"])]
    credit = sides.get("credit_control")
    if credit:
        details[0:0] = ["", *credit_control_lines(send, credit)]
    verdict = (
        ["", "Missed targets:", ""] + [f"- {miss}" for miss in misses]
        if misses
        else ["", "Every target is met."]
    )
    if workers:
        details += ["", *engines_lines(workers, misses)]
        for run in workers:
            details += ["", *workers_lines(run, misses)]
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


# issue 26: the scheduled action alone, 4,001 reminders (the default scale) in
# at most 180 s with Odoo's mail queue off; two job workers at least 1.6 times
# its debtors per second
CRON_RUN_TARGET = 180.0
QUEUE_JOB_SPEEDUP_TARGET = 1.6
# and 20,000 debtors all reminded and e-mailed in at most 10 minutes with
# the job queue, no worker killed
BIG_DEBTORS = 20000
BIG_RUN_TARGET = 600.0


def debtors_per_second(workers, until="run_s"):
    """The run's debtors per second, to the run's end (``run_s``) or until
    its e-mails were out (``mails_s``)."""
    run = workers["run"]
    done = (run.get("sent_count") or 0) + (run.get("skipped_count") or 0)
    done += run.get("failed_count") or 0
    return done / workers[until] if workers.get(until) else 0.0


def engines_lines(runs, misses):
    """The engines side by side: the scheduled action, the job queue with one
    and with two job workers, each on a fresh copy of the database; timed to
    the run's end and until its e-mails were out (like for like: the jobs
    send their e-mails, the scheduled action leaves them to Odoo's mail
    queue)."""
    lines = [
        "### The engines in workers mode",
        "",
        "| Engine | Reminders | Run done | E-mails out | Debtors / s (run) "
        "| Debtors / s (e-mails out) | vs. scheduled action (run / e-mails out) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    cron = next((run for run in runs if run.get("label", "cron") == "cron"), None)
    base = cron and debtors_per_second(cron)
    base_out = cron and debtors_per_second(cron, "mails_s")
    for run in runs:
        rate, rate_out = debtors_per_second(run), debtors_per_second(run, "mails_s")
        ratio = f"{rate / base:.2f}x" if base else "-"
        ratio_out = f"{rate_out / base_out:.2f}x" if base_out and rate_out else "-"
        mails = (
            f"{run['mails_s']:.0f} s ({run.get('mails_out') or 0:,} e-mails)"
            if run.get("mails_s")
            else "not measured"
        )
        lines.append(
            f"| {run.get('label', 'cron')} | {run['run'].get('sent_count') or 0:,} "
            f"| {run['run_s']:.0f} s | {mails} | {rate:.1f} "
            f"| {f'{rate_out:.1f}' if rate_out else '-'} | {ratio} / {ratio_out} |"
        )
    for run in runs:
        if run.get("label", "cron") == "cron":
            continue
        if run["param"]["scale"]["debtors"] < BIG_DEBTORS:
            continue
        seconds = run.get("mails_s") or run["run_s"]
        ok = (
            run["complete"]
            and bool(run.get("mails_s"))
            and not run.get("mails_left")
            and not run.get("kills")
            and seconds <= BIG_RUN_TARGET
        )
        lines += [
            "",
            f"- {run['label']}, {run['param']['scale']['debtors']:,} debtors: "
            f"{run['run'].get('sent_count') or 0:,} reminded and e-mailed in "
            f"{seconds:.0f} s, {len(run.get('kills') or [])} worker(s) killed "
            f"(target <= {BIG_RUN_TARGET:.0f} s, none killed: "
            f"{'PASS' if ok else 'MISS'})",
        ]
        if not ok:
            misses.append(
                f"workers ({run['label']}, {run['param']['scale']['debtors']:,} "
                f"debtors): {seconds:.0f} s (target <= {BIG_RUN_TARGET:.0f} s, "
                f"no worker killed)"
            )
    if cron:
        scale = cron["param"]["scale"]
        default = (scale["debtors"], scale["remind"]) == (5000, 1000)
        ok = cron["complete"] and cron["run_s"] <= CRON_RUN_TARGET
        lines += [
            "",
            f"- The scheduled action alone (mail queue off): {cron['run_s']:.0f} s "
            f"(target at the default scale <= {CRON_RUN_TARGET:.0f} s: "
            f"{'PASS' if ok else 'MISS'}"
            f"{'' if default else ', not the default scale'})",
        ]
        if cron.get("mails_s"):
            lines.append(
                f"- Its e-mails then left through Odoo's mail queue "
                f"({cron.get('mail_queue_calls', 0)} calls, as the cron worker "
                f"runs it between the run's calls): all out after "
                f"{cron['mails_s']:.0f} s"
            )
        if default and not ok:
            misses.append(
                f"workers: the scheduled action took {cron['run_s']:.0f} s "
                f"(target <= {CRON_RUN_TARGET:.0f} s)"
            )
        two = next((run for run in runs if run.get("label") == "queue_job x2"), None)
        if two and base:
            # like for like when both were timed until their e-mails were out
            like = bool(base_out and two.get("mails_s"))
            speedup = (
                debtors_per_second(two, "mails_s") / base_out
                if like
                else debtors_per_second(two) / base
            )
            ok = two["complete"] and speedup >= QUEUE_JOB_SPEEDUP_TARGET
            lines.append(
                f"- The job queue with two job workers: {speedup:.2f} times the "
                f"scheduled action's debtors per second"
                f"{', both until their e-mails were out' if like else ''} (target >= "
                f"{QUEUE_JOB_SPEEDUP_TARGET}: {'PASS' if ok else 'MISS'})"
            )
            if not ok:
                misses.append(
                    f"workers: two job workers {speedup:.2f} times the scheduled "
                    f"action (target >= {QUEUE_JOB_SPEEDUP_TARGET})"
                )
    return lines


def split_lines(split):
    """Where one reminder's time goes, from the profiled run of our sending
    (--profile-dir): its parts, each with its SQL, and PostgreSQL's share."""
    debtors = split["debtors"] or 1
    lines = [
        f"Where one reminder's time goes (one profiled sending to "
        f"{split['debtors']:,} debtors, {fmt_seconds(split['total'])} under "
        f"cProfile, which slows Python, not PostgreSQL):",
        "",
    ]
    for label, seconds in split["parts"].items():
        lines.append(
            f"- {label}: {fmt_seconds(seconds)} in all, "
            f"{seconds / debtors * 1000:.1f} ms per reminder "
            f"({seconds / split['total'] * 100:.0f} %)"
        )
    sql = [s for label, s in split["parts"].items() if label.startswith("SQL")]
    if sql:
        lines.append(
            f"- The floor: {sql[0] / debtors * 1000:.1f} ms per reminder, what "
            f"PostgreSQL spends on the rows a reminder reads and writes (its log "
            f"entry, message, e-mail, notification, the run's line): no change "
            f"to the Python goes below it"
        )
    return lines


def credit_control_lines(send, credit):
    """The second peer, OCA's account_credit_control: its run of credit lines
    and e-mails for the same debtors, beside our sending."""
    theirs = credit["operations"].get("send")
    lines = [
        "### Second peer: OCA's account_credit_control",
        "",
        f"- {CREDIT_CONTROL} {credit.get('module_version')}: "
        f"{credit['describe'].get('send', '')}",
    ]
    if not theirs:
        return [*lines, "- Its sending was not measured."]
    last = theirs["runs"][-1]["details"]
    lines.append(
        f"- Its run for {last.get('debtors', 0):,} debtors: "
        f"{fmt_seconds(theirs['median'])} (median of {len(theirs['runs'])}), of "
        f"which {fmt_seconds(last.get('lines_s') or 0)} to generate "
        f"{last.get('credit_lines', 0):,} credit lines; {last.get('mails', 0):,} "
        f"e-mails queued, {last.get('sent', 0):,} debtors sent"
    )
    if send and send.get("median"):
        lines.append(
            f"- Ours for the same debtors: {fmt_seconds(send['median'])}; "
            f"credit control / ours: {fmt_ratio(theirs['median'] / send['median'])}"
        )
    return lines


def workers_lines(workers, misses):
    """The section of one run in workers mode, through JSON-RPC."""
    run = workers["run"]
    label = workers.get("label", "cron")
    ok = workers["send_s"] < WORKERS_SEND_TARGET
    if not ok:
        misses.append(
            f"workers: Send returned in {fmt_seconds(workers['send_s'])} "
            f"(target < {WORKERS_SEND_TARGET:.0f} s)"
        )
    if not workers["complete"]:
        misses.append(
            f"workers ({label}): the run did not finish, or left debtors to send"
        )
    scale = workers["param"]["scale"]
    sent = run.get("sent_count") or 0
    engine = (
        "the scheduled action sends the run"
        if label == "cron"
        else f"OCA's job queue sends the run ({label.split()[-1]} job worker(s) "
        f"on the channel root.debtor_collection)"
    )
    lines = [
        f"### In workers mode, through JSON-RPC: {label}",
        "",
        f"A server with {workers.get('server', '`--workers 2 --max-cron-threads 1`')} "
        f"and the default time limits (60 s CPU, 120 s real), on 127.0.0.1, its "
        f"SMTP a local sink, Odoo's mail queue switched off; a copy of the "
        f"database ({scale['debtors']:,} debtors). As admin: open the reminder "
        f"wizard, Select All Overdue, Send; then {engine} while its state is "
        f"polled every few seconds.",
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
    if workers.get("mails_at_done") is not None:
        lines.append(
            f"- E-mails received by the SMTP sink when the run was done: "
            f"{workers['mails_at_done']:,}"
        )
    if workers.get("mails_s"):
        how = (
            "Odoo's mail queue run after the run"
            if label == "cron"
            else "the jobs, each after its commit"
        )
        lines.append(
            f"- All e-mails out (sent by {how}): after {workers['mails_s']:.0f} s, "
            f"{workers.get('mails_out') or 0:,} received by the sink, "
            f"{workers.get('mails_left') or 0:,} still queued"
        )
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
