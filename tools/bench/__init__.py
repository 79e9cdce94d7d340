"""Benchmark of account_debtor_collection against the peer users would pick
instead, OCA's account_invoice_overdue_reminder.

Run it through ``tools/benchmark``, which starts a throwaway PostgreSQL
cluster, installs both addons and calls this file (with the Python that runs
Odoo) in three steps:

``build``
    fills the database: debtors with open and paid invoices (bulk SQL copies
    of one invoice posted through the ORM), the past correspondence of both
    addons, then checks that both addons see the expected amounts.
``measure``
    times, in a fresh transaction rolled back after each run, what the web
    client asks the server for: the overview's first page, "select all
    overdue", opening and sending reminders to the reminder set, and one
    debtor's invoices and log; with the peak memory while sending. One process
    per side (``--side ours`` / ``--side peer``), so that the memory of one
    does not hide the other's.
``report``
    prints the table and writes BENCHMARKS.md.
"""
