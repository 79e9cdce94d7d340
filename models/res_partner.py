import secrets
from collections import defaultdict

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import consteq, email_normalize
from odoo.tools.misc import hmac

# What a reminder document reads of a journal item (see
# _get_debtor_reminder_documents).
DOCUMENT_ITEM_FIELDS = [
    "partner_id",
    "move_id",
    "move_name",
    "date",
    "date_maturity",
    "currency_id",
    "amount_residual",
    "amount_residual_currency",
]

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
    debtor_portal_company_secret = fields.Char(
        string="Collection Link Secret of the Company",
        company_dependent=True,
        copy=False,
        groups="base.group_system",
        help="Signs the customer's collection link of this company with the "
        "secret above: a new one revokes the links this company sent before.",
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
        compute="_compute_debtor_currency_id",
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
            self.commercial_partner_id, company, company._get_debtor_today()
        )
        for partner in self:
            partner.debtor_amount_overdue = overdue[partner.commercial_partner_id]

    @api.depends_context("company")
    def _compute_debtor_currency_id(self):
        # a compute of its own: the reminder's amount is in it too, and must
        # not run the overdue query of the partners it is rendered for
        self.debtor_currency_id = self.env.company.currency_id

    @api.depends_context(
        "company",
        "debtor_as_of_date",
        "debtor_reminder_level_id",
        "debtor_reminder_letter",
        "debtor_reminder_entry_ids",
    )
    def _compute_debtor_reminder(self):
        """What the reminder shows: the stored document of a reminder sent
        (the context's ``debtor_reminder_entry_ids``: the e-mail, the letter
        and every reprint), else what a reminder would name now (a
        preview)."""
        Debtor = self.env["account.debtor"]
        as_of_date = Debtor._get_as_of_date()
        company = self.env.company
        entries = self._get_debtor_reminder_entries()
        documents = {
            entry.partner_id.id: entry._get_reminder_document() for entry in entries
        }
        missing = self.commercial_partner_id.filtered(
            lambda partner: partner.id not in documents
        )
        if missing:
            documents.update(
                missing._get_debtor_reminder_documents(
                    as_of_date, max(as_of_date, company._get_debtor_today()), company
                )
            )
        # once for all debtors (a query each)
        payment_accounts = self._get_debtor_payment_accounts(company)
        self.env["account.move"].browse(
            {
                item["move_id"]
                for document in documents.values()
                for item in document["items"]
            }
        ).fetch(["move_type", "access_token"])
        for partner in self:
            debtor = partner.commercial_partner_id
            reminder = debtor._format_debtor_reminder(
                documents[debtor.id], company, payment_accounts=payment_accounts
            )
            partner.debtor_reminder_table = reminder["table"]
            partner.debtor_reminder_date = reminder["date"]
            partner.debtor_reminder_company_name = reminder["company_name"]
            partner.debtor_reminder_portal_link = partner._get_debtor_portal_link()
            partner.debtor_reminder_move_ids = reminder["move_ids"]
            partner.debtor_reminder_amount = reminder["amount_to_pay_value"]

    def _get_debtor_reminder_entries(self):
        """The reminders the context's ``debtor_reminder_entry_ids`` name for
        these debtors: read with the user's own rights, so that a context
        never shows another company's reminder."""
        entry_ids = self.env.context.get("debtor_reminder_entry_ids")
        Correspondence = self.env["account.debtor.correspondence"]
        if not entry_ids or not isinstance(entry_ids, (list, tuple)):
            return Correspondence
        ids = [i for i in entry_ids if isinstance(i, int) and not isinstance(i, bool)]
        return Correspondence.search(
            [
                ("id", "in", ids),
                ("kind", "=", "reminder"),
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ]
        )

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
        # user may revoke a customer's link (checked above), in its current
        # company only: another company's links of a shared customer stay
        for partner in self.commercial_partner_id.sudo().with_company(self.env.company):
            partner.debtor_portal_company_secret = secrets.token_urlsafe(32)
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
        debtor's own e-mail; an address that bounced is skipped. Returns a
        dict partner -> (recipients, maybe empty; the addresses left out
        because they are not valid)."""
        # an address that bounced is left out: the next one gets the reminder
        bounced = self._get_debtor_bounced_contacts()
        contacts = self.search(
            [
                ("commercial_partner_id", "in", self.ids),
                ("type", "=", "invoice"),
                ("email", "!=", False),
                ("id", "not in", self.ids + bounced.ids),
            ]
        )
        contacts_by_debtor = defaultdict(lambda: self.browse())
        for contact in contacts:
            contacts_by_debtor[contact.commercial_partner_id] |= contact
        result = {}
        for debtor in self:
            candidates = contacts_by_debtor[debtor] or (
                debtor
                if debtor.email and debtor.active and debtor not in bounced
                else self.browse()
            )
            valid = candidates.filtered(lambda p: p._get_debtor_valid_email())
            result[debtor] = (valid, (candidates - valid).mapped("email"))
        return result

    def _get_debtor_valid_email(self):
        """This contact's e-mail address when it is one valid address
        (normalized), else False. Odoo stores the normalized address: when
        the field holds just that, it is valid without parsing it again
        (parsing is most of the checks of thousands of debtors)."""
        self.ensure_one()
        email = self.email
        if email and self.email_normalized == email.strip().lower():
            return self.email_normalized
        return email_normalize(email)

    def _get_debtor_reminder_values(self, date=None, company=None, all_open=False):
        """What a reminder at ``date`` would show each debtor in ``self`` now,
        formatted for the debtor's language: its items late at ``date`` and
        all its credits (all its open items with ``all_open``, for a
        statement), with totals per currency and the amount to pay in
        company currency. Returns a dict partner id -> values."""
        company = company or self.env.company
        date = date or company._get_debtor_today()
        documents = self._get_debtor_reminder_documents(
            date, max(date, company._get_debtor_today()), company, all_open=all_open
        )
        # once for all debtors (a query)
        payment_accounts = self._get_debtor_payment_accounts(company)
        return {
            partner.id: partner._format_debtor_reminder(
                documents[partner.id], company, payment_accounts=payment_accounts
            )
            for partner in self
        }

    @api.model
    def _get_debtor_payment_accounts(self, company):
        """Where the debtors of ``company`` pay: the bank accounts of its bank
        journals, else the company's own bank accounts, as one line (account
        number, bank and BIC)."""
        # sudo: the company's own accounts, which its reminders print for
        # every debtor; a portal statement or a billing user may not read
        # bank accounts. The company comes from the caller, not the client.
        accounts = (
            self.env["account.journal"]
            .sudo()
            .search(
                [
                    ("type", "=", "bank"),
                    ("company_id", "=", company.id),
                    ("bank_account_id", "!=", False),
                ]
            )
            .bank_account_id
        ) or company.sudo().partner_id.bank_ids
        lines = []
        for account in accounts:
            bank = ", ".join(filter(None, [account.bank_id.name, account.bank_bic]))
            lines.append(
                f"{account.acc_number} ({bank})" if bank else account.acc_number
            )
        return ", ".join(lines)

    def _get_debtor_reminder_documents(
        self, as_of_date, reminder_date, company, level=None, all_open=False
    ):
        """What a reminder of ``level`` (the context's level by default) sent
        on ``reminder_date`` names for each debtor in ``self``: its items
        late at ``as_of_date`` and every credit (all its open items with
        ``all_open``), each as a reminder item (``account.debtor.reminder.item``
        values) with its days late at ``reminder_date`` and the charges the
        level claims on it. What the sending stores, and what a preview
        shows.

        Returns a dict partner id -> {``items``, ``as_of_date``, ``date``,
        ``interest_rate`` (the yearly rate of ``reminder_date``'s half-year),
        ``interest_half_year_rates`` (the yearly rate of each half-year the
        interest counts days in, see ``_get_debtor_charges``), ``amount``:
        what it asks, in company currency, ``all_open``}.
        """
        Debtor = self.env["account.debtor"]
        domain = Debtor._get_debtor_item_domain(self, company)
        if not all_open:
            domain += Debtor._get_overdue_item_domain(as_of_date)
        # only the columns a document reads: a journal item has many
        lines = self.env["account.move.line"].search_fetch(
            domain,
            DOCUMENT_ITEM_FIELDS,
            order="date_maturity, move_name, id",
        )
        lines.move_id.fetch(["name", "invoice_date"])
        lines_by_debtor = defaultdict(list)
        for line in lines:
            lines_by_debtor[line.partner_id.commercial_partner_id.id].append(line)
        if level is None:
            level = self._get_debtor_reminder_level()
        charges = {"rate": 0.0, "half_year_rates": {}, "by_line": {}}
        if level and level._has_charges() and not all_open:
            charges = self._get_debtor_charges(
                lines.filtered(lambda line: line.amount_residual > 0),
                reminder_date,
                company,
                level,
            )
        rates = charges["half_year_rates"]
        documents = {}
        for partner in self:
            items = []
            half_years = set()
            for sequence, line in enumerate(lines_by_debtor[partner.id], start=1):
                due_date = Debtor._get_item_due_date(line)
                is_credit = line.amount_residual < 0
                charge = charges["by_line"].get(line.id, {})
                half_years.update(charge.get("half_years", ()))
                items.append(
                    {
                        "sequence": sequence,
                        "move_line_id": line.id,
                        "move_id": line.move_id.id,
                        "name": line.move_id.name,
                        "invoice_date": line.move_id.invoice_date or line.date,
                        "due_date": due_date,
                        "days_late": 0
                        if is_credit
                        else max((reminder_date - due_date).days, 0),
                        "is_credit": is_credit,
                        "currency_id": line.currency_id.id,
                        "amount_residual_currency": line.amount_residual_currency,
                        "amount_residual": line.amount_residual,
                        "interest_days": charge.get("days", 0),
                        "interest": charge.get("interest", 0.0),
                        "fee": charge.get("fee", 0.0),
                    }
                )
            balance = sum(item["amount_residual"] for item in items)
            documents[partner.id] = {
                "items": items,
                "as_of_date": as_of_date,
                "date": reminder_date,
                "interest_rate": charges["rate"],
                "interest_half_year_rates": [
                    [fields.Date.to_string(half_year), rates[half_year]]
                    for half_year in sorted(half_years)
                ],
                "amount": balance if all_open else Debtor._get_amount_overdue(balance),
                "all_open": all_open,
            }
        return documents

    @api.model
    def _get_debtor_document_move_ids(self, document):
        """The documents a reminder document asks to pay (its items to pay),
        each once, in the items' order."""
        return list(
            dict.fromkeys(
                item["move_id"]
                for item in document["items"]
                if item["amount_residual"] > 0 and item["move_id"]
            )
        )

    def _format_debtor_reminder(
        self, document, company, letter=None, payment_accounts=None
    ):
        """A reminder document (see ``_get_debtor_reminder_documents``) as
        the debtor reads it: formatted for its language, with the invoice
        table rendered. ``letter``: for paper (no links); the context's
        ``debtor_reminder_letter`` by default."""
        self.ensure_one()
        if letter is None:
            letter = bool(self.env.context.get("debtor_reminder_letter"))
        locale = self._get_debtor_babel_locale()
        items = document["items"]
        all_open = document["all_open"]
        moves = self.env["account.move"].browse(item["move_id"] for item in items)
        currencies = self.env["res.currency"].browse(
            item["currency_id"] for item in items
        )
        if not all_open and not letter:
            # the e-mail links each invoice; the statement and the letter
            # link none (the statement may be printed in a read-only request)
            moves._debtor_ensure_access_tokens()
        base_url = company.get_base_url()
        # each invoice's page, as get_portal_url() writes it, for all at once
        urls = {}
        if not letter and not all_open:
            urls = {
                move.id: f"{base_url}{move.access_url}?access_token={move.access_token}"
                for move in moves
                if move.is_invoice(include_receipts=True) and move.access_token
            }
        # a statement lists the invoices in dispute too: it says which, as the
        # reminder that attaches it does not ask for them
        disputed = set(moves.filtered("debtor_in_dispute").ids) if all_open else set()
        rows = []
        totals = defaultdict(float)
        for item in items:
            move = moves.browse(item["move_id"])
            currency = currencies.browse(item["currency_id"])
            totals[currency] += item["amount_residual_currency"]
            rows.append(
                {
                    "move_id": move.id,
                    "number": item["name"],
                    "is_credit": item["is_credit"],
                    "invoice_date": format_date(item["invoice_date"], "medium", locale),
                    "due_date": format_date(item["due_date"], "medium", locale),
                    "days_late": item["days_late"],
                    "amount": format_currency(
                        item["amount_residual_currency"], currency.name, locale=locale
                    ),
                    "url": urls.get(move.id, False),
                    "in_dispute": move.id in disputed,
                }
            )
        amount_to_pay = document["amount"]
        currencies = sorted(totals, key=lambda currency: currency.name)
        # what the debtor is asked to pay: the documents of its items to pay
        due_moves = moves.browse(self._get_debtor_document_move_ids(document))
        values = {
            "date": format_date(document["as_of_date"], "medium", locale),
            "company_name": company.name,
            "rows": rows,
            "letter": letter,
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
            "in_dispute": bool(disputed),
            "charges": False,
            "payment_accounts": self._get_debtor_payment_accounts(company)
            if payment_accounts is None
            else payment_accounts,
        }
        charges = self._format_debtor_charges(document, company, locale)
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
        """The late-payment charges on these late items claimed by a
        reminder sent on ``date``, in company currency: interest on each
        item's residual for the days since its due date, or since the day the
        last charges invoice claimed it up to, each day at the yearly rate of
        its half-year (the half-year's reference rate plus the company's
        margin: residual x rate x days / 365 summed over the half-years,
        rounded once per item), and the flat compensation once per invoice.
        Under the Latvian Civil Law (art. 1763) the interest claimed on an
        invoice, over all its reminders, never exceeds its principal.
        Charges invoices bear no charges.

        Returns a dict with ``rate`` (the yearly rate of ``date``'s
        half-year), ``half_year_rates`` (first day of a half-year -> its
        yearly rate, for the half-years the interest claimed counts days in),
        ``lines`` (per invoice: ``move``, ``days``, ``interest``, ``fee``),
        ``by_line`` (per item id: ``days``, ``interest``, ``fee``,
        ``half_years``: the first days of the half-years its invoice's
        interest counts days in), ``interest``, ``fee`` and ``total``.
        """
        Debtor = self.env["account.debtor"]
        Rate = self.env["account.debtor.interest.reference.rate"]
        currency = company.currency_id
        # the table once for all items: a batch reminds a thousand debtors
        reference_rates = (
            Rate._get_reference_rates(company) if level.charge_interest else {}
        )

        def yearly_rate(half_year):
            reference = reference_rates.get(
                half_year, company.debtor_interest_reference_rate
            )
            return reference + company.debtor_interest_margin

        lines = lines.filtered(lambda line: not line.move_id.debtor_charge_reminder_id)
        claimed = self._get_debtor_interest_claimed(lines.move_id)
        by_move = {}
        by_line = {}
        for line in lines:
            move = line.move_id
            due_date = Debtor._get_item_due_date(line)
            start = max(due_date, move.debtor_interest_date or due_date)
            days = max((date - start).days, 0) if level.charge_interest else 0
            periods = Rate._get_half_year_days(start, date) if days else []
            interest = currency.round(
                sum(
                    line.amount_residual * yearly_rate(half_year) / 100 * period / 365
                    for half_year, period in periods
                )
            )
            charge = by_move.setdefault(
                move,
                {
                    "move": move,
                    "days": 0,
                    "interest": 0.0,
                    "principal": 0.0,
                    "fee": company.debtor_compensation_fee
                    if level.charge_fee and not move.debtor_fee_charged
                    else 0.0,
                    "lines": [],
                },
            )
            charge["days"] = max(charge["days"], days)
            charge["principal"] += line.amount_residual
            charge["lines"].append(line)
            by_line[line.id] = {
                "days": days,
                "interest": interest,
                "fee": 0.0,
                "half_years": [half_year for half_year, _days in periods],
            }
        charges = []
        half_year_rates = {}
        for move, charge in by_move.items():
            line_charges = [by_line[line.id] for line in charge["lines"]]
            if company.debtor_interest_law == "lv":
                # Civil Law art. 1763: no more interest once it equals the debt
                room = max(currency.round(charge["principal"] - claimed[move]), 0.0)
                for line_charge in line_charges:
                    line_charge["interest"] = min(line_charge["interest"], room)
                    room = currency.round(room - line_charge["interest"])
            line_charges[0]["fee"] = charge["fee"]
            charge["interest"] = currency.round(
                sum(line_charge["interest"] for line_charge in line_charges)
            )
            for line_charge in line_charges:
                if charge["interest"] > 0:
                    half_year_rates.update(
                        (half_year, yearly_rate(half_year))
                        for half_year in line_charge["half_years"]
                    )
                else:
                    line_charge["half_years"] = []
            if charge["interest"] > 0 or charge["fee"] > 0:
                charges.append(charge)
        interest = sum(charge["interest"] for charge in charges)
        fee = sum(charge["fee"] for charge in charges)
        return {
            "rate": yearly_rate(Rate._get_half_year_start(date))
            if level.charge_interest
            else 0.0,
            "half_year_rates": half_year_rates,
            "lines": charges,
            "by_line": by_line,
            "interest": interest,
            "fee": fee,
            "total": currency.round(interest + fee),
        }

    @api.model
    def _get_debtor_interest_claimed(self, moves):
        """The interest already invoiced on each of ``moves`` by earlier
        reminders (their charges invoices), in company currency."""
        claimed = defaultdict(float)
        if not moves:
            return claimed
        # sudo: what was claimed on invoices the sending reads anyway, from
        # the reminders' own items, whoever sent them
        groups = (
            self.env["account.debtor.reminder.item"]
            .sudo()
            ._read_group(
                [
                    ("move_id", "in", moves.ids),
                    ("correspondence_id.charge_move_id", "!=", False),
                ],
                ["move_id"],
                ["interest:sum"],
            )
        )
        for move, interest in groups:
            claimed[move.with_env(self.env)] = interest
        return claimed

    @api.model
    def _format_debtor_charges(self, document, company, locale):
        """The charges a reminder document claims, as it shows them (per
        invoice), formatted for ``locale`` and in the debtor's language."""
        by_move = {}
        for item in document["items"]:
            if not (item["interest"] or item["fee"]):
                continue
            charge = by_move.setdefault(
                item["move_id"],
                {"number": item["name"], "days": 0, "interest": 0.0, "fee": 0.0},
            )
            charge["days"] = max(charge["days"], item["interest_days"])
            charge["interest"] += item["interest"]
            charge["fee"] += item["fee"]
        if not by_move:
            return False
        currency = company.currency_id.name
        rate = format_decimal(document["interest_rate"], "#,##0.00", locale=locale)
        env = self.with_context(lang=self._get_debtor_lang()).env
        # the rates of the half-years the interest counts days in; older
        # reminders stored none: they counted every day at one rate
        half_year_rates = self.env[
            "account.debtor.interest.reference.rate"
        ]._group_half_year_rates(
            [
                (fields.Date.to_date(half_year), half_year_rate, 0)
                for half_year, half_year_rate in document.get(
                    "interest_half_year_rates"
                )
                or []
            ]
        )
        show_interest = bool(document["interest_rate"] or half_year_rates)
        show_fee = any(charge["fee"] for charge in by_move.values())
        law = company._get_debtor_interest_law_name(env)
        # a sentence with the rate inside: translated here, QWeb would split it
        if show_interest and len(half_year_rates) > 1:
            rates = format_list(
                [
                    env._(
                        "%(rate)s %% a year from %(date)s",
                        rate=format_decimal(half_year_rate, "#,##0.00", locale=locale),
                        date=format_date(half_year, "medium", locale),
                    )
                    for half_year, half_year_rate, _days in half_year_rates
                ],
                locale=locale,
            )
            if show_fee:
                sentence = env._(
                    "Under %(law)s, we charge interest at the statutory rate of "
                    "each half-year (%(rates)s) for the days late and a fixed "
                    "compensation for recovery costs per late invoice:",
                    law=law,
                    rates=rates,
                )
            else:
                sentence = env._(
                    "Under %(law)s, we charge interest at the statutory rate of "
                    "each half-year (%(rates)s) for the days late:",
                    law=law,
                    rates=rates,
                )
        elif show_interest and show_fee:
            sentence = env._(
                "Under %(law)s, we charge interest at %(rate)s %% a year for the "
                "days late and a fixed compensation for recovery costs per late "
                "invoice:",
                law=law,
                rate=rate,
            )
        elif show_interest:
            sentence = env._(
                "Under %(law)s, we charge interest at %(rate)s %% a year for the "
                "days late:",
                law=law,
                rate=rate,
            )
        else:
            sentence = env._(
                "Under %(law)s, we charge a fixed compensation for recovery costs "
                "per late invoice:",
                law=law,
            )
        interest = sum(charge["interest"] for charge in by_move.values())
        fee = sum(charge["fee"] for charge in by_move.values())
        total = company.currency_id.round(interest + fee)
        return {
            "rate": rate,
            "sentence": sentence,
            "rows": [
                {
                    "number": charge["number"],
                    "days": charge["days"],
                    "interest": format_currency(
                        charge["interest"], currency, locale=locale
                    ),
                    "fee": format_currency(charge["fee"], currency, locale=locale),
                }
                for charge in by_move.values()
            ],
            "show_interest": show_interest,
            "show_fee": show_fee,
            "total": format_currency(total, currency, locale=locale),
            "total_value": total,
            "amount_with_charges": format_currency(
                document["amount"] + total, currency, locale=locale
            ),
        }

    def _get_debtor_babel_locale(self, lang=None):
        """The Babel locale of ``lang``, else of the debtor's language (the
        one chain of ``_get_debtor_lang``; English as a fallback)."""
        self.ensure_one()
        try:
            return Locale.parse(lang or self._get_debtor_lang())
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
        partner = self.commercial_partner_id.sudo().with_company(company)
        message = (partner.id, company.id, partner.debtor_portal_secret or "")
        if partner.debtor_portal_company_secret:
            # only once regenerated in a company: the links sent before keep
            # their token until then
            message += (partner.debtor_portal_company_secret,)
        signature = hmac(self.env(su=True), DEBTOR_PORTAL_TOKEN_SCOPE, message)
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
