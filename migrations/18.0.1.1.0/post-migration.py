from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Remove the "did not arrive" activities that versions before 18.0.1.1.0
    scheduled for reminders that did arrive: Odoo's mail queue marks each
    notification failed just before sending it, which those versions took
    for a failure."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    remove_delivery_activities_of_arrived_reminders(env)


def remove_delivery_activities_of_arrived_reminders(env):
    entries = env["account.debtor.correspondence"].search(
        [
            ("delivery_activity_id", "!=", False),
            ("delivery_state", "not in", ("bounced", "failed")),
        ]
    )
    entries.delivery_activity_id.unlink()
    return entries
