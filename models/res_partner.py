from collections import defaultdict

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency

from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    debtor_no_reminder = fields.Boolean(
        string="No Payment Reminders",
        company_dependent=True,
        help="Never send this customer payment reminders from this company.",
    )
    debtor_correspondence_ids = fields.One2many(
        "account.debtor.correspondence",
        "partner_id",
        string="Collection Correspondence",
    )
    debtor_amount_overdue = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_debtor_amount_overdue",
        currency_field="debtor_currency_id",
    )
    debtor_currency_id = fields.Many2one(
        "res.currency", compute="_compute_debtor_amount_overdue"
    )

    @api.depends_context("company")
    def _compute_debtor_amount_overdue(self):
        debtors = self.env["account.debtor"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ]
        )
        overdue_by_partner = {d.partner_id: d.amount_overdue for d in debtors}
        for partner in self:
            partner.debtor_currency_id = self.env.company.currency_id
            partner.debtor_amount_overdue = overdue_by_partner.get(
                partner.commercial_partner_id, 0.0
            )

    def action_open_debtor(self):
        """Open the collection overview of this customer in the current company."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_debtor_collection.action_account_debtor"
        )
        action["domain"] = [
            ("partner_id", "=", self.commercial_partner_id.id),
            ("company_id", "=", self.env.company.id),
        ]
        action["context"] = {}
        return action

    def action_debtor_remind(self):
        """Open the reminder wizard on these customers."""
        return self.env["account.debtor.remind"]._action_open(
            self.commercial_partner_id, company=self.env.company
        )

    def action_debtor_add_note(self):
        """Open a new correspondence note about this customer."""
        self.ensure_one()
        return self.env["account.debtor.correspondence"]._action_new_note(
            self.commercial_partner_id, self.env.company
        )

    def _get_debtor_reminder_recipients(self):
        """The contacts that receive the reminders of each debtor in ``self``:
        its active invoice contacts with an e-mail, failing those the debtor's
        own e-mail. Returns a dict partner -> recipients (maybe empty)."""
        contacts = self.search(
            [
                ("commercial_partner_id", "in", self.ids),
                ("type", "=", "invoice"),
                ("email", "!=", False),
                ("id", "not in", self.ids),
            ]
        )
        contacts_by_debtor = defaultdict(lambda: self.browse())
        for contact in contacts:
            contacts_by_debtor[contact.commercial_partner_id] |= contact
        return {
            debtor: contacts_by_debtor[debtor]
            or (debtor if debtor.email and debtor.active else self.browse())
            for debtor in self
        }

    def _get_debtor_reminder_values(self, date=None, company=None, all_open=False):
        """What a reminder shows each debtor in ``self``, formatted for the
        debtor's language: its invoices overdue at ``date`` (all its unpaid
        invoices with ``all_open``, for a statement) and its unapplied credits,
        with totals per currency.

        Returns a dict partner id -> values. Values computed by a batch sent
        through the context key ``debtor_reminder_values`` are reused, so that
        the mail template renders many debtors without a query per debtor.
        """
        cached = self.env.context.get("debtor_reminder_values") or {}
        if not all_open and all(partner.id in cached for partner in self):
            return cached
        date = date or fields.Date.context_today(self)
        company = company or self.env.company
        domain = [
            ("partner_id.commercial_partner_id", "in", self.ids),
            ("company_id", "=", company.id),
            *self.env["account.move.line"]._get_debtor_open_items_domain(),
        ]
        if not all_open:
            domain += ["|", ("amount_residual", "<", 0), ("date_maturity", "<", date)]
        lines = self.env["account.move.line"].search(
            domain, order="date_maturity, move_name, id"
        )
        lines.move_id._debtor_ensure_access_tokens()
        lines_by_debtor = defaultdict(list)
        for line in lines:
            lines_by_debtor[line.partner_id.commercial_partner_id.id].append(line)
        base_url = company.get_base_url()
        return {
            partner.id: partner._prepare_debtor_reminder_values(
                lines_by_debtor[partner.id], date, company, base_url
            )
            for partner in self
        }

    def _prepare_debtor_reminder_values(self, lines, date, company, base_url):
        self.ensure_one()
        locale = self._get_debtor_babel_locale()
        rows = []
        totals = defaultdict(float)
        for line in lines:
            currency = line.currency_id
            amount = line.amount_residual_currency
            due_date = line.date_maturity or line.date
            totals[currency] += amount
            rows.append(
                {
                    "move_id": line.move_id.id,
                    "number": line.move_id.name,
                    "is_credit": amount < 0,
                    "invoice_date": format_date(
                        line.move_id.invoice_date or line.date, "medium", locale
                    ),
                    "due_date": format_date(due_date, "medium", locale),
                    "days_late": max((date - due_date).days, 0),
                    "amount": format_currency(amount, currency.name, locale=locale),
                    "url": base_url + line.move_id.get_portal_url()
                    if line.move_id.is_invoice(include_receipts=True)
                    else False,
                }
            )
        values = {
            "date": format_date(date, "medium", locale),
            "company_name": company.name,
            "rows": rows,
            "overdue_count": sum(1 for row in rows if not row["is_credit"]),
            "totals": [
                format_currency(total, currency.name, locale=locale)
                for currency, total in sorted(
                    totals.items(), key=lambda item: item[0].name
                )
            ],
        }
        values["table"] = (
            self.env["ir.qweb"]
            .with_context(lang=self.lang or self.env.lang)
            ._render(
                "account_debtor_collection.debtor_reminder_invoice_table",
                {"reminder": values},
            )
        )
        return values

    def _get_debtor_babel_locale(self):
        """The Babel locale of the partner's language (English as a fallback)."""
        self.ensure_one()
        try:
            return Locale.parse(self.lang or self.env.lang or "en_US")
        except (ValueError, UnknownLocaleError):
            return Locale.parse("en_US")
