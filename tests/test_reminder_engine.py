from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account_debtor_collection.models import account_debtor_reminder_run

from .common import DebtorCollectionCommon, new_billing_user


@tagged("post_install", "-at_install")
class TestReminderEngine(DebtorCollectionCommon):
    """The scheduled action that sends the runs: it wakes itself up while
    work remains, sizes its batches by time and serves the runs in turn."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        cls.debtors = cls.debtor_lv | cls.debtor_en
        cls.debtors |= cls._create_debtor("Third Ltd", "en_US", "ap@third.example")
        for debtor in cls.debtors:
            cls._create_invoice(debtor, 100.0, "2026-05-01")
        cls.collector = new_billing_user(cls.env, "collector", name="Collector")
        cls.cron = cls.env.ref("account_debtor_collection.ir_cron_debtor_reminder_run")

    def _queue(self, partners, user=None):
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(user or self.collector)
            .create(
                {
                    "date": "2026-06-15",
                    "partner_ids": [fields.Command.set(partners.ids)],
                }
            )
        )
        wizard.action_send()
        # the addon writes on runs (users cannot): the test plays the addon
        return wizard.run_id.sudo()

    def _in_cron(self, timed_out_counter=1):
        """The model as a call of the scheduled action sees it: its progress
        record in the context, as Odoo's cron worker makes it."""
        progress = self.env["ir.cron.progress"].create(
            {
                "cron_id": self.cron.id,
                "done": 0,
                "remaining": 0,
                "timed_out_counter": timed_out_counter,
            }
        )
        Run = self._cron_env()["account.debtor.reminder.run"]
        return Run.with_context(ir_cron_progress_id=progress.id), progress

    def _triggers(self):
        return self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.cron.id), ("call_at", "<=", fields.Datetime.now())]
        )

    def test_scheduled_action_triggers_itself_while_work_remains(self):
        run = self._queue(self.debtors)
        self.assertEqual(run.engine, "cron", "queue_job is not installed here")
        Run, progress = self._in_cron()
        before = self._triggers()
        self.env.cr.postcommit.clear()
        Run._cron_send_runs(batch_size=2)
        self.assertEqual((progress.done, progress.remaining), (2, 1))
        new = self._triggers() - before
        self.assertEqual(len(new), 1, "wakes itself up at once, inside Odoo's loop too")
        self.assertIn(
            self.cron.ids,
            [
                func.__self__.ids
                for func in self.env.cr.postcommit._funcs
                if getattr(func, "__name__", "") == "_notifydb"
            ],
            "the cron workers are notified on commit",
        )
        before = self._triggers()
        Run._cron_send_runs(batch_size=2)
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertEqual(run.state, "done")
        self.assertFalse(self._triggers() - before, "nothing left: no wake-up")

    def test_lines_held_elsewhere_come_back_later_not_at_once(self):
        self._queue(self.debtors)
        Run, progress = self._in_cron()
        Line = type(self.env["account.debtor.reminder.run.line"])
        with patch.object(
            Line, "_lock_lines_to_send", lambda self, *args, **kwargs: self.browse()
        ):
            before = self.env["ir.cron.trigger"].search(
                [("cron_id", "=", self.cron.id)]
            )
            Run._cron_send_runs()
        self.assertEqual((progress.done, progress.remaining), (0, 3))
        trigger = (
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)])
            - before
        )
        self.assertEqual(len(trigger), 1)
        self.assertGreater(trigger.call_at, fields.Datetime.now(), "no busy loop")

    def test_batch_sized_by_time(self):
        run = self._queue(self.debtors)
        # 3 s of a call (a twentieth of the default 60 s CPU limit)
        with patch.dict(
            account_debtor_reminder_run.config.options,
            {"limit_time_cpu": 60, "limit_time_real": 120, "limit_time_real_cron": -1},
        ):
            seconds = run._get_cron_batch_seconds()
        self.assertEqual(seconds, 3.0)
        self.assertEqual(run._get_batch_size(seconds), 50, "some hundredths a debtor")
        run.line_ids.level_id.sudo().attach_statement = True
        self.assertEqual(
            run._get_batch_size(seconds), 1, "a PDF statement costs about a second"
        )
        # measured: 5 s a debtor, then 1 s: the average of the two
        run._record_batch(2, 10.0)
        self.assertEqual(run.seconds_per_debtor, 5.0)
        self.assertEqual(run._get_batch_size(15.0), 3)
        run._record_batch(1, 1.0)
        self.assertEqual(run.seconds_per_debtor, 3.0)
        self.assertEqual(run._get_batch_size(15.0), 5)
        self.assertEqual(run._get_batch_size(1.0), 1, "at least one")

    def test_call_after_a_killed_one_sends_one_debtor(self):
        run = self._queue(self.debtors)
        # the call before was killed: Odoo left its progress counted as
        # timed out, so this call's counter is 2
        Run, progress = self._in_cron(timed_out_counter=2)
        # 0.2 s for the batch (freezegun stops the clock of the test)
        with patch.object(
            account_debtor_reminder_run.time, "monotonic", side_effect=[10.0, 10.2]
        ):
            Run._cron_send_runs()
        self.assertEqual((progress.done, progress.remaining), (1, 2))
        self.assertEqual(run.sent_count, 1)
        self.assertAlmostEqual(run.seconds_per_debtor, 0.2, msg="measured")
        Run, progress = self._in_cron()
        Run._cron_send_runs()
        self.assertEqual(run.sent_count, 3, "then sized by what was measured")

    def test_runs_served_in_turn_another_company_not_held_back(self):
        long_run = self._queue(self.debtors)
        company_2 = self.setup_other_company()["company"]
        company_2.write(
            {"email": "ar@second.example", "debtor_reminder_attach_statement": False}
        )
        debtor_2 = self._create_debtor(
            "Second Co Debtor", "en_US", "ap@debtor2.example"
        )
        self._create_invoice(debtor_2, 50.0, "2026-05-01", company=company_2)
        user_2 = new_billing_user(self.env, "collector_2")
        user_2.write(
            {
                "company_id": company_2.id,
                "company_ids": [fields.Command.set(company_2.ids)],
            }
        )
        other_run = self._queue(debtor_2, user=user_2)
        self.assertEqual(other_run.company_id, company_2)
        self.assertEqual(other_run.to_send_count, 1)
        Run, _progress = self._in_cron()
        Run._cron_send_runs(batch_size=1)
        self.assertEqual((long_run.sent_count, other_run.sent_count), (1, 0))
        Run._cron_send_runs(batch_size=1)
        self.assertEqual(
            (long_run.sent_count, other_run.sent_count),
            (1, 1),
            "the other company's run has its turn before the long run goes on",
        )
        self.assertEqual(other_run.state, "done")
        Run._cron_send_runs(batch_size=1)
        Run._cron_send_runs(batch_size=1)
        self.assertEqual(long_run.state, "done")

    def test_scheduled_action_sends_a_job_queue_run_when_queue_job_is_gone(self):
        run = self._queue(self.debtors)
        # queued while queue_job was installed, which it is not any more
        run.engine = "queue_job"
        self._process_runs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.sent_count, 3)
