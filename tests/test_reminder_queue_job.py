"""Runs sent by OCA's job queue. These tests need queue_job installed: they
are not in the standard suite (the addon does not depend on queue_job);
tools/test runs them on a second database with queue_job's wheel on the
addons path (--test-tags debtor_queue_job). queue_job is imported inside the
tests, so that this module loads without it."""

from unittest.mock import patch

from odoo import Command, api, fields
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL

from odoo.addons.account_debtor_collection.models import (
    account_debtor_reminder_run_queue_job as queue_job_engine,
)

from .common import DebtorCollectionCommon, new_billing_user


def trap_jobs():
    from odoo.addons.queue_job.tests.common import (  # noqa: PLC0415 - optional
        trap_jobs as queue_job_trap_jobs,
    )

    return queue_job_trap_jobs()


@tagged("post_install", "-at_install", "-standard", "debtor_queue_job")
class TestReminderQueueJob(DebtorCollectionCommon):
    """A run split into jobs of one batch on the reminders' channel; each job
    sends its e-mails; nothing sent twice, nothing lost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert "queue.job" in cls.env, "these tests need queue_job installed"
        cls.company.debtor_reminder_attach_statement = False
        cls.debtors = cls.debtor_lv | cls.debtor_en
        cls.debtors |= cls._create_debtor("Third Ltd", "en_US", "ap@third.example")
        for debtor in cls.debtors:
            cls._create_invoice(debtor, 100.0, "2026-05-01")
        cls.collector = new_billing_user(cls.env, "collector", name="Collector")

    def _queue(self, partners):
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(self.collector)
            .create({"date": "2026-06-15", "partner_ids": [Command.set(partners.ids)]})
        )
        wizard.action_send()
        # the addon writes on runs (users cannot): the test plays the addon
        return wizard.run_id.sudo()

    def _reminders(self):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "in", self.debtors.ids), ("kind", "=", "reminder")]
        )

    def _cron_send_runs(self):
        self._cron_env()["account.debtor.reminder.run"]._cron_send_runs()
        self.env.invalidate_all()

    def test_run_split_into_jobs_on_its_channel_each_sending_its_mails(self):
        with trap_jobs() as trap:
            run = self._queue(self.debtors)
            self.assertEqual(run.engine, "queue_job")
            self.assertEqual(run.state, "running")
            trap.assert_jobs_count(1)
            [job] = trap.enqueued_jobs
            self.assertEqual(job.channel, "root.debtor_collection")
            self.assertEqual(job.method_name, "_job_send_lines")
            self.assertEqual(job.args, (run.line_ids.sorted("partner_id").ids,))
            # one run, one engine: the scheduled action leaves it alone
            self._cron_send_runs()
            self.assertEqual(run.to_send_count, 3)
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()
        self.assertEqual(run.sent_count, 3)
        self.assertEqual(len(self._reminders()), 3)
        messages = run.line_ids.correspondence_id.mail_message_id
        self.assertEqual(len(messages), 3)
        notifications = self.env["mail.notification"].search(
            [("mail_message_id", "in", messages.ids)]
        )
        self.assertEqual(
            set(notifications.mapped("notification_status")),
            {"sent"},
            "the job sent its e-mails itself",
        )
        self.assertFalse(
            self.env["mail.mail"].search(
                [("mail_message_id", "in", messages.ids), ("state", "=", "outgoing")]
            )
        )
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertFalse(
            self.env["ir.cron.trigger"].search([("cron_id", "=", mail_cron.id)]),
            "Odoo's mail queue is not woken up to send them at the same time",
        )
        # the scheduled action, triggered by the job, closes the run
        cron = self.env.ref("account_debtor_collection.ir_cron_debtor_reminder_run")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self._cron_send_runs()
        self.assertEqual(run.state, "done")

    def test_statements_cut_a_run_into_small_jobs(self):
        self.env["account.debtor.reminder.level"].sudo().search(
            []
        ).attach_statement = True
        with (
            patch.dict(
                queue_job_engine.config.options,
                {"limit_time_cpu": 8, "limit_time_real": 120},
            ),
            trap_jobs() as trap,
        ):
            run = self._queue(self.debtors)
            # 2 s a job, about 1.5 s a debtor with its statement
            trap.assert_jobs_count(3)
            self.assertEqual(
                [job.args for job in trap.enqueued_jobs],
                [(line.ids,) for line in run.line_ids.sorted("partner_id")],
            )
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()
        self.assertEqual(run.sent_count, 3)
        self.assertTrue(
            all(
                message.attachment_ids
                for message in run.line_ids.correspondence_id.mail_message_id
            ),
            "each with its statement",
        )

    def test_letters_by_post_cut_a_run_into_small_jobs(self):
        """A letter by post is a PDF too: about as long as a statement."""
        self.env["account.debtor.reminder.level"].sudo().search([]).write(
            {"attach_statement": False, "channel": "post"}
        )
        self.debtors.write(
            {
                "street": "Koku iela 7",
                "zip": "LV-1050",
                "city": "Rīga",
                "country_id": self.env.ref("base.lv").id,
            }
        )
        with (
            patch.dict(
                queue_job_engine.config.options,
                {"limit_time_cpu": 8, "limit_time_real": 120},
            ),
            trap_jobs() as trap,
        ):
            self._queue(self.debtors)
            trap.assert_jobs_count(3)

    def test_statements_past_a_job_time_go_to_a_job_of_their_own(self):
        """A job renders each debtor's statement on its own and takes no more
        once its time is spent: a job at once sends the rest."""
        self.env["account.debtor.reminder.level"].sudo().search(
            []
        ).attach_statement = True
        Report = type(self.env["ir.actions.report"])
        original = Report._pre_render_qweb_pdf
        clock = [1000.0]

        def render(report, report_ref, res_ids=None, data=None):
            clock[0] += 4.0  # a slow wkhtmltopdf
            return original(report, report_ref, res_ids=res_ids, data=data)

        with (
            patch.dict(
                queue_job_engine.config.options,
                {"limit_time_cpu": 40, "limit_time_real": 120},
            ),
            patch.object(Report, "_pre_render_qweb_pdf", render),
            patch.object(queue_job_engine.time, "monotonic", lambda: clock[0]),
            trap_jobs() as trap,
        ):
            run = self._queue(self.debtors)
            # 10 s a job, about 1.5 s a debtor with its statement: one job
            [job] = trap.enqueued_jobs
            trap.perform_enqueued_jobs()
            # 4 s, 8 s: a third would end at 12 s
            self.env.invalidate_all()
            self.assertEqual((run.sent_count, run.to_send_count), (2, 1))
            [later] = trap.enqueued_jobs
            # a job sends in partner order
            last = run.line_ids.sorted(lambda line: line.partner_id.id)[-1]
            self.assertEqual(later.args, (last.ids,))
            self.assertEqual(later.channel, "root.debtor_collection")
            self.assertFalse(later.eta, "at once")
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()
        self.assertEqual(run.sent_count, 3)
        self.assertEqual(len(self._reminders()), 3, "each debtor once")

    def test_killed_job_is_retried_and_reminds_each_debtor_once(self):
        with trap_jobs() as trap:
            run = self._queue(self.debtors)
            [job] = trap.enqueued_jobs
            # the worker dies before the job commits: all of it is rolled back
            with self.assertRaises(RuntimeError), self.env.cr.savepoint():
                job.perform()
                raise RuntimeError("CPU time limit exceeded")
            self.env.invalidate_all()
            self.assertEqual(run.to_send_count, 3)
            self.assertFalse(self._reminders())
            # the job queue runs it again
            job.perform()
            self.env.invalidate_all()
            self.assertEqual(run.sent_count, 3)
            # and once more (a retry after the commit): nothing more is sent
            job.perform()
        self.env.invalidate_all()
        self.assertEqual(len(self._reminders()), 3, "each debtor once")

    def test_mail_server_outage_leaves_the_mails_queued(self):
        MailServer = type(self.env["ir.mail_server"])
        with (
            trap_jobs() as trap,
            patch.object(
                MailServer,
                "connect",
                side_effect=ConnectionRefusedError("mail server down"),
            ),
        ):
            run = self._queue(self.debtors)
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()
        self.assertEqual(run.sent_count, 3, "the reminders are sent (logged)")
        messages = run.line_ids.correspondence_id.mail_message_id
        mails = self.env["mail.mail"].search([("mail_message_id", "in", messages.ids)])
        self.assertEqual(len(mails), 3)
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "not failed: queued")
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", mail_cron.id)]),
            "the mail queue sends them when the server answers again",
        )

    def test_job_of_a_scheduled_action_run_sends_nothing(self):
        with trap_jobs() as trap:
            run = self._queue(self.debtors)
            # one run, one engine: a run of the scheduled action
            run.engine = "cron"
            trap.perform_enqueued_jobs()
        self.env.invalidate_all()
        self.assertEqual(run.to_send_count, 3)
        self.assertFalse(self._reminders())

    def test_lines_held_by_another_server_go_to_a_later_job(self):
        Line = type(self.env["account.debtor.reminder.run.line"])
        lock = Line._lock_lines_to_send
        with trap_jobs() as trap:
            run = self._queue(self.debtors)
            [job] = trap.enqueued_jobs
            lines = run.line_ids.sorted("partner_id")
            # another transaction holds the last two lines
            with patch.object(
                Line,
                "_lock_lines_to_send",
                lambda self, limit, **kwargs: lock(self, 1, **kwargs),
            ):
                job.perform()
            self.env.invalidate_all()
            self.assertEqual(run.sent_count, 1)
            later = trap.enqueued_jobs[-1]
            self.assertEqual(later.args, (lines[1:].ids,))
            self.assertEqual(later.channel, "root.debtor_collection")
            self.assertTrue(later.eta > fields.Datetime.now())
            later.perform()
        self.env.invalidate_all()
        self.assertEqual(run.sent_count, 3)
        self.assertEqual(len(self._reminders()), 3)


@tagged("post_install", "-at_install", "-standard", "debtor_queue_job")
class TestReminderQueueJobWorkers(BaseCase):
    """Two jobs of one run on two servers at once, on real connections:
    neither waits for the other, no line is sent twice."""

    def test_two_jobs_of_one_run_in_two_cursors(self):
        dbname = get_db_name()
        setup_cr = db_connect(dbname).cursor()
        first_cr = db_connect(dbname).cursor()
        second_cr = db_connect(dbname).cursor()
        run = partners = None
        jobs_before = []
        try:
            env = api.Environment(setup_cr, 1, {})
            partners = env["res.partner"].create(
                [{"name": f"Job Test Debtor {n}"} for n in range(4)]
            )
            run = env["account.debtor.reminder.run"].create(
                {
                    "date": "2026-06-15",
                    "author_id": env.ref("base.partner_admin").id,
                    "engine": "queue_job",
                    "state": "running",
                    "line_ids": [
                        Command.create({"partner_id": p.id}) for p in partners
                    ],
                }
            )
            ids = run.line_ids.sorted("partner_id").ids
            setup_cr.commit()
            jobs_before = env["queue.job"].search([]).ids
            first = api.Environment(first_cr, 1, {})[run._name].browse(run.id)
            second = api.Environment(second_cr, 1, {})[run._name].browse(run.id)
            # a lock wait would be an error here, not a pause
            second_cr.execute("SET lock_timeout = '2s'")
            first._job_send_lines(ids[:2])
            second._job_send_lines(ids[2:])
            # a second server on the first job's batch: it sends nothing and
            # hands the lines the first holds to a job later
            second._job_send_lines(ids[:2])
            Line = second.env["account.debtor.reminder.run.line"]
            self.assertEqual(
                Line.browse(ids[:2]).mapped("state"), ["to_send", "to_send"]
            )
            later = second.env["queue.job"].search(
                [("id", "not in", jobs_before), ("method_name", "=", "_job_send_lines")]
            )
            self.assertEqual(len(later), 1)
            self.assertEqual(list(later.args), [ids[:2]])
            first_cr.commit()
            second_cr.commit()
            setup_cr.rollback()  # a new snapshot, with both commits
            env.invalidate_all()
            states = env["account.debtor.reminder.run.line"].browse(ids).mapped("state")
            self.assertNotIn("to_send", states, "every line of both jobs processed")
        finally:
            first_cr.rollback()
            second_cr.rollback()
            setup_cr.rollback()
            if run:
                setup_cr.execute(
                    SQL(
                        "DELETE FROM queue_job WHERE id != ALL(%s) "
                        "AND method_name = '_job_send_lines'",
                        jobs_before,
                    )
                )
                setup_cr.execute(
                    SQL("DELETE FROM account_debtor_reminder_run WHERE id = %s", run.id)
                )
                setup_cr.execute(
                    SQL("DELETE FROM res_partner WHERE id IN %s", tuple(partners.ids))
                )
                setup_cr.commit()
            for cr in (setup_cr, first_cr, second_cr):
                cr.close()
