from datetime import timedelta

from odoo import SUPERUSER_ID, Command, fields
from odoo.tests import HttpCase, tagged

from .common import new_billing_user


@tagged("post_install", "-at_install")
class TestCollectionEffectTour(HttpCase):
    """The collector's worklist, the effect of reminders and the ageing, in
    the browser, as a billing user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        today = fields.Date.context_today(cls.env.user)
        cls.user = new_billing_user(
            cls.env, "effect_collector", name="Effect Collector", lang="en_US", tz="UTC"
        )
        Partner = cls.env["res.partner"]
        worklist, broken, quiet = Partner.create(
            [
                {"name": name, "is_company": True, "lang": "en_US"}
                for name in ("Worklist Debtor", "Broken Promise Debtor", "Quiet Debtor")
            ]
        )
        (worklist | broken | quiet).with_company(
            cls.company
        ).debtor_collector_id = cls.user
        invoices = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": today - timedelta(days=days + 30),
                    "invoice_payment_term_id": False,
                    "invoice_date_due": today - timedelta(days=days),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Services",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
                for partner, amount, days in (
                    (worklist, 1000.0, 40),
                    (broken, 2000.0, 120),
                    (quiet, 500.0, 40),
                )
            ]
        )
        invoices.action_post()
        Entry = cls.env["account.debtor.correspondence"]
        Entry.create(
            [
                {"partner_id": worklist.id, "next_action_date": today},
                {
                    "partner_id": broken.id,
                    "promise_date": today - timedelta(days=3),
                    "move_ids": [Command.set(invoices[1].ids)],
                },
            ]
        )
        # a reminder of 1,000, and a credit note of 400 three days after it
        Entry.with_user(SUPERUSER_ID).create(
            {
                "partner_id": worklist.id,
                "kind": "reminder",
                "date": today,
                "user_id": cls.user.id,
                "amount_reminded": 1000.0,
                "move_ids": [Command.set(invoices[0].ids)],
            }
        )
        refund = cls.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": worklist.id,
                "invoice_date": today + timedelta(days=3),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Discount",
                            "quantity": 1,
                            "price_unit": 400.0,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        refund.action_post()
        (refund | invoices[0]).line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).reconcile()

    def test_worklist_effect_and_ageing(self):
        self.start_tour(
            "/odoo/action-account_debtor_collection.action_account_debtor_worklist",
            "account_debtor_collection_effect",
            login="effect_collector",
        )
