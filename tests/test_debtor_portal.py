import re
from datetime import timedelta

import psycopg2
from babel.dates import format_date
from babel.numbers import format_currency

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.sql_db import db_connect
from odoo.tests import new_test_user, tagged
from odoo.tests.common import get_db_name
from odoo.tools import SQL, mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.addons.account_debtor_collection.controllers.portal import (
    STATEMENT_LOCK_KEY,
)

from .common import DebtorCollectionCommon, new_billing_user, workspace_panel


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

    def test_reminders_listed_as_they_were_sent(self):
        """The page lists the reminders sent, read from their documents:
        what each asked, whatever was paid since."""
        self.env["ir.module.module"]._load_module_terms(
            ["account_debtor_collection"], ["lv_LV"], overwrite=True
        )
        self.company.debtor_reminder_interval = 0
        wizard = self.env["account.debtor.remind"].create(
            {"partner_ids": [Command.set(self.debtor.ids)]}
        )
        wizard.action_send()
        self.env(su=True)["account.debtor.reminder.run"]._cron_send_runs()
        entry = wizard.run_id.line_ids.correspondence_id
        self.assertEqual(entry.amount_reminded, 900.0)
        self.env["account.debtor.correspondence"].create(
            {"partner_id": self.debtor.id, "note": "Called: a secret note"}
        )
        payment = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=self.late.ids)
            .create({"amount": 600.0})
        )
        payment._create_payments()
        html = self.url_open(self._path()).text
        section = html.split("o_debtor_portal_reminders")[1]
        self.assertIn(self.late.name, section)
        self.assertIn(self._amount(900.0), section, "what the reminder asked")
        self.assertIn("E-pasts", section, "the channel, in Latvian")
        self.assertNotIn("secret note", html)

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
                404,
            ),
            "a changed token": (
                f"/my/collection/{self.debtor.id}?access_token={changed}",
                404,
            ),
            "another company in the token": (
                f"/my/collection/{self.debtor.id}"
                f"?access_token={self.company_2.id}-{signature}",
                404,
            ),
            "a company id out of range": (
                f"/my/collection/{self.debtor.id}?access_token=99999999999999-{signature}",
                404,
            ),
            "no token": (f"/my/collection/{self.debtor.id}", 404),
            "a contact's id": (
                f"/my/collection/{self.contact.id}?access_token={token}",
                404,
            ),
            "no such partner": (f"/my/collection/999999999?access_token={token}", 404),
            "the statement": (
                f"/my/collection/{self.other_debtor.id}/statement?access_token={token}",
                404,
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
        self.assertEqual(self.url_open(old_path).status_code, 404)
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
        checks = self.env["account.debtor.reminder.check"]._get_reminder_checks(
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
        [panel_entry] = workspace_panel(debtor.with_user(self.collector))["entries"]
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
        Entry = self.env["account.debtor.correspondence"].sudo()
        for answer in range(4):
            Entry._create_portal_entry(
                self.debtor, self.company, self.debtor, {"note": f"Answer {answer}"}
            )
        data = {"promise_date": fields.Date.to_string(self.today)}
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
                # the invoice not due yet: the late one stays in Overdue
                "move_ids": str(self.not_due.id),
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
class TestDebtorPortalHardening(DebtorPortalCommon):
    """The page refuses what is not the customer's to do, answers unknown and
    forbidden links alike and keeps odd input and parallel requests from
    reaching an error page."""

    @mute_logger("odoo.http")
    def test_unknown_and_forbidden_ids_answer_alike(self):
        token = self.debtor._get_debtor_portal_token(self.company)
        unknown = self.url_open(f"/my/collection/999999999?access_token={token}")
        forbidden = self.url_open(
            f"/my/collection/{self.other_debtor.id}?access_token={token}"
        )
        self.assertEqual(unknown.status_code, 404)
        self.assertEqual(forbidden.status_code, 404)

        def page(response, partner_id):
            # what differs per request: its tokens and the path
            text = re.sub(r"[0-9a-f]{32,}\w*", "TOKEN", response.text)
            return text.replace(str(partner_id), "ID")

        self.assertEqual(
            page(unknown, 999999999), page(forbidden, self.other_debtor.id)
        )

    def test_invalid_invoice_ids_are_refused(self):
        for value in ("-1", str(2**40), "abc", str(self.late.id + 10**6)):
            with self.subTest(value):
                response = self._post(
                    "promise",
                    {
                        "move_ids": value,
                        "promise_date": fields.Date.to_string(self.today),
                    },
                )
                self.assertEqual(response.status_code, 200)
                # in the debtor's language, Latvian
                self.assertIn(
                    "izvēlieties kādu no šajā lapā norādītajiem", response.text
                )
        self.assertFalse(self._entries(), "never all the overdue invoices")

    def test_internal_user_cannot_answer_for_the_customer(self):
        auditor = new_test_user(
            self.env,
            login="portal_auditor",
            groups="base.group_user,account.group_account_readonly",
        )
        self.authenticate(auditor.login, auditor.login)
        page = self.url_open(self._path())
        self.assertEqual(page.status_code, 200, "it may look")
        self.assertIn(self.late.name, page.text)
        token = self.debtor._get_debtor_portal_token(self.company)
        for action, data in (
            ("dispute", {"move_id": str(self.late.id), "message": "Broken"}),
            ("promise", {"promise_date": fields.Date.to_string(self.today)}),
        ):
            with self.subTest(action):
                response = self.url_open(
                    f"/my/collection/{self.debtor.id}/{action}",
                    data={
                        "csrf_token": self._csrf(page.text),
                        "access_token": token,
                        "reason_id": str(self.reason.id),
                        **data,
                    },
                    allow_redirects=False,
                )
                self.assertEqual(response.status_code, 200)
                # in the debtor's language, Latvian
                self.assertIn("šajā lapā atbild tikai klients", response.text)
        self.assertFalse(self._entries())
        self.assertFalse(self.late.debtor_in_dispute)

    def test_one_statement_of_a_customer_at_a_time(self):
        path = (
            f"/my/collection/{self.debtor.id}/statement"
            f"?access_token={self.debtor._get_debtor_portal_token(self.company)}"
        )
        other_cr = db_connect(get_db_name()).cursor()
        try:
            # another request prints this customer's statement meanwhile
            other_cr.execute(
                SQL(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    STATEMENT_LOCK_KEY,
                    self.debtor.id,
                )
            )
            response = self.url_open(path)
            self.assertEqual(response.status_code, 429)
            # in the debtor's language, Latvian
            self.assertIn("izraksts tiek sagatavots", response.text)
            self.assertNotIn(self.late.name, response.text)
            # another customer's statement is not held back
            other_path = (
                f"/my/collection/{self.other_debtor.id}/statement?access_token="
                f"{self.other_debtor._get_debtor_portal_token(self.company)}"
            )
            self.assertEqual(self.url_open(other_path).status_code, 200)
        finally:
            other_cr.rollback()
            other_cr.close()
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.late.name, response.text)

    def test_collector_told_in_the_companys_name(self):
        self.company.email = "accounts@company.example"
        self.company.partner_id.email = "accounts@company.example"
        response = self._post(
            "promise", {"promise_date": fields.Date.to_string(self.today)}
        )
        self.assertEqual(response.status_code, 303)
        # sudo: a notification is readable by its recipient only
        notification = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", "res.partner"),
                    ("res_id", "=", self.debtor.id),
                    ("partner_ids", "in", self.collector.partner_id.ids),
                ]
            )
        )
        self.assertEqual(len(notification), 1)
        self.assertEqual(notification.author_id, self.company.partner_id)
        self.assertIn("accounts@company.example", notification.email_from)
        self.assertIn("promised online", notification.subject)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", notification.id)])
        )
        self.assertIn("accounts@company.example", mail.email_from)
        public = self.env.ref("base.public_user").sudo().partner_id
        self.assertFalse(
            self.env["mail.message"].sudo().search([("author_id", "=", public.id)]),
            "nothing written by the public user",
        )
        self.assertNotIn(public, self._entries().message_partner_ids)


