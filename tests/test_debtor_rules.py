from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged

from .common import DebtorCollectionCommon, workspace_panel


@tagged("post_install", "-at_install")
class TestDebtorRules(DebtorCollectionCommon):
    """One definition of open items, due dates, credits and "overdue": the
    overview, the e-mail, the wizard, the panel, the statement and the
    partner's figure tell the same story on one data set."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_attach_statement = False
        cls.foreign = cls.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        cls.company_2 = cls.setup_other_company()["company"]
        cls.env.user.company_ids = [Command.link(cls.company_2.id)]
        debtor = cls.debtor_en
        cls.branch = cls.env["res.partner"].create(
            {"name": "Northwind Riga branch", "parent_id": debtor.id, "type": "other"}
        )
        # late, partly paid: 1,000 - 400
        cls.partly_paid = cls._create_invoice(debtor, 1000.0, "2026-05-01")
        cls._pay(cls.partly_paid, 400.0, "2026-05-10")
        # late, in a foreign currency: 300 EUR = 150
        cls.foreign_invoice = cls._create_invoice(
            debtor, 300.0, "2026-05-20", currency=cls.foreign
        )
        # late, addressed to the branch
        cls.branch_invoice = cls._create_invoice(cls.branch, 250.0, "2026-06-01")
        # not due yet
        cls.later_invoice = cls._create_invoice(debtor, 500.0, "2026-07-31")
        # a credit note due later: usable now
        cls.later_refund = cls._create_invoice(
            debtor,
            120.0,
            "2026-07-15",
            invoice_date="2026-06-10",
            move_type="out_refund",
        )
        # a payment not matched yet
        cls.unapplied = cls.init_payment(
            80.0, post=True, date="2026-06-05", partner=debtor
        )
        # a miscellaneous entry charging the customer, without a due date
        cls.misc_entry = cls._create_misc_charge(debtor, 60.0, "2026-05-25")
        # another company's invoice
        cls.other_company_invoice = cls._create_invoice(
            debtor, 777.0, "2026-05-01", company=cls.company_2
        )
        # late 600 + 150 + 250 + 60 = 1,060; credits 120 + 80 = 200
        cls.expected_late = 1060.0
        cls.expected_credit = -200.0
        cls.expected_overdue = 860.0
        cls.expected_due = 1060.0 + 500.0 - 200.0

    @classmethod
    def _create_misc_charge(cls, partner, amount, date):
        journal = cls.company_data["default_journal_misc"]
        move = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": date,
                "line_ids": [
                    Command.create(
                        {
                            "name": "Fee",
                            "partner_id": partner.id,
                            "account_id": cls.company_data[
                                "default_account_receivable"
                            ].id,
                            "debit": amount,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Fee",
                            "account_id": cls.company_data[
                                "default_account_revenue"
                            ].id,
                            "credit": amount,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        move.line_ids.filtered("partner_id").date_maturity = False
        return move

    def test_every_consumer_tells_the_same_story(self):
        debtor = self._debtor(self.debtor_en)
        self.assertEqual(debtor.amount_due, self.expected_due)
        self.assertEqual(debtor.amount_credit, self.expected_credit)
        self.assertEqual(debtor.amount_overdue, self.expected_overdue)
        self.assertEqual(debtor.overdue_invoice_count, 4)

        # the ORM's own domains give the same figure as the overview's SQL
        Debtor = self.env["account.debtor"]
        items = self.env["account.move.line"].search(
            [
                *Debtor._get_debtor_item_domain(self.debtor_en, self.company),
                *Debtor._get_overdue_item_domain(fields.Date.to_date("2026-06-15")),
            ]
        )
        self.assertEqual(sum(items.mapped("amount_residual")), self.expected_overdue)
        self.assertEqual(
            Debtor._get_amount_overdue_by_partner(
                self.debtor_en, self.company, fields.Date.to_date("2026-06-15")
            )[self.debtor_en],
            self.expected_overdue,
        )
        self.assertEqual(
            self.debtor_en.with_company(self.company).debtor_amount_overdue,
            self.expected_overdue,
        )

        # the wizard's line
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
        )
        line = wizard.line_ids
        self.assertEqual(line.amount_overdue, self.expected_overdue)
        self.assertEqual(line.amount_credit, self.expected_credit)
        self.assertEqual(line.state, "to_send")

        # the e-mail: every late item and every credit, nothing else, and the
        # amount to pay in company currency where several currencies mix
        values = self.debtor_en._get_debtor_reminder_values(
            fields.Date.to_date("2026-06-15"), self.company
        )[self.debtor_en.id]
        listed = {row["move_id"] for row in values["rows"]}
        self.assertEqual(
            listed,
            set(
                (
                    self.partly_paid
                    | self.foreign_invoice
                    | self.branch_invoice
                    | self.later_refund
                    | self.unapplied.move_id
                    | self.misc_entry
                ).ids
            ),
        )
        self.assertEqual(values["amount_to_pay_value"], self.expected_overdue)
        self.assertEqual(values["amount_to_pay"], "$860.00")
        run = self._send(wizard)
        line = run.line_ids
        self.assertEqual(line.amount_overdue, self.expected_overdue)
        message = line.correspondence_id.mail_message_id
        self.assertEqual(line.state, "sent", line.message)
        self.assertIn(self.misc_entry.name, message.body)
        self.assertIn(self.later_refund.name, message.body)
        self.assertNotIn(self.later_invoice.name, message.body)
        self.assertNotIn(f"/my/invoices/{self.other_company_invoice.id}?", message.body)
        self.assertIn("$860.00", message.body)
        footer = message.body.split("<tfoot>")[1]
        self.assertNotIn("-$", footer, "never a negative amount to pay")
        self.assertNotIn("-€", footer, "never a negative amount to pay")
        self.assertEqual(
            line.correspondence_id.move_ids,
            self.partly_paid
            | self.foreign_invoice
            | self.branch_invoice
            | self.misc_entry,
        )

        # the panel: the same open moves, with days late by the same due dates
        panel = workspace_panel(debtor)
        by_id = {invoice["id"]: invoice for invoice in panel["invoices"]}
        self.assertEqual(panel["invoice_count"], 7)
        self.assertEqual(by_id[self.misc_entry.id]["days_late"], 21)
        self.assertEqual(by_id[self.later_refund.id]["days_late"], 0)
        self.assertEqual(by_id[self.later_invoice.id]["days_late"], 0)

        # the statement: every open item, the balance equal to amount_due
        statement = self.debtor_en._get_debtor_reminder_values(
            fields.Date.to_date("2026-06-15"), self.company, all_open=True
        )[self.debtor_en.id]
        self.assertEqual(len(statement["rows"]), 7)
        self.assertEqual(statement["amount_to_pay_value"], self.expected_due)

    def test_item_without_due_date_is_due_on_its_date(self):
        debtor = self._debtor(self.debtor_en, as_of="2026-05-25")
        # the misc entry of 25 May is not late on 25 May
        self.assertEqual(debtor.overdue_invoice_count, 2)
        debtor = self._debtor(self.debtor_en, as_of="2026-05-26")
        self.assertEqual(debtor.overdue_invoice_count, 3)

    def test_net_credit_debtor_is_never_asked_to_pay(self):
        in_credit = self._create_debtor("Credit Ltd", "en_US", "ap@credit.example")
        self._create_invoice(in_credit, 100.0, "2026-05-01")
        self._create_invoice(in_credit, 300.0, "2026-05-10", move_type="out_refund")
        debtor = self._debtor(in_credit)
        self.assertEqual(debtor.amount_due, -200.0)
        self.assertEqual(debtor.amount_overdue, 0.0)
        wizard = self.env["account.debtor.remind"].create({"date": "2026-06-15"})
        wizard.action_select_overdue()
        self.assertNotIn(in_credit, wizard.partner_ids)
        wizard.partner_ids = [Command.link(in_credit.id)]
        line = wizard.line_ids.filtered(lambda line: line.partner_id == in_credit)
        self.assertEqual(line.state, "skipped")
        self.assertIn("credits cover", line.message)
        self._send(wizard)
        self.assertFalse(
            in_credit.message_ids.filtered(lambda m: m.message_type == "comment")
        )

    def test_credit_note_due_later_reduces_overdue(self):
        partner = self._create_debtor("Later Credit Ltd", "en_US", "ap@lc.example")
        self._create_invoice(partner, 1000.0, "2026-05-01")
        self._create_invoice(partner, 400.0, "2026-09-01", move_type="out_refund")
        self.assertEqual(self._debtor(partner).amount_overdue, 600.0)

    def test_wizard_opens_at_the_as_of_date_from_every_entry_point(self):
        debtor = self._debtor(self.debtor_en)
        Debtor = self.env["account.debtor"].with_context(debtor_as_of_date="2026-06-01")
        Workspace = self.env["account.debtor.workspace"].with_context(
            debtor_as_of_date="2026-06-01"
        )
        Remind = self.env["account.debtor.remind"]
        for action in (
            Debtor.browse(debtor.ids).action_open_reminder(),
            Workspace.action_open_workspace_reminder(debtor.ids),
        ):
            wizard = Remind.browse(action["res_id"])
            self.assertEqual(fields.Date.to_string(wizard.date), "2026-06-01")
            self.assertEqual(wizard.partner_ids, self.debtor_en)
        # Action > Send payment reminders: the window action bound to the
        # overview opens the wizard with the list's context
        action = self.env.ref("account_debtor_collection.action_account_debtor_remind")
        self.assertEqual(action.binding_model_id.model, "account.debtor")
        wizard = Remind.with_context(
            debtor_as_of_date="2026-06-01",
            active_model="account.debtor",
            active_ids=debtor.ids,
        ).create({})
        self.assertEqual(fields.Date.to_string(wizard.date), "2026-06-01")
        self.assertEqual(wizard.partner_ids, self.debtor_en)
        # the customer's own buttons and its Action menu: today
        action = self.debtor_en.action_debtor_remind()
        wizard = Remind.browse(action["res_id"])
        self.assertEqual(fields.Date.to_string(wizard.date), "2026-06-15")
        wizard = Remind.with_context(
            active_model="res.partner", active_ids=self.branch.ids
        ).create({})
        self.assertEqual(fields.Date.to_string(wizard.date), "2026-06-15")
        self.assertEqual(wizard.partner_ids, self.debtor_en)

    def test_template_renders_by_itself(self):
        template = self.env.ref(
            "account_debtor_collection.mail_template_debtor_reminder"
        )
        body = template._render_field("body_html", self.debtor_en.ids)[
            self.debtor_en.id
        ]
        self.assertIn(self.partly_paid.name, body)
        self.assertIn("$860.00", body)
        body = template.with_context(debtor_as_of_date="2026-05-15")._render_field(
            "body_html", self.debtor_en.ids
        )[self.debtor_en.id]
        self.assertIn(self.partly_paid.name, body)
        self.assertNotIn(self.branch_invoice.name, body, "due 1 June")

    def test_partner_figure_does_not_aggregate_the_ledger(self):
        Debtor = type(self.env["account.debtor"])
        with patch.object(
            Debtor, "_get_overview_query", side_effect=AssertionError("whole ledger")
        ):
            self.debtor_en.invalidate_recordset()
            self.assertEqual(
                self.debtor_en.debtor_amount_overdue, self.expected_overdue
            )

    def test_figures_limited_to_accounting_users(self):
        Partner = self.env["res.partner"]
        for name in ("debtor_amount_overdue", "debtor_no_reminder"):
            self.assertIn("account.group_account_invoice", Partner._fields[name].groups)

    def test_messages_are_whole_sentences_with_local_dates(self):
        self.billing_user.lang = "lv_LV"
        self.env["account.debtor.correspondence"].create(
            {
                "partner_id": self.debtor_en.id,
                "promise_date": "2026-06-20",
                "note": "Will pay",
            }
        )
        wizard = (
            self.env["account.debtor.remind"]
            .with_user(self.billing_user)
            .with_context(lang="lv_LV")
            .create(
                {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
            )
        )
        message = wizard.line_ids.message
        self.assertIn("2026.06.20.", message)
        self.assertNotIn("2026-06-20", message)
        wizard.force = True
        run = self._send(wizard)
        self.assertNotIn("(s)", run.line_ids.message)
        self.assertIn(": 4.", run.line_ids.message)
