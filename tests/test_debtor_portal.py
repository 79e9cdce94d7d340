import re
from datetime import timedelta

from babel.dates import format_date
from babel.numbers import format_currency

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon

from .common import DebtorCollectionCommon, new_billing_user


class DebtorPortalCommon(AccountTestInvoicingHttpCommon):
    """A Latvian debtor with a late invoice, one not due yet and a credit
    note, another debtor, and the same debtor in a second company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.lang_lv").active = True
        cls.company = cls.env.company
        cls.company.debtor_reminder_attach_statement = False
        cls.today = fields.Date.today()
        cls.collector = new_billing_user(
            cls.env, "portal_collector", name="Portal Collector", lang="en_US", tz="UTC"
        )
        Partner = cls.env["res.partner"]
        cls.debtor = Partner.create(
            {
                "name": "SIA Koks",
                "is_company": True,
                "lang": "lv_LV",
                "email": "birojs@koks.example",
            }
        )
        cls.debtor.with_company(cls.company).debtor_collector_id = cls.collector
        cls.contact = Partner.create(
            {
                "name": "Anna Ozola",
                "parent_id": cls.debtor.id,
                "email": "anna@koks.example",
            }
        )
        cls.other_debtor = Partner.create(
            {"name": "Northwind Ltd", "is_company": True, "lang": "en_US"}
        )
        cls.late = cls._invoice(cls.debtor, 1000.0, -30)
        cls.not_due = cls._invoice(cls.debtor, 250.0, 10)
        cls.credit = cls._invoice(cls.debtor, 100.0, -20, move_type="out_refund")
        cls.other_invoice = cls._invoice(cls.other_debtor, 777.0, -30)
        cls.company_2 = cls.setup_other_company()["company"]
        cls.other_company_invoice = cls._invoice(
            cls.debtor, 4321.0, -30, company=cls.company_2
        )
        cls.reason = cls.env.ref("account_debtor_collection.dispute_reason_quality")

    @classmethod
    def _invoice(
        cls,
        partner,
        amount,
        due_in_days,
        move_type="out_invoice",
        company=None,
        currency=None,
    ):
        due = fields.Date.today() + timedelta(days=due_in_days)
        move = (
            cls.env["account.move"]
            .with_company(company or cls.env.company)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": due - timedelta(days=30),
                    "invoice_payment_term_id": False,
                    "invoice_date_due": due,
                    "currency_id": (
                        currency or (company or cls.env.company).currency_id
                    ).id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _path(self, partner=None, company=None, token=None):
        partner = partner or self.debtor
        token = token or partner._get_debtor_portal_token(company or self.company)
        return f"/my/collection/{partner.id}?access_token={token}"

    def _amount(self, amount, currency=None):
        """An amount as the page shows it to the Latvian debtor."""
        currency = currency or self.company.currency_id
        return format_currency(amount, currency.name, locale="lv_LV")

    def _csrf(self, html):
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def _post(self, action, data, partner=None):
        """Post a form of the debtor's page, as the browser would."""
        partner = partner or self.debtor
        page = self.url_open(self._path(partner))
        self.assertEqual(page.status_code, 200)
        token = partner._get_debtor_portal_token(self.company)
        return self.url_open(
            f"/my/collection/{partner.id}/{action}",
            data={"csrf_token": self._csrf(page.text), "access_token": token, **data},
            allow_redirects=False,
        )

    def _enable_payment_provider(self):
        """A provider in test mode for the company, as Odoo's payment tests
        enable one."""
        payment_method = self.env.ref("payment.payment_method_unknown")
        self.env["payment.provider"].create(
            {
                "name": "Test Provider",
                "code": "none",
                "state": "test",
                "is_published": True,
                "company_id": self.company.id,
                "payment_method_ids": [Command.set(payment_method.ids)],
            }
        )
        payment_method.active = True

    def _entries(self):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", self.debtor.id), ("source", "=", "portal")]
        )


