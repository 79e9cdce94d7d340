import logging
from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

_logger = logging.getLogger(__name__)


class AccountDebtorRemind(models.TransientModel):
    """Send payment reminders: pick the debtors, preview who will be sent
    what (and who skipped, and why), then queue a reminder run
    (``account.debtor.reminder.run``), which the scheduled action sends in
    the background: one e-mail per debtor listing its invoices overdue at
    ``date``, in the debtor's language.
    """

    _name = "account.debtor.remind"
    _description = "Send Payment Reminders"

    date = fields.Date(
        required=True,
        # the company's today: the date its reminders are sent on, whatever
        # the sender's time zone (the user's may already be tomorrow)
        default=lambda self: self.env.company._get_debtor_today(),
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
        help="Also remind debtors reminded within the minimum interval, and "
        "the invoices a pending payment promise pauses.",
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
    run_id = fields.Many2one("account.debtor.reminder.run", readonly=True)
    bank_warning = fields.Char(compute="_compute_bank_warning")
    date_warning = fields.Char(compute="_compute_date_warning")
    send_count = fields.Integer(compute="_compute_counts")
    skip_count = fields.Integer(compute="_compute_counts")

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
            # the preview of each debtor. In the web client's onchange the
            # wizard is a new record and so are its debtors (new records
            # whose origin is the partner): the checks look them up in the
            # database, by their real records.
            checks = self.env["account.debtor.reminder.check"]._get_reminder_checks(
                wizard.partner_ids._origin,
                wizard.company_id._origin,
                wizard.date,
                wizard.force,
            )
            if wizard.id:
                wizard._set_preview_lines(list(checks.values()))
            else:
                # on the screen (onchange): new lines, in memory only
                wizard.line_ids = [Command.clear()] + [
                    Command.create(check) for check in checks.values()
                ]

    @api.depends("date", "company_id")
    def _compute_date_warning(self):
        """A date to come may be previewed, not sent."""
        for wizard in self:
            wizard.date_warning = (
                wizard.date
                and wizard.company_id
                and wizard.date > wizard.company_id._get_debtor_today()
                and self.env._(
                    "This date is still to come: the preview shows what would "
                    "be late then, but reminders can only be sent as of today "
                    "or an earlier date."
                )
            )

    @api.depends("company_id")
    def _compute_bank_warning(self):
        """Warn when the company's bank data is stale: payments made since
        are not in Odoo, and a reminder would ask for them again."""
        for wizard in self:
            wizard.bank_warning = wizard._get_bank_warning()

    def _get_bank_warning(self):
        company = self.company_id
        if not company or company.debtor_bank_stale_days <= 0:
            return False
        journals = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", company.id)]
        )
        if not journals:
            return False
        latest = dict(
            self.env["account.bank.statement.line"]._read_group(
                [("journal_id", "in", journals.ids)],
                groupby=["journal_id"],
                aggregates=["date:max"],
            )
        )
        limit = company._get_debtor_today() - timedelta(
            days=company.debtor_bank_stale_days
        )
        stale = journals.filtered(lambda j: not latest.get(j) or latest[j] < limit)
        if not stale:
            return False
        dates = [latest[journal] for journal in stale if latest.get(journal)]
        if dates:
            return self.env._(
                "Payments after %(date)s are not in Odoo yet (%(journals)s): "
                "import the bank statements before reminding.",
                date=format_date(self.env, min(dates)),
                journals=", ".join(stale.mapped("name")),
            )
        return self.env._(
            "No bank transaction is in Odoo yet (%(journals)s): payments may "
            "have arrived that a reminder would ask for again.",
            journals=", ".join(stale.mapped("name")),
        )

    @api.depends("line_ids.state")
    def _compute_counts(self):
        """Counted in the database for a saved wizard: its preview may hold
        thousands of lines, which the screen pages without loading them."""
        saved = self.filtered("id")
        counts = defaultdict(dict)
        if saved:
            # the lines are computed first (then written in SQL)
            saved.flush_recordset(["line_ids"])
            groups = self.env["account.debtor.remind.line"]._read_group(
                [("remind_id", "in", saved.ids)],
                groupby=["remind_id", "state"],
                aggregates=["__count"],
            )
            for wizard, state, count in groups:
                counts[wizard.id][state] = count
        for wizard in self:
            if wizard.id:
                wizard.send_count = counts[wizard.id].get("to_send", 0)
                wizard.skip_count = counts[wizard.id].get("skipped", 0)
            else:
                states = wizard.line_ids.mapped("state")
                wizard.send_count = states.count("to_send")
                wizard.skip_count = states.count("skipped")

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
                "date": date or company._get_debtor_today(),
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
            # wide enough for the preview's status and reasons
            "context": {"dialog_size": "extra-large"},
        }

    def action_select_overdue(self):
        """Select every debtor whose overdue balance at the date is positive
        (the invoices a pending promise pauses left out), but the excluded
        ones."""
        self.ensure_one()
        if self.select_all_overdue:
            self.partner_ids = self._get_overdue_debtors()
        else:
            # the selection follows the date from now on (see _compute_partner_ids)
            self.select_all_overdue = True
        return self._action_reopen()

    def action_send(self):
        """Queue a reminder run of the debtors to send, and return at once:
        the run is sent in the background, and its user told when it is
        done."""
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("These reminders were already queued."))
        run = self._create_run(self.env.user.partner_id)
        self.write({"state": "done", "run_id": run.id})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Payment reminders queued"),
                # %s: the link to the run (the notification's own placeholder)
                "message": self.env._(
                    "To send: %(count)s. They leave in the background; you will "
                    "be told when they are sent.",
                    count=run.to_send_count,
                )
                + " %s",
                "links": [
                    {
                        "label": self.env._("Open the run"),
                        "url": f"/odoo/account.debtor.reminder.run/{run.id}",
                    }
                ],
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _create_run(self, author, scheduled=False):
        """The run of this sending: every line of the preview, as shown (each
        batch of the run checks its debtors again before sending); the skipped
        ones keep their reason."""
        self.ensure_one()
        return self.env["account.debtor.reminder.run"]._create_run(
            self.company_id,
            self.date,
            author,
            self.line_ids,
            force=self.force,
            scheduled=scheduled,
        )

    def _set_preview_lines(self, checks):
        """Replace the preview's lines with one line per check (values of
        ``account.debtor.remind.line``), written in one INSERT: a preview of
        thousands of debtors through the ORM takes seconds, and nothing
        computes from the new lines (their company is the wizard's). Called
        while ``line_ids`` is computed, which it sets in the cache."""
        self.ensure_one()
        Line = self.env["account.debtor.remind.line"]
        cr = self.env.cr
        cr.execute(
            SQL("DELETE FROM account_debtor_remind_line WHERE remind_id = %s", self.id)
        )
        Line.invalidate_model()
        ids = []
        if checks:
            names = sorted({name for check in checks for name in check})
            # one typed array per column, unnested into rows
            columns = [
                SQL(
                    "%s::%s",
                    [
                        None if value is False and field.type != "boolean" else value
                        for value in (check.get(name, False) for check in checks)
                    ],
                    SQL(field.column_type[1] + "[]"),
                )
                for name in names
                for field in [Line._fields[name]]
            ]
            now = self.env.cr.now()
            cr.execute(
                SQL(
                    """
                    INSERT INTO account_debtor_remind_line
                           (remind_id, company_id, %(names)s,
                            create_uid, create_date, write_uid, write_date)
                    SELECT %(wizard)s, %(company)s, *,
                           %(uid)s, %(now)s, %(uid)s, %(now)s
                      FROM unnest(%(columns)s)
                 RETURNING id
                    """,
                    names=SQL(", ").join(map(SQL.identifier, names)),
                    wizard=self.id,
                    company=self.company_id.id,
                    uid=self.env.uid,
                    now=now,
                    columns=SQL(", ").join(columns),
                )
            )
            ids = [row[0] for row in cr.fetchall()]
        field = self._fields["line_ids"]
        self.env.cache.update(self, field, [tuple(ids)])
        # the counts follow the new lines
        self.invalidate_recordset(["send_count", "skip_count"])

    def _get_overdue_debtors(self):
        """The debtors (commercial partners) to remind at ``self.date``."""
        self.ensure_one()
        Debtor = self.env["account.debtor"].with_context(debtor_as_of_date=self.date)
        # the rows depend on the as-of date: never reuse rows read at another
        Debtor.invalidate_model()
        # search_fetch: the aggregate runs once, not once per prefetch batch
        debtors = Debtor.search_fetch(
            Debtor._get_remindable_domain(self.company_id._origin, self.date),
            ["partner_id"],
        )
        partners = debtors.partner_id
        Debtor.invalidate_model()
        return partners

    @api.model
    def _cron_send_scheduled_reminders(self):
        """Queue a reminder run, in the company's name, of the overdue debtors
        whose next action date has come, in each company that chose scheduled
        reminders; one company that fails does not stop the others."""
        for company in self.env["res.company"].search(
            [("debtor_reminder_auto", "=", True)]
        ):
            try:
                with self.env.cr.savepoint():
                    self.with_company(company)._send_scheduled_reminders(
                        company, company._get_debtor_today()
                    )
            except Exception as error:  # noqa: BLE001 - logged, next company
                _logger.warning(
                    "Scheduled reminders of %s failed: %s", company.name, error
                )

    @api.model
    def _send_scheduled_reminders(self, company, today):
        Debtor = self.env["account.debtor"]
        debtors = Debtor.search_fetch(
            [
                *Debtor._get_remindable_domain(company, today),
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
        run = wizard._create_run(company.partner_id, scheduled=True)
        wizard.state = "done"
        _logger.info(
            "Scheduled reminders of %s: run %s queued, %s to send",
            company.name,
            run.id,
            run.to_send_count,
        )
