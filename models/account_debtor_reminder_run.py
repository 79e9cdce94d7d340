import contextlib
import logging
import time
from collections import defaultdict
from datetime import timedelta

import psycopg2
from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, clean_context, config, email_normalize, format_date

from odoo.addons.base.models.ir_qweb import QWebException

_logger = logging.getLogger(__name__)

# At most how many debtors one batch renders, posts and commits together:
# more would hold their lines and the debtors' rows locked longer for little
# gain (50 take under a second without statements); fewer would spend more
# on what each batch does once (its checks, its commit).
REMINDER_BATCH_SIZE = 50
# The guard against a second reminder the same day (see the correspondence).
ONE_REMINDER_A_DAY_INDEX = "account_debtor_correspondence_one_delivered_reminder_a_day"
# Conflicts with another transaction that a later try resolves.
TRANSIENT_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)
# A batch is sized by time too (issue "statements in workers mode"): what one
# debtor costs is measured on each batch of a run (seconds_per_debtor); before
# the first, it is guessed: a PDF (wkhtmltopdf: a statement, a letter by post)
# costs about a second, the rest some hundredths.
DEBTOR_SECONDS = 0.05
STATEMENT_SECONDS = 1.5
# Odoo's cron worker makes up to ten calls of a job that reports progress
# under one time limit (limit_time_cpu, limit_time_real_cron or
# limit_time_real: 60 s CPU, 120 s real by default): each call takes at most
# a twentieth of the tighter limit, so that ten fit with room to spare.
CRON_CALLS_PER_LIMIT = 20