@tagged("post_install", "-at_install")
class TestDebtorPortal(DebtorPortalCommon):
    def test_page_with_token(self):
        response = self.url_open(self._path())
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn(
            'js_change_lang active" role="menuitem" href="/lv/',
            html,
            "in the debtor's language",
        )
        self.assertIn(
            format_date(self.late.invoice_date_due, "medium", locale="lv_LV"), html
        )
        for move in self.late | self.not_due | self.credit:
            self.assertIn(move.name, html)
        # the late invoice first, with its days late, the amounts as the
        # Latvian reads them, the credit note as a credit
        self.assertLess(html.index(self.late.name), html.index(self.not_due.name))
        self.assertIn(">30<", html)
        self.assertIn(self._amount(1000.0), html)
        self.assertIn(self._amount(-100.0), html)
        self.assertIn("Credit", html)
        # the figures of the overview, at today
        debtor = self.env["account.debtor"].search(
            [("partner_id", "=", self.debtor.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(debtor.amount_overdue, 900.0)
        self.assertIn(self._amount(debtor.amount_overdue), html)
        self.assertIn(self._amount(debtor.amount_due), html)
        # nothing of another debtor, nor of the other company
        self.assertNotIn(self.other_invoice.name, html)
        self.assertNotIn(self._amount(777.0), html)
        self.assertNotIn(self._amount(4321.0, self.company_2.currency_id), html)
        self.assertIn(f"/my/collection/{self.debtor.id}/statement?access_token=", html)

    def test_amounts_per_currency(self):
        eur = self.setup_other_currency("EUR")
        self._invoice(self.debtor, 500.0, -5, currency=eur)
        html = self.url_open(self._path()).text
        debtor = self.env["account.debtor"].search(
            [("partner_id", "=", self.debtor.id), ("company_id", "=", self.company.id)]
        )
        # each currency on its own, and the overview's figure for them all
        self.assertIn(self._amount(900.0), html)
        self.assertIn(self._amount(500.0, eur), html)
        self.assertIn("Total to pay, all currencies", html)
        self.assertIn(self._amount(debtor.amount_overdue), html)

    def test_the_other_company_has_its_own_link(self):
        html = self.url_open(self._path(company=self.company_2)).text
        self.assertIn(self.company_2.name, html)
        self.assertIn(self._amount(4321.0, self.company_2.currency_id), html)
        self.assertNotIn(self._amount(1000.0), html)

    @mute_logger("odoo.http")
    def test_wrong_token_or_other_partner_refused(self):
        token = self.debtor._get_debtor_portal_token(self.company)
        changed = token[:-1] + ("1" if token[-1] == "0" else "0")
        signature = token.partition("-")[2]
        cases = {
            "another partner id": (
                f"/my/collection/{self.other_debtor.id}?access_token={token}",
                403,
            ),
            "a changed token": (
                f"/my/collection/{self.debtor.id}?access_token={changed}",
                403,
            ),
            "another company in the token": (
                f"/my/collection/{self.debtor.id}"
                f"?access_token={self.company_2.id}-{signature}",
                403,
            ),
            "a company id out of range": (
                f"/my/collection/{self.debtor.id}?access_token=99999999999999-{signature}",
                403,
            ),
            "no token": (f"/my/collection/{self.debtor.id}", 403),
            "a contact's id": (
                f"/my/collection/{self.contact.id}?access_token={token}",
                403,
            ),
            "no such partner": (f"/my/collection/999999999?access_token={token}", 404),
            "the statement": (
                f"/my/collection/{self.other_debtor.id}/statement?access_token={token}",
                403,
            ),
        }
        for case, (path, status) in cases.items():
            with self.subTest(case):
                response = self.url_open(path)
                self.assertEqual(response.status_code, status)
                self.assertNotIn(self.late.name, response.text)
                self.assertNotIn(self.other_invoice.name, response.text)

    @mute_logger("odoo.http")
    def test_regenerated_link_revokes_the_old_one(self):
        old_path = self._path()
        self.debtor.with_user(self.collector).action_debtor_regenerate_portal_link()
        self.assertEqual(self.url_open(old_path).status_code, 403)
        self.assertEqual(self.url_open(self._path()).status_code, 200)

    def test_statement_pdf(self):
        token = self.debtor._get_debtor_portal_token(self.company)
        response = self.url_open(
            f"/my/collection/{self.debtor.id}/statement?access_token={token}"
        )
        self.assertEqual(response.status_code, 200)
        # tests render the report's HTML rather than the PDF
        self.assertIn(self.late.name, response.text)
        self.assertIn(self._amount(1000.0), response.text)
        self.assertNotIn(self.other_invoice.name, response.text)
        self.assertIn(self.debtor._get_debtor_portal_url(self.company), response.text)

    def test_promise_posted(self):
        promise_date = self.today + timedelta(days=10)
        response = self._post(
            "promise",
            {
                "move_ids": str(self.late.id),
                "promise_date": fields.Date.to_string(promise_date),
                "message": "We pay after the board meeting",
            },
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("answer=promise", response.headers["Location"])
        entry = self._entries()
        self.assertEqual(len(entry), 1)
        self.assertRecordValues(
            entry,
            [
                {
                    "kind": "note",
                    "source": "portal",
                    "contact_id": self.debtor.id,
                    "user_id": self.collector.id,
                    "company_id": self.company.id,
                    "promise_date": promise_date,
                    "promise_state": "pending",
                    "note": "We pay after the board meeting",
                }
            ],
        )
        self.assertEqual(entry.move_ids, self.late)
        # the collector is told
        activity = self.debtor.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref(
                    "account_debtor_collection.mail_activity_type_debtor_portal"
                )
            )
        )
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn("SIA Koks promised online to pay by", activity.summary)
        # the reminders pause, as for a collector's promise
        checks = self.env["account.debtor"]._get_reminder_checks(
            self.debtor, self.company, self.today
        )
        self.assertEqual(checks[self.debtor]["state"], "skipped")
        self.assertIn("Payment promised", checks[self.debtor]["message"])
        self.assertFalse(
            self.env["account.debtor"].search(
                [
                    ("partner_id", "=", self.debtor.id),
                    *self.env["account.debtor"]._get_remindable_domain(
                        self.company, self.today
                    ),
                ]
            )
        )
        # the workspace's timeline: the customer's own entry
        debtor = self.env["account.debtor"].search(
            [("partner_id", "=", self.debtor.id), ("company_id", "=", self.company.id)]
        )
        [panel_entry] = debtor.with_user(self.collector).get_workspace_panel()[
            "entries"
        ]
        self.assertEqual(panel_entry["source"], "portal")
        self.assertEqual(panel_entry["user_name"], "SIA Koks")
        # the page confirms it
        html = self.url_open(response.headers["Location"]).text
        self.assertIn("o_debtor_portal_thanks", html)
        self.assertIn("o_debtor_portal_promise", html)

    def test_promise_dates_checked(self):
        limit = self.company.debtor_portal_promise_days
        self.assertEqual(limit, 30)
        cases = {
            # in the debtor's language, Latvian
            "in the past": (self.today - timedelta(days=1), "nevar būt pagātnē"),
            "beyond the limit": (
                self.today + timedelta(days=limit + 1),
                "ne vēlāk kā",
            ),
        }
        for case, (promise_date, message) in cases.items():
            with self.subTest(case):
                response = self._post(
                    "promise",
                    {
                        "promise_date": fields.Date.to_string(promise_date),
                        "message": "Typed with care",
                    },
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn(message, response.text)
                # nothing lost: the page keeps what was typed
                self.assertIn("Typed with care</textarea>", response.text)
                self.assertIn(fields.Date.to_string(promise_date), response.text)
        self.assertFalse(self._entries())
        # the last day of the limit is fine
        response = self._post(
            "promise",
            {"promise_date": fields.Date.to_string(self.today + timedelta(days=limit))},
        )
        self.assertEqual(response.status_code, 303)
        # no invoice ticked: the ones overdue
        self.assertEqual(self._entries().move_ids, self.late)

    def test_promise_about_another_debtors_invoice_refused(self):
        response = self._post(
            "promise",
            {
                "move_ids": str(self.other_invoice.id),
                "promise_date": fields.Date.to_string(self.today),
            },
        )
        self.assertEqual(response.status_code, 200)
        # in the debtor's language, Latvian
        self.assertIn("izvēlieties kādu no šajā lapā norādītajiem", response.text)
        self.assertFalse(self._entries())
        self.assertFalse(self.other_invoice.debtor_correspondence_ids)

    def test_dispute_posted(self):
        response = self._post(
            "dispute",
            {
                "move_id": str(self.late.id),
                "reason_id": str(self.reason.id),
                "message": "Two parts arrived broken",
            },
        )
        self.assertEqual(response.status_code, 303)
        entry = self._entries()
        self.assertRecordValues(
            entry,
            [
                {
                    "kind": "dispute",
                    "source": "portal",
                    "dispute_state": "open",
                    "dispute_reason_id": self.reason.id,
                    "contact_id": self.debtor.id,
                    "user_id": self.collector.id,
                    "note": "Two parts arrived broken",
                }
            ],
        )
        self.assertTrue(self.late.debtor_in_dispute)
        activity = self.debtor.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref(
                    "account_debtor_collection.mail_activity_type_debtor_portal"
                )
            )
        )
        self.assertEqual(activity.user_id, self.collector)
        self.assertIn(self.late.name, activity.summary)
        # out of the reminders: the credit note covers what is left late
        debtor = self.env["account.debtor"].search(
            [("partner_id", "=", self.debtor.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(debtor.amount_disputed, 1000.0)
        self.assertEqual(debtor.amount_overdue, 0.0)
        # a second dispute of it is refused, and a dispute needs a message
        for data, message in (
            # in the debtor's language, Latvian
            ({"move_id": str(self.late.id), "message": "Again"}, "jau ir apstrīdēts"),
            ({"move_id": str(self.not_due.id), "message": ""}, "kas nav kārtībā"),
        ):
            response = self._post("dispute", {"reason_id": str(self.reason.id), **data})
            self.assertEqual(response.status_code, 200)
            self.assertIn(message, response.text)
        self.assertEqual(len(self._entries()), 1)

    @mute_logger("odoo.http")
    def test_post_without_csrf_token_refused(self):
        token = self.debtor._get_debtor_portal_token(self.company)
        self.url_open(self._path())
        response = self.url_open(
            f"/my/collection/{self.debtor.id}/promise",
            data={
                "access_token": token,
                "promise_date": fields.Date.to_string(self.today),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._entries())

    def test_rate_limit(self):
        data = {"promise_date": fields.Date.to_string(self.today)}
        for _answer in range(5):
            self.assertEqual(self._post("promise", data).status_code, 303)
        response = self._post("promise", data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Pēdējās stundas laikā", response.text, "in Latvian")
        self.assertEqual(len(self._entries()), 5)

    def test_payment_links_present_for_providers(self):
        html = self.url_open(self._path()).text
        self.assertNotIn("o_debtor_portal_pay", html, "no provider enabled yet")
        self._enable_payment_provider()
        html = self.url_open(self._path()).text
        pay_urls = re.findall(r'o_debtor_portal_pay" href="([^"]+)"', html)
        self.assertEqual(len(pay_urls), 2, "the two invoices, not the credit note")
        expected = self.late.get_portal_url(
            anchor="portal_pay", query_string="&payment=True"
        )
        self.assertIn(expected.replace("&", "&amp;"), pay_urls)
        # the invoice portal's payment flow, without logging in
        invoice_page = self.url_open(expected)
        self.assertEqual(invoice_page.status_code, 200)
        self.assertIn('id="pay_with"', invoice_page.text)

    def test_logged_in_portal_user(self):
        portal_user = new_test_user(
            self.env,
            login="anna_portal",
            groups="base.group_portal",
            partner_id=self.contact.id,
        )
        self.assertEqual(portal_user.partner_id, self.contact)
        self.authenticate("anna_portal", "anna_portal")
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["debtor_item_count"]}
        )
        self.assertEqual(counters["debtor_item_count"], 3, "on the portal's home")
        page = self.url_open("/my/collection")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.late.name, page.text)
        self.assertNotIn(self._amount(4321.0, self.company_2.currency_id), page.text)
        response = self.url_open(
            f"/my/collection/{self.debtor.id}/promise",
            data={
                "csrf_token": self._csrf(page.text),
                "promise_date": fields.Date.to_string(self.today + timedelta(days=3)),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._entries().contact_id, self.contact, "the portal user")
        # the secret stays out of its reach
        with self.assertRaises(AccessError):
            self.debtor.with_user(portal_user).read(["debtor_portal_secret"])

    def test_workspace_shows_the_customers_answer(self):
        response = self._post(
            "promise",
            {
                "promise_date": fields.Date.to_string(self.today),
                "message": "We pay on Friday",
            },
        )
        self.assertEqual(response.status_code, 303)
        self.start_tour(
            "/odoo/action-account_debtor_collection.action_account_debtor",
            "account_debtor_collection_portal_in_workspace",
            login=self.collector.login,
        )

    def test_tour_promise_as_the_debtor(self):
        self._enable_payment_provider()
        self.start_tour(self._path(), "account_debtor_collection_portal_promise")
        entry = self._entries()
        self.assertEqual(len(entry), 1)
        self.assertEqual(entry.promise_date, self.today)
        self.assertEqual(entry.note, "We pay after the board meeting")


@tagged("post_install", "-at_install")
class TestDebtorPortalLink(DebtorCollectionCommon):
    """The link every reminder and statement carries, and who may write the
    customer's entries."""

    def test_reminder_links_the_page(self):
        self.company.debtor_reminder_attach_statement = False
        self._create_invoice(self.debtor_en, 400.0, "2026-05-01")
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
        )
        run = self._send(wizard)
        body = run.line_ids.correspondence_id.mail_message_id.body
        url = self.debtor_en._get_debtor_portal_url(self.company)
        self.assertIn(f'href="{url}"', body)
        self.assertEqual(
            self.debtor_en._check_debtor_portal_token(url.split("access_token=")[1]),
            self.company,
        )

    def test_token(self):
        token = self.debtor_lv._get_debtor_portal_token(self.company)
        self.assertEqual(self.debtor_lv._check_debtor_portal_token(token), self.company)
        self.assertFalse(self.debtor_en._check_debtor_portal_token(token))
        self.assertFalse(self.debtor_lv._check_debtor_portal_token(token.upper()))
        self.assertFalse(self.debtor_lv._check_debtor_portal_token(""))
        contact = self.env["res.partner"].create(
            {"name": "Jānis", "parent_id": self.debtor_lv.id}
        )
        self.assertEqual(contact._get_debtor_portal_token(self.company), token)
        self.assertFalse(contact._check_debtor_portal_token(token))

    def test_regenerate_needs_an_invoicing_user(self):
        employee = new_test_user(self.env, login="employee", groups="base.group_user")
        token = self.debtor_lv._get_debtor_portal_token(self.company)
        with self.assertRaises(AccessError):
            self.debtor_lv.with_user(employee).action_debtor_regenerate_portal_link()
        self.assertEqual(self.debtor_lv._check_debtor_portal_token(token), self.company)
        self.debtor_lv.with_user(
            self.billing_user
        ).action_debtor_regenerate_portal_link()
        self.assertFalse(self.debtor_lv._check_debtor_portal_token(token))

    def test_users_cannot_write_customer_entries(self):
        Entry = self.env["account.debtor.correspondence"].with_user(self.billing_user)
        with self.assertRaises(AccessError):
            Entry.create({"partner_id": self.debtor_lv.id, "source": "portal"})
        entry = Entry.with_context(default_source="portal").create(
            {"partner_id": self.debtor_lv.id, "note": "Called"}
        )
        self.assertEqual(entry.source, "user")