@tagged("post_install", "-at_install")
class TestDebtorPortalConcurrency(DebtorCollectionCommon):
    """Two answers of a customer in parallel, in two real transactions: the
    second waits for the first, then is retried, and sees it."""

    def _cleanup(self, setup_cr, partner_id):
        entries = SQL(
            "SELECT id FROM account_debtor_correspondence WHERE partner_id = %s",
            partner_id,
        )
        for model, ids in (
            ("res.partner", SQL("SELECT %s", partner_id)),
            ("account.debtor.correspondence", entries),
        ):
            for table, model_column in (
                ("mail_message", "model"),
                ("mail_followers", "res_model"),
                ("mail_activity", "res_model"),
            ):
                setup_cr.execute(
                    SQL(
                        "DELETE FROM %s WHERE %s = %s AND res_id IN (%s)",
                        SQL.identifier(table),
                        SQL.identifier(model_column),
                        model,
                        ids,
                    )
                )
        setup_cr.execute(SQL("DELETE FROM res_partner WHERE id = %s", partner_id))
        setup_cr.commit()

    def test_parallel_answers_keep_the_limit(self):
        dbname = get_db_name()
        setup_cr = db_connect(dbname).cursor()
        first_cr = db_connect(dbname).cursor()
        second_cr = db_connect(dbname).cursor()
        partner_id = None
        try:
            env = api.Environment(setup_cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create(
                {"name": "Parallel Answers Ltd", "is_company": True}
            )
            partner_id = partner.id
            company = env.company
            Entry = env["account.debtor.correspondence"]
            for number in range(4):
                Entry._create_portal_entry(
                    partner, company, partner, {"note": f"Answer {number}"}
                )
            setup_cr.commit()

            def answer(cr, note):
                env = api.Environment(cr, SUPERUSER_ID, {})
                debtor = env["res.partner"].browse(partner_id)
                return env["account.debtor.correspondence"]._create_portal_entry(
                    debtor, env.company, debtor, {"note": note}
                )

            def count(cr):
                cr.execute(
                    SQL(
                        "SELECT COUNT(*) FROM account_debtor_correspondence "
                        "WHERE partner_id = %s",
                        partner_id,
                    )
                )
                return cr.fetchone()[0]

            # both requests have begun (their snapshots are taken)
            self.assertEqual(count(first_cr), 4)
            self.assertEqual(count(second_cr), 4)
            answer(first_cr, "The fifth")
            first_cr.commit()
            # the second would not see the fifth: it fails to serialize,
            # which Odoo retries instead of writing a sixth
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.SerializationFailure),
            ):
                answer(second_cr, "The sixth")
            second_cr.rollback()
            # the retry sees the five answers of the hour
            with self.assertRaisesRegex(UserError, "within the last hour"):
                answer(second_cr, "The sixth")
            second_cr.rollback()
            self.assertEqual(count(second_cr), 5)
        finally:
            first_cr.rollback()
            second_cr.rollback()
            if partner_id:
                self._cleanup(setup_cr, partner_id)
            for cr in (setup_cr, first_cr, second_cr):
                cr.close()


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

    def test_another_companys_user_keeps_this_companys_link(self):
        company_2 = self.setup_other_company()["company"]
        user_2 = new_billing_user(
            self.env(context=dict(self.env.context, allowed_company_ids=company_2.ids)),
            "billing_company_2",
        )
        user_2.write(
            {"company_id": company_2.id, "company_ids": [Command.set(company_2.ids)]}
        )
        token = self.debtor_lv._get_debtor_portal_token(self.company)
        token_2 = self.debtor_lv._get_debtor_portal_token(company_2)
        self.debtor_lv.with_user(user_2).with_company(
            company_2
        ).action_debtor_regenerate_portal_link()
        self.assertEqual(self.debtor_lv._check_debtor_portal_token(token), self.company)
        self.assertFalse(self.debtor_lv._check_debtor_portal_token(token_2))
        new_token_2 = self.debtor_lv._get_debtor_portal_token(company_2)
        self.assertEqual(
            self.debtor_lv._check_debtor_portal_token(new_token_2), company_2
        )
