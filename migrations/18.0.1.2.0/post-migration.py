from odoo import SUPERUSER_ID, api

# How many reminders one step of the migration rebuilds.
BATCH_SIZE = 1000


def migrate(cr, version):
    """Reminders sent before 18.0.1.2.0 kept no document of what they said:
    rebuild each one's items from the invoices it named, as they still
    show, and mark them rebuilt."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    rebuild_reminder_documents(env)


def rebuild_reminder_documents(env):
    """Items for every reminder without any: one per receivable item of the
    invoices it named, with its days late at the reminder's date and what is
    left of it now (its whole amount once paid: what was asked is not known
    any more). No charges: the charges invoice, when there was one, keeps
    them. Returns the reminders rebuilt."""
    Correspondence = env["account.debtor.correspondence"]
    Debtor = env["account.debtor"]
    entries = Correspondence.search(
        [("kind", "=", "reminder"), ("item_ids", "=", False)], order="id"
    )
    for start in range(0, len(entries), BATCH_SIZE):
        batch = entries[start : start + BATCH_SIZE]
        values = []
        for entry in batch:
            lines = entry.move_ids.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            ).sorted(lambda line: (line.date_maturity or line.date, line.id))
            for sequence, line in enumerate(lines, start=1):
                due_date = Debtor._get_item_due_date(line)
                open_now = not line.reconciled and line.amount_residual
                values.append(
                    {
                        "correspondence_id": entry.id,
                        "sequence": sequence,
                        "move_line_id": line.id,
                        "move_id": line.move_id.id,
                        "name": line.move_id.name,
                        "invoice_date": line.move_id.invoice_date or line.date,
                        "due_date": due_date,
                        "days_late": max((entry.date - due_date).days, 0),
                        "is_credit": False,
                        "currency_id": line.currency_id.id,
                        "amount_residual_currency": line.amount_residual_currency
                        if open_now
                        else line.amount_currency,
                        "amount_residual": line.amount_residual
                        if open_now
                        else line.balance,
                    }
                )
        env["account.debtor.reminder.item"].create(values)
        batch.write({"items_rebuilt": True})
        for entry in batch.filtered(lambda entry: not entry.lang):
            entry.lang = entry.partner_id.lang
        env.flush_all()
    return entries