class AccountDebtorReminderRun(models.Model):
    """One sending of payment reminders, kept: who was to be reminded, and for
    each debtor what happened and why.

    The wizard (or the scheduled reminders) creates a run and returns at once;
    the scheduled action ``ir_cron_debtor_reminder_run`` sends it in committed
    batches, reports its progress and triggers itself again until the run is
    done. A batch locks its lines (skipping lines another worker holds), so
    that two workers share a run, and a batch that dies is rolled back whole:
    its lines are still to send at the next call. The one-reminder-a-day index
    of the log stops any debtor from being reminded twice.
    """

    _name = "account.debtor.reminder.run"
    _description = "Payment Reminder Run"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    date = fields.Date(
        string="As of",
        required=True,
        readonly=True,
        help="An invoice is overdue when its due date is before this date.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Sent by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    author_id = fields.Many2one(
        "res.partner",
        string="From",
        required=True,
        readonly=True,
        help="The reminders' sender: the user who sent, or the company for "
        "scheduled reminders.",
    )
    scheduled = fields.Boolean(readonly=True)
    force = fields.Boolean(string="Remind Again", readonly=True)
    state = fields.Selection(
        selection=[("queued", "Queued"), ("running", "Running"), ("done", "Done")],
        required=True,
        default="queued",
        readonly=True,
        index=True,
    )
    line_ids = fields.One2many(
        "account.debtor.reminder.run.line", "run_id", string="Debtors", readonly=True
    )
    line_count = fields.Integer(compute="_compute_counts")
    to_send_count = fields.Integer(string="To Send", compute="_compute_counts")
    sent_count = fields.Integer(string="Sent", compute="_compute_counts")
    skipped_count = fields.Integer(string="Skipped", compute="_compute_counts")
    failed_count = fields.Integer(string="Failed", compute="_compute_counts")
    progress = fields.Float(compute="_compute_counts", help="Percentage done.")
    date_done = fields.Datetime(string="Finished", readonly=True)
    letter_count = fields.Integer(string="Letters", compute="_compute_counts")
    # the engine that sends the run, fixed when it is queued: one run, one
    # engine, so that the scheduled action and the job queue never meet on it
    engine = fields.Selection(
        selection=[("cron", "Scheduled Action"), ("queue_job", "Job Queue")],
        required=True,
        default="cron",
        readonly=True,
        help="Scheduled Action: Odoo's cron worker sends the run batch after "
        "batch. Job Queue: OCA's queue_job sends its batches in parallel, on "
        "every worker of every server.",
    )
    # what the scheduled action keeps of the run's batches: when it served
    # the run last (it serves the open runs in turn, the least recently
    # served first) and the time per debtor it measured (the next batch is
    # sized by it)
    batch_sequence = fields.Integer(readonly=True, copy=False)
    seconds_per_debtor = fields.Float(readonly=True, digits=(16, 3), copy=False)

    @api.depends("date", "user_id")
    def _compute_name(self):
        for run in self:
            run.name = self.env._(
                "Reminders as of %(date)s",
                # in the reader's language, not ISO
                date=format_date(self.env, run.date) if run.date else "",
            )

    @api.depends("line_ids.state", "line_ids.channel")
    def _compute_counts(self):
        groups = self.env["account.debtor.reminder.run.line"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state", "channel"], ["__count"]
        )
        counts = defaultdict(int)
        letters = defaultdict(int)
        for run, state, channel, count in groups:
            counts[run.id, state] += count
            if state == "sent" and channel == "letter":
                letters[run.id] += count
        states = ("to_send", "sent", "skipped", "failed")
        for run in self:
            for state in states:
                run[f"{state}_count"] = counts[run.id, state]
            run.line_count = sum(counts[run.id, state] for state in states)
            run.letter_count = letters[run.id]
            run.progress = (
                100.0 * (run.line_count - run.to_send_count) / run.line_count
                if run.line_count
                else 100.0
            )

    # ------------------------------------------------------------------
    # Creating a run
    # ------------------------------------------------------------------

    @api.model
    def _create_run(
        self, company, date, author, preview_lines, force=False, scheduled=False
    ):
        """Queue a run of the reminder wizard's ``preview_lines`` (to send, or
        skipped with their reason) and wake the scheduled action up."""
        self._check_as_of_date(company, date)
        self._check_sender(author)
        to_send = preview_lines.filtered(lambda line: line.state == "to_send")
        self._check_levels(company, to_send)
        # the preview may be older than a run queued since (another click on
        # Send): a debtor that run holds is skipped here, not reminded twice
        Check = self.env["account.debtor.reminder.check"]
        held = Check._get_partners_in_open_runs(to_send.partner_id, company)
        to_send.filtered(lambda line: line.partner_id in held).write(
            {"state": "skipped", "message": Check._get_open_run_skip_reason()}
        )
        # sudo: users may read runs, never create or change them (a forged
        # run would send in another's name, or again). Safe: the caller is
        # the wizard's Send (or the scheduled reminders), which passes its
        # own checked fields; every value is set here, none is left to a
        # default a client's context (default_user_id, ...) could steer.
        run = (
            self.sudo()
            .with_context(clean_context(self.env.context))
            .create(
                {
                    "company_id": company.id,
                    "date": date,
                    "user_id": self.env.user.id,
                    "author_id": author.id,
                    "force": bool(force),
                    "scheduled": bool(scheduled),
                    "state": "queued",
                    "engine": self._get_sending_engine(),
                }
            )
        )
        run._copy_preview_lines(preview_lines)
        # its engine takes it as the addon (jobs are not the user's to create)
        run._start_sending()
        run = run.sudo(False)
        return run

    def _copy_preview_lines(self, preview_lines):
        """The preview's lines become the run's, in one INSERT ... SELECT: a
        run of thousands of debtors is queued well within a request (through
        the ORM, creating them takes seconds). Copied are the columns both
        models have; the lines are new, nothing computes from them."""
        self.ensure_one()
        Line = self.env["account.debtor.reminder.run.line"]
        preview_lines.flush_recordset()
        columns = [
            name
            for name, field in Line._fields.items()
            if field.store
            and field.column_type
            and name not in models.LOG_ACCESS_COLUMNS
            and name not in ("id", "run_id")
            and getattr(preview_lines._fields.get(name), "store", False)
        ]
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO account_debtor_reminder_run_line
                       (run_id, %(columns)s,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(run)s, %(columns)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM account_debtor_remind_line
                 WHERE id = ANY(%(ids)s)
              ORDER BY id
                """,
                columns=SQL(", ").join(map(SQL.identifier, columns)),
                run=self.id,
                uid=self.env.uid,
                now=now,
                ids=preview_lines.ids,
            )
        )
        self.invalidate_recordset(["line_ids"])

    @api.model
    def _check_as_of_date(self, company, date):
        """A reminder names what is late on the day it leaves: the as-of
        date may be today or earlier, never later."""
        if fields.Date.to_date(date) > company._get_debtor_today():
            raise UserError(
                self.env._(
                    "Reminders cannot be sent as of %(date)s, a day still to "
                    "come: they would call invoices late before their due "
                    "date. Choose today or an earlier date.",
                    date=format_date(self.env, date),
                )
            )

    @api.model
    def _check_sender(self, author):
        """A reminder leaves only with a sender address: refuse clearly,
        before anything is queued or logged."""
        if not email_normalize(author.email or ""):
            raise UserError(
                self.env._(
                    "Reminders are sent from the e-mail address of %(sender)s, "
                    "which has none (or not a valid one): set it first.",
                    sender=author.display_name,
                )
            )

    @api.model
    def _check_levels(self, company, lines):
        """Refuse, before anything is queued, what would fail each debtor of
        a level: a text (mail template) gone, charges to invoice without the
        income accounts."""
        levels = lines.level_id
        for level in levels.filtered(lambda level: level._needs_template()):
            level._get_template()
        if (
            company.debtor_charge_invoice
            and any(level._has_charges() for level in levels)
            and not (
                company.debtor_interest_account_id and company.debtor_fee_account_id
            )
        ):
            raise UserError(
                self.env._(
                    "Late-payment charges are invoiced: choose their income "
                    "accounts in the settings (Payment Reminders) first."
                )
            )

    def _get_line_template(self, line):
        """The mail template of a line's reminder: the text of its level (in
        this run's environment, which renders it)."""
        return line.with_env(self.env).level_id._get_template()

    # ------------------------------------------------------------------
    # Sending, in the scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _get_sending_engine(self):
        """The engine a new run is sent by (see the job queue's override)."""
        return "cron"

    def _start_sending(self):
        """Hand a queued run to its engine: the scheduled action, woken up."""
        self.env.ref("account_debtor_collection.ir_cron_debtor_reminder_run")._trigger()

    @api.model
    def _get_cron_engines(self):
        """The runs the scheduled action sends: its own, and those queued for
        the job queue when it is not installed (any more)."""
        return ("cron", "queue_job")

    @api.model
    def _cron_send_runs(self, batch_size=REMINDER_BATCH_SIZE):
        """Send one batch of a run with debtors still to send, the runs served
        in turn (a long run never holds back another, of this company or
        another) and each batch sized to fit the cron worker's time limits.
        While work remains, the scheduled action triggers itself: Odoo calls
        it again at once (ten calls, then it reschedules it "as soon as
        possible" but waits for its next poll), and the trigger's
        notification wakes a cron worker for the next ten at once."""
        Line = self.env["account.debtor.reminder.run.line"]
        # the call before this one was killed (a time limit): its batch was
        # too big for what it rendered, so one debtor at a time for now
        killed = self._cron_call_before_was_killed()
        budget = self._get_cron_batch_seconds()
        lines = Line.browse()
        for run in self._get_runs_to_send():
            size = 1 if killed else run._get_batch_size(budget, batch_size)
            lines = Line._lock_lines_to_send(size, run=run)
            if lines:
                break
        done = lines
        if lines:
            run = lines.run_id
            run.filtered(lambda r: r.state == "queued").state = "running"
            start = time.monotonic()
            run._send_batch(lines, deadline=start + budget)
            # what the batch did not take (its time went on statements, or
            # another transaction was in the way) is sent by the next call
            done = lines.filtered(lambda line: line.state != "to_send")
            run._record_batch(len(done), time.monotonic() - start)
        self._finish_runs()
        remaining = self._count_lines_to_send(self._get_cron_engines())
        self.env["ir.cron"]._notify_progress(done=len(done), remaining=remaining)
        if remaining:
            # nothing sent although lines remain: another transaction holds
            # them; come back in a minute rather than spin on them
            self.env.ref(
                "account_debtor_collection.ir_cron_debtor_reminder_run"
            )._trigger(
                at=None if lines else fields.Datetime.now() + timedelta(minutes=1)
            )

    @api.model
    def _cron_call_before_was_killed(self):
        """Whether the scheduled action's call before this one was killed: Odoo
        counts a call as timed out until it returns (ir.cron.progress)."""
        progress_id = self.env.context.get("ir_cron_progress_id")
        if not progress_id:
            return False
        # sudo: the progress record of the running scheduled action, named
        # by the cron worker (this method is private, not callable by RPC)
        progress = self.env["ir.cron.progress"].sudo().browse(progress_id)
        return progress.timed_out_counter > 1

    @api.model
    def _get_cron_batch_seconds(self):
        """How long one call of the scheduled action may take: a twentieth of
        the cron worker's tighter time limit (ten calls fit in half of it)."""
        real = config["limit_time_real_cron"]
        if not real or real < 0:
            real = config["limit_time_real"]
        limits = [
            limit for limit in (config["limit_time_cpu"], real) if limit and limit > 0
        ]
        if not limits:
            return 3.0
        return max(1.0, min(limits) / CRON_CALLS_PER_LIMIT)

    @api.model
    def _get_runs_to_send(self):
        """The open runs of the scheduled action with debtors to send, the
        least recently served first."""
        Line = self.env["account.debtor.reminder.run.line"]
        self.flush_model(["state", "engine", "batch_sequence"])
        Line.flush_model(["state", "run_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT run.id
                  FROM account_debtor_reminder_run run
                 WHERE run.state IN ('queued', 'running')
                   AND run.engine = ANY(%(engines)s)
                   AND EXISTS (
                        SELECT 1
                          FROM account_debtor_reminder_run_line line
                         WHERE line.run_id = run.id AND line.state = 'to_send'
                   )
              ORDER BY COALESCE(run.batch_sequence, 0), run.id
                """,
                engines=list(self._get_cron_engines()),
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _count_lines_to_send(self, engines):
        """How many debtors the runs of ``engines`` still have to send."""
        self.flush_model(["engine"])
        self.env["account.debtor.reminder.run.line"].flush_model(["state", "run_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*)
                  FROM account_debtor_reminder_run_line line
                  JOIN account_debtor_reminder_run run ON run.id = line.run_id
                 WHERE line.state = 'to_send' AND run.engine = ANY(%s)
                """,
                list(engines),
            )
        )
        return self.env.cr.fetchone()[0]

    def _get_batch_size(self, seconds, limit=REMINDER_BATCH_SIZE):
        """How many debtors of this run fit in a batch of ``seconds``: by its
        time per debtor measured so far, or guessed from what its debtors'
        levels render; at least one, at most ``limit``."""
        self.ensure_one()
        per_debtor = self.seconds_per_debtor or self._guess_seconds_per_debtor()
        return max(1, min(limit, int(seconds / per_debtor)))

    @api.model
    def _get_level_renders_pdf_sql(self):
        """Whether the reminder of a debtor at the level ``level`` (a joined
        table of that name) renders a PDF when it is sent: a statement to
        attach, a letter to hand to the post. Its levels' fields flushed."""
        self.env["account.debtor.reminder.level"].flush_model(
            ["attach_statement", "channel"]
        )
        return SQL(
            "(COALESCE(level.attach_statement, FALSE) OR level.channel = 'post')"
        )

    def _guess_seconds_per_debtor(self):
        """What one debtor of this run costs before any was measured: more
        when a level of its debtors renders a PDF (a statement, a letter by
        post)."""
        self.ensure_one()
        renders_pdf = self._get_level_renders_pdf_sql()
        self.env["account.debtor.reminder.run.line"].flush_model(
            ["state", "run_id", "level_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT BOOL_OR(%s)
                  FROM account_debtor_reminder_run_line line
                  JOIN account_debtor_reminder_level level
                    ON level.id = line.level_id
                 WHERE line.run_id = %s AND line.state = 'to_send'
                """,
                renders_pdf,
                self.id,
            )
        )
        pdfs = self.env.cr.fetchone()[0]
        return DEBTOR_SECONDS + (STATEMENT_SECONDS if pdfs else 0.0)

    def _record_batch(self, count, seconds):
        """Keep what a batch of ``count`` debtors took (an average with the
        batches before, so that one slow batch does not shrink the next ones
        for good) and put the run last in the scheduled action's turn."""
        self.ensure_one()
        # a floor: a clock that did not move (a batch of skipped debtors
        # under a coarse clock) would make the next batch unbounded
        measured = max(seconds / max(count, 1), 0.001)
        if self.seconds_per_debtor:
            measured = (self.seconds_per_debtor + measured) / 2
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_debtor_reminder_run
                   SET seconds_per_debtor = %(measured)s,
                       batch_sequence = (
                            SELECT COALESCE(MAX(batch_sequence), 0) + 1
                              FROM account_debtor_reminder_run
                       )
                 WHERE id = %(id)s
                """,
                measured=measured,
                id=self.id,
            )
        )
        self.invalidate_recordset(["seconds_per_debtor", "batch_sequence"])

    def _finish_runs(self):
        """Close the runs with nothing left to send; tell their users."""
        runs = self.search([("state", "in", ("queued", "running"))])
        open_runs = {
            run.id
            for [run] in self.env["account.debtor.reminder.run.line"]._read_group(
                [("run_id", "in", runs.ids), ("state", "=", "to_send")], ["run_id"]
            )
        }
        done = runs.filtered(lambda run: run.id not in open_runs)
        if not done:
            return
        done.write({"state": "done", "date_done": fields.Datetime.now()})
        for run in done:
            run._notify_done()

    def _notify_done(self):
        """A notification in the web client of the run's user, with a link to
        the run (Odoo's invoicing notification, which opens records)."""
        self.ensure_one()
        user_env = self.with_context(lang=self.user_id.lang).env
        problems = self.failed_count
        self.user_id._bus_send(
            "account_notification",
            {
                "type": "warning" if problems else "success",
                "sticky": bool(problems),
                "title": user_env._("Payment reminders sent"),
                "message": user_env._(
                    "Sent: %(sent)s. Skipped: %(skipped)s. Failed: %(failed)s.",
                    sent=self.sent_count,
                    skipped=self.skipped_count,
                    failed=self.failed_count,
                ),
                "action_button": {
                    "name": user_env._("Open the run"),
                    "action_name": user_env._("Reminder Runs"),
                    "model": self._name,
                    "res_ids": self.ids,
                },
            },
        )

    def _get_sending_env(self):
        """The environment reminders are rendered and posted in: superuser,
        because posting on a partner needs write access to it, which billing
        users lack. Safe: only the addon creates runs (users may only read
        them), its author was fixed then from the user who sent, and the
        context is built here, so nothing a client put in its context steers
        it."""
        self.ensure_one()
        return self.env(
            su=True,
            context={
                "lang": self.user_id.lang or self.env.lang,
                "tz": self.user_id.tz,
                "allowed_company_ids": self.company_id.ids,
                "debtor_as_of_date": fields.Date.to_string(self.date),
                # the checks skip a debtor an older run holds, not this one's
                "debtor_reminder_run_id": self.id,
                # Remind Again: the invoices a pending promise pauses too
                "debtor_remind_promised": self.force,
                # e-mails go out through the mail queue
                "mail_notify_force_send": False,
                "mail_create_nolog": True,
                "mail_create_nosubscribe": True,
            },
        )

    def _send_batch(self, lines, deadline=None):
        """Check each debtor again, store its reminder's document, then send
        what the document says: an e-mail, a letter to print or a call.

        The PDF statements of the e-mails that attach one are rendered
        first, each debtor's on its own, until ``deadline`` (a
        ``time.monotonic()`` value: the end of the batch's time): the debtors
        whose statement the batch has no time for stay to send, for the next
        batch (see ``_render_statements``). The e-mails of a batch are then
        sent at once: their documents in one insert, rendered together,
        their messages created together through the mail API. When anything
        fails (a debtor reminded meanwhile, a text that cannot be rendered, a
        message that cannot be posted), that is undone and the batch is sent
        again debtor by debtor, each in a savepoint of its own, so that one
        failing debtor is reported on its line and the others are still
        sent."""
        self.ensure_one()
        env = self._get_sending_env()
        run = self.with_env(env)
        checks = env["account.debtor.reminder.check"]._get_reminder_checks(
            lines.partner_id.with_env(env), self.company_id, self.date, self.force
        )
        # in partner order, so that two workers never deadlock on the index
        lines = lines.sorted(lambda line: line.partner_id.id)
        to_send = lines.browse()
        for line in lines:
            check = checks[line.partner_id.with_env(env)]
            if check["state"] == "skipped":
                line.write({"state": "skipped", "message": check["message"]})
            else:
                line.write(run._prepare_line_level_vals(line, check))
                to_send |= line
        if not to_send:
            return
        # letters, calls, SMS and post go their own ways; the rest are e-mails
        letters = to_send.filtered(lambda line: line.channel == "letter")
        calls = to_send.filtered(lambda line: line.channel == "call")
        sms = to_send.filtered(lambda line: line.channel == "sms")
        posts = to_send.filtered(lambda line: line.channel == "post")
        emails = to_send - letters - calls - sms - posts
        statements, emails = run._render_statements(emails, deadline)
        documents = run._get_reminder_documents(letters | calls | sms | posts | emails)
        run._send_letters(letters, documents)
        run._schedule_calls(calls, documents)
        run._send_sms(sms, documents)
        run._send_post(posts, documents)
        run._send_emails(emails, documents, statements)

    def _get_reminder_documents(self, lines):
        """What the reminder of each line's debtor names today (the day it
        leaves, in the company's time zone), at its level: a dict partner id
        -> document (see ``res.partner._get_debtor_reminder_documents``)."""
        today = self.company_id._get_debtor_today()
        documents = {}
        for level, level_lines in lines.grouped("level_id").items():
            documents.update(
                level_lines.partner_id.with_env(
                    self.env
                )._get_debtor_reminder_documents(
                    self.date, today, self.company_id, level
                )
            )
        return documents

    def _prepare_reminder_entry_vals(self, partner, line, document):
        """The log entry of a debtor's reminder: its document, level and
        channel."""
        return {
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "kind": "reminder",
            "user_id": self.user_id.id,
            "level_id": line.level_id.id,
            "channel": line.channel,
            # the one language chain of every part of the reminder
            "lang": partner._get_debtor_lang(),
            # the text the letter is printed with
            "template_id": self._get_line_template(line).id
            if line.channel == "letter"
            else False,
            **self.env["account.debtor.correspondence"]._prepare_reminder_document_vals(
                document
            ),
        }

    def _send_emails(self, lines, documents, statements):
        """The e-mail reminders of these lines (see ``_send_batch``), with
        the ``statements`` rendered before (see ``_render_statements``)."""
        if not lines:
            return
        env = self.env
        user_env = self.with_context(lang=self.user_id.lang).env
        partners = lines.partner_id.with_env(env)
        line_of = {line.partner_id.id: line for line in lines}
        recipients_by_partner = partners._get_debtor_reminder_recipients()
        # What message_post would look up message by message, for the batch at
        # once: the values are the same, the queries are one per batch.
        company = env.company
        alias_domains = partners._mail_get_alias_domains(default_company=company)
        record_companies = partners._mail_get_companies(default=company)
        reply_tos = partners._notify_get_reply_to(
            default=self.author_id.email_formatted
        )
        Correspondence = env["account.debtor.correspondence"].with_context(
            tracking_disable=True
        )
        comment = env.ref("mail.mt_comment")

        def debtor_of(line):
            # with the batch's prefetch: one query per field for all debtors
            return line.partner_id.with_env(env).with_prefetch(partners._prefetch_ids)

        def entry_values(line):
            partner = debtor_of(line)
            return {
                **self._prepare_reminder_entry_vals(
                    partner, line, documents[partner.id]
                ),
                "template_id": self._get_line_template(line).id,
                "recipient_ids": [Command.set(recipients_by_partner[partner][0].ids)],
            }

        def render(entries):
            """Subject, body and attachments of each entry's e-mail, read
            from its stored document."""
            rendered = {}
            for level, level_entries in entries.grouped("level_id").items():
                rendered.update(
                    self._render_reminders(
                        partners.browse(level_entries.partner_id.ids),
                        self._get_line_template(
                            line_of[level_entries[0].partner_id.id]
                        ),
                        level,
                        level_entries,
                        statements,
                    )
                )
            return rendered

        def post(entries):
            """What message_post does for each entry's debtor, for all of
            them at once: the messages created together through the mail
            API, then each notified (its e-mail put in Odoo's light layout
            and queued) as message_post would. Returns the messages in the
            order of ``entries``."""
            rendered = render(entries)
            debtors = partners.browse([entry.partner_id.id for entry in entries])
            values_list = []
            for partner in debtors:
                subject, body, attachments = rendered[partner.id]
                values = {
                    "author_id": self.author_id.id,
                    "email_from": self.author_id.email_formatted,
                    "model": partner._name,
                    "res_id": partner.id,
                    "body": body,
                    "subject": subject,
                    "message_type": "comment",
                    "subtype_id": comment.id,
                    "partner_ids": recipients_by_partner[partner][0].ids,
                    "email_add_signature": False,
                    "email_layout_xmlid": (
                        "account_debtor_collection.mail_notification_debtor"
                    ),
                    "record_name": partner.display_name,
                    "record_alias_domain_id": alias_domains[partner.id].id,
                    "record_company_id": record_companies[partner.id].id,
                    "reply_to": reply_tos[partner.id],
                }
                values.update(
                    partner._process_attachments_for_post(attachments, [], values)
                )
                values_list.append(values)
            messages = debtors._message_create(values_list)
            for partner, message, values in zip(
                debtors, messages, values_list, strict=True
            ):
                partner._message_post_after_hook(message, values)
            self._notify_reminders(debtors, messages, values_list)
            return messages

        def sent_values(line, entry):
            return {
                "state": "sent",
                "correspondence_id": entry.id,
                "message": user_env._(
                    "Sent to %(emails)s. Overdue invoices: %(count)s.",
                    count=len(entry.move_ids),
                    emails=", ".join(
                        recipients_by_partner[debtor_of(line)][0].mapped("email")
                    ),
                ),
            }

        try:
            # the savepoint flushes it all when it closes: a failure to write
            # (the unique index) is a failure of the batch too
            with self.env.cr.savepoint():
                entries = Correspondence._create_reminders(
                    [entry_values(line) for line in lines],
                    [documents[line.partner_id.id] for line in lines],
                )
                messages = post(entries)
                # linked once all are posted: each message's notifications
                # would flush the links made before it, one by one
                for line, entry, message in zip(lines, entries, messages, strict=True):
                    entry.mail_message_id = message
                    line.write(sent_values(line, entry))
        except Exception as error:  # noqa: BLE001 - sent debtor by debtor
            _logger.info(
                "Sending a batch of reminders at once failed (%s): "
                "sending debtor by debtor",
                error,
            )
        else:
            lines = lines.browse()
        for line in lines:

            def send(line=line):
                entry = Correspondence._create_reminders(
                    [entry_values(line)], [documents[line.partner_id.id]]
                )
                # insert now: the unique index refuses a second reminder
                entry.flush_recordset()
                entry.mail_message_id = post(entry)
                return sent_values(line, entry)

            self._send_line_alone(line, send)
        # the queue sends the e-mails: wake it up rather than wait for it
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    def _notify_reminders(self, debtors, messages, values_list):
        """Notify the recipients of each reminder as message_post does, with
        the e-mails and their notifications of the whole batch created at
        once. Each e-mail is Odoo's own: the message in its e-mail layout, in
        the recipients' language, queued. A message with other recipients
        than e-mail ones (an internal user who follows the debtor gets it in
        the inbox) is notified by Odoo's own method."""
        mail_values_list = []
        notified = []  # (message, recipient ids) of each e-mail
        for partner, message, values in zip(
            debtors, messages, values_list, strict=True
        ):
            recipients = partner._notify_get_recipients(message, values)
            # every recipient reads the debtor's language (not its own)
            lang = partner._get_debtor_lang()
            for recipient in recipients:
                recipient["lang"] = lang
            if any(recipient["notif"] != "email" for recipient in recipients):
                partner._notify_thread(message, values, force_email_lang=lang)
                continue
            if not recipients:
                continue
            base_values = partner._notify_by_email_get_base_mail_values(
                message, additional_values={"auto_delete": True}
            )
            for (
                _lang,
                render_values,
                group,
            ) in partner._notify_get_classified_recipients_iterator(
                message, recipients, msg_vals=values, force_email_lang=lang
            ):
                recipient_ids = group.pop("recipients")
                if not recipient_ids:
                    continue
                body = partner._notify_by_email_render_layout(
                    message, group, msg_vals=values, render_values=render_values
                )
                mail_values_list.append(
                    partner._notify_by_email_get_final_mail_values(
                        recipient_ids,
                        base_values,
                        additional_values={"body_html": body},
                    )
                )
                notified.append((message, recipient_ids))
        if not mail_values_list:
            return
        env = self.env(context=clean_context(self.env.context))
        mails = env["mail.mail"].create(mail_values_list)
        env["mail.notification"].create(
            [
                {
                    "author_id": message.author_id.id,
                    "is_read": True,  # no inbox notification, as Odoo's
                    "mail_mail_id": mail.id,
                    "mail_message_id": message.id,
                    "notification_status": "ready",
                    "notification_type": "email",
                    "res_partner_id": recipient_id,
                }
                for mail, (message, recipient_ids) in zip(mails, notified, strict=True)
                for recipient_id in recipient_ids
            ]
        )

    @api.model
    def _prepare_line_level_vals(self, line, check):
        """The level and channel a line is sent at: those of its check at
        sending time (the debtor may have paid or grown later since the
        preview)."""
        values = {"level_id": check["level_id"], "channel": check["channel"]}
        if line.level_id.id == values["level_id"] and line.channel == values["channel"]:
            return {}
        return values

    def _log_offline_reminders(self, lines, documents, sent_message):
        """Log a reminder per line (letters, calls) with its document and
        mark it sent, each debtor on its own (``_send_line_alone``).
        ``sent_message(line, entry)`` says what happened."""
        Correspondence = self.env["account.debtor.correspondence"].with_context(
            tracking_disable=True
        )
        for line in lines:

            def send(line=line):
                partner = line.partner_id.with_env(self.env)
                entry = Correspondence._create_reminders(
                    [
                        self._prepare_reminder_entry_vals(
                            partner, line, documents[partner.id]
                        )
                    ],
                    [documents[partner.id]],
                )
                entry.flush_recordset()
                return {
                    "state": "sent",
                    "correspondence_id": entry.id,
                    "message": sent_message(line, entry),
                }

            self._send_line_alone(line, send)

    def _send_line_alone(self, line, send):
        """Send one debtor's reminder (or do a step of it, as rendering its
        statement) in a savepoint of its own: ``send()`` logs it and returns
        the line's values once sent (none after a step). A reminder logged
        meanwhile (the one-a-day index) skips the line; a transient conflict
        with another transaction (a payment recorded meanwhile, a lock), even
        wrapped in the error of what it broke (a template's rendering), leaves
        it to send, for a later batch; any other failure is reported on it.
        The batch goes on."""
        user_env = self.with_context(lang=self.user_id.lang).env
        try:
            with self.env.cr.savepoint():
                values = send()
                self.env.flush_all()
        except pg_errors.UniqueViolation as error:
            if error.diag.constraint_name == ONE_REMINDER_A_DAY_INDEX:
                line.write(
                    {
                        "state": "skipped",
                        "message": user_env._("Already reminded today."),
                    }
                )
            else:
                self._report_line_failure(line, error)
        except Exception as error:  # noqa: BLE001 - reported on the line
            # a conflict is raised as it is, or wrapped by Odoo (the mail
            # rendering turns what failed in a template into a UserError)
            if _get_error_in_chain(error, TRANSIENT_ERRORS):
                # not the customer's failure: the next batch sends it again
                _logger.info(
                    "Reminder to partner %s postponed (%s)", line.partner_id.id, error
                )
            else:
                self._report_line_failure(line, error)
        else:
            line.write(values)

    def _report_line_failure(self, line, error):
        """Mark ``line`` failed with what its user can act on, in the user's
        language. A UserError's text is kept: it is written for users (a
        check that refuses, a template or a PDF that could not be rendered,
        see ``_get_rendering_failure``); a QWeb template that failed anywhere
        else is named with the debtor's language; anything else is
        unexpected, and its details go to the server log, not to the line."""
        user_env = self.with_context(lang=self.user_id.lang).env
        if not isinstance(error, UserError) and _get_qweb_error(error):
            error = self._get_rendering_failure(
                line.partner_id, line.level_id.mail_template_id.name, error
            )
        if isinstance(error, UserError):
            _logger.info(
                "Reminder to partner %s failed: %s",
                line.partner_id.id,
                error,
                exc_info=error if error.__cause__ else None,
            )
            reason = str(error)
        else:
            _logger.warning(
                "Reminder to partner %s failed", line.partner_id.id, exc_info=error
            )
            reason = user_env._(
                "An unexpected error occurred; the details are in the server log."
            )
        line.write(
            {
                "state": "failed",
                "message": user_env._("Not sent: %(error)s", error=reason[:500]),
            }
        )

    def _send_letters(self, lines, documents):
        """Letters: logged as reminders of their level now, with their
        document; printed from the run (Print Letters) in one PDF."""
        user_env = self.with_context(lang=self.user_id.lang).env
        self._log_offline_reminders(
            lines,
            documents,
            lambda line, entry: user_env._(
                "Letter to print. Overdue invoices: %(count)s.",
                count=len(entry.move_ids),
            ),
        )

    def _schedule_calls(self, lines, documents):
        """Calls: a phone-call activity on the debtor for its collector, with
        its phone, amounts and late invoices; logged as a reminder of its
        level. Marking the activity done logs a note."""
        user_env = self.with_context(lang=self.user_id.lang).env

        def schedule(line, entry):
            collector = entry._get_follow_up_user()
            entry.call_activity_id = entry._schedule_call_activity(collector)
            return user_env._(
                "Call scheduled for %(user)s. Overdue invoices: %(count)s.",
                user=collector.name,
                count=len(entry.move_ids),
            )

        self._log_offline_reminders(lines, documents, schedule)

    def action_print_letters(self):
        """One PDF with every letter of this run, each in its debtor's
        language, as it was sent (see the correspondence's
        ``action_print_letter``)."""
        self.ensure_one()
        letters = self.line_ids.filtered(
            lambda line: line.channel == "letter" and line.state == "sent"
        )
        if not letters:
            raise UserError(self.env._("This run has no letter to print."))
        return letters.correspondence_id.action_print_letter()

    def _render_reminders(self, partners, template, level, entries, statements):
        """Subject, body and attachments of the reminder of each debtor at
        ``level``: what its entry in ``entries`` stored, with its statement
        of ``statements`` (rendered before the batch, see
        ``_render_statements``)."""
        # the level decides the charges the reminder table shows; the entries
        # hold what it shows
        template = template.with_context(
            debtor_reminder_level_id=level.id,
            debtor_reminder_entry_ids=tuple(entries.ids),
        )
        try:
            subjects = template._render_field(
                "subject", partners.ids, compute_lang=True
            )
            bodies = template._render_field(
                "body_html", partners.ids, compute_lang=True
            )
        except psycopg2.Error:
            raise
        except Exception as error:
            if len(partners) != 1:
                raise  # sent again debtor by debtor, which says whose it is
            raise self._get_rendering_failure(partners, template.name, error) from error
        return {
            partner.id: (
                " ".join(subjects[partner.id].split()),
                bodies[partner.id],
                statements.get(partner.id, []),
            )
            for partner in partners
        }

    def _render_statements(self, lines, deadline=None):
        """The PDF statements of the e-mail reminders of ``lines`` whose level
        attaches one, rendered before anything of the batch is written.
        Returns a dict partner id -> the attachments of its reminder, and the
        lines whose reminders this batch sends (in the order of ``lines``).

        Each debtor's statement is rendered on its own, as Odoo's invoice
        sending renders each invoice: one wkhtmltopdf run of about a second,
        in a savepoint, so that one that fails is reported on its line and
        the others go on. Once the batch's time is spent (the next statement
        would end past ``deadline``, a ``time.monotonic()`` value), the batch
        takes no more debtors with a statement: they stay to send, for the
        next batch. At least one is rendered, so that every batch moves on.
        """
        with_statement = lines.filtered(lambda line: line.level_id.attach_statement)
        if not with_statement:
            return {}, lines
        statements = {}
        start = time.monotonic()
        for count, line in enumerate(with_statement):
            now = time.monotonic()
            # the next one would take as long as those before, on average
            if (
                count
                and deadline is not None
                and now + (now - start) / count > deadline
            ):
                _logger.info(
                    "Reminder run %s: %s statements rendered in %.1f s, %s left "
                    "for the next batch",
                    self.id,
                    count,
                    now - start,
                    len(with_statement) - count,
                )
                break

            def render(line=line):
                partner = line.partner_id.with_env(self.env)
                statements[partner.id] = self._render_statement(partner)
                return {}

            self._send_line_alone(line, render)
        return statements, lines.filtered(
            lambda line: line not in with_statement or line.partner_id.id in statements
        )

    def _render_statement(self, partner):
        """The attachments of ``partner``'s reminder: its PDF statement, in
        its language."""
        lang = partner._get_debtor_lang()
        report = self.env.ref(
            "account_debtor_collection.action_report_debtor_statement"
        )
        try:
            # in tests, Odoo renders HTML instead of calling wkhtmltopdf
            content, _report_type = (
                self.env["ir.actions.report"]
                .with_context(lang=lang)
                ._render_qweb_pdf(report.report_name, res_ids=partner.ids)
            )
        except psycopg2.Error:
            raise
        except Exception as error:
            if _get_qweb_error(error):
                raise self._get_rendering_failure(
                    partner, report.name, error
                ) from error
            user_env = self.with_context(lang=self.user_id.lang).env
            raise UserError(
                user_env._(
                    'The PDF "%(document)s" could not be made for this customer '
                    "(language %(lang)s): %(reason)s",
                    document=report.name,
                    lang=self._get_lang_name(lang),
                    reason=str(error)
                    if isinstance(error, UserError)
                    else user_env._("the details are in the server log."),
                )
            ) from error
        filename = self.with_context(lang=lang).env._(
            "Statement %(name)s.pdf", name=partner.name
        )
        return [(filename, content)]

    def _get_rendering_failure(self, partner, template_name, error):
        """The error a debtor's line shows when a template of its reminder
        could not be rendered (``error``): which template, in which language
        and what to do, in the words of the run's user; the details (``error``
        is its cause) go to the server log. The template is the QWeb view
        that failed when ``error`` names one (the invoice table of the text,
        a part of the statement), else ``template_name``."""
        user_env = self.with_context(lang=self.user_id.lang).env
        view = self.env["ir.ui.view"]
        qweb_error = _get_qweb_error(error)
        if qweb_error:
            with contextlib.suppress(TypeError, ValueError):
                view = view.browse(int(qweb_error.ref)).exists()
        return UserError(
            user_env._(
                "The reminder could not be rendered for this customer (template "
                '"%(template)s", language %(lang)s): check the template\'s '
                "translation in that language. The details are in the server log.",
                template=view.name or template_name,
                lang=self._get_lang_name(partner._get_debtor_lang()),
            )
        )

    def _get_lang_name(self, code):
        """The name of the language ``code``, as Odoo lists it."""
        return dict(self.env["res.lang"].get_installed()).get(code, code)


def _get_error_in_chain(error, classes):
    """The first error of ``error``'s chain (itself, then what it was raised
    from or while handling) that is an instance of ``classes``, if any."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, classes):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _get_qweb_error(error):
    """The QWeb rendering error that ``error`` was raised from (or is), if
    any: the first of the chain, raised by the template that failed (the
    templates that called it raise it as it is)."""
    return _get_error_in_chain(error, QWebException)
