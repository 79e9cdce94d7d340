from odoo import Command, fields
from odoo.tests import tagged

from .common import DebtorCollectionCommon


@tagged("post_install", "-at_install")
class TestPaymentAccounts(DebtorCollectionCommon):
    """A reminder, its letter and the statement say where to pay: the bank
    accounts of the company's bank journals, else the company's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        cls.env["account.journal"].search(
            [("company_id", "=", cls.company.id), ("type", "=", "bank")]
        ).bank_account_id = False
        cls.company.partner_id.bank_ids.active = False
        cls.swedbank = cls.env["res.bank"].create(
            {"name": "Swedbank AS", "bic": "HABALV22"}
        )
        cls.iban = cls.env["res.partner.bank"].create(
            {
                "acc_number": "LV87 HABA 0551 0123 4567 8",
                "bank_id": cls.swedbank.id,
                "partner_id": cls.company.partner_id.id,
            }
        )
        cls.late = cls._create_invoice(cls.debtor_lv, 500.0, "2026-05-01")
        cls.date = fields.Date.to_date("2026-06-15")

    def _values(self, **kwargs):
        return self.debtor_lv._get_debtor_reminder_values(
            self.date, self.company, **kwargs
        )[self.debtor_lv.id]

    def test_reminder_names_the_company_bank_account(self):
        values = self._values()
        self.assertEqual(
            values["payment_accounts"],
            "LV87 HABA 0551 0123 4567 8 (Swedbank AS, HABALV22)",
        )
        # in the debtor's language, below its invoices
        self.assertIn(
            "Norēķinu konts: LV87 HABA 0551 0123 4567 8 (Swedbank AS, HABALV22)",
            str(values["table"]),
        )
        statement = self._values(all_open=True)
        self.assertIn("LV87 HABA 0551 0123 4567 8", str(statement["table"]))

    def test_bank_journal_account_comes_first(self):
        journal_account = self.env["res.partner.bank"].create(
            {
                "acc_number": "LV10 RIKO 0002 9301 0000 1",
                "partner_id": self.company.partner_id.id,
            }
        )
        self.company_data["default_journal_bank"].bank_account_id = journal_account
        self.assertEqual(
            self._values()["payment_accounts"], "LV10 RIKO 0002 9301 0000 1"
        )

    def test_no_bank_account_no_line(self):
        self.iban.active = False
        values = self._values()
        self.assertFalse(values["payment_accounts"])
        self.assertNotIn("o_debtor_reminder_payment_accounts", str(values["table"]))

    def test_other_company_accounts_are_not_shown(self):
        company_2 = self.setup_other_company()["company"]
        self.env["res.partner.bank"].create(
            {
                "acc_number": "DE89 3704 0044 0532 0130 00",
                "partner_id": company_2.partner_id.id,
            }
        )
        self.assertNotIn("DE89", self._values()["payment_accounts"])

    def _send_reminder(self):
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_lv.ids)]}
        )
        return self._send(wizard)

    def test_sent_reminder_carries_it(self):
        line = self._send_reminder().line_ids
        self.assertEqual(line.state, "sent", line.message)
        self.assertIn(
            "LV87 HABA 0551 0123 4567 8", line.correspondence_id.mail_message_id.body
        )

    def test_letter_carries_it(self):
        self.env["account.debtor.reminder.level"].search(
            [("company_id", "=", self.company.id)]
        ).channel = "letter"
        run = self._send_reminder()
        self.assertEqual(run.letter_count, 1, run.line_ids.message)
        # the letter is the one of the reminder's log entry (since wip-25)
        letter = run.line_ids.correspondence_id._get_letter_values()
        self.assertIn("LV87 HABA 0551 0123 4567 8", str(letter["body"]))
