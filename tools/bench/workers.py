"""Phase 3, ``workers``: a server in workers mode driven through the web
client's JSON-RPC: Send, then the run sent in the background, timed, with
the workers' memory sampled."""

import json
import logging
import os
import re
import time

from .common import SCALE_PARAM
from .report import fmt_mb

_logger = logging.getLogger("benchmark")


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


def outbox_count(outbox):
    """How many e-mails the SMTP sink wrote into ``outbox``."""
    if not outbox or not os.path.isdir(outbox):
        return None
    return sum(
        name.endswith(".eml")
        for _root, _dirs, names in os.walk(outbox)
        for name in names
    )


def wait_for_mails(rpc, args, result, started, deadline, context, queued_before):
    """Until the run's e-mails are out (none left queued), so that every
    engine is timed to the same end. The jobs send their batches' e-mails
    themselves: wait for the last ones. The scheduled action leaves them to
    Odoo's mail queue (switched off to time the engine alone): run it now,
    as the cron worker would between the run's calls, until none is left
    (each call sends at most 1,000)."""
    [mail_cron] = rpc.call(
        "ir.model.data",
        "search_read",
        [("module", "=", "mail"), ("name", "=", "ir_cron_mail_scheduler_action")],
        ["res_id"],
        context=context,
    )
    # the run's e-mails (on its debtors): not those queued before it, nor
    # what other scheduled actions queue meanwhile (Odoo's digest)
    queued = [
        ("state", "=", "outgoing"),
        ("model", "=", "res.partner"),
        ("id", "not in", queued_before),
    ]
    calls, left = 0, None
    while time.monotonic() < deadline:
        left = rpc.call("mail.mail", "search_count", queued, context=context)
        if not left:
            break
        if result["label"] == "cron":
            calls += 1
            rpc.call(
                "ir.cron",
                "method_direct_trigger",
                [mail_cron["res_id"]],
                context=context,
            )
        else:
            time.sleep(args.poll)
    result["mails_s"] = time.monotonic() - started
    result["mail_queue_calls"] = calls
    result["mails_left"] = left
    result["mails_out"] = outbox_count(args.outbox)
    _logger.info(
        "e-mails out after %.0f s: %s received by the sink, %s queued",
        result["mails_s"],
        result["mails_out"],
        left,
    )


def workers_run(args):
    """Through the web client's JSON-RPC, as admin, on a server in workers
    mode: open the reminder wizard, select all overdue, Send (timed), then
    wait for the scheduled action to send the run, sampling the workers'
    memory; every line must end sent, skipped or failed. Then wait until
    its e-mails are out (see ``wait_for_mails``)."""
    rpc = JsonRpc(args.url, timeout=args.request_timeout)
    result = {"label": args.label, "load_before": os.getloadavg()[0], "samples": []}
    if args.server:
        result["server"] = f"`{args.server}`"
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
    queued_before = rpc.call(
        "mail.mail", "search", [("state", "=", "outgoing")], context=context
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
    fields_ += ["skipped_count", "failed_count", "engine"]
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
    # the e-mails the SMTP sink had received when the run was done (with
    # Odoo's mail queue off, only those the jobs sent themselves)
    result["mails_at_done"] = outbox_count(args.outbox)
    if run.get("state") == "done":
        wait_for_mails(rpc, args, result, started, deadline, context, queued_before)
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
