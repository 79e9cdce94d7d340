import logging
import threading
import time

from odoo import SUPERUSER_ID, api, models
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

from .account_debtor_reminder_run import (
    DEBTOR_SECONDS,
    REMINDER_BATCH_SIZE,
    STATEMENT_SECONDS,
)

_logger = logging.getLogger(__name__)

# The job queue's channel of the reminders: its capacity (how many batches run
# at once, over all servers) is set by the administrator in the [queue_job]
# section of the server's configuration (channels = root:4,root.debtor_collection:2).
QUEUE_JOB_CHANNEL = "root.debtor_collection"
# A job runs in an HTTP worker, under limit_time_cpu and limit_time_real for
# the whole job: a batch takes at most a quarter of the tighter one.
JOB_BATCHES_PER_LIMIT = 4


class AccountDebtorReminderRun(models.Model):
    """Reminder runs sent by OCA's job queue (``queue_job``) when it is
    installed: a run is split into jobs of one batch each, on the channel
    ``root.debtor_collection``, which every worker of every server sharing
    the database takes in parallel. Without ``queue_job`` (it is optional:
    not in the manifest), runs go through the scheduled action.

    A job locks its batch's lines (skipping lines another transaction holds,
    which it hands to a later job), sends them with ``_send_batch`` and,
    once committed, sends the batch's e-mails itself; the scheduled action,
    triggered by each job, closes the run when nothing is left to send. A
    killed job is rolled back whole and retried by the job queue; the
    scheduled action never sends a run of the job queue (a run records its
    engine), and a job never sends a run of the scheduled action.
    """

    _inherit = "account.debtor.reminder.run"

    @api.model
    def _queue_job_installed(self):
        return "queue.job" in self.env

    @api.model
    def _get_sending_engine(self):
        if self._queue_job_installed():
            return "queue_job"
        return super()._get_sending_engine()

    @api.model
    def _get_cron_engines(self):
        engines = super()._get_cron_engines()
        if self._queue_job_installed():
            return tuple(engine for engine in engines if engine != "queue_job")
        return engines

    def _start_sending(self):
        job_runs = self.filtered(
            lambda run: run.engine == "queue_job" and self._queue_job_installed()
        )
        result = super(AccountDebtorReminderRun, self - job_runs)._start_sending()
        for run in job_runs:
            run._enqueue_batches()
        return result

    @api.model
    def _get_job_batch_seconds(self):
        """How long one job may take: a quarter of the tighter time limit of
        the HTTP worker that runs it."""
        limits = [
            limit
            for limit in (config["limit_time_cpu"], config["limit_time_real"])
            if limit and limit > 0
        ]
        if not limits:
            return 15.0
        return max(2.0, min(limits) / JOB_BATCHES_PER_LIMIT)

    def _split_in_batches(self):
        """The ids of the run's lines to send, in partner order, cut into
        batches of at most REMINDER_BATCH_SIZE debtors and of the time a job
        may take (a PDF, statement or letter by post, costs much more than
        the rest)."""
        self.ensure_one()
        renders_pdf = self._get_level_renders_pdf_sql()
        self.env["account.debtor.reminder.run.line"].flush_model(
            ["state", "run_id", "level_id", "partner_id"]
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT line.id, COALESCE(%s, FALSE)
                  FROM account_debtor_reminder_run_line line
             LEFT JOIN account_debtor_reminder_level level
                    ON level.id = line.level_id
                 WHERE line.run_id = %s AND line.state = 'to_send'
              ORDER BY line.partner_id, line.id
                """,
                renders_pdf,
                self.id,
            )
        )
        budget = self._get_job_batch_seconds()
        batches, batch, cost = [], [], 0.0
        for line_id, pdf in self.env.cr.fetchall():
            line_cost = DEBTOR_SECONDS + (STATEMENT_SECONDS if pdf else 0.0)
            if batch and (
                len(batch) >= REMINDER_BATCH_SIZE or cost + line_cost > budget
            ):
                batches.append(batch)
                batch, cost = [], 0.0
            batch.append(line_id)
            cost += line_cost
        if batch:
            batches.append(batch)
        return batches

    def _enqueue_batches(self):
        """One job per batch of the run, on the reminders' channel."""
        self.ensure_one()
        batches = self._split_in_batches()
        # Running from now on, written once here: the jobs never write the
        # run (parallel jobs would wait for each other on its row). sudo: the
        # state of a run the addon has just created, set by the addon.
        self.sudo().state = "running"
        # the jobs run as the scheduled action does, as root: _send_batch
        # builds its own environment from the run (_get_sending_env)
        run = self.with_user(SUPERUSER_ID)
        for number, line_ids in enumerate(batches, 1):
            run.with_delay(
                channel=QUEUE_JOB_CHANNEL,
                description=self.env._(
                    "Payment reminders as of %(date)s: batch %(number)s of %(count)s",
                    date=self.date,
                    number=number,
                    count=len(batches),
                ),
            )._job_send_lines(line_ids)
        if not batches:
            self._trigger_finish()

    def _job_send_lines(self, line_ids):
        """A job: send the lines ``line_ids`` of this run still to send, in
        the time a job may take. Lines another transaction holds (another
        server on the same batch) are handed to a job a minute later, which
        finds them sent or sends them; those the batch had no time for (PDF
        statements) to a job at once."""
        self.ensure_one()
        if self.engine != "queue_job" or self.state == "done":
            return  # one run, one engine: the scheduled action sends it
        Line = self.env["account.debtor.reminder.run.line"]
        lines = Line._lock_lines_to_send(len(line_ids), run=self, line_ids=line_ids)
        held = Line.search([("id", "in", line_ids), ("state", "=", "to_send")]) - lines
        if held:
            self.with_delay(channel=QUEUE_JOB_CHANNEL, eta=60)._job_send_lines(held.ids)
        if lines:
            self._send_batch(
                lines, deadline=time.monotonic() + self._get_job_batch_seconds()
            )
            # what the batch did not take (its time went on statements, or
            # another transaction was in the way) goes on in a job of its own
            left = lines.filtered(lambda line: line.state == "to_send")
            if left:
                self.with_delay(channel=QUEUE_JOB_CHANNEL)._job_send_lines(left.ids)
            self._withdraw_mail_queue_trigger()
            self._send_mails_after_commit(self._get_batch_mails(lines))
        self._trigger_finish()

    def _withdraw_mail_queue_trigger(self):
        """Sending a batch wakes Odoo's mail queue for its e-mails; a job sends
        them itself after its commit, so the wake-up of this transaction is
        withdrawn: the two would send the same e-mails at once (Odoo's mail
        queue then logs the clash as an error). Those the job cannot send wake
        the queue up again (_send_batch_mails)."""
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        # sudo: the triggers this very transaction created (its timestamp),
        # of Odoo's mail queue only
        self.env["ir.cron.trigger"].sudo().search(
            [("cron_id", "=", mail_cron.id), ("create_date", "=", self.env.cr.now())]
        ).unlink()

    def _trigger_finish(self):
        """The scheduled action closes the run once its last batch is
        committed (and tells its user); a job cannot tell, as parallel jobs
        do not see each other's lines sent before they commit."""
        self.env.ref("account_debtor_collection.ir_cron_debtor_reminder_run")._trigger()

    def _get_batch_mails(self, lines):
        """The e-mails the batch of ``lines`` queued."""
        messages = lines.correspondence_id.mail_message_id
        if not messages:
            return self.env["mail.mail"]
        return self.env["mail.mail"].search(
            [("mail_message_id", "in", messages.ids), ("state", "=", "outgoing")]
        )

    def _send_mails_after_commit(self, mails):
        """Send the batch's e-mails once the batch is committed, in a cursor
        of their own (as Odoo's send_after_commit), rather than leave them to
        Odoo's single mail-queue job. In tests, at once: nothing commits."""
        if not mails:
            return
        if getattr(threading.current_thread(), "testing", False):
            self._send_batch_mails(mails, auto_commit=False)
            return
        dbname, mail_ids = self.env.cr.dbname, mails.ids

        @self.env.cr.postcommit.add
        def send_batch_mails():
            with Registry(dbname).cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env[self._name]._send_batch_mails(
                    env["mail.mail"].browse(mail_ids), auto_commit=True
                )

    @api.model
    def _send_batch_mails(self, mails, auto_commit):
        """Send ``mails`` still queued. When the mail server cannot be reached
        (or refuses one), those not sent stay queued, not failed: the mail
        queue sends them when it answers again (woken up for it)."""
        mails = mails.exists().filtered(lambda mail: mail.state == "outgoing")
        if not mails:
            return
        try:
            if auto_commit:
                mails.send(auto_commit=True, raise_exception=True)
            else:
                with self.env.cr.savepoint():
                    mails.send(raise_exception=True)
        except Exception as error:  # noqa: BLE001 - they stay queued
            if auto_commit:
                self.env.cr.rollback()
            self.env.invalidate_all()
            _logger.info("Reminder e-mails not sent now, they stay queued: %s", error)
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
