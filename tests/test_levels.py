from freezegun import freeze_time
from markupsafe import escape

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DebtorCollectionCommon, new_billing_user, workspace_panel

TABLE = '<t t-out="object.debtor_reminder_table"/>'


@tagged("post_install", "-at_install")
class TestReminderLevels(DebtorCollectionCommon):
    """Escalation: the next level of each debtor, each level's channel and
    text, the late-payment charges."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Level = cls.env["account.debtor.reminder.level"]
        cls.level_1 = Level.search([("company_id", "=", cls.company.id)])
        cls.level_1.write({"name": "Friendly", "delay": 1})
        cls.template_2 = cls.env["mail.template"].create(
            {
                "name": "Second",
                "model_id": cls.env.ref("base.model_res_partner").id,
                "subject": "Second reminder for {{ object.name }}",
                "lang": "{{ object.lang }}",
                "body_html": f"<p>Second: {TABLE}</p>",
            }
        )
        cls.template_3 = cls.env["mail.template"].create(
            {
                "name": "Final",
                "model_id": cls.env.ref("base.model_res_partner").id,
                "subject": "Final notice for {{ object.name }}",
                "lang": "{{ object.lang }}",
                "body_html": f"<p>Final notice: {TABLE}</p>",
            }
        )
        cls.template_3.with_context(lang="lv_LV").write(
            {
                "subject": "Pēdējais atgādinājums {{ object.name }}",
                "body_html": f"<p>Pēdējais brīdinājums: {TABLE}</p>",
            }
        )
        cls.level_2 = Level.create(
            {
                "name": "Second",
                "sequence": 20,
                "delay": 15,
                "mail_template_id": cls.template_2.id,
            }
        )
        cls.level_3 = Level.create(
            {
                "name": "Final",
                "sequence": 30,
                "delay": 30,
                "channel": "letter",
                "mail_template_id": cls.template_3.id,
            }
        )
        cls.company.write(
            {
                "debtor_reminder_interval": 0,
                "debtor_interest_reference_rate": 2.0,
                "debtor_interest_margin": 8.0,
                "debtor_compensation_fee": 40.0,
            }
        )
        # the figures below count every day at 10 % a year (2 % + 8 points):
        # no half-year in the table, all at the company's fallback rate (the
        # rates by half-year: test_interest_reference_rate.py)
        cls.env["account.debtor.interest.reference.rate"].search([]).unlink()
        cls.company.partner_id.write({"street": "Brīvības iela 1", "city": "Rīga"})
        cls.debtor_lv.write({"street": "Koku iela 7", "zip": "LV-1050", "city": "Rīga"})
        cls.debtor_en.write({"street": "1 Harbour Road", "city": "Leeds"})
        # 45 days late on 15 June
        cls.invoice_lv = cls._create_invoice(cls.debtor_lv, 1234.5, "2026-05-01")
        cls.invoice_en = cls._create_invoice(cls.debtor_en, 1000.0, "2026-05-01")
        cls.collector = new_billing_user(cls.env, "collector", name="Collector")

    def _next_level(self, partner, as_of="2026-06-15"):
        return self._debtor(partner, as_of=as_of).level_id

    def _send_to(self, partners, date="2026-06-15"):
        wizard = self.env["account.debtor.remind"].create(
            {"date": date, "partner_ids": [Command.set(partners.ids)]}
        )
        return self._send(wizard)

    def _entries(self, partner, kind="reminder"):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", partner.id), ("kind", "=", kind)]
        )

    # the rule

    def test_no_jump_one_level_per_reminder(self):
        self.assertEqual(
            self._next_level(self.debtor_en),
            self.level_1,
            "45 days late but never reminded: the first level, not the final",
        )
        run = self._send_to(self.debtor_en)
        self.assertEqual(run.line_ids.level_id, self.level_1)
        self.assertEqual(self._entries(self.debtor_en).level_id, self.level_1)
        self.assertEqual(self._debtor(self.debtor_en).last_level_id, self.level_1)
        self.assertEqual(self._next_level(self.debtor_en), self.level_2)
        with freeze_time("2026-06-16"):
            run = self._send_to(self.debtor_en, "2026-06-16")
            self.assertEqual(run.line_ids.level_id, self.level_2)
            message = self.debtor_en.message_ids.filtered(
                lambda m: m.message_type == "comment"
            )[:1]
            self.assertIn("Second reminder for Northwind Ltd", message.subject)
            self.assertEqual(
                self._next_level(self.debtor_en, "2026-06-16"), self.level_3
            )

    def test_highest_level_reached_within_one_step(self):
        self._send_to(self.debtor_en)
        # at level 1 now; 10 days late only: level 2 (15 days) is not reached
        self.assertEqual(self._next_level(self.debtor_en, "2026-05-11"), self.level_1)
        self.assertEqual(self._next_level(self.debtor_en, "2026-05-17"), self.level_2)
        # not late at all: no level
        self.assertFalse(self._next_level(self.debtor_en, "2026-05-01"))
        Debtor = self.env["account.debtor"].with_context(debtor_as_of_date="2026-06-15")
        groups = dict(
            Debtor._read_group(
                [("partner_id", "in", (self.debtor_en | self.debtor_lv).ids)],
                ["level_id"],
                ["__count"],
            )
        )
        self.assertEqual(groups, {self.level_1: 1, self.level_2: 1})
        self.assertEqual(
            Debtor.search(
                [
                    ("level_id", "=", self.level_2.id),
                    ("partner_id", "in", (self.debtor_en | self.debtor_lv).ids),
                ]
            ).partner_id,
            self.debtor_en,
        )

    def test_wizard_previews_with_the_level_text(self):
        self._send_to(self.debtor_en)
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
        )
        line = wizard.line_ids
        self.assertEqual((line.level_id, line.channel), (self.level_2, "email"))
        action = line.action_preview()
        preview = (
            self.env[action["res_model"]].with_context(**action["context"]).create({})
        )
        self.assertEqual(preview.subject, "Second reminder for Northwind Ltd")
        self.assertIn(self.invoice_en.name, preview.body_html)

    def test_first_level_not_reached_is_skipped(self):
        self.level_1.delay = 50
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
        )
        self.assertEqual(wizard.line_ids.state, "skipped")
        self.assertIn("Friendly starts 50 days", wizard.line_ids.message)
        wizard.action_select_overdue()
        self.assertNotIn(self.debtor_en, wizard.partner_ids, "no level reached")

    def test_starts_again_after_payment(self):
        self._send_to(self.debtor_en)
        with freeze_time("2026-06-16"):
            self._send_to(self.debtor_en, "2026-06-16")
        self.assertEqual(self._debtor(self.debtor_en).last_level_id, self.level_2)
        self._pay(self.invoice_en)
        self._create_invoice(self.debtor_en, 300.0, "2026-05-05")
        debtor = self._debtor(self.debtor_en)
        self.assertFalse(debtor.last_level_id, "no reminder names what is late now")
        self.assertEqual(debtor.level_id, self.level_1)

    def test_bounced_reminder_does_not_count(self):
        self._send_to(self.debtor_en)
        entry = self._entries(self.debtor_en)
        entry.mail_message_id.notification_ids.sudo().write(
            {"notification_status": "bounce"}
        )
        self.assertEqual(entry.delivery_state, "bounced")
        self.assertEqual(self._next_level(self.debtor_en), self.level_1)

    # channels

    def test_letter_logged_and_printed_in_each_language(self):
        self.level_1.write(
            {"channel": "letter", "mail_template_id": self.template_3.id}
        )
        run = self._send_to(self.debtor_lv | self.debtor_en)
        self.assertEqual(run.sent_count, 2)
        self.assertEqual(run.letter_count, 2)
        entries = self._entries(self.debtor_lv) | self._entries(self.debtor_en)
        self.assertEqual(set(entries.mapped("channel")), {"letter"})
        self.assertEqual(entries.level_id, self.level_1)
        self.assertFalse(entries.mail_message_id, "a letter is no e-mail")
        self.assertFalse(any(entries.mapped("delivery_state")))
        self.assertFalse(self._debtor(self.debtor_lv).delivery_problem)
        self.assertEqual(
            self._debtor(self.debtor_lv).last_reminder_date.isoformat(), "2026-06-15"
        )
        action = run.action_print_letters()
        self.assertEqual(
            action["report_name"],
            "account_debtor_collection.report_debtor_reminder_letter",
        )
        report = self.env.ref(
            "account_debtor_collection.action_report_debtor_reminder_letter"
        )
        entries_by_partner = {entry.partner_id: entry for entry in entries}
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                report.report_name, entries_by_partner[self.debtor_lv].ids
            )[0]
            .decode()
        )
        self.assertIn("Pēdējais atgādinājums SIA Koks", html)
        self.assertIn("Pēdējais brīdinājums", html)
        self.assertIn("Koku iela 7", html)
        self.assertIn("o_debtor_letter_window", html)
        self.assertIn(self.invoice_lv.name, html)
        self.assertIn("2026. gada 15. jūnijs", html)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                report.report_name, entries_by_partner[self.debtor_en].ids
            )[0]
            .decode()
        )
        self.assertIn("Final notice for Northwind Ltd", html)
        self.assertIn("1 Harbour Road", html)
        self.assertIn("June 15, 2026", html)
        self.assertIn("$1,000.00", html)
        # one PDF of both, which a billing user prints: a letter per article,
        # each printed on its own and kept with its reminder
        html = (
            self.env["ir.actions.report"]
            .with_user(self.billing_user)
            ._render_qweb_html(report.report_name, entries.ids)[0]
            .decode()
        )
        self.assertEqual(html.count("o_debtor_letter_window"), 2)
        self.assertEqual(html.count('class="article'), 2)
        self.assertEqual(html.count('data-oe-model="account.debtor.correspondence"'), 2)

    def test_letter_prints_the_collection_page_address(self):
        """The installed text links the customer's page: in an e-mail as a
        link, on paper as the address itself."""
        self.level_1.channel = "letter"
        self.assertEqual(
            self.level_1._get_template(),
            self.env.ref("account_debtor_collection.mail_template_debtor_reminder"),
        )
        run = self._send_to(self.debtor_en)
        self.assertEqual(run.letter_count, 1)
        url = self.debtor_en._get_debtor_portal_url(self.company)
        body = run.line_ids.correspondence_id._get_letter_values()["body"]
        self.assertIn(f"on your collection page: {escape(url)}", body)
        self.assertNotIn(f'href="{escape(url)}"', body, "no link to click on paper")

    def test_letter_for_debtor_without_email_when_chosen(self):
        no_mail = self._create_debtor("No Mail SIA", "lv_LV")
        self._create_invoice(no_mail, 50.0, "2026-05-01")
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(no_mail.ids)]}
        )
        self.assertEqual(wizard.line_ids.state, "skipped")
        self.company.debtor_letter_without_email = True
        run = self._send_to(no_mail)
        self.assertEqual(run.line_ids.state, "sent")
        self.assertEqual(run.line_ids.channel, "letter")
        self.assertEqual(self._entries(no_mail).channel, "letter")
        self.assertEqual(self._entries(no_mail).level_id, self.level_1)

    def test_call_activity_and_note_when_done(self):
        self.level_1.channel = "call"
        self.debtor_en.write(
            {"phone": "+44 113 496 0000", "debtor_collector_id": self.collector.id}
        )
        run = self._send_to(self.debtor_en)
        self.assertEqual(run.line_ids.state, "sent")
        self.assertIn("Collector", run.line_ids.message)
        entry = self._entries(self.debtor_en)
        self.assertEqual(entry.channel, "call")
        activity = entry.call_activity_id
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.res_id, self.debtor_en.id)
        self.assertIn("+44 113 496 0000", activity.note)
        self.assertIn(self.invoice_en.name, activity.note)
        self.assertIn("1,000.00", activity.note)
        self.assertFalse(
            self.debtor_en.message_ids.filtered(lambda m: m.message_type == "comment")
        )
        activity.with_user(self.collector).action_feedback(
            feedback="Will pay on Friday"
        )
        note = self._entries(self.debtor_en, "note")
        self.assertEqual(note.note, "Will pay on Friday")
        self.assertEqual(note.user_id, self.collector)
        self.assertEqual(note.channel, "call")
        self.assertEqual(note.move_ids, self.invoice_en)

    # charges

    def test_charges_on_a_known_case(self):
        self.level_1.write({"charge_interest": True, "charge_fee": True})
        invoice = self._create_invoice(self.debtor_en, 500.0, "2026-05-16")
        partner = self.env["res.partner"].with_context(
            debtor_reminder_level_id=self.level_1.id
        )
        lines = (self.invoice_en | invoice).line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        charges = partner._get_debtor_charges(
            lines,
            self.invoice_en.invoice_date_due.replace(month=6, day=15),
            self.company,
            self.level_1,
        )
        by_move = {charge["move"]: charge for charge in charges["lines"]}
        # 1000 x 10 % x 45 / 365 and 500 x 10 % x 30 / 365
        self.assertAlmostEqual(by_move[self.invoice_en]["interest"], 12.33)
        self.assertEqual(by_move[self.invoice_en]["days"], 45)
        self.assertAlmostEqual(by_move[invoice]["interest"], 4.11)
        self.assertEqual(by_move[invoice]["fee"], 40.0)
        self.assertAlmostEqual(charges["total"], 12.33 + 4.11 + 80.0)
        run = self._send_to(self.debtor_en)
        self.assertEqual(run.line_ids.state, "sent")
        body = self._entries(self.debtor_en).mail_message_id.body
        self.assertIn("10.00 %", body)
        self.assertIn("$12.33", body)
        self.assertIn("$40.00", body)
        self.assertIn("$96.44", body)
        self.assertIn("$1,596.44", body, "the total with charges")
        self.assertFalse(self._entries(self.debtor_en).charge_move_id)

    def test_charges_formatted_for_the_debtor(self):
        self.level_1.write({"charge_interest": True, "charge_fee": False})
        self._send_to(self.debtor_lv)
        body = str(self._entries(self.debtor_lv).mail_message_id.body).replace(
            "&nbsp;", "\xa0"
        )
        # 1234.50 x 10 % x 45 / 365 = 15.22, in Latvian
        self.assertIn("15,22\xa0$", body)
        self.assertIn("10,00 %", body)

    def test_no_total_with_charges_in_another_currency(self):
        self.level_1.write({"charge_interest": True, "charge_fee": True})
        eur = self.setup_other_currency("EUR", rates=[("2026-01-01", 0.5)])
        debtor = self._create_debtor("Euro Ltd", "en_US", "ap@euro.example")
        self._create_invoice(debtor, 500.0, "2026-05-16", currency=eur)
        self._send_to(debtor)
        body = str(self._entries(debtor).mail_message_id.body)
        # 500 EUR are 1000.00 in company currency: 1000 x 10 % x 30 / 365
        self.assertIn("$8.22", body)
        self.assertIn("Late-payment charges", body)
        self.assertNotIn("Total to pay with charges", body, "euros plus dollars")

    def test_charges_invoiced_once(self):
        self.level_1.write({"charge_interest": True, "charge_fee": True})
        income = self.company_data["default_account_revenue"]
        self.company.debtor_charge_invoice = True
        with self.assertRaisesRegex(UserError, "income accounts"):
            self._send_to(self.debtor_en)
        self.company.write(
            {
                "debtor_interest_account_id": income.id,
                "debtor_fee_account_id": income.id,
            }
        )
        self._send_to(self.debtor_en)
        entry = self._entries(self.debtor_en)
        move = entry.charge_move_id
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.partner_id, self.debtor_en)
        self.assertEqual(move.debtor_charge_reminder_id, entry)
        self.assertAlmostEqual(move.amount_total, 12.33 + 40.0)
        self.assertEqual(len(move.invoice_line_ids), 2)
        self.assertIn(self.invoice_en.name, move.invoice_line_ids[0].name)
        self.assertTrue(self.invoice_en.debtor_fee_charged)
        self.assertEqual(self.invoice_en.debtor_interest_date.isoformat(), "2026-06-15")
        # claimed once: the same date claims nothing more, the charges invoice
        # itself bears no charges, ten days later only their interest
        lines = (self.invoice_en | move).line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        Partner = self.env["res.partner"]
        as_of = self.invoice_en.debtor_interest_date
        self.assertFalse(
            Partner._get_debtor_charges(lines, as_of, self.company, self.level_1)[
                "lines"
            ]
        )
        later = Partner._get_debtor_charges(
            lines, as_of.replace(day=25), self.company, self.level_1
        )
        self.assertEqual([c["move"] for c in later["lines"]], [self.invoice_en])
        self.assertAlmostEqual(later["total"], 2.74)

    # companies

    def test_company_without_levels_of_its_own(self):
        company = self.env["res.company"].create({"name": "New Company SIA"})
        level = self.env["account.debtor.reminder.level"].search(
            [("company_id", "=", company.id)]
        )
        self.assertEqual(len(level), 1)
        self.assertEqual(
            level.mail_template_id,
            self.env.ref("account_debtor_collection.mail_template_debtor_reminder"),
        )
        self.assertEqual(level.channel, "email")
        self.assertEqual(level.delay, 0)
        with self.assertRaisesRegex(UserError, "at least one reminder level"):
            level.unlink()
        # the other company's levels do not count for this one
        self.assertNotIn(level, self.level_1 | self.level_2 | self.level_3)

    def test_company_statement_setting_sets_every_level(self):
        self.company.debtor_reminder_attach_statement = True
        self.assertTrue(
            all((self.level_1 | self.level_2 | self.level_3).mapped("attach_statement"))
        )
        self.level_2.attach_statement = False
        self.assertFalse(self.company.debtor_reminder_attach_statement)
        # saving the settings unchanged keeps each level's choice
        self.env["res.config.settings"].create(
            {"debtor_reminder_attach_statement": False}
        ).execute()
        self.assertTrue(self.level_1.attach_statement)
        self.assertFalse(self.level_2.attach_statement)

    def test_workspace_shows_the_level(self):
        self._send_to(self.debtor_en)
        debtor = self._debtor(self.debtor_en)
        values = workspace_panel(debtor)
        [entry] = values["entries"]
        self.assertEqual(entry["level_name"], "Friendly")
        self.assertEqual(entry["channel"], "email")
