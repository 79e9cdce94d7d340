import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize, format_date, split_every

_logger = logging.getLogger(__name__)

# How many debtors are rendered, posted and flushed together.
REMINDER_BATCH_SIZE = 100


class AccountDebtorRemind(models.TransientModel):
    """Send payment reminders: one e-mail per debtor listing its invoices
    overdue at ``date``, in the debtor's language, through the mail queue.

    Each debtor is processed in a savepoint of its own: one failing debtor is
    reported with its reason and the others are still sent.
    """

    _name = "account.debtor.remind"
    _description = "Send Payment Reminders"

    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="An invoice is overdue when its due date is before this date.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    select_all_overdue = fields.Boolean(
        help="Select every overdue debtor, again whenever the date changes."
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Debtors",
        compute="_compute_partner_ids",
        store=True,
        readonly=False,
        domain="[('parent_id', '=', False)]",
        # an archived debtor picked in the overview is reported, not dropped
        context={"active_test": False},
    )
    force = fields.Boolean(
        string="Remind Again",
        help="Also remind debtors reminded within the minimum interval or "
        "whose payment promise is pending.",
    )
    state = fields.Selection(
        selection=[("draft", "To Send"), ("done", "Done")],
        default="draft",
        required=True,
    )
    line_ids = fields.One2many(
        "account.debtor.remind.line",
        "remind_id",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    send_count = fields.Integer(compute="_compute_counts")
    skip_count = fields.Integer(compute="_compute_counts")
    sent_count = fields.Integer(compute="_compute_counts")
    failed_count = fields.Integer(compute="_compute_counts")

    @api.depends("select_all_overdue", "date", "company_id")
    def _compute_partner_ids(self):
        for wizard in self:
            if wizard.select_all_overdue and wizard.date:
                wizard.partner_ids = wizard._get_overdue_debtors()
            else:
                wizard.partner_ids = wizard.partner_ids

    @api.depends("partner_ids", "date", "force", "company_id")
    def _compute_line_ids(self):
        for wizard in self:
            if wizard.state == "done":
                continue
            checks = wizard._check_debtors(wizard.partner_ids)
            wizard.line_ids = [Command.clear()] + [
                Command.create(check) for check in checks.values()
            ]

    @api.depends("line_ids.state")
    def _compute_counts(self):
        for wizard in self:
            states = wizard.line_ids.mapped("state")
            wizard.send_count = states.count("to_send")
            wizard.skip_count = states.count("skipped")
            wizard.sent_count = states.count("sent")
            wizard.failed_count = states.count("failed")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        active_ids = context.get("active_ids") or []
        if context.get("active_model") == "account.debtor":
            debtors = self.env["account.debtor"].browse(active_ids)
            if len(debtors.company_id) > 1:
                raise UserError(
                    self.env._(
                        "Send reminders to the debtors of one company at a time."
                    )
                )
            if "date" in fields_list:
                # the overview's as-of date, which its context carries
                values["date"] = debtors._get_as_of_date()
            if "company_id" in fields_list and debtors:
                values["company_id"] = debtors.company_id.id
            if "partner_ids" in fields_list and not values.get("partner_ids"):
                values["partner_ids"] = [Command.set(debtors.partner_id.ids)]
        elif context.get("active_model") == "res.partner":
            partners = self.env["res.partner"].browse(active_ids)
            if "partner_ids" in fields_list and not values.get("partner_ids"):
                values["partner_ids"] = [
                    Command.set(partners.commercial_partner_id.ids)
                ]
        return values

    @api.model
    def _action_open(self, partners, company=None, date=None):
        company = company or self.env.company
        wizard = self.with_company(company).create(
            {
                "partner_ids": [Command.set(partners.ids)],
                "company_id": company.id,
                "date": date or fields.Date.context_today(self),
            }
        )
        return wizard._action_reopen()

    def _action_reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Payment Reminders"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_select_overdue(self):
        """Select every debtor whose overdue balance at the date is positive,
        leaving out the excluded ones and those paused by a pending promise."""
        self.ensure_one()
        if self.select_all_overdue:
            self.partner_ids = self._get_overdue_debtors()
        else:
            # the selection follows the date from now on (see _compute_partner_ids)
            self.select_all_overdue = True
        return self._action_reopen()

    def action_send(self):
        """Send the reminders and show who was sent what, and who was not."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("These reminders were already sent."))
        self._send_reminders(self.env.user.partner_id)
        self.state = "done"
        return self._action_reopen()

    def _get_overdue_debtors(self):
        """The debtors (commercial partners) to remind at ``self.date``."""
        self.ensure_one()
        Debtor = self.env["account.debtor"].with_context(debtor_as_of_date=self.date)
        # the rows depend on the as-of date: never reuse rows read at another
        Debtor.invalidate_model()
        # search_fetch: the aggregate runs once, not once per prefetch batch
        debtors = Debtor.search_fetch(
            self._get_overdue_debtors_domain(), ["partner_id"]
        )
        partners = debtors.partner_id
        Debtor.invalidate_model()
        return partners

    def _get_overdue_debtors_domain(self):
        return self.env["account.debtor"]._get_remindable_domain(
            self.company_id, self.date
        )

    def _check_debtors(self, partners):
        """Check each debtor before sending: returns a dict partner -> line
        values (recipients, language, overdue count and amount, and the reason
        to skip it, if any)."""
        self.ensure_one()
        if not partners:
            return {}
        Debtor = self.env["account.debtor"].with_context(debtor_as_of_date=self.date)
        Debtor.invalidate_model()
        debtors = Debtor.search_fetch(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", self.company_id.id),
            ],
            [
                "partner_id",
                "amount_overdue",
                "amount_credit",
                "overdue_invoice_count",
                "no_reminder",
                "promise_state",
                "promise_date",
                "last_reminder_date",
            ],
        )
        debtor_by_partner = {debtor.partner_id: debtor for debtor in debtors}
        recipients_by_partner = partners._get_debtor_reminder_recipients()
        checks = {}
        for partner in partners:
            debtor = debtor_by_partner.get(partner)
            recipients, invalid = recipients_by_partner[partner]
            reason = self._get_skip_reason(partner, debtor, recipients, invalid)
            checks[partner] = {
                "partner_id": partner.id,
                "recipients": ", ".join(recipients.mapped("email_formatted")),
                "lang": partner.lang,
                "overdue_count": debtor.overdue_invoice_count if debtor else 0,
                "currency_id": self.company_id.currency_id.id,
                "amount_overdue": debtor.amount_overdue if debtor else 0.0,
                "amount_credit": debtor.amount_credit if debtor else 0.0,
                "state": "skipped" if reason else "to_send",
                "message": reason,
            }
        Debtor.invalidate_model()
        return checks

    def _get_skip_reason(self, partner, debtor, recipients, invalid_emails):
        """Why ``partner`` gets no reminder now (False: it gets one)."""
        _ = self.env._
        today = fields.Date.context_today(self)
        interval = self.company_id.debtor_reminder_interval
        if not partner.active:
            return _("The customer is archived.")
        if not debtor or (
            debtor.amount_overdue <= 0 and not debtor.overdue_invoice_count
        ):
            return _("Nothing is overdue at this date.")
        if debtor.amount_overdue <= 0:
            return _(
                "Its credits cover its late invoices: there is nothing to pay "
                "at this date."
            )
        if debtor.no_reminder:
            return _("The customer is excluded from payment reminders.")
        if not recipients:
            if invalid_emails:
                return _(
                    "Not a valid e-mail address: %(emails)s. Correct it on the "
                    "customer or its invoice contacts.",
                    emails=", ".join(invalid_emails),
                )
            return _(
                "No e-mail address: give the customer or one of its invoice "
                "contacts an e-mail."
            )
        if debtor.last_reminder_date == today:
            return _("Already reminded today.")
        if (
            not self.force
            and debtor.promise_state == "pending"
            and debtor.promise_date
            and debtor.promise_date >= self.date
        ):
            return _(
                "Payment promised for %(date)s.",
                date=format_date(self.env, debtor.promise_date),
            )
        if (
            not self.force
            and debtor.last_reminder_date
            and interval > 0
            and debtor.last_reminder_date > today - timedelta(days=interval)
        ):
            return _(
                "Already reminded on %(date)s; the minimum interval is %(days)s days.",
                date=format_date(self.env, debtor.last_reminder_date),
                days=interval,
            )
        return False

    @api.model
    def _check_sender(self, author):
        """A reminder leaves only with a sender address: refuse clearly,
        before anything is logged as sent."""
        if not email_normalize(author.email or ""):
            raise UserError(
                self.env._(
                    "Reminders are sent from the e-mail address of %(sender)s, "
                    "which has none (or not a valid one): set it first.",
                    sender=author.display_name,
                )
            )

    def _get_reminder_template(self):
        template = self.env.ref(
            "account_debtor_collection.mail_template_debtor_reminder",
            raise_if_not_found=False,
        )
        if not template:
            raise UserError(
                self.env._(
                    'The e-mail template "Debtor Collection: Payment Reminder" '
                    "was deleted. Update the Debtor Collection app to restore it."
                )
            )
        return template

    def _send_reminders(self, author):
        """Send a reminder, written by ``author`` (a partner: the user who
        sends, or the company for scheduled reminders), to every line still to
        send, checked again now."""
        self.ensure_one()
        self._check_sender(author)
        template = self._get_reminder_template()
        checks = self._check_debtors(self.line_ids.partner_id)
        for line in self.line_ids:
            check = checks[line.partner_id]
            line.write({key: check[key] for key in ("state", "message", "recipients")})
        # Always in the same order, so that two sendings that overlap wait for
        # each other instead of deadlocking on the one-reminder-a-day index.
        to_send = self.line_ids.filtered(lambda line: line.state == "to_send").sorted(
            lambda line: line.partner_id.id
        )
        for batch in split_every(
            REMINDER_BATCH_SIZE, to_send.ids, self.line_ids.browse
        ):
            self._send_reminder_batch(batch, template, author)
            # what one batch loaded is not needed by the next: memory stays
            # that of one batch, however many debtors are reminded
            self.env.flush_all()
            self.env.invalidate_all()
        if to_send:
            # The queue sends the e-mails; wake it up rather than wait for it.
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    def _get_sending_env(self):
        """The environment reminders are rendered and posted in: superuser,
        because posting on a partner needs write access to it, which billing
        users lack. Safe: the sender checked the user's rights (model access
        to this wizard), the author is passed explicitly and the context is
        built here, so nothing the client put in its context steers it."""
        return self.env(
            su=True,
            context={
                "lang": self.env.lang,
                "tz": self.env.context.get("tz"),
                "allowed_company_ids": self.company_id.ids,
                "debtor_as_of_date": fields.Date.to_string(self.date),
                # e-mails go out through the mail queue, never in the request
                "mail_notify_force_send": False,
                "mail_create_nolog": True,
                "mail_create_nosubscribe": True,
            },
        )

    def _send_reminder_batch(self, lines, template, author):
        env = self._get_sending_env()
        partners = lines.partner_id.with_env(env)
        template = template.with_env(env)
        recipients_by_partner = partners._get_debtor_reminder_recipients()
        # Rendered for the whole batch at once (one query, one compilation per
        # language); when that fails, each debtor is rendered on its own below,
        # so that only the debtor at fault fails.
        try:
            with self.env.cr.savepoint():
                rendered = self._render_reminders(partners, template)
        except Exception as error:  # noqa: BLE001 - retried debtor by debtor
            _logger.info(
                "Rendering a batch of reminders failed (%s): one by one", error
            )
            rendered = {}
        Correspondence = env["account.debtor.correspondence"].with_context(
            tracking_disable=True
        )
        for line in lines:
            partner = partners.browse(line.partner_id.id)
            recipients = recipients_by_partner[partner][0]
            try:
                with self.env.cr.savepoint():
                    subject, body, attachments = (
                        rendered.get(partner.id)
                        or (
                            # alone: what fails for this debtor fails for it only
                            self._render_reminders(partner.with_prefetch(), template)[
                                partner.id
                            ]
                        )
                    )
                    entry = Correspondence.create(
                        {
                            "partner_id": partner.id,
                            "company_id": self.company_id.id,
                            "kind": "reminder",
                            "date": fields.Date.context_today(self),
                            "user_id": self.env.user.id,
                            "move_ids": [
                                Command.set(partner.debtor_reminder_move_ids.ids)
                            ],
                            "recipient_ids": [Command.set(recipients.ids)],
                        }
                    )
                    # insert now: the unique index refuses a second reminder
                    entry.flush_recordset()
                    message = partner.message_post(
                        body=body,
                        subject=subject,
                        partner_ids=recipients.ids,
                        message_type="comment",
                        subtype_xmlid="mail.mt_comment",
                        email_layout_xmlid="mail.mail_notification_light",
                        attachments=attachments,
                        email_add_signature=False,
                        author_id=author.id,
                        email_from=author.email_formatted,
                    )
                    entry.mail_message_id = message
                    env.flush_all()
            except pg_errors.UniqueViolation:
                line.write(
                    {
                        "state": "skipped",
                        "message": self.env._("Already reminded today."),
                    }
                )
            except Exception as error:  # noqa: BLE001 - reported on the line
                _logger.info("Reminder to partner %s failed: %s", partner.id, error)
                line.write(
                    {
                        "state": "failed",
                        "message": self.env._(
                            "Not sent: %(error)s", error=str(error)[:500]
                        ),
                    }
                )
            else:
                line.write(
                    {
                        "state": "sent",
                        "correspondence_id": entry.id,
                        "message": self.env._(
                            "Sent to %(emails)s. Overdue invoices: %(count)s.",
                            count=len(entry.move_ids),
                            emails=", ".join(recipients.mapped("email")),
                        ),
                    }
                )

    def _render_reminders(self, partners, template):
        """Subject, body and attachments of the reminder of each debtor."""
        subjects = template._render_field("subject", partners.ids, compute_lang=True)
        bodies = template._render_field("body_html", partners.ids, compute_lang=True)
        statements = {}
        if self.company_id.debtor_reminder_attach_statement:
            statements = self._render_statements(partners)
        return {
            partner.id: (
                " ".join(subjects[partner.id].split()),
                bodies[partner.id],
                statements.get(partner.id, []),
            )
            for partner in partners
        }

    def _render_statements(self, partners):
        """The PDF statement of each debtor, in its language."""
        report = self.env.ref(
            "account_debtor_collection.action_report_debtor_statement"
        )
        statements = {}
        for partner in partners:
            content, _report_type = (
                self.env["ir.actions.report"]
                .with_env(partners.env)
                .with_context(lang=partner.lang)
                ._render_qweb_pdf(report.report_name, partner.ids)
            )
            filename = self.env._("Statement %(name)s.pdf", name=partner.name)
            statements[partner.id] = [(filename, content)]
        return statements

    @api.model
    def _cron_send_scheduled_reminders(self):
        """Remind the overdue debtors whose next action date has come, in the
        companies that chose scheduled reminders; one company that fails does
        not stop the others."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search(
            [("debtor_reminder_auto", "=", True)]
        ):
            try:
                with self.env.cr.savepoint():
                    self.with_company(company)._send_scheduled_reminders(company, today)
            except Exception as error:  # noqa: BLE001 - logged, next company
                _logger.warning(
                    "Scheduled reminders of %s failed: %s", company.name, error
                )

    @api.model
    def _send_scheduled_reminders(self, company, today):
        debtors = self.env["account.debtor"].search_fetch(
            [
                *self.env["account.debtor"]._get_remindable_domain(company, today),
                ("next_action_date", "<=", today),
            ],
            ["partner_id"],
        )
        if not debtors:
            return
        wizard = self.create(
            {
                "company_id": company.id,
                "date": today,
                "partner_ids": [Command.set(debtors.partner_id.ids)],
            }
        )
        # sent in the company's name: no user clicked
        wizard._send_reminders(company.partner_id)
        wizard.state = "done"
        _logger.info(
            "Scheduled reminders of %s: %s sent, %s skipped, %s failed",
            company.name,
            wizard.sent_count,
            wizard.skip_count,
            wizard.failed_count,
        )
