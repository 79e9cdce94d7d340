from odoo.tests import HttpCase, tagged

from .common import new_billing_user, post_invoices

WORKSPACE_URL = "/odoo/action-account_debtor_collection.action_account_debtor"


@tagged("post_install", "-at_install")
class TestRemindWizardScreen(HttpCase):
    """The reminder wizard in the browser, as a billing user: each of its
    fields changed, then Send; the preview of one reminder and back."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # the statement is a PDF: not what these tests are about
        cls.company.debtor_reminder_attach_statement = False
        cls.today = cls.env.company._get_debtor_today()
        cls.user = new_billing_user(
            cls.env, "remind_collector", name="Remind Collector", lang="en_US", tz="UTC"
        )
        Partner = cls.env["res.partner"]
        cls.alpha, cls.bravo, cls.charlie = Partner.create(
            [
                {"name": name, "is_company": True, "lang": "en_US", "email": email}
                for name, email in (
                    ("Remind Alpha", "office@alpha.example"),
                    ("Remind Bravo", "ap@bravo.example"),
                    ("Remind Charlie", "ap@charlie.example"),
                )
            ]
        )
        Partner.create(
            {
                "name": "Alpha Accounts",
                "parent_id": cls.alpha.id,
                "type": "invoice",
                "email": "accounts@alpha.example",
            }
        )
        cls._create_invoice(cls.alpha, 500.0, -30)
        cls._create_invoice(cls.bravo, 400.0, 10)
        cls._create_invoice(cls.charlie, 300.0, -30)
        journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.company.id)], limit=1
        )
        cls.env["account.bank.statement.line"].create(
            {
                "journal_id": journal.id,
                "partner_id": cls.charlie.id,
                "amount": 100.0,
                "date": cls.today,
                "payment_ref": "Charlie pays",
            }
        )

    @classmethod
    def _create_invoice(cls, partner, amount, due_in_days):
        return post_invoices(cls.env, partner, [(amount, due_in_days)], cls.today)

    def _run(self):
        self.env.invalidate_all()
        return self.env["account.debtor.reminder.run"].search(
            [("author_id", "=", self.user.partner_id.id)]
        )

    def test_each_field_changed_then_send(self):
        self.start_tour(
            WORKSPACE_URL, "account_debtor_remind_each_field", login=self.user.login
        )
        run = self._run()
        self.assertEqual(len(run), 1)
        # a date to come is refused: sent at today, when Bravo owes nothing late
        self.assertEqual(run.date, self.today)
        self.assertTrue(run.force)
        lines = run.line_ids
        self.assertEqual(lines.partner_id, self.alpha | self.bravo)
        states = {line.partner_id: line.state for line in lines}
        self.assertEqual(states, {self.alpha: "to_send", self.bravo: "skipped"})
        alpha = lines.filtered(lambda line: line.partner_id == self.alpha)
        self.assertEqual(alpha.amount_overdue, 500.0)
        self.assertIn("accounts@alpha.example", alpha.recipients)

    def test_preview_and_back_to_the_wizard(self):
        self.start_tour(
            WORKSPACE_URL, "account_debtor_remind_preview_back", login=self.user.login
        )
        run = self._run()
        self.assertEqual(run.line_ids.partner_id, self.alpha)
        self.assertEqual(run.line_ids.state, "to_send")

    def test_overview_selects_what_the_wizard_sends(self):
        self.start_tour(
            WORKSPACE_URL, "account_debtor_remind_select_agrees", login=self.user.login
        )
        run = self._run()
        self.assertEqual(run.line_ids.partner_id, self.alpha)
