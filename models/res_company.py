from odoo import api, fields, models

# Directive 2011/7/EU, art. 6: the fixed compensation for recovery costs.
STATUTORY_FEE_EUR = 40.0


class ResCompany(models.Model):
    _inherit = "res.company"

    debtor_reminder_interval = fields.Integer(
        string="Minimum Days Between Reminders",
        default=7,
        help="A debtor reminded less than this many days ago is skipped, "
        "unless the user forces the reminder.",
    )
    debtor_reminder_level_ids = fields.One2many(
        "account.debtor.reminder.level", "company_id", string="Reminder Levels"
    )
    # The statement is a choice of each level now; this company-wide switch
    # reads and sets it for all of the company's levels at once.
    debtor_reminder_attach_statement = fields.Boolean(
        string="Attach Statement to Reminders",
        compute="_compute_debtor_reminder_attach_statement",
        inverse="_inverse_debtor_reminder_attach_statement",
        help="Attach a PDF statement of the debtor's open items to the "
        "reminders of every level (each level can also choose on its own).",
    )
    debtor_reminder_auto = fields.Boolean(
        string="Scheduled Reminders",
        help="Every day, remind the overdue debtors whose next action date has "
        "come, under the same rules as a manual sending.",
    )
    debtor_reminder_min_amount = fields.Monetary(
        string="Minimum Overdue Amount",
        currency_field="currency_id",
        help="A debtor whose overdue amount is below this one is not reminded.",
    )
    debtor_bank_stale_days = fields.Integer(
        string="Bank Data Fresh for (Days)",
        default=3,
        help="The reminder wizard warns when a bank journal has no transaction "
        "newer than this many days: payments after that are not in Odoo yet.",
    )
    debtor_portal_promise_days = fields.Integer(
        string="Latest Promise Online (Days)",
        default=30,
        help="On their collection page, customers may promise to pay at most "
        "this many days ahead.",
    )
    debtor_letter_without_email = fields.Boolean(
        string="Letters for Debtors Without E-mail",
        help="A debtor without a valid e-mail address gets its e-mail reminder "
        "as a printed letter instead of being skipped.",
    )
    debtor_interest_law = fields.Selection(
        selection=[
            ("eu", "Directive 2011/7/EU"),
            ("lv", "Civil Law of Latvia"),
        ],
        string="Late-Payment Law",
        compute="_compute_debtor_interest_law",
        store=True,
        readonly=False,
        help="The law the late-payment charges follow, named in the reminders. "
        "The Civil Law of Latvia (art. 1763) also stops the interest on an "
        "invoice once the interest claimed equals the debt.",
    )
    debtor_interest_reference_rate = fields.Float(
        string="Fallback Reference Rate (%)",
        digits=(16, 2),
        default=2.15,
        help="The reference rate of the half-years not in the table of "
        "reference rates by half-year (Interest Reference Rates), where each "
        "half-year has the central bank's rate in force on its first day "
        "(the ECB's main refinancing rate in the euro area).",
    )
    debtor_interest_margin = fields.Float(
        string="Interest Margin (Points)",
        digits=(16, 2),
        default=8.0,
        help="Added to the reference rate of each half-year: at least 8 "
        "points for the statutory interest of Directive 2011/7/EU.",
    )
    debtor_compensation_fee = fields.Monetary(
        string="Compensation per Late Invoice",
        currency_field="currency_id",
        default=STATUTORY_FEE_EUR,
        help="The flat compensation for recovery costs claimed per late "
        "invoice, in company currency (40 EUR by Directive 2011/7/EU).",
    )
    debtor_charge_invoice = fields.Boolean(
        string="Invoice Late-Payment Charges",
        help="When a level with charges is sent, create and post a customer "
        "invoice of the interest and compensation, linked from the reminder.",
    )
    debtor_interest_account_id = fields.Many2one(
        "account.account",
        string="Interest Income Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )
    debtor_fee_account_id = fields.Many2one(
        "account.account",
        string="Compensation Income Account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
    )

    @api.depends("country_id")
    def _compute_debtor_interest_law(self):
        for company in self:
            company.debtor_interest_law = (
                "lv" if company.country_id.code == "LV" else "eu"
            )

    def _get_debtor_interest_law_name(self, env=None):
        """The law of the company's charges as a reminder names it, in the
        language of ``env``."""
        self.ensure_one()
        env = env or self.env
        if self.debtor_interest_law == "lv":
            return env._("the Civil Law of Latvia (articles 1763 and 1765)")
        return env._("Directive 2011/7/EU on late payment")

    def _get_debtor_today(self):
        """Today in the company's time zone (its address's, else UTC): the
        date of every reminder it sends, whoever sends and wherever the
        server is, so that one run is dated one day."""
        self.ensure_one()
        # the record cache keeps it: every batch and screen asks, once a query
        return fields.Date.context_today(
            self.with_context(tz=self.partner_id.tz or "UTC")
        )

    @api.depends("debtor_reminder_level_ids.attach_statement")
    def _compute_debtor_reminder_attach_statement(self):
        for company in self:
            levels = company.debtor_reminder_level_ids
            company.debtor_reminder_attach_statement = bool(levels) and all(
                levels.mapped("attach_statement")
            )

    def _inverse_debtor_reminder_attach_statement(self):
        # only a change sets all levels: saving the settings as they are
        # keeps the levels' own choices
        for company in self:
            levels = company.debtor_reminder_level_ids
            attach = company.debtor_reminder_attach_statement
            if attach != (bool(levels) and all(levels.mapped("attach_statement"))):
                levels.attach_statement = attach

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._debtor_ensure_reminder_levels()
        return companies

    @api.model
    def _debtor_install_reminder_levels(self):
        """At install: every company gets its level, and the compensation
        fee in its own currency."""
        # every company, once at install: a handful of records
        companies = self.search([])  # pylint: disable=no-search-all
        companies._debtor_ensure_reminder_levels()

    def _debtor_ensure_reminder_levels(self):
        """Give each company without a reminder level the default one, and
        the statutory 40 EUR converted into its currency when that is not
        the euro (at today's rate, when Odoo knows one)."""
        Level = self.env["account.debtor.reminder.level"].sudo()
        # sudo: creating a company (or installing) gives it its first level,
        # whoever may create companies; the values are the addon's own
        with_levels = {
            company
            for [company] in Level._read_group(
                [("company_id", "in", self.ids)], ["company_id"]
            )
        }
        Level.create(
            [
                Level._prepare_default_level_vals(company)
                for company in self
                if company not in with_levels
            ]
        )
        eur = self.env.ref("base.EUR", raise_if_not_found=False)
        for company in self:
            if (
                eur
                and company.currency_id != eur
                and company.debtor_compensation_fee == STATUTORY_FEE_EUR
            ):
                company.debtor_compensation_fee = eur._convert(
                    STATUTORY_FEE_EUR,
                    company.currency_id,
                    company,
                    fields.Date.context_today(self),
                )
