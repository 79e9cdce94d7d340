import logging
from collections import defaultdict

from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, clean_context, email_normalize, format_date

_logger = logging.getLogger(__name__)

# How many debtors one call of the scheduled action renders, posts and
# commits together. Odoo's cron worker makes up to ten calls of a job that
# reports progress under one time limit (60 s CPU, 120 s real by default):
# 50 debtors (under a second here) keep ten calls far below it, so the worker
# is never killed and the mail queue gets its turn between cycles; fewer
# would spend more on what each batch does once (its checks, its commit).
REMINDER_BATCH_SIZE = 50


class AccountDebtorReminderRun(models.Model):
    """One sending of payment reminders, kept: who was to be reminded, and for
    each debtor what happened and why.

    The wizard (or the scheduled reminders) creates a run and returns at once;
    the scheduled action ``ir_cron_debtor_reminder_run`` sends it in committed
    batches, reports its progress and triggers itself again until the run is
    done. A batch locks its lines (skipping lines another worker holds), so
    that two workers share a run, and a batch that dies is rolled back whole:
    its lines are still to send at the next call. The one-reminder-a-day index
    of the log stops any debtor from being reminded twice.
    """

    _name = "account.debtor.reminder.run"
    _description = "Payment Reminder Run"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    date = fields.Date(
        string="As of",
        required=True,
        readonly=True,
        help="An invoice is overdue when its due date is before this date.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Sent by",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    author_id = fields.Many2one(
        "res.partner",
        string="From",
        required=True,
        readonly=True,
        help="The reminders' sender: the user who sent, or the company for "
        "scheduled reminders.",
    )
    scheduled = fields.Boolean(readonly=True)
    force = fields.Boolean(string="Remind Again", readonly=True)
    state = fields.Selection(
        selection=[("queued", "Queued"), ("running", "Running"), ("done", "Done")],
        required=True,
        default="queued",
        readonly=True,
        index=True,
    )
    line_ids = fields.One2many(
        "account.debtor.reminder.run.line", "run_id", string="Debtors", readonly=True
    )
    line_count = fields.Integer(compute="_compute_counts")
    to_send_count = fields.Integer(string="To Send", compute="_compute_counts")
    sent_count = fields.Integer(string="Sent", compute="_compute_counts")
    skipped_count = fields.Integer(string="Skipped", compute="_compute_counts")
    failed_count = fields.Integer(string="Failed", compute="_compute_counts")
    progress = fields.Float(compute="_compute_counts", help="Percentage done.")
    date_done = fields.Datetime(string="Finished", readonly=True)
    letter_count = fields.Integer(string="Letters", compute="_compute_counts")

    @api.depends("date", "user_id")
    def _compute_name(self):
        for run in self:
            run.name = self.env._(
                "Reminders as of %(date)s",
                # in the reader's language, not ISO
                date=format_date(self.env, run.date) if run.date else "",
            )

    @api.depends("line_ids.state", "line_ids.channel")
    def _compute_counts(self):
        groups = self.env["account.debtor.reminder.run.line"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state", "channel"], ["__count"]
        )
        counts = defaultdict(int)
        letters = defaultdict(int)
        for run, state, channel, count in groups:
            counts[run.id, state] += count
            if state == "sent" and channel == "letter":
                letters[run.id] += count
        states = ("to_send", "sent", "skipped", "failed")
        for run in self:
            for state in states:
                run[f"{state}_count"] = counts[run.id, state]
            run.line_count = sum(counts[run.id, state] for state in states)
            run.letter_count = letters[run.id]
            run.progress = (
                100.0 * (run.line_count - run.to_send_count) / run.line_count
                if run.line_count
                else 100.0
            )

    # ------------------------------------------------------------------
    # Creating a run
    # ------------------------------------------------------------------

    @api.model
    def _create_run(
        self, company, date, author, preview_lines, force=False, scheduled=False
    ):
        """Queue a run of the reminder wizard's ``preview_lines`` (to send, or
        skipped with their reason) and wake the scheduled action up."""
        self._check_sender(author)
        self._check_levels(
            company, preview_lines.filtered(lambda line: line.state == "to_send")
        )
        run = self.create(
            {
                "company_id": company.id,
                "date": date,
                "author_id": author.id,
                "force": force,
                "scheduled": scheduled,
            }
        )
        run._copy_preview_lines(preview_lines)
        self.env.ref("account_debtor_collection.ir_cron_debtor_reminder_run")._trigger()
        return run

    def _copy_preview_lines(self, preview_lines):
        """The preview's lines become the run's, in one INSERT ... SELECT: a
        run of thousands of debtors is queued well within a request (through
        the ORM, creating them takes seconds). Copied are the columns both
        models have; the lines are new, nothing computes from them."""
        self.ensure_one()
        Line = self.env["account.debtor.reminder.run.line"]
        preview_lines.flush_recordset()
        columns = [
            name
            for name, field in Line._fields.items()
            if field.store
            and field.column_type
            and name not in models.LOG_ACCESS_COLUMNS
            and name not in ("id", "run_id")
            and getattr(preview_lines._fields.get(name), "store", False)
        ]
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO account_debtor_reminder_run_line
                       (run_id, %(columns)s,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(run)s, %(columns)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM account_debtor_remind_line
                 WHERE id = ANY(%(ids)s)
              ORDER BY id
                """,
                columns=SQL(", ").join(map(SQL.identifier, columns)),
                run=self.id,
                uid=self.env.uid,
                now=now,
                ids=preview_lines.ids,
            )
        )
        self.invalidate_recordset(["line_ids"])

    @api.model
    def _check_sender(self, author):
        """A reminder leaves only with a sender address: refuse clearly,
        before anything is queued or logged."""
        if not email_normalize(author.email or ""):
            raise UserError(
                self.env._(
                    "Reminders are sent from the e-mail address of %(sender)s, "
                    "which has none (or not a valid one): set it first.",
                    sender=author.display_name,
                )
            )

    @api.model
    def _check_levels(self, company, lines):
        """Refuse, before anything is queued, what would fail each debtor of
        a level: a text (mail template) gone, charges to invoice without the
        income accounts."""
        levels = lines.level_id
        for level in levels.filtered(lambda level: level.channel != "call"):
            level._get_template()
        if (
            company.debtor_charge_invoice
            and any(level._has_charges() for level in levels)
            and not (
                company.debtor_interest_account_id and company.debtor_fee_account_id
            )
        ):
            raise UserError(
                self.env._(
                    "Late-payment charges are invoiced: choose their income "
                    "accounts in the settings (Payment Reminders) first."
                )
            )

    def _get_line_template(self, line):
        """The mail template of a line's reminder: the text of its level (in
        this run's environment, which renders it)."""
        return line.with_env(self.env).level_id._get_template()

    def action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Sending, in the scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_runs(self, batch_size=REMINDER_BATCH_SIZE):
        """Send one batch of the oldest run with debtors still to send; the
        scheduled action commits it and comes back at once while there is
        more (its progress tells it so)."""
        Line = self.env["account.debtor.reminder.run.line"]
        lines = Line._lock_lines_to_send(batch_size)
        if lines:
            run = lines.run_id
            run.filtered(lambda r: r.state == "queued").state = "running"
            run._send_batch(lines)
        self._finish_runs()
        remaining = Line.search_count([("state", "=", "to_send")])
        self.env["ir.cron"]._notify_progress(done=len(lines), remaining=remaining)
        if remaining and not self.env.context.get("ir_cron_progress_id"):
            # run outside the cron loop (a direct trigger): come back later
            self.env.ref(
                "account_debtor_collection.ir_cron_debtor_reminder_run"
            )._trigger()

    def _finish_runs(self):
        """Close the runs with nothing left to send; tell their users."""
        runs = self.search([("state", "in", ("queued", "running"))])
        open_runs = {
            run.id
            for [run] in self.env["account.debtor.reminder.run.line"]._read_group(
                [("run_id", "in", runs.ids), ("state", "=", "to_send")], ["run_id"]
            )
        }
        done = runs.filtered(lambda run: run.id not in open_runs)
        if not done:
            return
        done.write({"state": "done", "date_done": fields.Datetime.now()})
        for run in done:
            run._notify_done()

    def _notify_done(self):
        """A notification in the web client of the run's user, with a link to
        the run (Odoo's invoicing notification, which opens records)."""
        self.ensure_one()
        user_env = self.with_context(lang=self.user_id.lang).env
        problems = self.failed_count
        self.user_id._bus_send(
            "account_notification",
            {
                "type": "warning" if problems else "success",
                "sticky": bool(problems),
                "title": user_env._("Payment reminders sent"),
                "message": user_env._(
                    "Sent: %(sent)s. Skipped: %(skipped)s. Failed: %(failed)s.",
                    sent=self.sent_count,
                    skipped=self.skipped_count,
                    failed=self.failed_count,
                ),
                "action_button": {
                    "name": user_env._("Open the run"),
                    "action_name": user_env._("Reminder Runs"),
                    "model": self._name,
                    "res_ids": self.ids,
                },
            },
        )

    def _get_sending_env(self):
        """The environment reminders are rendered and posted in: superuser,
        because posting on a partner needs write access to it, which billing
        users lack. Safe: the run was created by a user with the rights to
        send (model access), its author was fixed then, and the context is
        built here, so nothing a client put in its context steers it."""
        self.ensure_one()
        return self.env(
            su=True,
            context={
                "lang": self.user_id.lang or self.env.lang,
                "tz": self.user_id.tz,
                "allowed_company_ids": self.company_id.ids,
                "debtor_as_of_date": fields.Date.to_string(self.date),
                # e-mails go out through the mail queue
                "mail_notify_force_send": False,
                "mail_create_nolog": True,
                "mail_create_nosubscribe": True,
            },
        )

    def _send_batch(self, lines):
        """Check each debtor again, render its reminder, log it and post it.

        The batch is sent at once first: its log entries in one insert, its
        messages posted one after the other, one flush. When anything fails
        (a debtor reminded meanwhile, a message that cannot be posted), that
        is undone and the batch is sent again debtor by debtor, each in a
        savepoint of its own, so that one failing debtor is reported on its
        line and the others are still sent."""
        self.ensure_one()
        env = self._get_sending_env()
        run = self.with_env(env)
        user_env = self.with_context(lang=self.user_id.lang).env
        checks = env["account.debtor"]._get_reminder_checks(
            lines.partner_id.with_env(env), self.company_id, self.date, self.force
        )
        # in partner order, so that two workers never deadlock on the index
        lines = lines.sorted(lambda line: line.partner_id.id)
        to_send = lines.browse()
        for line in lines:
            check = checks[line.partner_id.with_env(env)]
            if check["state"] == "skipped":
                line.write({"state": "skipped", "message": check["message"]})
            else:
                line.write(run._prepare_line_level_vals(line, check))
                to_send |= line
        # letters and calls go their own ways; the rest are e-mails
        letters = to_send.filtered(lambda line: line.channel == "letter")
        calls = to_send.filtered(lambda line: line.channel == "call")
        run._send_letters(letters)
        run._schedule_calls(calls)
        to_send -= letters | calls
        if not to_send:
            return
        line_of = {line.partner_id.id: line for line in to_send}
        level_of = {line.partner_id.id: line.level_id for line in to_send}
        partners = to_send.partner_id.with_env(env)
        recipients_by_partner = partners._get_debtor_reminder_recipients()
        # Rendered for the whole batch at once (its figures in one query);
        # when that fails, each debtor is rendered on its own below, so that
        # only the debtor at fault fails.
        try:
            with self.env.cr.savepoint():
                rendered = {}
                for level, level_lines in to_send.grouped("level_id").items():
                    rendered.update(
                        run._render_reminders(
                            level_lines.partner_id.with_env(env),
                            run._get_line_template(level_lines[0]),
                            level,
                        )
                    )
        except Exception as error:  # noqa: BLE001 - retried debtor by debtor
            _logger.info("Rendering a batch of reminders failed (%s)", error)
            rendered = {}
        # What message_post would look up message by message, for the batch at
        # once: the values are the same, the queries are one per batch.
        company = env.company
        alias_domains = partners._mail_get_alias_domains(default_company=company)
        record_companies = partners._mail_get_companies(default=company)
        reply_tos = partners._notify_get_reply_to(
            default=self.author_id.email_formatted
        )
        Correspondence = env["account.debtor.correspondence"].with_context(
            tracking_disable=True
        )
        today = fields.Date.context_today(self)

        def debtor_of(line):
            # with the batch's prefetch: one query per field for all debtors
            return line.partner_id.with_env(env).with_prefetch(partners._prefetch_ids)

        def entry_values(partner):
            # what the e-mail shows, read in the context it was rendered in
            # (its level's): computed once, for the e-mail and the entry
            reminded = partner.with_context(
                debtor_reminder_level_id=level_of[partner.id].id
            )
            return {
                "partner_id": partner.id,
                "company_id": self.company_id.id,
                "kind": "reminder",
                "date": today,
                "user_id": self.user_id.id,
                "move_ids": [Command.set(reminded.debtor_reminder_move_ids.ids)],
                # what the e-mail asks for, for the effect report
                "amount_reminded": reminded.debtor_reminder_amount,
                "template_id": run._get_line_template(line_of[partner.id]).id,
                "recipient_ids": [Command.set(recipients_by_partner[partner][0].ids)],
                "level_id": level_of[partner.id].id,
                "channel": "email",
            }

        comment = env.ref("mail.mt_comment")

        def post(debtors):
            """What message_post does for each debtor, for all of them at
            once: the messages in one insert, then each notified (its e-mail
            put in Odoo's light layout and queued) as message_post would.
            Returns the messages in the order of ``debtors``."""
            values_list = []
            for partner in debtors:
                subject, body, attachments = (
                    rendered.get(partner.id)
                    or (
                        # alone: what fails for this debtor fails for it only
                        run._render_reminders(
                            partner.with_prefetch(),
                            run._get_line_template(line_of[partner.id]),
                            level_of[partner.id],
                        )[partner.id]
                    )
                )
                values = {
                    "author_id": self.author_id.id,
                    "email_from": self.author_id.email_formatted,
                    "model": partner._name,
                    "res_id": partner.id,
                    "body": body,
                    "subject": subject,
                    "message_type": "comment",
                    "subtype_id": comment.id,
                    "partner_ids": recipients_by_partner[partner][0].ids,
                    "email_add_signature": False,
                    "email_layout_xmlid": (
                        "account_debtor_collection.mail_notification_debtor"
                    ),
                    "record_name": partner.display_name,
                    "record_alias_domain_id": alias_domains[partner.id].id,
                    "record_company_id": record_companies[partner.id].id,
                    "reply_to": reply_tos[partner.id],
                }
                values.update(
                    partner._process_attachments_for_post(attachments, [], values)
                )
                values_list.append(values)
            messages = run._create_reminder_messages(debtors, values_list)
            for partner, message, values in zip(
                debtors, messages, values_list, strict=True
            ):
                partner._message_post_after_hook(message, values)
            run._notify_reminders(debtors, messages, values_list)
            return messages

        def sent_values(partner, entry):
            return {
                "state": "sent",
                "correspondence_id": entry.id,
                "message": user_env._(
                    "Sent to %(emails)s. Overdue invoices: %(count)s.",
                    count=len(entry.move_ids),
                    emails=", ".join(recipients_by_partner[partner][0].mapped("email")),
                ),
            }

        if len(rendered) == len(partners):
            try:
                # the savepoint flushes it all when it closes: a failure to
                # write (the unique index) is a failure of the batch too
                with self.env.cr.savepoint():
                    entries = Correspondence.create(
                        [entry_values(debtor_of(line)) for line in to_send]
                    )
                    messages = post(partners)
                    # linked once all are posted: each message's notifications
                    # would flush the links made before it, one by one
                    for line, entry, message in zip(
                        to_send, entries, messages, strict=True
                    ):
                        entry.mail_message_id = message
                        line.write(sent_values(debtor_of(line), entry))
            except Exception as error:  # noqa: BLE001 - sent debtor by debtor
                _logger.info(
                    "Sending a batch of reminders at once failed (%s): "
                    "sending debtor by debtor",
                    error,
                )
            else:
                to_send = to_send.browse()
        for line in to_send:
            partner = debtor_of(line)

            def send(partner=partner):
                entry = Correspondence.create(entry_values(partner))
                # insert now: the unique index refuses a second reminder
                entry.flush_recordset()
                entry.mail_message_id = post(partner)
                return sent_values(partner, entry)

            self._send_line_alone(line, send)
        # the queue sends the e-mails: wake it up rather than wait for it
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()

    def _create_reminder_messages(self, debtors, values_list):
        """The reminders' messages, as ``_message_create`` makes them, each
        body sanitized once. The ORM sanitizes an HTML field twice on create
        (into the row, then into the cache), some ms each for a reminder's
        table, a fifth of sending: so the bodies are sanitized here, by the
        field's own rules, the messages inserted without them and the
        sanitized bodies written in one UPDATE and put in the cache. A body
        with inline images goes the ORM's way: its create turns them into
        attachments. ``values_list`` keeps the bodies as rendered, as
        message_post notifies."""
        Message = self.env["mail.message"]
        body_field = Message._fields["body"]
        create_list = []
        bodies = []
        for values in values_list:
            body = values.get("body")
            if body and "data:image/" not in body:
                bodies.append(body_field.convert_to_cache(body, Message))
                values = dict(values, body=False)
            else:
                bodies.append(None)
            create_list.append(values)
        messages = debtors._message_create(create_list)
        sanitized = [
            (message, body)
            for message, body in zip(messages, bodies, strict=True)
            if body is not None
        ]
        if sanitized:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE mail_message
                       SET body = sanitized.body
                      FROM UNNEST(%s::int[], %s::text[]) AS sanitized(id, body)
                     WHERE mail_message.id = sanitized.id
                    """,
                    [message.id for message, _body in sanitized],
                    [str(body) for _message, body in sanitized],
                )
            )
            self.env.cache.update(
                Message.browse(message.id for message, _body in sanitized),
                body_field,
                [body for _message, body in sanitized],
            )
        return messages

    def _notify_reminders(self, debtors, messages, values_list):
        """Notify the recipients of each reminder as message_post does, with
        the e-mails and their notifications of the whole batch created at
        once. Each e-mail is Odoo's own: the message in its e-mail layout, in
        the recipients' language, queued. A message with other recipients
        than e-mail ones (an internal user who follows the debtor gets it in
        the inbox) is notified by Odoo's own method."""
        mail_values_list = []
        notified = []  # (message, recipient ids) of each e-mail
        for partner, message, values in zip(
            debtors, messages, values_list, strict=True
        ):
            recipients = partner._notify_get_recipients(message, values)
            # every recipient reads the debtor's language (not its own)
            lang = partner._get_debtor_lang()
            for recipient in recipients:
                recipient["lang"] = lang
            if any(recipient["notif"] != "email" for recipient in recipients):
                partner._notify_thread(message, values, force_email_lang=lang)
                continue
            if not recipients:
                continue
            base_values = partner._notify_by_email_get_base_mail_values(
                message, additional_values={"auto_delete": True}
            )
            for (
                _lang,
                render_values,
                group,
            ) in partner._notify_get_classified_recipients_iterator(
                message, recipients, msg_vals=values, force_email_lang=lang
            ):
                recipient_ids = group.pop("recipients")
                if not recipient_ids:
                    continue
                body = partner._notify_by_email_render_layout(
                    message, group, msg_vals=values, render_values=render_values
                )
                mail_values_list.append(
                    partner._notify_by_email_get_final_mail_values(
                        recipient_ids,
                        base_values,
                        additional_values={"body_html": body},
                    )
                )
                notified.append((message, recipient_ids))
        if not mail_values_list:
            return
        env = self.env(context=clean_context(self.env.context))
        mails = env["mail.mail"].create(mail_values_list)
        env["mail.notification"].create(
            [
                {
                    "author_id": message.author_id.id,
                    "is_read": True,  # no inbox notification, as Odoo's
                    "mail_mail_id": mail.id,
                    "mail_message_id": message.id,
                    "notification_status": "ready",
                    "notification_type": "email",
                    "res_partner_id": recipient_id,
                }
                for mail, (message, recipient_ids) in zip(mails, notified, strict=True)
                for recipient_id in recipient_ids
            ]
        )

    @api.model
    def _prepare_line_level_vals(self, line, check):
        """The level and channel a line is sent at: those of its check at
        sending time (the debtor may have paid or grown later since the
        preview)."""
        values = {"level_id": check["level_id"], "channel": check["channel"]}
        if line.level_id.id == values["level_id"] and line.channel == values["channel"]:
            return {}
        return values

    def _prepare_reminder_entry_vals(self, partner, line):
        """A reminder that leaves without e-mail (a letter, a call)."""
        return {
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "kind": "reminder",
            "date": fields.Date.context_today(self),
            "user_id": self.user_id.id,
            "move_ids": [Command.set(partner.debtor_reminder_move_ids.ids)],
            "level_id": line.level_id.id,
            "channel": line.channel,
        }

    def _log_offline_reminders(self, lines, sent_message):
        """Log a reminder per line (letters, calls) and mark it sent, each
        debtor on its own (``_send_line_alone``). ``sent_message(line,
        entry)`` says what happened."""
        Correspondence = self.env["account.debtor.correspondence"].with_context(
            tracking_disable=True
        )
        for line in lines:

            def send(line=line):
                partner = line.partner_id.with_env(self.env)
                entry = Correspondence.create(
                    self._prepare_reminder_entry_vals(partner, line)
                )
                entry.flush_recordset()
                return {
                    "state": "sent",
                    "correspondence_id": entry.id,
                    "message": sent_message(line, entry),
                }

            self._send_line_alone(line, send)

    def _send_line_alone(self, line, send):
        """Send one debtor's reminder in a savepoint of its own: ``send()``
        logs it and returns the line's values once sent. A reminder logged
        meanwhile (the one-a-day index) skips the line, any other failure is
        reported on it; the batch goes on."""
        user_env = self.with_context(lang=self.user_id.lang).env
        try:
            with self.env.cr.savepoint():
                values = send()
                self.env.flush_all()
        except pg_errors.UniqueViolation:
            line.write(
                {"state": "skipped", "message": user_env._("Already reminded today.")}
            )
        except Exception as error:  # noqa: BLE001 - reported on the line
            _logger.info("Reminder to partner %s failed: %s", line.partner_id.id, error)
            line.write(
                {
                    "state": "failed",
                    "message": user_env._(
                        "Not sent: %(error)s", error=str(error)[:500]
                    ),
                }
            )
        else:
            line.write(values)

    def _send_letters(self, lines):
        """Letters: logged as reminders of their level now, printed from the
        run (Print Letters) in one PDF."""
        user_env = self.with_context(lang=self.user_id.lang).env
        self._log_offline_reminders(
            lines,
            lambda line, entry: user_env._(
                "Letter to print. Overdue invoices: %(count)s.",
                count=len(entry.move_ids),
            ),
        )

    def _schedule_calls(self, lines):
        """Calls: a phone-call activity on the debtor for its collector, with
        its phone, amounts and late invoices; logged as a reminder of its
        level. Marking the activity done logs a note."""
        user_env = self.with_context(lang=self.user_id.lang).env

        def schedule(line, entry):
            collector = entry._get_follow_up_user()
            entry.call_activity_id = entry._schedule_call_activity(collector, line)
            return user_env._(
                "Call scheduled for %(user)s. Overdue invoices: %(count)s.",
                user=collector.name,
                count=len(entry.move_ids),
            )

        self._log_offline_reminders(lines, schedule)

    def action_print_letters(self):
        """One PDF with every letter of this run, each in its debtor's
        language."""
        self.ensure_one()
        letters = self.line_ids.filtered(
            lambda line: line.channel == "letter" and line.state == "sent"
        )
        if not letters:
            raise UserError(self.env._("This run has no letter to print."))
        return self.env.ref(
            "account_debtor_collection.action_report_debtor_reminder_letter"
        ).report_action(letters, config=False)

    def _render_reminders(self, partners, template, level):
        """Subject, body and attachments of the reminder of each debtor at
        ``level``."""
        # the level decides the charges the reminder table shows
        template = template.with_context(debtor_reminder_level_id=level.id)
        subjects = template._render_field("subject", partners.ids, compute_lang=True)
        bodies = template._render_field("body_html", partners.ids, compute_lang=True)
        statements = {}
        if level.attach_statement:
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
        """The PDF statement of each debtor, in its language: one rendering
        per language for the whole batch, split per debtor."""
        report = self.env.ref(
            "account_debtor_collection.action_report_debtor_statement"
        )
        statements = {}
        for lang, lang_partners in partners.grouped(
            lambda partner: partner._get_debtor_lang()
        ).items():
            streams, report_type = (
                self.env["ir.actions.report"]
                .with_context(lang=lang)
                ._pre_render_qweb_pdf(report.report_name, res_ids=lang_partners.ids)
            )
            for partner in lang_partners:
                if report_type == "pdf":
                    content = streams[partner.id]["stream"].getvalue()
                else:  # tests: Odoo renders HTML instead of calling wkhtmltopdf
                    content = streams
                filename = self.with_context(lang=lang).env._(
                    "Statement %(name)s.pdf", name=partner.name
                )
                statements[partner.id] = [(filename, content)]
        return statements
