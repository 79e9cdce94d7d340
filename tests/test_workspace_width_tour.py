from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import new_billing_user

WORKSPACE_URL = "/odoo/action-account_debtor_collection.action_account_debtor"


@tagged("post_install", "-at_install")
class TestWorkspaceWidth(HttpCase):
    """The overview on a laptop (1,280 px) with the panel open: names and
    amounts readable, no horizontal scroll bar."""

    browser_size = "1280x800"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_billing_user(
            cls.env, "width_collector", name="Width Collector", lang="en_US", tz="UTC"
        )
        today = cls.env.company._get_debtor_today()
        partner = cls.env["res.partner"].create(
            {
                "name": "Müller Maschinenbau GmbH",
                "is_company": True,
                "lang": "en_US",
                "email": "buchhaltung@mueller.example",
            }
        )
        move = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": today - timedelta(days=60),
                "invoice_payment_term_id": False,
                "invoice_date_due": today - timedelta(days=30),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Machining",
                            "quantity": 1,
                            "price_unit": 1234567.89,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        move.action_post()

    def test_names_and_amounts_readable_beside_the_panel(self):
        self.start_tour(
            WORKSPACE_URL, "account_debtor_workspace_width", login=self.user.login
        )
