import importlib.util
import logging
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import errors as pg_errors

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.misc import file_path

from odoo.addons.mail.models.mail_message import Message

from .common import RUN_LOGGER, UNEXPECTED_FAILURE, DebtorCollectionCommon

LETTER_REPORT = "account_debtor_collection.report_debtor_reminder_letter"


@tagged("post_install", "-at_install")
class TestReminderDocument(DebtorCollectionCommon):
    """A reminder is a document: what it said is stored when it leaves, on
    every channel, dated the day it left, and everything that shows it reads
    that document."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level = cls.env["account.debtor.reminder.level"].search(
            [("company_id", "=", cls.company.id)]
        )
        cls.level.delay = 1
        income = cls.company_data["default_account_revenue"]
        cls.company.write(
            {
                "debtor_reminder_interval": 0,
                "debtor_interest_reference_rate": 2.0,
                "debtor_interest_margin": 8.0,
                "debtor_compensation_fee": 40.0,
                "debtor_interest_account_id": income.id,
                "debtor_fee_account_id": income.id,
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
        cls.invoice_en = cls._create_invoice(cls.debtor_en, 1000.0, "2026-05-01")
        cls.invoice_lv = cls._create_invoice(cls.debtor_lv, 1234.5, "2026-05-01")

    def _send_to(self, partners, date="2026-06-15", force=False):
        wizard = self.env["account.debtor.remind"].create(
            {"date": date, "partner_ids": [Command.set(partners.ids)], "force": force}
        )
        return self._send(wizard)

    def _reminder(self, partner):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", partner.id), ("kind", "=", "reminder")],
            order="id desc",
            limit=1,
        )

    def _letter_html(self, entries):
        return (
            self.env["ir.actions.report"]
            ._render_qweb_html(LETTER_REPORT, entries.ids)[0]
            .decode()
        )

    # the future

    def test_future_as_of_date_is_refused_when_sending(self):
        """An invoice due in 10 days is never called late: an as-of date 20
        days ahead may be looked at, not sent."""
        self._create_invoice(self.debtor_en, 300.0, "2026-06-25")
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-07-05", "partner_ids": [Command.set(self.debtor_en.ids)]}
        )
        self.assertTrue(wizard.date_warning)
        self.assertEqual(wizard.line_ids.state, "to_send", "previewed")
        with self.assertRaisesRegex(UserError, "a day still to come"):
            wizard.action_send()
        self.assertFalse(self.env["account.debtor.reminder.run"].search([]))
        self.assertFalse(self._reminder(self.debtor_en))
        # the workspace may still look ahead
        self.assertEqual(
            self._debtor(self.debtor_en, as_of="2026-07-05").amount_overdue, 1300.0
        )
        # today is fine, and names only what is late today
        wizard.date = "2026-06-15"
        self.assertFalse(wizard.date_warning)
        self._send(wizard)
        entry = self._reminder(self.debtor_en)
        self.assertEqual(entry.item_ids.move_id, self.invoice_en)
        self.assertEqual(entry.item_ids.days_late, 45)

    def test_future_date_refused_by_the_run_itself(self):
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
        )
        with self.assertRaisesRegex(UserError, "a day still to come"):
            self.env["account.debtor.reminder.run"]._create_run(
                self.company,
                "2026-06-16",
                self.env.user.partner_id,
                wizard.line_ids,
            )

    def test_days_late_and_interest_count_to_the_reminder_date(self):
        """An as-of date in the past picks what was late then; the days late
        and the interest run to the day the reminder leaves."""
        self.level.write({"charge_interest": True})
        self._create_invoice(self.debtor_en, 500.0, "2026-06-10")
        self._send_to(self.debtor_en, date="2026-06-01")
        entry = self._reminder(self.debtor_en)
        self.assertEqual(entry.date.isoformat(), "2026-06-15")
        self.assertEqual(entry.as_of_date.isoformat(), "2026-06-01")
        [item] = entry.item_ids
        self.assertEqual(
            item.move_id, self.invoice_en, "due 10 June: not late on 1 June"
        )
        self.assertEqual(item.days_late, 45)
        self.assertEqual(item.interest_days, 45)
        # 1000 x 10 % x 45 / 365
        self.assertAlmostEqual(item.interest, 12.33)

    # what is stored

    def test_email_reminder_stores_its_document(self):
        credit = self._create_invoice(
            self.debtor_en, 200.0, "2026-06-01", move_type="out_refund"
        )
        self._send_to(self.debtor_en)
        entry = self._reminder(self.debtor_en)
        self.assertEqual(entry.lang, "en_US")
        self.assertEqual(entry.channel, "email")
        self.assertEqual(entry.recipient_ids, self.debtor_en)
        self.assertEqual(len(entry.item_ids), 2)
        by_move = {item.move_id: item for item in entry.item_ids}
        invoice_item, credit_item = by_move[self.invoice_en], by_move[credit]
        self.assertEqual(invoice_item.name, self.invoice_en.name)
        self.assertEqual(invoice_item.due_date.isoformat(), "2026-05-01")
        self.assertEqual(invoice_item.days_late, 45)
        self.assertEqual(invoice_item.amount_residual_currency, 1000.0)
        self.assertEqual(invoice_item.amount_residual, 1000.0)
        self.assertTrue(credit_item.is_credit)
        self.assertEqual(credit_item.amount_residual, -200.0)
        self.assertEqual(credit_item.days_late, 0)
        self.assertEqual(entry.amount_reminded, 800.0)
        self.assertEqual(entry.move_ids, self.invoice_en, "what it asks to pay")
        body = str(entry.mail_message_id.body)
        self.assertIn("$800.00", body)
        self.assertIn(credit.name, body)

    def test_users_cannot_write_a_document(self):
        self._send_to(self.debtor_en)
        item = self._reminder(self.debtor_en).item_ids
        Item = self.env["account.debtor.reminder.item"]
        for user in (self.billing_user,):
            with self.assertRaises(AccessError):
                item.with_user(user).write({"interest": 99.0})
            with self.assertRaises(AccessError):
                Item.with_user(user).create(
                    {"correspondence_id": item.correspondence_id.id, "name": "X"}
                )
            with self.assertRaises(AccessError):
                item.with_user(user).unlink()
        self.assertEqual(item.with_user(self.billing_user).name, self.invoice_en.name)

    def test_message_create_override_sees_the_whole_reminder(self):
        """An addon overriding mail.message's create sees each reminder's
        body, as message_post would give it."""
        bodies = []
        create = Message.create

        def spy(self, vals_list):
            if isinstance(vals_list, dict):
                vals_list = [vals_list]
            bodies.extend(str(vals.get("body") or "") for vals in vals_list)
            return create(self, vals_list)

        with patch.object(Message, "create", spy):
            self._send_to(self.debtor_en | self.debtor_lv)
        self.assertTrue(any(self.invoice_en.name in body for body in bodies))
        self.assertTrue(any(self.invoice_lv.name in body for body in bodies))
        self.assertIn(
            self.invoice_en.name,
            str(self._reminder(self.debtor_en).mail_message_id.body),
        )

    # one clock

    def test_one_date_per_run_for_a_user_far_east(self):
        """A user at UTC+12 sends at 14:00 UTC (already the next day for
        that user): e-mails, letters and calls of the run are all dated the
        company's day."""
        self.env.user.tz = "Pacific/Auckland"
        letter_level = self.env["account.debtor.reminder.level"].create(
            {
                "name": "Letter",
                "sequence": 50,
                "delay": 40,
                "channel": "letter",
                "company_id": self.company.id,
                "mail_template_id": self.level.mail_template_id.id,
            }
        )
        # the letter level is reached only after a first reminder
        self._send_to(self.debtor_lv)
        with freeze_time("2026-06-16 14:00:00"):
            run = self._send_to(
                self.debtor_en | self.debtor_lv, date="2026-06-16", force=True
            )
        self.assertEqual(set(run.line_ids.mapped("state")), {"sent"})
        self.assertEqual(set(run.line_ids.mapped("channel")), {"email", "letter"})
        entries = run.line_ids.correspondence_id
        self.assertEqual(entries.level_id, self.level | letter_level)
        self.assertEqual(
            {d.isoformat() for d in entries.mapped("date")}, {"2026-06-16"}
        )

    def test_company_day_in_its_own_time_zone(self):
        self.company.partner_id.tz = "Europe/Riga"
        with freeze_time("2026-06-15 22:30:00"):
            self.assertEqual(self.company._get_debtor_today().isoformat(), "2026-06-16")
            run = self._send_to(self.debtor_en, date="2026-06-16")
        self.assertEqual(run.line_ids.correspondence_id.date.isoformat(), "2026-06-16")

    def test_wizard_opens_on_the_company_day(self):
        """At 22:30 UTC a user in Riga is already on the next day, a company
        in UTC is not: the wizard, the overview and the partner form all count
        from the company's day, so that the wizard's own date can be sent."""
        self.env.user.tz = "Europe/Riga"
        self.company.partner_id.tz = False
        with freeze_time("2026-06-15 22:30:00"):
            wizard = (
                self.env["account.debtor.remind"]
                .with_context(tz="Europe/Riga")
                .create({"partner_ids": [Command.set(self.debtor_en.ids)]})
            )
            self.assertEqual(wizard.date.isoformat(), "2026-06-15")
            self.assertFalse(wizard.date_warning)
            self.assertEqual(
                self.env["account.debtor"]
                .with_context(tz="Europe/Riga")
                ._get_as_of_date()
                .isoformat(),
                "2026-06-15",
            )
            run = self._send(wizard)
        self.assertEqual(run.line_ids.state, "sent")
        self.assertEqual(run.line_ids.correspondence_id.date.isoformat(), "2026-06-15")

    # letters

    def test_letter_with_charges_prints_them(self):
        self.level.write(
            {"channel": "letter", "charge_interest": True, "charge_fee": True}
        )
        self.company.debtor_charge_invoice = True
        run = self._send_to(self.debtor_en)
        entry = run.line_ids.correspondence_id
        self.assertEqual(entry.channel, "letter")
        self.assertTrue(entry.charge_move_id, "charges invoiced and posted")
        self.assertAlmostEqual(entry.charge_move_id.amount_total, 52.33)
        self.assertEqual(entry.amount_reminded, 1000.0, "what the letter asks")
        self.assertTrue(self.invoice_en.debtor_fee_charged)
        html = self._letter_html(entry)
        self.assertIn("$12.33", html)
        self.assertIn("$40.00", html)
        self.assertIn("$1,052.33", html, "the total with charges")
        self.assertIn("Directive 2011/7/EU", html)
        self.assertNotIn("/my/invoices/", html, "no link on paper")
        # the columns are spaced on paper (the report drops cellpadding)
        self.assertIn(".o_debtor_letter_body table td { padding: 1mm 4mm", html)
        self.assertNotIn("reply to this e-mail", html)

    def test_letter_reprint_after_payment_is_the_letter_sent(self):
        self.level.channel = "letter"
        run = self._send_to(self.debtor_en)
        entry = run.line_ids.correspondence_id
        first = self._letter_html(entry)
        self.assertIn("$1,000.00", first)
        self._pay(self.invoice_en, 600.0)
        self.assertEqual(self.invoice_en.amount_residual, 400.0)
        self.assertEqual(self._letter_html(entry), first)
        # a letter printed for the first time is kept with its reminder, and
        # every reprint is that very PDF
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        with patch.object(
            type(Report), "_run_wkhtmltopdf", return_value=b"%PDF-1.4 letter one"
        ) as wkhtmltopdf:
            pdf, _type = Report.with_user(self.billing_user)._render_qweb_pdf(
                LETTER_REPORT, entry.ids
            )
            self.assertEqual(wkhtmltopdf.call_count, 1)
            attachment = self.env["ir.attachment"].search(
                [("res_model", "=", entry._name), ("res_id", "=", entry.id)]
            )
            self.assertEqual(attachment.raw, b"%PDF-1.4 letter one")
            self.assertEqual(attachment.name, f"{entry.letter_name}.pdf")
            wkhtmltopdf.return_value = b"%PDF-1.4 something else"
            reprint, _type = Report._render_qweb_pdf(LETTER_REPORT, entry.ids)
            self.assertEqual(wkhtmltopdf.call_count, 1, "not printed again")
        self.assertEqual(reprint, pdf)

    def test_letters_printed_one_by_one(self):
        """Each letter on its own wkhtmltopdf run (Debian's wkhtmltopdf
        prints no more), each kept with its reminder."""
        self.level.channel = "letter"
        run = self._send_to(self.debtor_en | self.debtor_lv)
        entries = run.line_ids.correspondence_id
        self.assertEqual(len(entries), 2)
        action = run.action_print_letters()
        self.assertEqual(action["report_name"], LETTER_REPORT)
        self.assertEqual(action["context"]["active_ids"], entries.ids)
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        with (
            patch.object(
                type(Report), "_run_wkhtmltopdf", side_effect=[b"one", b"two"]
            ) as wkhtmltopdf,
            patch.object(
                type(Report), "_merge_pdfs", side_effect=lambda streams, *a: streams[0]
            ),
        ):
            Report._render_qweb_pdf(LETTER_REPORT, entries.ids)
        self.assertEqual(wkhtmltopdf.call_count, 2)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", entries._name), ("res_id", "in", entries.ids)]
        )
        self.assertEqual(sorted(attachments.mapped("raw")), [b"one", b"two"])

    def test_letter_is_dated_the_day_it_left(self):
        self.level.channel = "letter"
        run = self._send_to(self.debtor_lv)
        entry = run.line_ids.correspondence_id
        with freeze_time("2026-07-20"):
            html = self._letter_html(entry)
        self.assertIn("2026. gada 15. jūnijs", html)
        self.assertNotIn("20. jūlijs", html)

    def test_letter_return_line_fits_the_window(self):
        self.level.channel = "letter"
        run = self._send_to(self.debtor_en)
        html = self._letter_html(run.line_ids.correspondence_id)
        self.assertIn(
            "white-space: nowrap", html.split("o_debtor_letter_return")[1][:300]
        )
        values = run.line_ids.correspondence_id._get_letter_values()
        self.assertEqual(
            values["return_address"], f"{self.company.name} · Brīvības iela 1 · Rīga"
        )

    # calls

    def test_call_reads_the_document(self):
        self.level.channel = "call"
        self.debtor_en.phone = "+44 113 496 0000"
        run = self._send_to(self.debtor_en)
        entry = run.line_ids.correspondence_id
        self._pay(self.invoice_en, 600.0)
        activity = entry.call_activity_id
        self.assertIn("1,000.00", str(activity.note))
        self.assertEqual(activity.date_deadline, entry.date)
        self.assertEqual(entry.amount_reminded, 1000.0)

    # charges

    def test_second_charge_counts_only_the_days_since_the_first(self):
        self.level.write({"charge_interest": True, "charge_fee": True})
        self.company.debtor_charge_invoice = True
        self._send_to(self.debtor_en)
        first = self._reminder(self.debtor_en)
        self.assertIn("45 days", first.charge_move_id.invoice_line_ids[0].name)
        with freeze_time("2026-06-25"):
            self._send_to(self.debtor_en, date="2026-06-25")
        second = self._reminder(self.debtor_en)
        self.assertNotEqual(first, second)
        [item] = second.item_ids.filtered(lambda i: i.move_id == self.invoice_en)
        self.assertEqual(item.days_late, 55)
        self.assertEqual(item.interest_days, 10)
        self.assertFalse(item.fee, "the compensation is claimed once")
        # 1000 x 10 % x 10 / 365
        self.assertAlmostEqual(item.interest, 2.74)
        [line] = second.charge_move_id.invoice_line_ids
        self.assertIn("10 days", line.name)
        self.assertNotIn("55", line.name)
        self.assertAlmostEqual(second.charge_move_id.amount_total, 2.74)
        body = str(second.mail_message_id.body)
        self.assertIn("Interest Days", body)
        self.assertEqual(self.invoice_en.debtor_interest_date.isoformat(), "2026-06-25")

    def test_latvian_law_caps_interest_at_the_principal(self):
        """Civil Law of Latvia, art. 1763: the interest on an invoice stops
        once the interest claimed equals the debt, over all reminders."""
        self.level.write({"charge_interest": True})
        self.company.write({"debtor_charge_invoice": True, "debtor_interest_law": "lv"})
        old = self._create_invoice(self.debtor_lv, 100.0, "2014-06-15")
        self._send_to(self.debtor_lv)
        entry = self._reminder(self.debtor_lv)
        by_move = {item.move_id: item for item in entry.item_ids}
        # 100 x 10 % x 12 years would be 120: capped at the 100 owed
        self.assertAlmostEqual(by_move[old].interest, 100.0)
        # the law named, in the Latvian debtor's language
        self.assertIn("Civillikum", str(entry.mail_message_id.body))
        self.assertIn("1763", str(entry.mail_message_id.body))
        with freeze_time("2026-09-15"):
            self._send_to(self.debtor_lv, date="2026-09-15")
        later = self._reminder(self.debtor_lv)
        self.assertNotEqual(later, entry)
        by_move = {item.move_id: item for item in later.item_ids}
        self.assertFalse(by_move[old].interest, "nothing more: the cap is reached")
        self.assertTrue(by_move[self.invoice_lv].interest, "the other invoice runs on")

    def test_directive_does_not_cap(self):
        self.level.write({"charge_interest": True})
        self.company.debtor_interest_law = "eu"
        old = self._create_invoice(self.debtor_en, 100.0, "2014-06-15")
        self._send_to(self.debtor_en)
        by_move = {
            item.move_id: item for item in self._reminder(self.debtor_en).item_ids
        }
        self.assertGreater(by_move[old].interest, 100.0)

    def test_law_follows_the_company_country(self):
        company = self.env["res.company"].create(
            {"name": "SIA Tests", "country_id": self.env.ref("base.lv").id}
        )
        self.assertEqual(company.debtor_interest_law, "lv")
        company = self.env["res.company"].create(
            {"name": "Tests GmbH", "country_id": self.env.ref("base.de").id}
        )
        self.assertEqual(company.debtor_interest_law, "eu")

    # the effect report

    def test_letters_count_what_they_asked_in_the_effect_report(self):
        self.level.channel = "letter"
        self._send_to(self.debtor_en)
        self._pay(self.invoice_en)
        Effect = self.env["account.debtor.collection.effect"]
        rows = Effect.search([("partner_id", "=", self.debtor_en.id)])
        self.assertEqual(sum(rows.mapped("amount_reminded")), 1000.0)
        self.assertEqual(sum(rows.mapped("amount_paid_7")), 1000.0)

    # migration

    def test_migration_rebuilds_the_documents_of_old_reminders(self):
        self._send_to(self.debtor_en)
        entry = self._reminder(self.debtor_en)
        # as a reminder of 18.0.1.1.0: no items
        entry.item_ids.sudo().unlink()
        self._pay(self.invoice_en, 400.0)
        spec = importlib.util.spec_from_file_location(
            "adc_migration_18_0_1_2_0",
            file_path(
                "account_debtor_collection/migrations/18.0.1.2.0/post-migration.py"
            ),
        )
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        rebuilt = migration.rebuild_reminder_documents(self.env(su=True))
        self.assertEqual(rebuilt, entry)
        self.assertTrue(entry.items_rebuilt)
        [item] = entry.item_ids
        self.assertEqual(item.move_id, self.invoice_en)
        self.assertEqual(item.days_late, 45)
        self.assertEqual(item.amount_residual, 600.0, "what is left now")
        self.assertFalse(migration.rebuild_reminder_documents(self.env(su=True)))


