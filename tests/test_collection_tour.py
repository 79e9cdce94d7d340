from odoo import SUPERUSER_ID, Command
from odoo.tests import HttpCase, tagged

from .common import new_billing_user


@tagged("post_install", "-at_install")
class TestCollectionScreens(HttpCase):
    """The invoice and debtor forms, in the browser, as a billing user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.lang_lv").active = True
        cls.env["ir.module.module"]._load_module_terms(
            ["account_debtor_collection"], ["lv_LV"], overwrite=True
        )
        cls.company = cls.env.company
        cls.company.debtor_reminder_attach_statement = False
        cls.user = new_billing_user(
            cls.env, "collector", name="Collector", lang="en_US", tz="UTC"
        )
        cls.debtor = cls.env["res.partner"].create(
            {
                "name": "SIA Rīgas Tekstils",
                "is_company": True,
                "lang": "lv_LV",
                "email": "info@tekstils.example",
            }
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Ilze Kalniņa", "parent_id": cls.debtor.id}
        )
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.debtor.id,
                "invoice_date": "2026-01-10",
                "invoice_payment_term_id": False,
                "invoice_date_due": "2026-02-10",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Fabric",
                            "quantity": 1,
                            "price_unit": 815.0,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        cls.invoice.action_post()

    def test_note_from_the_invoice(self):
        self.start_tour(
            f"/odoo/action-account.action_move_out_invoice_type/{self.invoice.id}",
            "account_debtor_collection_invoice_note",
            login="collector",
        )
        note = self.invoice.debtor_correspondence_ids
        self.assertEqual(len(note), 1)
        self.assertEqual(note.kind, "note")
        self.assertEqual(note.contact_id, self.contact)
        self.assertEqual(note.user_id, self.user)
        self.assertEqual(str(note.promise_date), "2026-06-19")
        self.assertEqual(note.partner_id, self.debtor)

    def test_reminder_from_the_debtor_form(self):
        debtor = self.env["account.debtor"].search(
            [("partner_id", "=", self.debtor.id)]
        )
        self.start_tour(
            f"/odoo/action-account_debtor_collection.action_account_debtor/{debtor.id}",
            "account_debtor_collection_form_reminder",
            login="collector",
        )
        Run = self.env(user=SUPERUSER_ID)["account.debtor.reminder.run"]
        Run._cron_send_runs()
        self.env.invalidate_all()
        entry = self.debtor.debtor_correspondence_ids
        self.assertEqual(entry.kind, "reminder")
        self.assertEqual(entry.move_ids, self.invoice)
        self.assertEqual(entry.mail_message_id.model, "res.partner")
        self.assertIn("Labdien", entry.mail_message_id.body)
