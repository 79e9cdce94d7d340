from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.account_debtor_collection import uninstall_hook

from .common import DebtorCollectionCommon


@tagged("post_install", "-at_install")
class TestSystemState(DebtorCollectionCommon):
    """What only the addon sets: reminder runs and their lines, the delivery
    and promise states of the log, the dispute and charges marks of the
    invoices. No user writes them, whatever the client sends (RPC)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        cls.invoice = cls._create_invoice(cls.debtor_en, 700.0, "2026-05-01")
        cls.accountant = new_test_user(
            cls.env,
            login="system_state_accountant",
            email="accountant@company.example",
            groups="base.group_user,account.group_account_user",
        )
        cls.admin = new_test_user(
            cls.env,
            login="system_state_admin",
            email="admin@company.example",
            groups="base.group_user,base.group_system,account.group_account_manager",
        )
        cls.auditor = new_test_user(
            cls.env,
            login="system_state_auditor",
            groups="base.group_user,account.group_account_readonly",
        )
        cls.users = {
            "billing": cls.billing_user,
            "accountant": cls.accountant,
            "administrator": cls.admin,
            "auditor": cls.auditor,
        }

    def _queue(self, user):
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(user)
            .create(
                {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
            )
        )
        wizard.action_send()
        return wizard.run_id

    # runs and run lines

    @mute_logger("odoo.models")
    def test_no_user_creates_or_changes_a_run(self):
        run = self._queue(self.billing_user)
        self._process_runs()
        self.assertEqual(run.state, "done")
        for kind, user in self.users.items():
            Run = self.env["account.debtor.reminder.run"].with_user(user)
            Line = self.env["account.debtor.reminder.run.line"].with_user(user)
            with self.subTest(kind):
                self.assertEqual(Run.browse(run.id).sent_count, 1, "it reads its runs")
                with self.assertRaises(AccessError):
                    Run.create(
                        {
                            "date": "2026-06-15",
                            "author_id": self.admin.partner_id.id,
                            "user_id": self.admin.id,
                            "force": True,
                            "scheduled": True,
                        }
                    )
                with self.assertRaises(AccessError):
                    Run.browse(run.id).write({"state": "queued", "force": True})
                with self.assertRaises(AccessError):
                    Run.browse(run.id).unlink()
                # a line added to a finished run would be sent again
                with self.assertRaises(AccessError):
                    Line.create({"run_id": run.id, "partner_id": self.debtor_en.id})
                with self.assertRaises(AccessError):
                    run.line_ids.with_user(user).write({"state": "to_send"})
                with self.assertRaises(AccessError):
                    run.line_ids.with_user(user).unlink()
        self.assertEqual(len(run.line_ids), 1)
        self.assertFalse(
            self.env["account.debtor.reminder.run.line"].search_count(
                [("state", "=", "to_send")]
            )
        )

    def test_the_wizard_makes_the_run_from_its_own_fields(self):
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(self.billing_user)
            .with_context(
                default_user_id=self.admin.id,
                default_author_id=self.admin.partner_id.id,
                default_scheduled=True,
                default_date_done="2026-06-15 00:00:00",
            )
            .create(
                {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
            )
        )
        wizard.action_send()
        run = wizard.run_id
        self.assertRecordValues(
            run,
            [
                {
                    "user_id": self.billing_user.id,
                    "author_id": self.billing_user.partner_id.id,
                    "scheduled": False,
                    "force": False,
                    "state": "queued",
                    "to_send_count": 1,
                }
            ],
        )
        self.assertEqual(run.line_ids.create_uid, self.billing_user)
        self._process_runs()
        reminder = run.line_ids.correspondence_id
        self.assertEqual(
            reminder.mail_message_id.author_id, self.billing_user.partner_id
        )

    def test_buttons_of_a_run_still_work_for_users(self):
        self.env["account.debtor.reminder.level"].search(
            [("company_id", "=", self.company.id)]
        ).channel = "letter"
        run = self._queue(self.billing_user)
        self._process_runs()
        self.assertEqual(run.letter_count, 1)
        action = run.with_user(self.billing_user).action_print_letters()
        self.assertEqual(action["type"], "ir.actions.report")

    # the log's states

    @mute_logger("odoo.models")
    def test_log_states_are_not_writable(self):
        self._queue(self.billing_user)
        self._process_runs()
        reminder = self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", self.debtor_en.id), ("kind", "=", "reminder")]
        )
        self.assertEqual(reminder.delivery_state, "queued")
        note = (
            self.env["account.debtor.correspondence"]
            .with_user(self.billing_user)
            .create(
                {
                    "partner_id": self.debtor_en.id,
                    "promise_date": "2026-06-30",
                    "move_ids": [Command.set(self.invoice.ids)],
                }
            )
        )
        self.assertEqual(note.promise_state, "pending")
        for kind in ("billing", "accountant", "administrator"):
            user = self.users[kind]
            with self.subTest(kind):
                with self.assertRaises(AccessError):
                    reminder.with_user(user).write({"delivery_state": "failed"})
                with self.assertRaises(AccessError):
                    note.with_user(user).write({"promise_state": "kept"})
                with self.assertRaises(AccessError):
                    self.env["account.debtor.correspondence"].with_user(user).create(
                        {
                            "partner_id": self.debtor_en.id,
                            "promise_date": "2026-06-01",
                            "promise_state": "kept",
                        }
                    )
        self.assertEqual(reminder.delivery_state, "queued")
        self.assertEqual(note.promise_state, "pending")
        # the one-a-day guard holds
        self.assertEqual(
            self._debtor(self.debtor_en).last_reminder_date,
            fields.Date.to_date("2026-06-15"),
        )

    # the invoices' marks

    @mute_logger("odoo.models")
    def test_invoice_marks_are_not_writable(self):
        marks = {
            "debtor_in_dispute": True,
            "debtor_fee_charged": True,
            "debtor_interest_date": "2026-06-15",
        }
        for kind in ("billing", "accountant", "administrator"):
            invoice = self.invoice.with_user(self.users[kind])
            for field, value in marks.items():
                with self.subTest(kind=kind, field=field):
                    with self.assertRaises(AccessError):
                        invoice.write({field: value})
            with self.subTest(kind=kind, field="debtor_charge_reminder_id"):
                with self.assertRaises(AccessError):
                    invoice.write({"debtor_charge_reminder_id": 1})
                with self.assertRaises(AccessError):
                    self.env["account.move"].with_user(self.users[kind]).create(
                        {
                            "move_type": "out_invoice",
                            "partner_id": self.debtor_en.id,
                            "debtor_fee_charged": True,
                        }
                    )
        self.assertRecordValues(
            self.invoice,
            [
                {
                    "debtor_in_dispute": False,
                    "debtor_fee_charged": False,
                    "debtor_interest_date": False,
                    "debtor_charge_reminder_id": False,
                }
            ],
        )
        self.assertEqual(self._debtor(self.debtor_en).amount_overdue, 700.0)
        # their own fields stay the users'
        self.invoice.with_user(self.billing_user).write({"ref": "PO 42"})
        self.assertEqual(self.invoice.ref, "PO 42")

    # eight clicks on Send while the mail server is down

    def _queue_unchecked(self, count):
        """``count`` runs of the same debtor, queued as parallel requests
        would be: none of them sees the others (each checks before any is
        committed)."""
        Remind = self.env["account.debtor.remind"].with_user(self.billing_user)
        wizards = [
            Remind.create(
                {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
            )
            for _click in range(count)
        ]
        Check = type(self.env["account.debtor.reminder.check"])
        with patch.object(
            Check,
            "_get_partners_in_open_runs",
            lambda self, partners, company, run=None: partners.browse(),
        ):
            for wizard in wizards:
                wizard.action_send()
        runs = self.env["account.debtor.reminder.run"].browse(
            [wizard.run_id.id for wizard in wizards]
        )
        # they were all queued before the first was sent (the test's clock
        # is frozen before the database's)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE account_debtor_reminder_run SET create_date = %s "
                "WHERE id IN %s",
                "2026-06-14 23:00:00",
                tuple(runs.ids),
            )
        )
        runs.invalidate_recordset(["create_date"])
        return runs

    def test_a_debtor_in_a_queued_run_is_skipped_in_the_preview(self):
        first = self._queue(self.billing_user)
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
        )
        self.assertRecordValues(
            wizard.line_ids,
            [
                {
                    "state": "skipped",
                    "message": "Already in a reminder run that is queued or "
                    "running: it is sent there.",
                }
            ],
        )
        # the wizard opened before the first Send is checked again at Send
        self._process_runs()
        self.assertEqual(first.sent_count, 1)

    def test_eight_clicks_on_send_during_an_outage_remind_once(self):
        Remind = self.env["account.debtor.remind"].with_user(self.billing_user)
        wizards = [
            Remind.create(
                {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
            )
            for _click in range(8)
        ]
        self.assertEqual(set(wizards[-1].line_ids.mapped("state")), {"to_send"})
        for wizard in wizards:
            wizard.action_send()
        counts = [wizard.run_id.to_send_count for wizard in wizards]
        self.assertEqual(counts, [1, 0, 0, 0, 0, 0, 0, 0], "checked again at Send")

    def test_parallel_sends_during_an_outage_remind_once(self):
        runs = self._queue_unchecked(8)
        self.assertEqual(runs.mapped("to_send_count"), [1] * 8)
        Run = self._cron_env()["account.debtor.reminder.run"]
        Run._cron_send_runs()
        self.assertEqual(runs[0].sent_count, 1)
        # the e-mail could not leave: the reminder does not count any more
        reminder = runs[0].line_ids.correspondence_id
        notifications = reminder.mail_message_id.notification_ids.sudo()
        notifications.notification_status = "exception"
        self.assertEqual(reminder.delivery_state, "failed")
        self._process_runs()
        reminders = self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", self.debtor_en.id), ("kind", "=", "reminder")]
        )
        self.assertEqual(len(reminders), 1)
        for run in runs[1:]:
            self.assertRecordValues(
                run.line_ids,
                [
                    {
                        "state": "skipped",
                        "message": "Already in a reminder run that is queued "
                        "or running: it is sent there.",
                    }
                ],
            )
        # a sending after the runs are done reminds again (the e-mail failed)
        self.assertEqual(self._queue(self.billing_user).to_send_count, 1)

    # odd values: a clear message

    def test_an_as_of_date_out_of_range_is_refused_clearly(self):
        Debtor = self.env["account.debtor"].with_user(self.billing_user)
        for value in ("0001-01-01", "9999-12-31"):
            with self.subTest(value):
                with self.assertRaisesRegex(UserError, "not a usable as-of date"):
                    Debtor.with_context(debtor_as_of_date=value).search([])
                with self.assertRaisesRegex(UserError, "not a usable as-of date"):
                    wizard = self.env["account.debtor.remind"].with_user(
                        self.billing_user
                    )
                    # the preview the client shows
                    wizard.create(
                        {
                            "date": value,
                            "partner_ids": [Command.set(self.debtor_en.ids)],
                        }
                    ).mapped("line_ids")

    @mute_logger("odoo.sql_db")
    def test_a_level_in_use_cannot_be_deleted(self):
        self._queue(self.billing_user)
        self._process_runs()
        level = self.env["account.debtor.reminder.level"].search(
            [("company_id", "=", self.company.id)]
        )
        second = level.copy({"name": "Second", "delay": 30})
        with self.assertRaisesRegex(UserError, "was sent already"):
            level.with_user(self.admin).unlink()
        second.with_user(self.admin).unlink()
        self.assertTrue(level.exists())

    # uninstalling

    def test_uninstall_hook_removes_the_activity_types_and_their_activities(self):
        types = self.env["mail.activity.type"].browse(
            self.env["ir.model.data"]
            .search(
                [
                    ("module", "=", "account_debtor_collection"),
                    ("model", "=", "mail.activity.type"),
                ]
            )
            .mapped("res_id")
        )
        # not delivered, answered online, answered a reminder, debt follow-up
        self.assertEqual(len(types), 4)
        activities = self.env["mail.activity"]
        for activity_type in types:
            activities |= self.debtor_en.activity_schedule(
                activity_type_id=activity_type.id, user_id=self.billing_user.id
            )
        call = self.debtor_en.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.billing_user.id
        )
        uninstall_hook(self.env)
        self.assertFalse(activities.exists())
        self.assertFalse(types.exists())
        self.assertTrue(call.exists(), "Odoo's own activity types stay")
