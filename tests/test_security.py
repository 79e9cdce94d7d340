import logging
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from odoo.addons.account_debtor_collection import uninstall_hook

from .common import (
    RUN_LOGGER,
    DebtorCollectionCommon,
    new_billing_user,
    workspace_panel,
)


@tagged("post_install", "-at_install")
class TestDebtorSecurity(DebtorCollectionCommon):
    """Nobody sends in another's name, nothing leaks between companies, one
    bad debtor never stops a sending, odd input gets a clear message."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        cls.invoice_lv = cls._create_invoice(cls.debtor_lv, 500.0, "2026-05-01")
        cls.invoice_en = cls._create_invoice(cls.debtor_en, 700.0, "2026-05-01")
        cls.ceo = new_test_user(
            cls.env, login="ceo", name="The CEO", email="ceo@x.example"
        )
        cls.second_billing_user = new_billing_user(cls.env, "billing_two")
        cls.accountant = new_test_user(
            cls.env,
            login="accountant_no_contacts",
            email="accountant@company.example",
            groups="base.group_user,account.group_account_user",
        )

    def _wizard(self, partners, user=None, **values):
        Remind = self.env["account.debtor.remind"]
        if user:
            Remind = Remind.with_user(user)
        return Remind.create(
            {"date": "2026-06-15", "partner_ids": [Command.set(partners.ids)], **values}
        )

    def _reminder(self, partner):
        return partner.message_ids.filtered(lambda m: m.message_type == "comment")

    # the sender

    def test_client_context_cannot_choose_the_author(self):
        wizard = self._wizard(self.debtor_en, self.billing_user)
        self._send(
            wizard.with_context(
                debtor_reminder_author_id=self.ceo.partner_id.id,
                default_author_id=self.ceo.partner_id.id,
            )
        )
        message = self._reminder(self.debtor_en)
        self.assertEqual(message.author_id, self.billing_user.partner_id)
        self.assertIn("billing@company.example", message.email_from)

    def test_sender_without_email_is_refused_and_nothing_logged(self):
        self.billing_user.partner_id.email = False
        wizard = self._wizard(self.debtor_en, self.billing_user)
        with self.assertRaisesRegex(UserError, "e-mail address"):
            self._send(wizard)
        self.assertFalse(self._debtor(self.debtor_en).last_reminder_date)

    def test_invalid_debtor_address_is_a_skip_reason(self):
        self.debtor_en.email = "not-an-email"
        wizard = self._wizard(self.debtor_en)
        self.assertEqual(wizard.line_ids.state, "skipped")
        self.assertIn("not-an-email", wizard.line_ids.message)
        self._send(wizard)
        self.assertFalse(self._reminder(self.debtor_en))
        self.assertFalse(self._debtor(self.debtor_en).last_reminder_date)

    # companies

    def test_reminder_lines_of_another_company_are_hidden(self):
        company_2 = self.setup_other_company()["company"]
        user_2 = new_test_user(
            self.env,
            login="billing_c2",
            groups="base.group_user,account.group_account_invoice",
            company_id=company_2.id,
            company_ids=[Command.set(company_2.ids)],
        )
        wizard = self._wizard(self.debtor_lv | self.debtor_en)
        line_ids = wizard.line_ids.ids
        self.assertEqual(len(line_ids), 2)
        self.env.flush_all()
        self.env.invalidate_all()
        Line = self.env["account.debtor.remind.line"].with_user(user_2)
        self.assertFalse(Line.search([("remind_id", "=", wizard.id)]))
        with self.assertRaises(AccessError):
            Line.browse(line_ids).read(["recipients"])
        with self.assertRaises(AccessError):
            Line.browse(line_ids).write({"message": "changed"})
        with self.assertRaises(AccessError):
            Line.create({"remind_id": wizard.id, "partner_id": self.debtor_en.id})

    # one debtor fails, the others go

    def test_broken_translation_fails_one_debtor_only(self):
        template = self.env.ref(
            "account_debtor_collection.mail_template_debtor_reminder"
        )
        template.with_context(
            lang="lv_LV"
        ).body_html = '<p>Labdien, <t t-out="object.no_such_field"/></p>'
        wizard = self._wizard(self.debtor_lv | self.debtor_en)
        with mute_logger("odoo.addons.mail.models.mail_render_mixin"):
            self._send(wizard)
        lines = {line.partner_id: line for line in wizard.run_id.line_ids}
        self.assertEqual(lines[self.debtor_lv].state, "failed")
        # not Odoo's "Failed to render QWeb template" with its traceback
        self.assertEqual(
            lines[self.debtor_lv].message,
            "Not sent: The reminder could not be rendered for this customer "
            '(template "Debtor Collection: Payment Reminder", language Latvian / '
            "latviešu valoda): check the template's translation in that "
            "language. The details are in the server log.",
        )
        self.assertEqual(lines[self.debtor_en].state, "sent")
        self.assertFalse(self._debtor(self.debtor_lv).last_reminder_date)

    def test_failing_statement_fails_one_debtor_only(self):
        self.company.debtor_reminder_attach_statement = True
        Report = type(self.env["ir.actions.report"])
        original = Report._pre_render_qweb_pdf
        failing_id = self.debtor_lv.id

        def render(report, report_ref, res_ids=None, data=None):
            if failing_id in (res_ids or []):
                raise OSError("wkhtmltopdf crashed")
            return original(report, report_ref, res_ids=res_ids, data=data)

        with (
            patch.object(Report, "_pre_render_qweb_pdf", render),
            self.assertLogs(RUN_LOGGER, logging.INFO) as logs,
        ):
            wizard = self._wizard(self.debtor_lv | self.debtor_en)
            self._send(wizard)
        lines = {line.partner_id: line for line in wizard.run_id.line_ids}
        self.assertEqual(lines[self.debtor_lv].state, "failed")
        self.assertEqual(
            lines[self.debtor_lv].message,
            'Not sent: The PDF "Statement of Open Items" could not be made for '
            "this customer (language Latvian / latviešu valoda): the details are "
            "in the server log.",
        )
        self.assertIn("OSError: wkhtmltopdf crashed", "\n".join(logs.output))
        self.assertEqual(lines[self.debtor_en].state, "sent")
        self.assertEqual(len(self._reminder(self.debtor_en).attachment_ids), 1)

    def test_broken_statement_translation_names_its_template(self):
        self.company.debtor_reminder_attach_statement = True
        view = self.env.ref(
            "account_debtor_collection.report_debtor_statement_document"
        )
        self.env.cr.execute(
            "UPDATE ir_ui_view SET arch_db = arch_db || jsonb_build_object("
            "'lv_LV', '<t t-name=\"x\"><t t-out=\"o.no_such_field\"/></t>') "
            "WHERE id = %s",
            [view.id],
        )
        self.env.registry.clear_cache("templates")
        self.env.invalidate_all()
        wizard = self._wizard(self.debtor_lv | self.debtor_en)
        with self.assertLogs(RUN_LOGGER, logging.INFO) as logs:
            self._send(wizard)
        lines = {line.partner_id: line for line in wizard.run_id.line_ids}
        self.assertEqual(lines[self.debtor_lv].state, "failed")
        self.assertEqual(
            lines[self.debtor_lv].message,
            "Not sent: The reminder could not be rendered for this customer "
            '(template "report_debtor_statement_document", language Latvian / '
            "latviešu valoda): check the template's translation in that "
            "language. The details are in the server log.",
        )
        self.assertIn("no_such_field", "\n".join(logs.output))
        self.assertEqual(lines[self.debtor_en].state, "sent")

    def test_one_company_failing_does_not_stop_the_scheduled_job(self):
        company_2 = self.setup_other_company()["company"]
        for company in (self.company, company_2):
            company.write({"debtor_reminder_auto": True, "email": "ar@company.example"})
        self._create_invoice(self.debtor_en, 50.0, "2026-05-01", company=company_2)
        self.env["account.debtor.correspondence"].with_company(company_2).create(
            {
                "partner_id": self.debtor_en.id,
                "company_id": company_2.id,
                "next_action_date": "2026-06-15",
            }
        )
        Remind = type(self.env["account.debtor.remind"])
        original = Remind._send_scheduled_reminders
        failing = self.company

        def send(remind, company, today):
            if company == failing:
                raise ValueError("broken company")
            return original(remind, company, today)

        with (
            patch.object(Remind, "_send_scheduled_reminders", send),
            mute_logger(
                "odoo.addons.account_debtor_collection.wizard.account_debtor_remind"
            ),
        ):
            self.env["account.debtor.remind"]._cron_send_scheduled_reminders()
            self._process_runs()
        sent = self.env["account.debtor.correspondence"].search(
            [("kind", "=", "reminder"), ("partner_id", "=", self.debtor_en.id)]
        )
        self.assertEqual(sent.company_id, company_2)

    def test_scheduled_reminders_without_company_address_are_refused(self):
        self.company.write({"debtor_reminder_auto": True, "email": False})
        self.env["account.debtor.correspondence"].create(
            {"partner_id": self.debtor_en.id, "next_action_date": "2026-06-15"}
        )
        with mute_logger(
            "odoo.addons.account_debtor_collection.wizard.account_debtor_remind"
        ):
            self.env["account.debtor.remind"]._cron_send_scheduled_reminders()
            self._process_runs()
        self.assertFalse(self._debtor(self.debtor_en).last_reminder_date)

    # the log cannot be forged

    def test_users_cannot_forge_reminders(self):
        Entry = self.env["account.debtor.correspondence"].with_user(self.billing_user)
        with self.assertRaises(AccessError):
            Entry.create({"partner_id": self.debtor_en.id, "kind": "reminder"})
        note = Entry.create({"partner_id": self.debtor_en.id, "note": "Called"})
        with self.assertRaises(AccessError):
            note.write({"kind": "reminder"})
        with self.assertRaises(AccessError):
            note.write({"user_id": self.second_billing_user.id})
        with self.assertRaises(AccessError):
            Entry.create(
                {
                    "partner_id": self.debtor_en.id,
                    "note": "In another's name",
                    "user_id": self.second_billing_user.id,
                }
            )
        self._send(self._wizard(self.debtor_en, self.billing_user))
        reminder = self._debtor(self.debtor_en).correspondence_ids.filtered(
            lambda e: e.kind == "reminder"
        )
        reminder = Entry.browse(reminder.id)
        with self.assertRaises(AccessError):
            reminder.write({"date": "2026-06-01"})
        with self.assertRaises(UserError):
            reminder.unlink()
        # notes stay editable
        reminder.note = "The customer called back"
        note.note = "Called twice"

    # follow-up activities

    def test_notes_with_next_date_for_every_writer(self):
        for user in (self.billing_user, self.second_billing_user, self.accountant):
            Entry = self.env["account.debtor.correspondence"].with_user(user)
            note = Entry.create(
                {
                    "partner_id": self.debtor_en.id,
                    "note": f"Call by {user.login}",
                    "next_action_date": "2026-06-20",
                }
            )
            self.assertTrue(note.activity_id)
            note.next_action_date = "2026-06-22"
            self.assertEqual(str(note.activity_id.date_deadline), "2026-06-22")
        last = note
        last.unlink()
        self.assertFalse(
            self.debtor_en.activity_ids.filtered(
                lambda a: (
                    a.activity_type_id
                    == self.env.ref(
                        "account_debtor_collection.mail_activity_type_debtor_followup"
                    )
                )
            )
        )

    def test_long_note_is_shortened_where_copied(self):
        note = self.env["account.debtor.correspondence"].create(
            {
                "partner_id": self.debtor_en.id,
                "note": "x" * 100_000,
                "next_action_date": "2026-06-20",
            }
        )
        self.assertLess(len(note.activity_id.note), 3000)
        panel = workspace_panel(self._debtor(self.debtor_en))
        self.assertLess(len(panel["entries"][0]["note"]), 3000)
        self.assertEqual(len(note.note), 100_000, "the note itself is kept whole")

    # odd input

    def test_odd_as_of_dates_get_a_clear_message(self):
        for value in ("1; DROP TABLE res_partner", "2026-13-45", ["2026-06-15"], 42):
            Debtor = self.env["account.debtor"].with_context(debtor_as_of_date=value)
            with self.assertRaisesRegex(UserError, "as-of date"):
                Debtor.search([]).mapped("amount_due")

    def test_odd_paging_gets_a_clear_message(self):
        debtor = self._debtor(self.debtor_en)
        for kwargs in (
            {"invoice_offset": -1},
            {"log_limit": "10"},
            {"invoice_limit": -5},
        ):
            with self.assertRaisesRegex(UserError, "whole numbers"):
                workspace_panel(debtor, **kwargs)
        self.assertEqual(
            workspace_panel(debtor, invoice_limit=10**9)["invoice_count"], 1
        )

    def test_statement_takes_either_date_form_and_writes_nothing(self):
        self.invoice_en.access_token = False
        report = self.env.ref(
            "account_debtor_collection.action_report_debtor_statement"
        )
        for as_of in ("2026-06-15", self.invoice_en.invoice_date_due):
            html, _type = (
                self.env["ir.actions.report"]
                .with_context(debtor_as_of_date=as_of)
                ._render_qweb_html(report.report_name, self.debtor_en.ids)
            )
            self.assertIn(self.invoice_en.name, html.decode())
        self.assertFalse(self.invoice_en.access_token)

    def test_missing_template_is_a_clear_message(self):
        self.env.ref("account_debtor_collection.mail_template_debtor_reminder").unlink()
        wizard = self._wizard(self.debtor_en)
        with self.assertRaisesRegex(UserError, "template"):
            self._send(wizard)

    def test_uninstall_hook_drops_the_index(self):
        def index_exists():
            self.env.cr.execute(
                SQL(
                    "SELECT 1 FROM pg_indexes WHERE indexname = %s",
                    "account_move_line_debtor_open_item_index",
                )
            )
            return bool(self.env.cr.fetchone())

        self.assertTrue(index_exists())
        uninstall_hook(self.env)
        self.assertFalse(index_exists())
