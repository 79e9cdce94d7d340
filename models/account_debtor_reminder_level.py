from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

# How a reminder goes to the debtor: the one list of the level, the preview
# and run lines and the log.
REMINDER_CHANNELS = [
    ("email", "E-mail"),
    ("letter", "Printed Letter"),
    ("call", "Phone Call"),
    ("sms", "SMS"),
    ("post", "Letter by Post"),
]
# What a level's SMS text may name: {amount} to pay now, {company}, {url}.
SMS_PLACEHOLDERS = {"amount": "", "company": "", "url": ""}


class AccountDebtorReminderLevel(models.Model):
    """A step of escalation: how late a debtor must be, what it is sent and
    how (e-mail, printed letter, phone call, SMS, letter by post), what
    instead when the debtor cannot be reached that way (``fallback_channel``),
    and whether late-payment
    charges are claimed.

    A debtor's next level is the highest level whose ``delay`` its oldest
    late item has reached, but never more than one level above the level of
    its last reminder about items still late (see
    ``account.debtor._get_level_query``). Every company has at least one
    level: one is created with the company, and the last one cannot be
    deleted.
    """

    _name = "account.debtor.reminder.level"
    _description = "Payment Reminder Level"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    delay = fields.Integer(
        string="Days Late",
        help="How many days the debtor's oldest late item must be past its "
        "due date, at the as-of date, for this level.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Text",
        domain="[('model', '=', 'res.partner')]",
        ondelete="set null",
        help="The subject and text of this level, in e-mails and letters, "
        "translated per language.",
    )
    channel = fields.Selection(
        selection=REMINDER_CHANNELS,
        required=True,
        default="email",
        help="E-mail: sent through the mail queue. Printed letter: a PDF for "
        "a window envelope, printed from the run. Phone call: an activity "
        "for the collector. SMS: a short text to the debtor's mobile. Letter "
        "by post: the printed letter, handed to Odoo's postal service.",
    )
    fallback_channel = fields.Selection(
        selection=REMINDER_CHANNELS,
        help="How the reminder goes instead when the debtor cannot be reached "
        "by the level's channel: no mobile for an SMS, every e-mail address "
        "bounced. Empty: the debtor is skipped with the reason.",
    )
    sms_text = fields.Text(
        string="SMS Text",
        translate=True,
        help="The short text of this level's SMS, in the debtor's language. "
        "{amount} is replaced by the amount to pay now, {company} by the "
        "company's name and {url} by the address of the customer's collection "
        "page. Empty: a standard text with all three.",
    )
    attach_statement = fields.Boolean(
        help="Attach a PDF statement of all the debtor's open items."
    )
    charge_interest = fields.Boolean(
        string="Statutory Interest",
        help="Claim interest on each late invoice for the days late, each "
        "day at the yearly rate of its half-year (the half-year's reference "
        "rate plus the company's margin).",
    )
    charge_fee = fields.Boolean(
        string="Compensation Fee",
        help="Claim the company's flat compensation for recovery costs per "
        "late invoice (40 EUR by Directive 2011/7/EU).",
    )

    _sql_constraints = [
        (
            "delay_not_negative",
            "CHECK (delay >= 0)",
            "A level's days late cannot be negative.",
        ),
    ]

    @api.constrains("channel", "fallback_channel")
    def _check_fallback_channel(self):
        for level in self:
            if level.fallback_channel and level.fallback_channel == level.channel:
                raise ValidationError(
                    self.env._(
                        'The fallback channel of "%(level)s" must differ from '
                        "its channel.",
                        level=level.name,
                    )
                )

    @api.constrains("sms_text")
    def _check_sms_text(self):
        for level in self.filtered("sms_text"):
            # every translation: each one is rendered for its debtors
            texts = level._fields["sms_text"]._get_stored_translations(level) or {}
            for text in texts.values() if texts else [level.sms_text]:
                try:
                    (text or "").format_map(SMS_PLACEHOLDERS)
                except (KeyError, ValueError, IndexError, AttributeError):
                    raise ValidationError(
                        self.env._(
                            'The SMS text of "%(level)s" may name only {amount}, '
                            "{company} and {url} (in braces): %(text)s",
                            level=level.name,
                            text=text,
                        )
                    ) from None

    @api.ondelete(at_uninstall=False)
    def _unlink_except_last_level(self):
        for company in self.company_id:
            remaining = self.search_count(
                [("company_id", "=", company.id), ("id", "not in", self.ids)]
            )
            if not remaining:
                raise UserError(
                    self.env._(
                        "%(company)s needs at least one reminder level: change "
                        "this one rather than delete it.",
                        company=company.name,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        # sudo: only whether a reminder names the level, whoever may read it
        used = (
            self.env["account.debtor.correspondence"]
            .sudo()
            ._read_group([("level_id", "in", self.ids)], ["level_id"])
        )
        if used:
            raise UserError(
                self.env._(
                    'The reminder level "%(level)s" was sent already: it stays '
                    "in the log of those reminders. Change it rather than "
                    "delete it.",
                    level=used[0][0].name,
                )
            )

    def _has_charges(self):
        """Whether this level claims any late-payment charge."""
        self.ensure_one()
        return self.charge_interest or self.charge_fee

    @api.model
    def _prepare_default_level_vals(self, company):
        """The level a company starts with: today's friendly e-mail."""
        template = self.env.ref(
            "account_debtor_collection.mail_template_debtor_reminder",
            raise_if_not_found=False,
        )
        return {
            "name": self.env._("Payment Reminder"),
            "sequence": 10,
            "company_id": company.id,
            "delay": 0,
            "channel": "email",
            "mail_template_id": template.id if template else False,
        }

    def _needs_template(self):
        """Whether this level's reminders are written with its mail
        template: an e-mail or a letter is, a call or an SMS is not (by the
        level's channel or its fallback)."""
        self.ensure_one()
        return bool({self.channel, self.fallback_channel} & {"email", "letter", "post"})

    def _get_template(self):
        """This level's mail template, or a clear message when it is gone."""
        self.ensure_one()
        if not self.mail_template_id:
            raise UserError(
                self.env._(
                    'The reminder level "%(level)s" has no e-mail template (it '
                    "was deleted?): choose its text in Reminder Levels.",
                    level=self.name,
                )
            )
        return self.mail_template_id
