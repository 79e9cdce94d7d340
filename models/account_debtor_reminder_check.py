from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_amount, format_date, formataddr


class AccountDebtorReminderCheck(models.AbstractModel):
    """Whether and how a reminder can be sent to each debtor, as the reminder
    wizard's preview, "Select all overdue" in the workspace and a reminder
    run at sending time all ask it (``_get_reminder_checks``).

    It decides, per debtor (commercial partner) of a company at an as-of date:

    - whether it is skipped, and why (``_get_skip_reason``): archived, held by
      a reminder run still open (``_get_partners_in_open_runs``), a payment
      promised, nothing overdue or below the minimum, excluded, no level
      reached, no way to reach it, reminded today or within the minimum
      interval, a payment waiting in the bank not matched yet
      (``_get_unmatched_bank_amounts``);
    - by which channel the reminder goes (``_get_reminder_channel``): its
      level's, the level's fallback channel when the debtor cannot be reached
      by it (``_get_reminder_reach``, ``_can_reach``), or a letter instead of
      an e-mail to nobody;
    - to whom, as the preview and the run show it
      (``_get_reminder_recipients_text``, ``_format_recipients``), and what
      to note of a reminder that goes another way than its level's
      (``_get_reminder_channel_note``).

    The overview's rows it reads are those of ``account.debtor``.

    Context keys honoured:

    ``debtor_reminder_run_id``
        the reminder run being sent; trusted only in the addon's superuser
        sending (``_get_sending_run``): a debtor an older run, not finished
        when this one was queued, holds is skipped.
    """

    _name = "account.debtor.reminder.check"
    _description = "Debtor Reminder Checks"

    @api.model
    def _get_partners_in_open_runs(self, partners, company, run=None):
        """The debtors among ``partners`` that a reminder run of ``company``
        already holds: a line to send or sent in a run queued or running
        (when ``run`` is given: in an older run that was not finished yet
        when ``run`` was queued). Eight clicks on Send while the mail server
        is down remind once."""
        Run = self.env["account.debtor.reminder.run"]
        Run.flush_model(["company_id", "state", "date_done"])
        self.env["account.debtor.reminder.run.line"].flush_model(
            ["run_id", "partner_id", "state"]
        )
        if run:
            run.flush_recordset(["create_date"])
            open_run = SQL(
                "run.id < %(id)s AND (run.state != 'done' OR run.date_done >= "
                "(SELECT create_date FROM account_debtor_reminder_run "
                "WHERE id = %(id)s))",
                id=run.id,
            )
        else:
            open_run = SQL("run.state IN ('queued', 'running')")
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT line.partner_id
                  FROM account_debtor_reminder_run_line line
                  JOIN account_debtor_reminder_run run ON run.id = line.run_id
                 WHERE line.partner_id = ANY(%(partners)s)
                   AND run.company_id = %(company)s
                   AND line.state IN ('to_send', 'sent')
                   AND %(open_run)s
                """,
                partners=partners.ids,
                company=company.id,
                open_run=open_run,
            )
        )
        return partners.browse(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _get_open_run_skip_reason(self):
        return self.env._(
            "Already in a reminder run that is queued or running: it is sent there."
        )

    @api.model
    def _get_sending_run(self):
        """The run being sent (its sending environment names it; only the
        addon's superuser sending is trusted with it)."""
        run_id = self.env.context.get("debtor_reminder_run_id")
        if self.env.su and isinstance(run_id, int):
            return self.env["account.debtor.reminder.run"].browse(run_id)
        return None

    @api.model
    def _get_reminder_checks(self, partners, company, as_of_date, force=False):
        """Check each debtor before sending a reminder at ``as_of_date``:
        returns a dict partner -> preview values (recipients, language,
        overdue count and amount, state ``to_send`` or ``skipped`` with its
        reason). ``force`` also reminds debtors reminded within the minimum
        interval, and the invoices a pending promise pauses. A debtor that a
        queued or running run holds is skipped (at sending time: one that
        an older run held when this one was queued)."""
        if not partners:
            return {}
        Debtor = self.env["account.debtor"].with_context(
            debtor_as_of_date=as_of_date,
            debtor_partner_ids=partners.ids,
            debtor_remind_promised=bool(force),
        )
        Debtor.invalidate_model()
        debtors = Debtor.search_fetch(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
            ],
            [
                "partner_id",
                "amount_overdue",
                "amount_credit",
                "amount_disputed",
                "overdue_invoice_count",
                "no_reminder",
                "promise_state",
                "promise_date",
                "last_reminder_date",
                "level_id",
            ],
        )
        debtor_by_partner = {debtor.partner_id: debtor for debtor in debtors}
        first_level = self.env["account.debtor.reminder.level"].search(
            [("company_id", "=", company.id)], limit=1
        )
        recipients_by_partner = partners._get_debtor_reminder_recipients()
        reach_by_partner = self._get_reminder_reach(partners, company)
        unmatched_by_partner = self._get_unmatched_bank_amounts(partners, company)
        in_open_runs = self._get_partners_in_open_runs(
            partners, company, self._get_sending_run()
        )
        today = company._get_debtor_today()
        checks = {}
        for partner in partners:
            debtor = debtor_by_partner.get(partner)
            recipients, invalid = recipients_by_partner[partner]
            unmatched = unmatched_by_partner.get(partner, 0.0)
            level = debtor.level_id if debtor else first_level.browse()
            reach = reach_by_partner[partner]
            channel = self._get_reminder_channel(level, recipients, company, reach)
            reason = self._get_skip_reason(
                partner,
                debtor,
                recipients,
                invalid,
                {
                    "company": company,
                    "today": today,
                    "as_of_date": as_of_date,
                    "force": force,
                    "unmatched": unmatched,
                    "level": level,
                    "first_level": first_level,
                    "channel": channel,
                    "in_open_run": partner in in_open_runs,
                    "reach": reach,
                },
            )
            checks[partner] = {
                "partner_id": partner.id,
                "recipients": self._get_reminder_recipients_text(
                    channel, recipients, reach
                ),
                "lang": partner._get_debtor_lang(),
                "overdue_count": debtor.overdue_invoice_count if debtor else 0,
                "currency_id": company.currency_id.id,
                "amount_overdue": debtor.amount_overdue if debtor else 0.0,
                "amount_credit": debtor.amount_credit if debtor else 0.0,
                "amount_disputed": debtor.amount_disputed if debtor else 0.0,
                "amount_unmatched": unmatched,
                "level_id": level.id if level else False,
                "channel": channel,
                "state": "skipped" if reason else "to_send",
                "message": reason
                or self._get_reminder_channel_note(level, channel, reach),
            }
        Debtor.invalidate_model()
        return checks

    @api.model
    def _format_recipients(self, recipients):
        """The addresses of ``recipients`` as one line of text, as their
        ``email_formatted`` reads, without computing that field (with the
        mail thread's machinery it is most of a preview of thousands)."""
        return ", ".join(
            formataddr((partner.name or "False", email))
            for partner in recipients
            # a recipient has one valid address (_get_debtor_reminder_recipients)
            if (email := partner._get_debtor_valid_email())
        )

    @api.model
    def _get_skip_reason(self, partner, debtor, recipients, invalid_emails, check):
        """Why ``partner`` gets no reminder now (False: it gets one).
        ``check``: the company, its ``today``, ``as_of_date``, ``force`` and
        the amount of its bank transactions waiting to be matched
        (``unmatched``)."""
        company, as_of_date = check["company"], check["as_of_date"]
        force = check["force"]
        today = check["today"]
        interval = company.debtor_reminder_interval
        if not partner.active:
            return self.env._("The customer is archived.")
        if check.get("in_open_run"):
            return self._get_open_run_skip_reason()
        promised = (
            debtor
            and debtor.promise_state == "pending"
            and debtor.promise_date
            and debtor.promise_date >= as_of_date
        )
        if promised and not force and debtor.amount_overdue <= 0:
            # what is left to pay now is what it promised: paused
            return self.env._(
                "Payment promised for %(date)s.",
                date=format_date(self.env, debtor.promise_date),
            )
        if debtor and debtor.amount_overdue <= 0 and debtor.amount_disputed > 0:
            if not debtor.overdue_invoice_count:
                return self.env._(
                    "Its late invoices are in dispute: resolve the dispute first."
                )
        if not debtor or (
            debtor.amount_overdue <= 0 and not debtor.overdue_invoice_count
        ):
            return self.env._("Nothing is overdue at this date.")
        if debtor.amount_overdue <= 0:
            return self.env._(
                "Its credits cover its late invoices: there is nothing to pay "
                "at this date."
            )
        if debtor.amount_overdue < company.debtor_reminder_min_amount:
            return self.env._(
                "%(amount)s overdue is below the minimum of %(minimum)s.",
                amount=format_amount(
                    self.env, debtor.amount_overdue, company.currency_id
                ),
                minimum=format_amount(
                    self.env, company.debtor_reminder_min_amount, company.currency_id
                ),
            )
        if debtor.no_reminder:
            return self.env._("The customer is excluded from payment reminders.")
        level = check.get("level")
        if not level:
            first_level = check.get("first_level")
            if not first_level:
                return self.env._("The company has no reminder level.")
            return self.env._(
                "No reminder level reached yet: %(level)s starts %(days)s days "
                "after the due date.",
                level=first_level.name,
                days=first_level.delay,
            )
        if not recipients and check.get("channel", "email") == "email":
            if check.get("reach", {}).get("bounced"):
                return self._get_bounced_skip_reason(check["reach"]["bounced"])
            if invalid_emails:
                return self.env._(
                    "Not a valid e-mail address: %(emails)s. Correct it on the "
                    "customer or its invoice contacts.",
                    emails=", ".join(invalid_emails),
                )
            return self.env._(
                "No e-mail address: give the customer or one of its invoice "
                "contacts an e-mail."
            )
        if debtor.last_reminder_date == today:
            return self.env._("Already reminded today.")
        if not force and check["unmatched"] > 0:
            return self.env._(
                "%(amount)s from this customer is in the bank, not matched yet: "
                "match it first, or tick Remind Again.",
                amount=format_amount(self.env, check["unmatched"], company.currency_id),
            )
        if (
            not force
            and debtor.last_reminder_date
            and interval > 0
            and debtor.last_reminder_date > today - timedelta(days=interval)
        ):
            return self.env._(
                "Already reminded on %(date)s; the minimum interval is %(days)s days.",
                date=format_date(self.env, debtor.last_reminder_date),
                days=interval,
            )
        reach = check.get("reach")
        if not reach:
            return False
        channel = check.get("channel")
        if channel == "sms" and not reach["mobile"]:
            return self.env._(
                "No mobile number: give the customer or one of its invoice "
                "contacts a mobile, or the level a fallback channel."
            )
        if channel == "post" and not reach["postal"]:
            return self.env._(
                "Incomplete postal address: a letter by post needs the "
                "customer's street, ZIP, city and country."
            )
        return False

    @api.model
    def _get_reminder_channel(self, level, recipients, company, reach=None):
        """How the reminder at ``level`` goes to a debtor with these e-mail
        ``recipients``: the level's channel, its fallback channel when the
        debtor cannot be reached by it (``reach``, see
        ``_get_reminder_reach``), or a letter instead of an e-mail to nobody
        when the company chose so."""
        if not level:
            return False
        if (
            reach
            and level.fallback_channel
            and not self._can_reach(level.channel, recipients, reach)
        ):
            return level.fallback_channel
        if (
            level.channel == "email"
            and not recipients
            and company.debtor_letter_without_email
        ):
            return "letter"
        return level.channel

    @api.model
    def _get_unmatched_bank_amounts(self, partners, company):
        """What each debtor paid into the company's bank that is not matched
        to its invoices yet (bank transactions not reconciled), in company
        currency: a reminder would ask for money already received."""
        groups = self.env["account.bank.statement.line"]._read_group(
            [
                ("partner_id", "child_of", partners.ids),
                ("company_id", "=", company.id),
                ("is_reconciled", "=", False),
                ("amount", ">", 0),
            ],
            groupby=["partner_id", "currency_id"],
            aggregates=["amount:sum"],
        )
        amounts = defaultdict(float)
        today = fields.Date.context_today(self)
        for partner, currency, amount in groups:
            amounts[partner.commercial_partner_id] += currency._convert(
                amount, company.currency_id, company, today
            )
        return amounts

    @api.model
    def _get_reminder_reach(self, partners, company):
        """For each debtor: ``mobile`` (its SMS number, see
        ``res.partner._get_debtor_sms_recipients``), ``sms_contact`` (who has
        it), ``postal`` (its address is complete for the post) and
        ``bounced`` (its contacts whose e-mail bounced). A few queries for
        all debtors."""
        sms_recipients = partners._get_debtor_sms_recipients()
        bounced = partners._get_debtor_bounced_contacts()
        return {
            partner: {
                "sms_contact": sms_recipients[partner][0],
                "mobile": sms_recipients[partner][1],
                "postal": partner._has_debtor_postal_address(),
                "address": ", ".join(
                    part
                    for part in (
                        partner.street,
                        partner.street2,
                        " ".join(p for p in (partner.zip, partner.city) if p),
                        partner.country_id.name,
                    )
                    if part
                ),
                "bounced": bounced.filtered(
                    lambda contact, partner=partner: (
                        contact.commercial_partner_id == partner
                    )
                ),
            }
            for partner in partners
        }

    @api.model
    def _get_reminder_recipients_text(self, channel, recipients, reach):
        """Whom the preview and the run say the reminder goes to: the e-mail
        addresses, the SMS's contact and number, or the postal address."""
        if channel == "sms" and reach and reach["mobile"]:
            return f"{reach['sms_contact'].name} <{reach['mobile']}>"
        if channel in ("post", "letter") and reach and reach.get("address"):
            return reach["address"]
        return self._format_recipients(recipients)

    @api.model
    def _can_reach(self, channel, recipients, reach):
        """Whether a debtor with these e-mail ``recipients`` and ``reach`` can
        get a reminder by ``channel``."""
        if channel == "email":
            return bool(recipients)
        if channel == "sms":
            return bool(reach["mobile"])
        if channel == "post":
            return reach["postal"]
        return True

    @api.model
    def _get_bounced_skip_reason(self, bounced):
        """Why a debtor all of whose e-mail addresses bounced is skipped."""
        return self.env._(
            "Every e-mail address bounced (%(emails)s): correct them, or give "
            "the level a fallback channel.",
            emails=", ".join(bounced.mapped("email")),
        )

    @api.model
    def _get_reminder_channel_note(self, level, channel, reach):
        """What the preview and the log say of a reminder that goes another
        way than its level's: instead of a bounced address, or by the
        fallback channel (False: nothing to say)."""
        if not level or not reach:
            return False
        bounced = ", ".join(reach["bounced"].mapped("email"))
        if channel == level.channel:
            if channel == "email" and bounced:
                return self.env._(
                    "Not to %(emails)s, which bounced: to the next address.",
                    emails=bounced,
                )
            return False
        labels = dict(level._fields["channel"]._description_selection(self.env))
        if level.channel == "email" and bounced:
            return self.env._(
                "Every e-mail address bounced (%(emails)s): %(channel)s instead.",
                emails=bounced,
                channel=labels[channel],
            )
        if level.channel == "sms":
            return self.env._(
                "No mobile number: %(channel)s instead.", channel=labels[channel]
            )
        if level.channel == "post":
            return self.env._(
                "Incomplete postal address: %(channel)s instead.",
                channel=labels[channel],
            )
        if level.channel == "email":
            return self.env._(
                "No e-mail address: %(channel)s instead.", channel=labels[channel]
            )
        return False
