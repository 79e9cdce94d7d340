from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import DebtorCollectionCommon, workspace_panel


@tagged("post_install", "-at_install")
class TestDebtorAccess(DebtorCollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_invoice(cls.debtor_lv, 100.0, "2026-05-01")
        cls.plain_user = new_test_user(cls.env, login="plain", groups="base.group_user")
        cls.auditor = new_test_user(
            cls.env,
            login="auditor",
            groups="base.group_user,account.group_account_readonly",
        )
        cls.accountant = new_test_user(
            cls.env,
            login="accountant",
            groups="base.group_user,account.group_account_user",
        )
        cls.other_billing_user = new_test_user(
            cls.env,
            login="billing2",
            groups="base.group_user,account.group_account_invoice",
        )
        cls.note = cls.env["account.debtor.correspondence"].create(
            {
                "partner_id": cls.debtor_lv.id,
                "note": "Called",
                "user_id": cls.billing_user.id,
            }
        )

    def test_user_without_accounting_rights_sees_nothing(self):
        with self.assertRaises(AccessError):
            self.env["account.debtor"].with_user(self.plain_user).search([])
        with self.assertRaises(AccessError):
            self.note.with_user(self.plain_user).read(["note"])
        with self.assertRaises(AccessError):
            self.env["account.debtor.remind"].with_user(self.plain_user).create({})

    def test_workspace_panel_follows_the_rules(self):
        debtor = self.env["account.debtor"].search(
            [("partner_id", "=", self.debtor_lv.id)]
        )
        panel = workspace_panel(debtor.with_user(self.billing_user))
        self.assertTrue(panel["found"])
        self.assertEqual(panel["invoice_count"], 1)
        with self.assertRaises(AccessError):
            workspace_panel(debtor.with_user(self.plain_user))
        company_2 = self.setup_other_company()["company"]
        self._create_invoice(self.debtor_lv, 500.0, "2026-05-01", company=company_2)
        other = (
            self.env["account.debtor"]
            .with_context(allowed_company_ids=[company_2.id])
            .search([("partner_id", "=", self.debtor_lv.id)])
        )
        self.assertEqual(other.company_id, company_2)
        other = self.env["account.debtor"].browse(other.id).with_user(self.billing_user)
        hidden = workspace_panel(other)
        self.assertFalse(hidden["found"])
        self.assertFalse(hidden["invoices"])

    def test_auditor_reads_only(self):
        self.assertTrue(self.env["account.debtor"].with_user(self.auditor).search([]))
        self.assertEqual(self.note.with_user(self.auditor).note, "Called")
        with self.assertRaises(AccessError):
            self.note.with_user(self.auditor).write({"note": "Changed"})

    def test_billing_user_changes_only_own_notes(self):
        own = self.note.with_user(self.billing_user)
        own.write({"note": "Promised to pay"})
        self.assertEqual(self.note.note, "Promised to pay")
        other = self.note.with_user(self.other_billing_user)
        self.assertEqual(other.note, "Promised to pay")
        with self.assertRaises(AccessError):
            other.write({"note": "Not mine"})
        with self.assertRaises(AccessError):
            other.unlink()
        with self.assertRaises(AccessError):
            self.env["account.debtor.correspondence"].with_user(
                self.other_billing_user
            ).create({"partner_id": self.debtor_lv.id, "user_id": self.billing_user.id})

    def test_accountant_changes_all(self):
        self.note.with_user(self.accountant).write({"note": "Checked"})
        self.assertEqual(self.note.note, "Checked")

    def test_other_company_hidden(self):
        company_2 = self.setup_other_company()["company"]
        self._create_invoice(self.debtor_lv, 500.0, "2026-05-01", company=company_2)
        entry = self.env["account.debtor.correspondence"].create(
            {
                "partner_id": self.debtor_lv.id,
                "company_id": company_2.id,
                "note": "Secret",
            }
        )
        self.accountant.company_ids = [Command.set(self.company.ids)]
        with self.assertRaises(AccessError):
            entry.with_user(self.accountant).read(["note"])
        debtors = self.env["account.debtor"].with_user(self.accountant).search([])
        self.assertNotIn(company_2, debtors.company_id)
