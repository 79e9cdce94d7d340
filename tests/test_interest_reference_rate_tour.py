from datetime import date

from odoo.tests import HttpCase, tagged

SETTINGS_URL = "/odoo/action-account.action_account_config"


@tagged("post_install", "-at_install")
class TestInterestReferenceRateTour(HttpCase):
    """The reference rates by half-year, reached from the collection
    settings, in the browser."""

    def test_rates_from_the_settings(self):
        self.env.ref("base.user_admin").write({"lang": "en_US", "tz": "UTC"})
        self.start_tour(SETTINGS_URL, "account_debtor_interest_rates", login="admin")
        row = self.env["account.debtor.interest.reference.rate"].search(
            [("date_from", "=", date(2027, 1, 1))]
        )
        self.assertEqual(len(row), 1)
        self.assertAlmostEqual(row.rate, 2.4)
