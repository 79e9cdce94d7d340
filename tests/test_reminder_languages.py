import re
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged
from odoo.tools import file_open

from .common import DebtorCollectionCommon

# the languages the addon ships, and English
LANGS = ("lv_LV", "ru_RU", "de_DE", "lt_LT", "et_EE", "en_US")


@tagged("post_install", "-at_install")
class TestReminderLanguages(DebtorCollectionCommon):
    """Every part of a reminder in the debtor's language, for every one of
    its recipients: subject, body, layout, footer, attachment names. One
    chain (res.partner._get_debtor_lang): the debtor's language when active,
    else English, else the company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in LANGS:
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(
            ["account_debtor_collection"], list(LANGS), overwrite=True
        )
        # Odoo's own layout terms (its footer) in two of them
        cls.env["ir.module.module"]._load_module_terms(
            ["mail"], ["lv_LV", "ru_RU"], overwrite=True
        )
        cls.company.debtor_reminder_attach_statement = True
        cls.debtors = {}
        for code in LANGS:
            debtor = cls._create_debtor(f"Debtor {code}", code, f"ap@{code}.example")
            cls._create_invoice(debtor, 100.0, "2026-05-01")
            cls.debtors[code] = debtor
        # a Russian customer whose invoice contact reads Latvian
        cls.env["res.partner"].create(
            {
                "name": "Grāmatvedība",
                "parent_id": cls.debtors["ru_RU"].id,
                "type": "invoice",
                "lang": "lv_LV",
                "email": "gramatvediba@ru.example",
            }
        )
        # French is not active: English
        cls.debtor_fr = cls._create_debtor("Débiteur", "fr_FR", "ap@fr.example")
        cls._create_invoice(cls.debtor_fr, 100.0, "2026-05-01")
        cls.template = cls.env.ref(
            "account_debtor_collection.mail_template_debtor_reminder"
        )

    def _send_all(self):
        partners = self.env["res.partner"].browse(
            [p.id for p in self.debtors.values()] + [self.debtor_fr.id]
        )
        wizard = self.env["account.debtor.remind"].create(
            {"date": "2026-06-15", "partner_ids": [Command.set(partners.ids)]}
        )
        self.assertEqual(
            wizard.send_count, len(partners), wizard.line_ids.mapped("message")
        )
        self._send(wizard)

    def _mail(self, partner):
        message = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("message_type", "=", "comment"),
            ]
        )
        self.assertEqual(len(message), 1)
        mail = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        )
        self.assertEqual(len(mail), 1)
        return message, mail

    def _expected(self, lang):
        template = self.template.with_context(lang=lang)
        subject = template.subject.split("{{")[0].strip()
        greeting = re.search(r"<p>\s*([^<]+?)\s*<t", template.body_html).group(1)
        filename = (
            self.env["res.partner"]
            .with_context(lang=lang)
            .env._("Statement %(name)s.pdf", name="X")
        )
        return subject, greeting, filename.split("X")[0]

    def test_the_chain(self):
        self.assertEqual(self.debtors["ru_RU"]._get_debtor_lang(), "ru_RU")
        contact = self.debtors["ru_RU"].child_ids
        self.assertEqual(
            contact._get_debtor_lang(), "ru_RU", "the debtor's, not its own"
        )
        self.assertEqual(self.debtor_fr._get_debtor_lang(), "en_US")
        # English inactive (users read it: it is simply no longer listed)
        self.company.partner_id.lang = "de_DE"
        installed = [
            lang for lang in self.env["res.lang"].get_installed() if lang[0] != "en_US"
        ]
        with patch.object(
            type(self.env["res.lang"]), "get_installed", return_value=installed
        ):
            self.assertEqual(self.debtor_fr._get_debtor_lang(), "de_DE")

    def test_every_part_in_the_debtors_language(self):
        self._send_all()
        english = self._expected("en_US")
        for code, partner in [*self.debtors.items(), ("en_US", self.debtor_fr)]:
            with self.subTest(lang=code, debtor=partner.name):
                message, mail = self._mail(partner)
                subject, greeting, filename = self._expected(code)
                if code not in ("en_US", "lt_LT"):
                    # not vacuous: the language has its own words
                    self.assertNotEqual(subject, english[0])
                if code != "en_US":
                    self.assertNotEqual(filename, english[2])
                # subject and body
                self.assertTrue(message.subject.startswith(subject), message.subject)
                self.assertIn(greeting, message.body)
                # the layout, in the debtor's language, without "Your Contact"
                self.assertIn(f'lang="{code}"', mail.body_html)
                self.assertNotIn("Your ", mail.body_html)
                # the statement's name
                self.assertEqual(
                    message.attachment_ids.mapped("name"),
                    [f"{filename}{partner.name}.pdf"],
                )

    def test_russian_debtor_latvian_contact_reads_russian(self):
        self._send_all()
        _message, mail = self._mail(self.debtors["ru_RU"])
        self.assertIn(
            "gramatvediba@ru.example", mail.email_to or mail.recipient_ids.email
        )
        # Odoo's footer, "Powered by", in Russian, not in Latvian
        self.assertIn("Работает на", mail.body_html)
        self.assertNotIn("Nodrošina", mail.body_html)
        self.assertIn('lang="ru_RU"', mail.body_html)

    def test_latvian_wording_one_term_each(self):
        """The Latvian help page's register: debitori, kavētie maksājumi;
        one term for each thing, no double full stop after a date."""
        with file_open("account_debtor_collection/i18n/lv.po") as po:
            lines = []
            in_msgstr = False
            for line in po.read().splitlines():
                # a msgstr with its continuation lines, never a msgid's
                if line.startswith(("msgid", "msgctxt", "#")) or not line:
                    in_msgstr = False
                elif line.startswith("msgstr"):
                    in_msgstr = True
                if in_msgstr:
                    lines.append(line)
            msgstrs = "\n".join(lines)
        for wrong in ("Nokavēt", "nokavēt", "Parādniek", "parādniek", "Pastiprināšana"):
            self.assertNotIn(wrong, msgstrs)
        self.assertNotRegex(msgstrs, r"%\(\w*date\w*\)s\.\"")

    def test_run_name_in_the_readers_date_format(self):
        self._send_all()
        run = self.env["account.debtor.reminder.run"].search([], limit=1)
        self.assertEqual(
            run.with_context(lang="en_US").name, "Reminders as of 06/15/2026"
        )
        self.assertNotIn("2026-06-15", run.with_context(lang="lv_LV").name)