@tagged("post_install", "-at_install")
class TestReminderTransientErrors(DebtorCollectionCommon):
    """A conflict with another transaction is not the customer's failure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.debtor_reminder_interval = 0
        cls._create_invoice(cls.debtor_en, 1000.0, "2026-05-01")

    def _queued_line(self):
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(self.debtor_en.ids)]}
        )
        wizard.action_send()
        return wizard.run_id.line_ids

    def test_a_payment_during_the_batch_is_retried_later(self):
        line = self._queued_line()
        run = line.run_id.with_env(line.run_id._get_sending_env())
        line = line.with_env(run.env)

        def conflict():
            raise pg_errors.SerializationFailure(
                "could not serialize access due to concurrent update"
            )

        run._send_line_alone(line, conflict)
        self.assertEqual(line.state, "to_send", "left for a later batch")
        self.assertFalse(line.message)
        # the next batch sends it
        self._process_runs()
        self.assertEqual(line.state, "sent")
        self.assertTrue(line.correspondence_id.mail_message_id)

    def test_a_lock_inside_the_rendering_is_retried_later(self):
        """Odoo's mail rendering turns what failed in a template into a
        UserError: a lock met while rendering is still a conflict, not the
        customer's failure."""
        line = self._queued_line()
        run = line.run_id.with_env(line.run_id._get_sending_env())
        line = line.with_env(run.env)

        def locked_while_rendering():
            try:
                raise pg_errors.LockNotAvailable("could not obtain lock on row")
            except pg_errors.LockNotAvailable as error:
                # Odoo's own message (mail.render.mixin), not one of the addon's
                raise UserError(  # pylint: disable=translation-required
                    "Failed to render QWeb template"
                ) from error

        with self.assertNoLogs(RUN_LOGGER, "WARNING"):
            run._send_line_alone(line, locked_while_rendering)
        self.assertEqual(line.state, "to_send", "left for a later batch")
        self.assertFalse(line.message)
        self._process_runs()
        self.assertEqual(line.state, "sent")

    def test_another_unique_violation_is_a_failure(self):
        line = self._queued_line()
        run = line.run_id.with_env(line.run_id._get_sending_env())
        line = line.with_env(run.env)

        def duplicate():
            raise pg_errors.UniqueViolation("duplicate key value violates something")

        with self.assertLogs(RUN_LOGGER, "WARNING") as logs:
            run._send_line_alone(line, duplicate)
        self.assertEqual(line.state, "failed")
        self.assertEqual(line.message, UNEXPECTED_FAILURE)
        self.assertIn("violates something", "\n".join(logs.output))

    def test_one_broken_customer_never_fails_its_batch(self):
        """A customer whose language's translation of the invoice table is
        broken, or whose language is not a valid code, fails alone (or is
        sent in the chain's language): the others of its batch are sent."""
        self._create_invoice(self.debtor_lv, 500.0, "2026-05-01")
        odd = self._create_debtor("Odd Lang Ltd", "en_US", "ap@odd.example")
        self._create_invoice(odd, 300.0, "2026-05-01")
        view = self.env.ref("account_debtor_collection.debtor_reminder_invoice_table")
        self.env.cr.execute(
            "UPDATE ir_ui_view SET arch_db = arch_db || jsonb_build_object("
            "'lv_LV', '<t t-name=\"x\"><t t-out=\"reminder[''nope'']\"/></t>') "
            "WHERE id = %s",
            [view.id],
        )
        self.env.cr.execute(
            "UPDATE res_partner SET lang = 'xx_XX' WHERE id = %s", [odd.id]
        )
        self.env.registry.clear_cache("templates")
        self.env.invalidate_all()
        wizard = self.env["account.debtor.remind"].create(
            {
                "date": "2026-06-15",
                "partner_ids": [
                    Command.set((self.debtor_en | self.debtor_lv | odd).ids)
                ],
            }
        )
        with self.assertLogs(RUN_LOGGER, logging.INFO) as logs:
            run = self._send(wizard)
        states = {line.partner_id: line.state for line in run.line_ids}
        self.assertEqual(states[self.debtor_en], "sent")
        self.assertEqual(states[odd], "sent", "in the chain's language")
        self.assertEqual(states[self.debtor_lv], "failed")
        self.assertTrue(self._reminder_of(self.debtor_en).mail_message_id)
        # the user reads what failed and what to do, not QWeb's traceback,
        # which is in the server log
        failed = run.line_ids.filtered(lambda line: line.partner_id == self.debtor_lv)
        self.assertEqual(
            failed.message,
            "Not sent: The reminder could not be rendered for this customer "
            '(template "debtor_reminder_invoice_table", language Latvian / '
            "latviešu valoda): check the template's translation in that "
            "language. The details are in the server log.",
        )
        self.assertIn("QWebException", "\n".join(logs.output))

    def _reminder_of(self, partner):
        return self.env["account.debtor.correspondence"].search(
            [("partner_id", "=", partner.id), ("kind", "=", "reminder")]
        )
