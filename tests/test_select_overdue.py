from odoo.tests import tagged

from .common import DebtorCollectionCommon


@tagged("post_install", "-at_install")
class TestWorkspaceSelectAgrees(DebtorCollectionCommon):
    """The workspace's "Select all overdue" and the reminder wizard agree:
    what the wizard would skip is not ticked, and the user is told why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_invoice(cls.debtor_lv, 500.0, "2026-05-01")
        cls._create_invoice(cls.debtor_en, 300.0, "2026-05-01")
        cls.no_email = cls._create_debtor("Bez Pasta SIA", "lv_LV")
        cls._create_invoice(cls.no_email, 200.0, "2026-05-01")
        journal = cls.company_data["default_journal_bank"]
        cls.env["account.bank.statement.line"].create(
            {
                "journal_id": journal.id,
                "partner_id": cls.debtor_en.id,
                "amount": 100.0,
                "date": "2026-06-14",
                "payment_ref": "Northwind pays",
            }
        )

    def test_skipped_debtors_not_selected_with_their_reason(self):
        Debtor = self.env["account.debtor"].with_context(debtor_as_of_date="2026-06-15")
        Workspace = self.env["account.debtor.workspace"].with_context(
            debtor_as_of_date="2026-06-15"
        )
        result = Workspace.get_workspace_remindable()
        selected = Debtor.browse(result["ids"]).partner_id
        self.assertIn(self.debtor_lv, selected)
        self.assertNotIn(self.debtor_en, selected)
        self.assertNotIn(self.no_email, selected)
        reasons = {entry["name"]: entry["reason"] for entry in result["skipped"]}
        self.assertIn("in the bank", reasons["Northwind Ltd"])
        self.assertIn("No e-mail address", reasons["Bez Pasta SIA"])
        self.assertEqual(Workspace.get_workspace_overdue_ids(), result["ids"])

        # the wizard opened on the selection sends to every one of them
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [(6, 0, selected.ids)]}
        )
        self.assertEqual(set(wizard.line_ids.mapped("state")), {"to_send"})
        self.assertEqual(wizard.send_count, len(selected))
