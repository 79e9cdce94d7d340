import secrets
from collections import defaultdict

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import consteq, email_normalize
from odoo.tools.misc import hmac

# The scope of the HMAC that signs a debtor's collection link.
DEBTOR_PORTAL_TOKEN_SCOPE = "account_debtor_collection.portal"


class ResPartner(models.Model):
    _inherit = "res.partner"

    debtor_no_reminder = fields.Boolean(
        string="No Payment Reminders",
        company_dependent=True,
        groups="account.group_account_invoice",
        help="Never send this customer payment reminders from this company.",
    )
    debtor_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        groups="account.group_account_invoice,account.group_account_readonly",
        help="Who collects from this customer in this company: the payment "
        "reminders' follow-ups go to this user. Empty: the salesperson.",
    )
    debtor_portal_secret = fields.Char(
        string="Collection Link Secret",
        copy=False,
        groups="base.group_system",
        help="Part of what signs the customer's collection link: a new one "
        "revokes every link sent before.",
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
        groups="account.group_account_invoice,account.group_account_readonly",
        help="What the customer has to pay now in the current company: its "
        "items due before today less its credits.",
    )
    debtor_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_debtor_amount_overdue",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    # What a payment reminder shows, for the mail template: computed for the
    # partners rendered together, at the context's debtor_as_of_date.
    debtor_reminder_table = fields.Html(
        compute="_compute_debtor_reminder",
        sanitize=False,
        groups="account.group_account_invoice",
    )
    debtor_reminder_date = fields.Char(
        compute="_compute_debtor_reminder", groups="account.group_account_invoice"
    )
    debtor_reminder_company_name = fields.Char(
        compute="_compute_debtor_reminder", groups="account.group_account_invoice"
    )
    debtor_reminder_portal_link = fields.Html(
        compute="_compute_debtor_reminder",
        sanitize=False,
        groups="account.group_account_invoice",
    )
    debtor_reminder_move_ids = fields.Many2many(
        "account.move",
        compute="_compute_debtor_reminder",
        groups="account.group_account_invoice",
    )
    debtor_reminder_amount = fields.Monetary(
        compute="_compute_debtor_reminder",
        currency_field="debtor_currency_id",
        groups="account.group_account_invoice",
    )

    @api.depends_context("company")
    def _compute_debtor_amount_overdue(self):
        company = self.env.company
        overdue = self.env["account.debtor"]._get_amount_overdue_by_partner(
            self.commercial_partner_id, company, fields.Date.context_today(self)
        )
        for partner in self:
            partner.debtor_currency_id = company.currency_id
            partner.debtor_amount_overdue = overdue[partner.commercial_partner_id]

    @api.depends_context("company", "debtor_as_of_date")
    def _compute_debtor_reminder(self):
        Debtor = self.env["account.debtor"]
        as_of_date = Debtor._get_as_of_date()
        values = self.commercial_partner_id._get_debtor_reminder_values(
            as_of_date, self.env.company
        )
        for partner in self:
            reminder = values[partner.commercial_partner_id.id]
            partner.debtor_reminder_table = reminder["table"]
            partner.debtor_reminder_date = reminder["date"]
            partner.debtor_reminder_company_name = reminder["company_name"]
            partner.debtor_reminder_portal_link = partner._get_debtor_portal_link()
            partner.debtor_reminder_move_ids = reminder["move_ids"]
            partner.debtor_reminder_amount = reminder["amount_to_pay_value"]

    def mail_allowed_qweb_expressions(self):
        # What a reminder shows: a template that uses nothing else is rendered
        # without evaluating code (Odoo's fast path, no QWeb compilation per
        # debtor), and users who are not template editors may change it.
        return super().mail_allowed_qweb_expressions() + (
            "object.lang",
            "object.debtor_reminder_date",
            "object.debtor_reminder_table",
            "object.debtor_reminder_company_name",
            "object.debtor_reminder_portal_link",
        )

    def _get_debtor_portal_link(self):
        """The reminder's sentence that links the debtor's collection page,
        in the debtor's language (a field, so that the template needs no
        code to render it)."""
        self.ensure_one()
        env = self.with_context(lang=self.lang or self.env.lang).env
        url = self.commercial_partner_id._get_debtor_portal_url(self.env.company)
        return Markup("<p>%s</p>") % (
            escape(
                env._(
                    "See all your open items, pay online, tell us when you will "
                    "pay or dispute an invoice on %(link_start)syour collection "
                    "page%(link_end)s."
                )
            )
            % {
                "link_start": Markup('<a href="%s">') % url,
                "link_end": Markup("</a>"),
            }
        )

    def _get_debtor_collector(self, company):
        """Who collects from this debtor in ``company``."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(company).sudo()
        # sudo: the collector is read for the follow-ups, whoever wrote them
        return partner.debtor_collector_id or partner.user_id

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

    def action_debtor_regenerate_portal_link(self):
        """Revoke the collection links sent to these customers: the links of
        their reminders stop working, the next reminders carry new ones."""
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(
                self.env._("Only invoicing users may regenerate a collection link.")
            )
        # sudo: the secret is readable by administrators only; any billing
        # user may revoke a customer's link (checked above)
        for partner in self.commercial_partner_id.sudo():
            partner.debtor_portal_secret = secrets.token_urlsafe(32)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "New collection link: the links sent before no longer open "
                    "the customer's page."
                ),
            },
        }

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
        its active invoice contacts with a valid e-mail, failing those the
        debtor's own e-mail. Returns a dict partner -> (recipients, maybe
        empty; the addresses left out because they are not valid)."""
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
        result = {}
        for debtor in self:
            candidates = contacts_by_debtor[debtor] or (
                debtor if debtor.email and debtor.active else self.browse()
            )
            valid = candidates.filtered(lambda p: email_normalize(p.email))
            result[debtor] = (valid, (candidates - valid).mapped("email"))
        return result

    def _get_debtor_reminder_values(self, date=None, company=None, all_open=False):
        """What a reminder shows each debtor in ``self``, formatted for the
        debtor's language: its items late at ``date`` and all its credits (all
        its open items with ``all_open``, for a statement), with totals per
        currency and the amount to pay in company currency.

        Returns a dict partner id -> values.
        """
        Debtor = self.env["account.debtor"]
        date = date or fields.Date.context_today(self)
        company = company or self.env.company
        domain = Debtor._get_debtor_item_domain(self, company)
        if not all_open:
            domain += Debtor._get_overdue_item_domain(date)
        lines = self.env["account.move.line"].search(
            domain, order="date_maturity, move_name, id"
        )
        if not all_open:
            # the e-mail links each invoice; the statement links none and may
            # be printed in a read-only request
            lines.move_id._debtor_ensure_access_tokens()
        lines_by_debtor = defaultdict(lambda: self.env["account.move.line"])
        for line in lines:
            lines_by_debtor[line.partner_id.commercial_partner_id.id] |= line
        base_url = company.get_base_url()
        return {
            partner.id: partner._prepare_debtor_reminder_values(
                lines_by_debtor[partner.id], date, company, base_url, all_open
            )
            for partner in self
        }

    def _prepare_debtor_reminder_values(
        self, lines, date, company, base_url, all_open=False
    ):
        self.ensure_one()
        Debtor = self.env["account.debtor"]
        locale = self._get_debtor_babel_locale()
        rows = []
        totals = defaultdict(float)
        for line in lines:
            currency = line.currency_id
            amount = line.amount_residual_currency
            due_date = Debtor._get_item_due_date(line)
            is_credit = line.amount_residual < 0
            totals[currency] += amount
            rows.append(
                {
                    "move_id": line.move_id.id,
                    "number": line.move_id.name,
                    "is_credit": is_credit,
                    "invoice_date": format_date(
                        line.move_id.invoice_date or line.date, "medium", locale
                    ),
                    "due_date": format_date(due_date, "medium", locale),
                    "days_late": 0 if is_credit else max((date - due_date).days, 0),
                    "amount": format_currency(amount, currency.name, locale=locale),
                    "url": base_url + line.move_id.get_portal_url()
                    if line.move_id.is_invoice(include_receipts=True)
                    and line.move_id.access_token
                    else False,
                }
            )
        balance = sum(lines.mapped("amount_residual"))
        amount_to_pay = balance if all_open else Debtor._get_amount_overdue(balance)
        currencies = sorted(totals, key=lambda currency: currency.name)
        # what the debtor is asked to pay: the moves of its items to pay
        due_moves = lines.filtered(lambda line: line.amount_residual > 0).move_id
        values = {
            "date": format_date(date, "medium", locale),
            "company_name": company.name,
            "rows": rows,
            "move_ids": due_moves.ids,
            "overdue_count": len(due_moves),
            # per currency: what is late less the credits in that currency; a
            # currency whose credits exceed its late items shows as a credit
            "totals": [
                {
                    "amount": format_currency(
                        abs(totals[currency]), currency.name, locale=locale
                    ),
                    "is_credit": totals[currency] < 0,
                }
                for currency in currencies
            ],
            # several currencies: the one amount to pay, in company currency
            # (the overview's figure)
            "amount_to_pay": format_currency(
                amount_to_pay, company.currency_id.name, locale=locale
            )
            if len(currencies) > 1
            else False,
            "amount_to_pay_value": amount_to_pay,
            "all_open": all_open,
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

    # The debtor's own page (/my/collection): the link every reminder carries

    def _get_debtor_portal_token(self, company):
        """The token of this debtor's collection page in ``company``: the
        company's id and an HMAC (keyed with the database secret) of the
        commercial partner, the company and the partner's own secret, so that
        another partner id, another company or a regenerated secret gives
        another token."""
        self.ensure_one()
        # sudo: the secret is for administrators only; it never leaves the
        # server, only the HMAC computed from it does
        partner = self.commercial_partner_id.sudo()
        signature = hmac(
            self.env(su=True),
            DEBTOR_PORTAL_TOKEN_SCOPE,
            (partner.id, company.id, partner.debtor_portal_secret or ""),
        )
        return f"{company.id}-{signature}"

    def _get_debtor_portal_url(self, company=None):
        """The absolute URL of this debtor's collection page for ``company``
        (the current company by default), for reminders, letters and
        statements: it opens without logging in."""
        self.ensure_one()
        company = company or self.env.company
        partner = self.commercial_partner_id
        token = partner._get_debtor_portal_token(company)
        return (
            f"{company.get_base_url()}/my/collection/{partner.id}?access_token={token}"
        )

    def _check_debtor_portal_token(self, token):
        """The company whose collection page ``token`` opens for this
        commercial partner, or an empty recordset."""
        self.ensure_one()
        companies = self.env["res.company"]
        company_id, _sep, _signature = (
            token.partition("-") if isinstance(token, str) else ("", "", "")
        )
        # a database id: digits, and no more than an integer column holds
        if not company_id.isdigit() or len(company_id) > 9:
            return companies
        if self != self.commercial_partner_id:
            return companies
        # sudo: the company the token names; it opens only when the token is
        # the one signed for this partner and that company
        company = companies.sudo().browse(int(company_id)).exists()
        if company and consteq(self._get_debtor_portal_token(company), token):
            return company
        return companies
