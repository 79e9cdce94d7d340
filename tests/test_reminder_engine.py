from unittest.mock import patch

from freezegun import freeze_time

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

    def _queue(self, partners, user=None, date="2026-06-15"):
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(user or self.collector)
            .create(
                {
                    "date": date,
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
        level = run.line_ids.level_id.sudo()
        level.attach_statement = True
        self.assertEqual(
            run._get_batch_size(seconds), 1, "a PDF statement costs about a second"
        )
        level.write({"attach_statement": False, "channel": "post"})
        self.assertEqual(
            run._get_batch_size(seconds), 1, "so does a letter for the post"
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

    def _slow_statements(self, seconds=1.2):
        """A clock for the run's module and a statement rendering that takes
        ``seconds`` of it, as Debian's wkhtmltopdf does; the scheduled
        action's calls get 3 s (a twentieth of a 60 s CPU limit)."""
        Report = type(self.env["ir.actions.report"])
        original = Report._pre_render_qweb_pdf
        clock = [1000.0]
        rendered = []

        def render(report, report_ref, res_ids=None, data=None):
            clock[0] += seconds
            rendered.append(tuple(res_ids))
            return original(report, report_ref, res_ids=res_ids, data=data)

        patches = (
            patch.object(Report, "_pre_render_qweb_pdf", render),
            patch.object(
                account_debtor_reminder_run.time, "monotonic", lambda: clock[0]
            ),
            patch.dict(
                account_debtor_reminder_run.config.options,
                {
                    "limit_time_cpu": 60,
                    "limit_time_real": 120,
                    "limit_time_real_cron": -1,
                },
            ),
        )
        return patches, rendered

    def test_statements_stop_a_batch_when_its_time_is_spent(self):
        """A batch sized by debtors without a statement meets debtors with
        one: it renders each debtor's statement on its own and takes no more
        once its time is spent; the next call sends the rest, each debtor
        once, and sizes its batch by what the statements took."""
        run = self._queue(self.debtors)
        run.line_ids.level_id.attach_statement = True
        # measured on earlier batches without statements: 50 fit in 3 s
        run.seconds_per_debtor = 0.05
        patches, rendered = self._slow_statements()
        with patches[0], patches[1], patches[2]:
            Run, progress = self._in_cron()
            before = self._triggers()
            Run._cron_send_runs()
            # 1.2 s, 2.4 s: a third would end at 3.6 s, past the 3 s
            self.assertEqual(len(rendered), 2, "one statement per rendering")
            self.assertEqual([len(ids) for ids in rendered], [1, 1])
            self.assertEqual((run.sent_count, run.to_send_count), (2, 1))
            self.assertEqual((progress.done, progress.remaining), (2, 1))
            self.assertEqual(len(self._triggers() - before), 1, "at once")
            # the time guess learns: 1.2 s a debtor, averaged with 0.05 s
            self.assertAlmostEqual(run.seconds_per_debtor, 0.625)
            self.assertEqual(run._get_batch_size(3.0), 4)
            Run, progress = self._in_cron()
            Run._cron_send_runs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.sent_count, 3)
        self.assertEqual(len(rendered), 3, "no statement rendered twice")
        for debtor in self.debtors:
            reminders = self.env["account.debtor.correspondence"].search(
                [("partner_id", "=", debtor.id), ("kind", "=", "reminder")]
            )
            self.assertEqual(len(reminders), 1, "each debtor reminded once")
            [statement] = reminders.mail_message_id.attachment_ids
            self.assertTrue(statement.name.endswith(f" {debtor.name}.pdf"))

    def test_a_statement_longer_than_a_batch_is_rendered_one_a_batch(self):
        """A statement that takes longer than a batch's time is rendered
        still, one a batch: every call moves the run on."""
        run = self._queue(self.debtors)
        run.line_ids.level_id.attach_statement = True
        run.seconds_per_debtor = 0.05
        patches, rendered = self._slow_statements(seconds=5.0)
        with patches[0], patches[1], patches[2]:
            Run, progress = self._in_cron()
            Run._cron_send_runs()
        self.assertEqual(len(rendered), 1)
        self.assertEqual((progress.done, progress.remaining), (1, 2))
        self.assertAlmostEqual(run.seconds_per_debtor, 2.525)
        self._process_runs()
        self.assertEqual(run.sent_count, 3)

    def test_debtors_without_statement_are_not_held_back_by_those_with_one(self):
        """Only the debtors with a statement wait for a later batch: the
        others of the batch are sent with it."""
        Level = self.env["account.debtor.reminder.level"].sudo()
        first = Level.search([("company_id", "=", self.company.id)])
        second = first.copy(
            {"name": "Second", "sequence": first.sequence + 10, "delay": 1}
        )
        second.attach_statement = True
        # reminded at the first level two weeks ago: the second level now
        debtors = self.debtors.sorted("id")
        with freeze_time("2026-06-01"):
            self._queue(debtors[:2], date="2026-06-01")
            self._process_runs()
        run = self._queue(debtors)
        lines = run.line_ids.sorted(lambda line: line.partner_id.id)
        self.assertEqual([line.level_id for line in lines], [second, second, first])
        run.seconds_per_debtor = 0.05
        patches, rendered = self._slow_statements(seconds=2.0)
        with patches[0], patches[1], patches[2]:
            Run, progress = self._in_cron()
            Run._cron_send_runs()
        # 2 s, then a second would end at 4 s, past the 3 s
        self.assertEqual(len(rendered), 1)
        self.assertEqual(lines.mapped("state"), ["sent", "to_send", "sent"])
        self.assertTrue(lines[0].correspondence_id.mail_message_id.attachment_ids)
        self.assertFalse(lines[2].correspondence_id.mail_message_id.attachment_ids)
