import re

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import DebtorCollectionCommon, workspace_panel


@tagged("post_install", "-at_install")
class TestDisputeAndGuards(DebtorCollectionCommon):
    """A disputed invoice leaves the reminders, a minimum amount, and no
    reminder over a payment already in the bank."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        cls.disputed = cls._create_invoice(cls.debtor_en, 700.0, "2026-05-01")
        cls.undisputed = cls._create_invoice(cls.debtor_en, 300.0, "2026-05-10")
        cls.lv_invoice = cls._create_invoice(cls.debtor_lv, 400.0, "2026-05-01")
        cls.reason = cls.env.ref("account_debtor_collection.dispute_reason_quality")
        cls.bank_journal = cls.company_data["default_journal_bank"]

    def _open_dispute(self, moves, user=None):
        Entry = self.env["account.debtor.correspondence"]
        if user:
            Entry = Entry.with_user(user)
        return Entry.create(
            {
                "partner_id": moves.commercial_partner_id.id,
                "kind": "dispute",
                "dispute_reason_id": self.reason.id,
                "move_ids": [Command.set(moves.ids)],
                "note": "Two parts arrived broken",
            }
        )

    def _statement_text(self, partner):
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_debtor_collection.report_debtor_statement", partner.ids
        )[0]
        return re.sub(r"\s+", " ", html.decode())

    def test_statement_says_which_invoices_are_in_dispute(self):
        """The statement lists every open invoice, those in dispute too: it
        marks them, and says why the reminder it is attached to asks for
        less than its balance; in the customer's language."""
        self.assertNotIn("in dispute", self._statement_text(self.debtor_en))
        self._open_dispute(self.disputed)
        text = self._statement_text(self.debtor_en)
        self.assertEqual(text.count("(in dispute)"), 1, "the disputed one only")
        self.assertRegex(
            text,
            rf"{re.escape(self.disputed.name)}</span>[^<]*<span[^>]*> \(in dispute\)",
        )
        self.assertIn("are not asked for until the dispute is resolved", text)
        self.assertIn("$1,000.00", text, "the balance still counts it")
        # in Latvian
        self._open_dispute(self.lv_invoice)
        text = self._statement_text(self.debtor_lv)
        self.assertIn("(apstrīdēts)", text)
        self.assertIn("kamēr strīds nav atrisināts", text)

    def _wizard(self, partners, **values):
        return self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(partners.ids)], **values}
        )

    def test_dispute_opened_and_resolved(self):
        debtor = self._debtor(self.debtor_en)
        self.assertEqual(debtor.amount_overdue, 1000.0)
        dispute = self._open_dispute(self.disputed, user=self.billing_user)
        self.assertEqual(dispute.dispute_state, "open")
        self.assertTrue(self.disputed.debtor_in_dispute)
        debtor = self._debtor(self.debtor_en)
        self.assertEqual(debtor.amount_due, 1000.0, "still owed")
        self.assertEqual(debtor.amount_disputed, 700.0)
        self.assertEqual(debtor.amount_overdue, 300.0, "not chased")
        self.assertEqual(debtor.overdue_invoice_count, 1)
        self.assertIn(
            debtor,
            self.env["account.debtor"].search([("amount_disputed", ">", 0)]),
            "the In Dispute filter",
        )
        # the e-mail leaves it out
        run = self._send(self._wizard(self.debtor_en))
        body = run.line_ids.correspondence_id.mail_message_id.body
        self.assertIn(self.undisputed.name, body)
        self.assertNotIn(self.disputed.name, body)
        self.assertIn("$300.00", body)
        self.assertEqual(run.line_ids.correspondence_id.move_ids, self.undisputed)
        # the panel marks it
        panel = workspace_panel(debtor)
        marks = {invoice["id"]: invoice["in_dispute"] for invoice in panel["invoices"]}
        self.assertTrue(marks[self.disputed.id])
        self.assertFalse(marks[self.undisputed.id])
        entry = next(e for e in panel["entries"] if e["kind"] == "dispute")
        self.assertEqual(entry["dispute_state"], "open")
        self.assertEqual(entry["dispute_reason"], self.reason.name)
        # resolved: chased again, and the resolution is in the entry's log
        # (the common fixtures disable tracking: turn it back on)
        self.env.cr.precommit.run()
        dispute.with_user(self.billing_user).with_context(
            tracking_disable=False, mail_notrack=False
        ).action_resolve_dispute()
        self.assertEqual(dispute.dispute_state, "resolved")
        self.assertFalse(self.disputed.debtor_in_dispute)
        self.assertEqual(self._debtor(self.debtor_en).amount_overdue, 1000.0)
        self.env.cr.precommit.run()  # the tracking is written at the commit
        tracked = dispute.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "dispute_state"
        )
        self.assertEqual(tracked.new_value_char, "Resolved")

    def test_debtor_whose_late_invoices_are_all_disputed_is_not_selected(self):
        self._open_dispute(self.lv_invoice)
        wizard = self._wizard(self.env["res.partner"])
        wizard.action_select_overdue()
        self.assertNotIn(self.debtor_lv, wizard.partner_ids)
        self.assertIn(self.debtor_en, wizard.partner_ids)
        wizard.partner_ids = [Command.link(self.debtor_lv.id)]
        line = wizard.line_ids.filtered(lambda line: line.partner_id == self.debtor_lv)
        self.assertEqual(line.state, "skipped")
        self.assertIn("dispute", line.message)
        self.assertEqual(line.amount_disputed, 400.0)

    def test_a_dispute_names_invoices_and_a_reason(self):
        Entry = self.env["account.debtor.correspondence"]
        with self.assertRaises(ValidationError):
            Entry.create({"partner_id": self.debtor_en.id, "kind": "dispute"})
        with self.assertRaises(ValidationError):
            Entry.create(
                {
                    "partner_id": self.debtor_en.id,
                    "kind": "dispute",
                    "move_ids": [Command.set(self.disputed.ids)],
                }
            )

    def test_dispute_from_the_invoice(self):
        action = self.disputed.action_debtor_open_dispute()
        self.assertEqual(action["context"]["default_kind"], "dispute")
        self.assertEqual(action["context"]["default_move_ids"], self.disputed.ids)
        self.assertEqual(action["context"]["default_partner_id"], self.debtor_en.id)

    def test_minimum_amount(self):
        self.company.debtor_reminder_min_amount = 500.0
        wizard = self._wizard(self.env["res.partner"])
        wizard.action_select_overdue()
        self.assertIn(self.debtor_en, wizard.partner_ids, "1,000 overdue")
        self.assertNotIn(self.debtor_lv, wizard.partner_ids, "400 overdue")
        wizard.partner_ids = [Command.link(self.debtor_lv.id)]
        line = wizard.line_ids.filtered(lambda line: line.partner_id == self.debtor_lv)
        self.assertEqual(line.state, "skipped")
        self.assertIn("below the minimum", line.message)
        self.assertIn("500.00", line.message)

    def test_stale_bank_data_warning(self):
        self.company.debtor_bank_stale_days = 3
        self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": "2026-06-05",
                "payment_ref": "old",
                "amount": 10.0,
            }
        )
        wizard = self._wizard(self.debtor_en)
        self.assertIn("not in Odoo yet", wizard.bank_warning)
        self.assertIn("06/05/2026", wizard.bank_warning)
        self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": "2026-06-14",
                "payment_ref": "fresh",
                "amount": 10.0,
            }
        )
        other_banks = self.env["account.journal"].search(
            [
                ("type", "=", "bank"),
                ("company_id", "=", self.company.id),
                ("id", "!=", self.bank_journal.id),
            ]
        )
        other_banks.active = False
        wizard = self._wizard(self.debtor_en)
        self.assertFalse(wizard.bank_warning)

    def test_unmatched_payment_in_the_bank_skips_unless_forced(self):
        self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": "2026-06-14",
                "payment_ref": "Northwind payment",
                "partner_id": self.debtor_en.id,
                "amount": 650.0,
            }
        )
        wizard = self._wizard(self.debtor_en | self.debtor_lv)
        line = wizard.line_ids.filtered(lambda line: line.partner_id == self.debtor_en)
        self.assertEqual(line.state, "skipped")
        self.assertIn("650.00", line.message)
        self.assertEqual(line.amount_unmatched, 650.0)
        other = wizard.line_ids.filtered(lambda line: line.partner_id == self.debtor_lv)
        self.assertEqual(other.state, "to_send")
        wizard.force = True
        line = wizard.line_ids.filtered(lambda line: line.partner_id == self.debtor_en)
        self.assertEqual(line.state, "to_send")
        run = self._send(wizard)
        self.assertEqual(run.sent_count, 2)
