import importlib.util
from unittest.mock import patch

from freezegun import freeze_time
from markupsafe import Markup

from odoo import Command, api
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL, file_path

from .common import (
    RUN_LOGGER,
    UNEXPECTED_FAILURE,
    DebtorCollectionCommon,
    new_billing_user,
    workspace_panel,
)


@tagged("post_install", "-at_install")
class TestReminderRun(DebtorCollectionCommon):
    """Sending in the background: a run per sending, committed batches,
    progress, every debtor's outcome kept, delivery known."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        cls.debtors = cls.debtor_lv | cls.debtor_en
        cls.third = cls._create_debtor("Third Ltd", "en_US", "ap@third.example")
        cls.debtors |= cls.third
        for debtor in cls.debtors:
            cls._create_invoice(debtor, 100.0, "2026-05-01")
        cls.no_mail = cls._create_debtor("No Mail Ltd", "en_US")
        cls._create_invoice(cls.no_mail, 100.0, "2026-05-01")
        cls.collector = new_billing_user(cls.env, "collector", name="Collector")

    def _queue(self, partners, user=None):
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(user or self.collector)
            .create({"date": "2026-06-15", "partner_ids": [Command.set(partners.ids)]})
        )
        action = wizard.action_send()
        return wizard.run_id, action

    def _reminders(self, partners):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "in", partners.ids), ("kind", "=", "reminder")]
        )

    def test_send_queues_a_run_and_returns_at_once(self):
        run, action = self._queue(self.debtors | self.no_mail)
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(
            action["params"]["next"]["type"], "ir.actions.act_window_close"
        )
        self.assertEqual(run.state, "queued")
        self.assertEqual(run.user_id, self.collector)
        self.assertEqual(run.author_id, self.collector.partner_id)
        self.assertEqual(run.to_send_count, 3)
        self.assertEqual(run.skipped_count, 1, "the debtor without e-mail")
        self.assertFalse(self._reminders(self.debtors), "nothing sent in the request")
        cron = self.env.ref("account_debtor_collection.ir_cron_debtor_reminder_run")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]),
            "the scheduled action is woken up",
        )

    def test_run_lines_are_the_preview_lines(self):
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(self.collector)
            .create(
                {
                    "date": "2026-06-15",
                    "partner_ids": [Command.set((self.debtors | self.no_mail).ids)],
                }
            )
        )
        fields_ = [
            "partner_id", "company_id", "recipients", "lang", "overdue_count",
            "currency_id", "amount_overdue", "state", "message",
        ]  # fmt: skip

        def values_by_debtor(lines):
            return {
                values["partner_id"]: {k: v for k, v in values.items() if k != "id"}
                for values in lines.read(fields_, load=None)
            }

        preview = values_by_debtor(wizard.line_ids)
        self.assertEqual(len(preview), 4)
        self.assertIn("skipped", [values["state"] for values in preview.values()])
        wizard.action_send()
        run = wizard.run_id
        self.assertEqual(values_by_debtor(run.line_ids), preview)
        self.assertEqual(run.line_ids.create_uid, self.collector)
        self.assertEqual(run.line_ids.run_id, run)

    def test_run_life_in_batches_with_progress_and_notification(self):
        run, _action = self._queue(self.debtors)
        Run = self._cron_env()["account.debtor.reminder.run"]
        cron = self.env.ref("account_debtor_collection.ir_cron_debtor_reminder_run")
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": cron.id, "done": 0, "remaining": 0}
        )
        Run = Run.with_context(ir_cron_progress_id=progress.id)
        Users = type(self.env["res.users"])
        notifications = []
        patcher = patch.object(
            Users,
            "_bus_send",
            lambda users, kind, payload, **kw: notifications.append(
                (users, kind, payload)
            ),
        )
        self.startPatcher(patcher)
        Run._cron_send_runs(batch_size=2)
        self.assertEqual(run.state, "running")
        self.assertEqual(run.sent_count, 2)
        self.assertEqual((progress.done, progress.remaining), (2, 1))
        self.assertAlmostEqual(run.progress, 200 / 3)
        self.assertFalse(notifications)
        Run._cron_send_runs(batch_size=2)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.sent_count, 3)
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertTrue(run.date_done)
        for line in run.line_ids:
            self.assertIn("Sent to", line.message)
            self.assertEqual(line.correspondence_id.partner_id, line.partner_id)
        [(users, kind, payload)] = notifications
        self.assertEqual(users, self.collector)
        self.assertEqual(kind, "account_notification")
        self.assertEqual(payload["action_button"]["model"], run._name)
        self.assertEqual(payload["action_button"]["res_ids"], run.ids)
        self.assertIn("Sent: 3", payload["message"])

    def test_killed_worker_loses_nothing_and_sends_nothing_twice(self):
        run, _action = self._queue(self.debtors)
        Run = self._cron_env()["account.debtor.reminder.run"]
        Run._cron_send_runs(batch_size=1)
        self.assertEqual(run.sent_count, 1)
        # the worker of the second batch dies before its commit
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            Run._cron_send_runs(batch_size=1)
            raise RuntimeError("CPU time limit exceeded")
        self.env.invalidate_all()
        self.assertEqual(run.sent_count, 1)
        self.assertEqual(len(self._reminders(self.debtors)), 1)
        self._process_runs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.sent_count, 3)
        self.assertEqual(len(self._reminders(self.debtors)), 3, "each debtor once")
        # and a retry of a finished run sends nothing more
        Run._cron_send_runs()
        self.assertEqual(len(self._reminders(self.debtors)), 3)

    def test_user_sending_while_a_run_goes(self):
        run, _action = self._queue(self.debtors)
        self._cron_env()["account.debtor.reminder.run"]._cron_send_runs(batch_size=1)
        second, _action = self._queue(self.debtors, user=self.billing_user)
        self.assertEqual(second.to_send_count, 0, "the running run sends them")
        self.assertEqual(
            set(second.line_ids.mapped("message")),
            {"Already in a reminder run that is queued or running: it is sent there."},
        )
        self._process_runs()
        self.assertEqual(len(self._reminders(self.debtors)), 3)
        self.assertEqual(run.sent_count, 3)
        # once that run is done, a new sending finds them reminded today
        third, _action = self._queue(self.debtors, user=self.billing_user)
        self.assertEqual(
            set(third.line_ids.mapped("message")), {"Already reminded today."}
        )

    def test_one_failing_debtor_is_reported_and_the_batch_goes_on(self):
        run, _action = self._queue(self.debtors)
        Partner = type(self.env["res.partner"])
        original = Partner._notify_get_recipients
        failing = self.debtor_en.id

        def notify_get_recipients(partner, message, msg_vals, **kwargs):
            if partner.id == failing:
                raise ValueError("mail server refused")
            return original(partner, message, msg_vals, **kwargs)

        with (
            patch.object(Partner, "_notify_get_recipients", notify_get_recipients),
            self.assertLogs(RUN_LOGGER, "WARNING") as logs,
        ):
            self._process_runs()
        lines = {line.partner_id: line for line in run.line_ids}
        self.assertEqual(lines[self.debtor_en].state, "failed")
        self.assertEqual(lines[self.debtor_en].message, UNEXPECTED_FAILURE)
        self.assertIn("mail server refused", "\n".join(logs.output))
        self.assertEqual(run.sent_count, 2)
        self.assertEqual(run.state, "done")

    def test_each_reminder_notified_as_message_post_would(self):
        """The batch creates the e-mails itself: each recipient gets one
        e-mail in Odoo's layout, in its language, queued; an internal user
        who follows the debtor gets it in the inbox, as message_post does."""
        follower = new_billing_user(self.env, "follower", name="Follower")
        follower.notification_type = "inbox"
        self.debtor_en.message_subscribe(
            partner_ids=follower.partner_id.ids,
            subtype_ids=self.env.ref("mail.mt_comment").ids,
        )
        run, _action = self._queue(self.debtors)
        self._process_runs()
        self.assertEqual(run.sent_count, 3)
        for line in run.line_ids:
            message = line.correspondence_id.mail_message_id
            self.assertEqual(message.model, "res.partner")
            self.assertEqual(message.res_id, line.partner_id.id)
            self.assertEqual(message.message_type, "comment")
            self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
            emails = message.notification_ids.filtered(
                lambda n: n.notification_type == "email"
            )
            self.assertTrue(message.partner_ids)
            self.assertEqual(emails.res_partner_id, message.partner_ids)
            self.assertEqual(emails.notification_status, "ready")
            mail = emails.mail_mail_id.sudo()
            self.assertEqual(mail.recipient_ids, message.partner_ids)
            self.assertEqual(mail.state, "outgoing")
            self.assertEqual(mail.subject, message.subject)
            self.assertIn(message.body, mail.body_html, "the message in the layout")
            self.assertIn(message.message_id, mail.references)
        [message] = run.line_ids.filtered(
            lambda line: line.partner_id == self.debtor_en
        ).correspondence_id.mail_message_id
        inbox = message.notification_ids.filtered(
            lambda n: n.notification_type == "inbox"
        )
        self.assertEqual(inbox.res_partner_id, follower.partner_id)
        lv_mail = (
            run.line_ids.filtered(lambda line: line.partner_id == self.debtor_lv)
            .correspondence_id.mail_message_id.sudo()
            .mail_ids
        )
        self.assertIn("Rēķina datums", lv_mail.body_html, "in the debtor's language")

    def test_reminder_body_stored_as_the_orm_stores_it(self):
        """Each message's body is sanitized once, as the ORM would: what an
        edited template adds that is not allowed (a script) is dropped, the
        rest kept, the database and the cache hold the same body; an inline
        image still becomes an attachment of the message."""
        template = self.env.ref(
            "account_debtor_collection.mail_template_debtor_reminder"
        )
        template.body_html += Markup(
            "<script>alert(1)</script><p>Kind regards, Credit Control</p>"
        )
        run, _action = self._queue(self.debtor_en)
        self._process_runs()
        message = run.line_ids.correspondence_id.mail_message_id
        cached = message.body
        message.invalidate_recordset(["body"])
        self.assertEqual(message.body, cached, "the database holds the cached body")
        self.assertNotIn("<script", message.body)
        self.assertNotIn("alert(1)", message.body)
        self.assertIn("Kind regards, Credit Control", message.body)
        self.assertIn("Total to pay", message.body, "the invoice table is kept")
        self.assertEqual(
            message.body,
            self.env["mail.message"]
            ._fields["body"]
            .convert_to_cache(message.body, message),
            "sanitized: sanitizing again changes nothing",
        )

        template.body_html += Markup(
            '<p><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB'
            'CAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="/></p>'
        )
        run, _action = self._queue(self.third)
        self._process_runs()
        message = run.line_ids.correspondence_id.mail_message_id
        self.assertEqual(len(message.attachment_ids), 1, "the image, attached")
        self.assertNotIn("data:image/", message.body)
        self.assertIn(f"/web/image/{message.attachment_ids.id}", message.body)

    def test_delivery_states_from_odoo_notifications(self):
        run, _action = self._queue(self.debtor_lv)
        self._process_runs()
        entry = run.line_ids.correspondence_id
        self.assertEqual(entry.delivery_state, "queued")
        self.assertEqual(run.line_ids.delivery_state, "queued")
        problem_type = self.env.ref(
            "account_debtor_collection.mail_activity_type_debtor_delivery_problem"
        )

        def problem_activities():
            return self.debtor_lv.activity_ids.filtered(
                lambda a: a.activity_type_id == problem_type
            )

        # the mail queue sends it (marking each notification failed just
        # before sending, as a crash guard, then sent): as its commit does
        self.env["mail.mail"].sudo().process_email_queue()
        self.env.cr.precommit.run()
        self.env.invalidate_all()
        self.assertEqual(entry.delivery_state, "sent")
        self.assertFalse(problem_activities(), "a reminder sent is no problem")
        debtor = self._debtor(self.debtor_lv)
        self.assertEqual(str(debtor.last_reminder_date), "2026-06-15")
        self.assertFalse(debtor.delivery_problem)
        # the recipient's server bounces it: Odoo's bounce handling marks the
        # notification, the collector gets an activity
        notifications = entry.mail_message_id.notification_ids
        notifications.sudo().write(
            {"notification_status": "bounce", "failure_type": "mail_bounce"}
        )
        self.env.cr.precommit.run()
        self.assertEqual(entry.delivery_state, "bounced")
        activity = problem_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.collector)
        # a bounced reminder does not hold back the next one
        debtor = self._debtor(self.debtor_lv)
        self.assertFalse(debtor.last_reminder_date)
        self.assertTrue(debtor.delivery_problem)
        self.assertIn(
            debtor, self.env["account.debtor"].search([("delivery_problem", "=", True)])
        )
        again, _action = self._queue(self.debtor_lv)
        self.assertEqual(again.to_send_count, 1)
        self._process_runs()
        self.assertEqual(again.sent_count, 1, "sent again the same day")
        # a failure to send
        failed_entry = again.line_ids.correspondence_id
        failed_entry.mail_message_id.notification_ids.sudo().write(
            {"notification_status": "exception", "failure_type": "mail_smtp"}
        )
        self.env.cr.precommit.run()
        self.assertEqual(failed_entry.delivery_state, "failed")
        self.assertEqual(len(problem_activities()), 2, "one per reminder")
        panel = workspace_panel(self._debtor(self.debtor_lv))
        states = {e["id"]: e["delivery_state"] for e in panel["entries"]}
        self.assertEqual(states[failed_entry.id], "failed")
        self.assertEqual(states[entry.id], "bounced")

    def test_migration_removes_the_activities_of_reminders_that_arrived(self):
        """Before 18.0.1.1.0 every reminder the mail queue sent got a "did not
        arrive" activity: the migration removes those, and keeps the ones of
        reminders that bounced or failed."""
        spec = importlib.util.spec_from_file_location(
            "adc_migration_18_0_1_1_0",
            file_path(
                "account_debtor_collection/migrations/18.0.1.1.0/post-migration.py"
            ),
        )
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        run, _action = self._queue(self.debtor_lv | self.debtor_en)
        self._process_runs()
        self.env["mail.mail"].sudo().process_email_queue()
        self.env.cr.precommit.run()
        entries = run.line_ids.correspondence_id
        arrived = entries.filtered(lambda e: e.partner_id == self.debtor_lv)
        bounced = entries - arrived
        bounced.mail_message_id.notification_ids.sudo().write(
            {"notification_status": "bounce", "failure_type": "mail_bounce"}
        )
        self.env.cr.precommit.run()
        self.assertEqual(arrived.delivery_state, "sent")
        self.assertEqual(bounced.delivery_state, "bounced")
        arrived._notify_delivery_problem()  # what the old versions did
        wrong = arrived.delivery_activity_id
        kept = bounced.delivery_activity_id
        self.assertTrue(wrong and kept)
        migration.remove_delivery_activities_of_arrived_reminders(self.env)
        self.assertFalse(wrong.exists())
        self.assertFalse(arrived.delivery_activity_id)
        self.assertTrue(kept.exists(), "a bounce still asks for the collector")

    def test_scheduled_reminders_go_through_a_run(self):
        self.company.write(
            {"debtor_reminder_auto": True, "email": "ar@company.example"}
        )
        self.env["account.debtor.correspondence"].create(
            {"partner_id": self.debtor_lv.id, "next_action_date": "2026-06-15"}
        )
        self.env["account.debtor.remind"]._cron_send_scheduled_reminders()
        run = self.env["account.debtor.reminder.run"].search([("scheduled", "=", True)])
        self.assertEqual(len(run), 1)
        self.assertEqual(run.author_id, self.company.partner_id)
        self.assertEqual(run.line_ids.partner_id, self.debtor_lv)
        self._process_runs()
        self.assertEqual(run.state, "done")
        message = run.line_ids.correspondence_id.mail_message_id
        self.assertEqual(message.author_id, self.company.partner_id)

    def test_promise_check_in_batches(self):
        Log = self.env["account.debtor.correspondence"]
        promises = Log.create(
            [
                {"partner_id": debtor.id, "promise_date": "2026-06-20"}
                for debtor in self.debtors
            ]
        )
        self.assertEqual(set(promises.mapped("promise_state")), {"pending"})
        cron = self.env.ref("account_debtor_collection.ir_cron_debtor_promise_state")
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": cron.id, "done": 0, "remaining": 0}
        )
        Log = self._cron_env()["account.debtor.correspondence"].with_context(
            ir_cron_progress_id=progress.id
        )
        with freeze_time("2026-06-25"):
            Log._cron_update_promise_state(batch_size=2)
            self.assertEqual((progress.done, progress.remaining), (2, 1))
            Log._cron_update_promise_state(batch_size=2)
            self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertEqual(
            set(
                Log.search([("partner_id", "in", self.debtors.ids)]).mapped(
                    "promise_state"
                )
            ),
            {"broken"},
        )

    def test_run_lines_of_another_company_are_hidden(self):
        run, _action = self._queue(self.debtors)
        company_2 = self.setup_other_company()["company"]
        user_2 = new_billing_user(self.env, "billing_other")
        user_2.write(
            {"company_id": company_2.id, "company_ids": [Command.set(company_2.ids)]}
        )
        self.env.flush_all()
        self.env.invalidate_all()
        Run = self.env["account.debtor.reminder.run"].with_user(user_2)
        self.assertFalse(Run.search([]))
        self.assertFalse(
            self.env["account.debtor.reminder.run.line"].with_user(user_2).search([])
        )


@tagged("post_install", "-at_install")
class TestReminderRunWorkers(BaseCase):
    """Two workers on one run, on real connections: the second skips the
    lines the first has locked."""

    def test_two_workers_share_a_run(self):
        dbname = get_db_name()
        setup_cr = db_connect(dbname).cursor()
        first_cr = db_connect(dbname).cursor()
        second_cr = db_connect(dbname).cursor()
        run = partners = None
        try:
            env = api.Environment(setup_cr, 1, {})
            partners = env["res.partner"].create(
                [{"name": f"Worker Test Debtor {n}"} for n in range(4)]
            )
            run = env["account.debtor.reminder.run"].create(
                {
                    "date": "2026-06-15",
                    "author_id": env.ref("base.partner_admin").id,
                    "line_ids": [
                        Command.create({"partner_id": p.id}) for p in partners
                    ],
                }
            )
            setup_cr.commit()
            Line = "account.debtor.reminder.run.line"
            first = api.Environment(first_cr, 1, {})[Line]._lock_lines_to_send(2)
            second = api.Environment(second_cr, 1, {})[Line]._lock_lines_to_send(10)
            self.assertEqual(len(first), 2)
            self.assertEqual(len(second), 2, "only the lines the first does not hold")
            self.assertFalse(set(first.ids) & set(second.ids))
        finally:
            first_cr.rollback()
            second_cr.rollback()
            if run:
                setup_cr.execute(
                    SQL("DELETE FROM account_debtor_reminder_run WHERE id = %s", run.id)
                )
                setup_cr.execute(
                    SQL("DELETE FROM res_partner WHERE id IN %s", tuple(partners.ids))
                )
                setup_cr.commit()
            for cr in (setup_cr, first_cr, second_cr):
                cr.close()
