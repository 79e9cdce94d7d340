import secrets
from collections import defaultdict

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
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
    # the language of the reminder's template (see _get_debtor_lang)
    debtor_reminder_lang = fields.Char(
        compute="_compute_debtor_reminder_lang",
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

    @api.depends_context(
        "company",
        "debtor_as_of_date",
        "debtor_reminder_level_id",
        "debtor_reminder_letter",
    )
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

    @api.depends("lang", "commercial_partner_id.lang")
    @api.depends_context("company")
    def _compute_debtor_reminder_lang(self):
        for partner in self:
            partner.debtor_reminder_lang = partner._get_debtor_lang()

    def mail_allowed_qweb_expressions(self):
        # What a reminder shows: a template that uses nothing else is rendered
        # without evaluating code (Odoo's fast path, no QWeb compilation per
        # debtor), and users who are not template editors may change it.
        return super().mail_allowed_qweb_expressions() + (
            "object.lang",
            "object.debtor_reminder_lang",
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
        env = self.with_context(lang=self._get_debtor_lang()).env
        url = self.commercial_partner_id._get_debtor_portal_url(self.env.company)
        if self.env.context.get("debtor_reminder_letter"):
            # on paper, the address itself
            return Markup("<p>%s</p>") % env._(
                "See all your open items, pay online, tell us when you will pay "
                "or dispute an invoice on your collection page: %(url)s",
                url=url,
            )
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
        # once for all debtors (each lookup is a query)
        level = self._get_debtor_reminder_level()
        return {
            partner.id: partner._prepare_debtor_reminder_values(
                lines_by_debtor[partner.id], date, company, base_url, all_open, level
            )
            for partner in self
        }

    def _prepare_debtor_reminder_values(
        self, lines, date, company, base_url, all_open=False, level=None
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
            "charges": False,
        }
        if level is None:
            level = self._get_debtor_reminder_level()
        if level and level._has_charges() and not all_open:
            charges = self._format_debtor_charges(
                self._get_debtor_charges(
                    lines.filtered(lambda line: line.amount_residual > 0),
                    date,
                    company,
                    level,
                ),
                company,
                locale,
                amount_to_pay,
                self._get_debtor_lang(),
            )
            if charges:
                # the charges are in company currency: a total with them only
                # where the reminder's amount to pay is in it too
                charges["show_total"] = len(currencies) > 1 or (
                    currencies == [company.currency_id]
                )
            values["charges"] = charges
        values["table"] = (
            self.env["ir.qweb"]
            .with_context(lang=self._get_debtor_lang())
            ._render(
                "account_debtor_collection.debtor_reminder_invoice_table",
                {"reminder": values},
            )
        )
        return values

    def _get_debtor_reminder_level(self):
        """The level whose reminder is rendered: the context's
        ``debtor_reminder_level_id`` (set by the sending), else none."""
        level_id = self.env.context.get("debtor_reminder_level_id")
        if not isinstance(level_id, int) or isinstance(level_id, bool):
            return self.env["account.debtor.reminder.level"]
        return self.env["account.debtor.reminder.level"].browse(level_id).exists()

    @api.model
    def _get_debtor_charges(self, lines, date, company, level):
        """The late-payment charges of Directive 2011/7/EU on these late
        items at ``date``, in company currency: per late invoice, interest
        on each item's residual at the company's yearly rate for its days
        late (residual x rate x days / 365) and the flat compensation once
        per invoice. What a charges invoice already claimed is not claimed
        again: interest runs from the date it was invoiced up to, the
        compensation is claimed once. Charges invoices bear no charges.

        Returns a dict with ``rate``, ``lines`` (dicts: ``move``, ``days``,
        ``interest``, ``fee``), ``interest``, ``fee`` and ``total``.
        """
        Debtor = self.env["account.debtor"]
        currency = company.currency_id
        rate = company.debtor_interest_reference_rate + company.debtor_interest_margin
        by_move = {}
        for line in lines:
            move = line.move_id
            if move.debtor_charge_reminder_id:
                continue
            due_date = Debtor._get_item_due_date(line)
            start = max(due_date, move.debtor_interest_date or due_date)
            days = max((date - start).days, 0)
            charge = by_move.setdefault(
                move,
                {
                    "move": move,
                    "days": 0,
                    "interest": 0.0,
                    "fee": company.debtor_compensation_fee
                    if level.charge_fee and not move.debtor_fee_charged
                    else 0.0,
                },
            )
            charge["days"] = max(charge["days"], max((date - due_date).days, 0))
            if level.charge_interest:
                charge["interest"] += line.amount_residual * rate / 100 * days / 365
        charges = []
        for charge in by_move.values():
            charge["interest"] = currency.round(charge["interest"])
            if charge["interest"] > 0 or charge["fee"] > 0:
                charges.append(charge)
        interest = sum(charge["interest"] for charge in charges)
        fee = sum(charge["fee"] for charge in charges)
        return {
            "rate": rate if level.charge_interest else 0.0,
            "lines": charges,
            "interest": interest,
            "fee": fee,
            "total": currency.round(interest + fee),
        }

    @api.model
    def _format_debtor_charges(self, charges, company, locale, amount_to_pay, lang):
        """The charges as the reminder shows them, formatted for ``locale``
        and in ``lang``."""
        if not charges["lines"]:
            return False
        currency = company.currency_id.name
        rate = format_decimal(charges["rate"], "#,##0.00", locale=locale)
        env = self.with_context(lang=lang or self.env.lang).env
        show_fee = any(charge["fee"] for charge in charges["lines"])
        # a sentence with the rate inside: translated here, QWeb would split it
        if charges["rate"] and show_fee:
            sentence = env._(
                "Under Directive 2011/7/EU on late payment, we charge interest "
                "at %(rate)s %% a year for the days late and a fixed compensation "
                "for recovery costs per late invoice:",
                rate=rate,
            )
        elif charges["rate"]:
            sentence = env._(
                "Under Directive 2011/7/EU on late payment, we charge interest "
                "at %(rate)s %% a year for the days late:",
                rate=rate,
            )
        else:
            sentence = env._(
                "Under Directive 2011/7/EU on late payment, we charge a fixed "
                "compensation for recovery costs per late invoice:"
            )
        return {
            "rate": rate,
            "sentence": sentence,
            "rows": [
                {
                    "number": charge["move"].name,
                    "days": charge["days"],
                    "interest": format_currency(
                        charge["interest"], currency, locale=locale
                    ),
                    "fee": format_currency(charge["fee"], currency, locale=locale),
                }
                for charge in charges["lines"]
            ],
            "show_interest": bool(charges["rate"]),
            "show_fee": show_fee,
            "total": format_currency(charges["total"], currency, locale=locale),
            "total_value": charges["total"],
            "amount_with_charges": format_currency(
                amount_to_pay + charges["total"], currency, locale=locale
            ),
        }

    def _get_debtor_babel_locale(self):
        """The Babel locale of the debtor's language (English as a fallback)."""
        self.ensure_one()
        try:
            return Locale.parse(self._get_debtor_lang())
        except (ValueError, UnknownLocaleError):
            return Locale.parse("en_US")

    def _get_debtor_lang(self):
        """The one language of everything a reminder to this debtor says, to
        every one of its recipients: the e-mail (subject, body, layout,
        footer), its attachments and their names, the letter, the debtor's
        page with its messages, dates and amounts. The debtor's (commercial
        partner's) language when it is active, else English when it is
        active, else the language of the company's own partner: never the
        language of an invoice contact, nor of the user who sends."""
        self.ensure_one()
        active = {code for code, _name in self.env["res.lang"].get_installed()}
        for lang in (
            self.commercial_partner_id.lang,
            "en_US",
            self.env.company.partner_id.lang,
        ):
            if lang in active:
                return lang
        return self.env.lang or "en_US"

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
