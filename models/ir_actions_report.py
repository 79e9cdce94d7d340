from collections import OrderedDict

from odoo import models

LETTER_REPORT = "account_debtor_collection.report_debtor_reminder_letter"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """Reminder letters: each letter on its own (Odoo would print the
        letters missing a PDF together and split them by the PDF's outline,
        which the wkhtmltopdf builds without Odoo's patched Qt do not
        make), and each kept on its reminder at its first print."""
        if (
            self._get_report(report_ref).report_name != LETTER_REPORT
            or not res_ids
            or len(res_ids) != len(set(res_ids))
        ):
            return super()._render_qweb_pdf_prepare_streams(
                report_ref, data, res_ids=res_ids
            )
        streams = OrderedDict()
        for res_id in res_ids:
            streams.update(
                super()._render_qweb_pdf_prepare_streams(
                    report_ref, data, res_ids=[res_id]
                )
            )
        self.env["account.debtor.correspondence"].browse(res_ids)._keep_printed_letters(
            streams
        )
        return streams
